from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from import_export.formats.base_formats import CSV, XLSX

from core.spreadsheets import SafeCSV, SafeXLSX

from . import resources
from .models import CeemsStatus, Country, Institute, MetrologyArea, Role, SubField, User
from .services import RESPONDENT_NEEDS_INSTITUTE


class SpreadsheetAdmin(ImportExportModelAdmin):
    """Import from CSV or XLSX (dry run, then confirm); export with formula
    escaping on every path."""

    import_formats = [XLSX, CSV]
    export_formats = [SafeXLSX, SafeCSV]


class CeemsStatusInline(admin.TabularInline):
    model = CeemsStatus
    extra = 0


@admin.register(Country)
class CountryAdmin(SpreadsheetAdmin, TranslationAdmin):
    resource_classes = [resources.CountryResource]
    list_display = ("iso2", "name", "rmo", "coomet_member", "customs_union")
    list_filter = ("rmo", "coomet_member", "customs_union")
    search_fields = ("iso2", "name_ru", "name_en")
    inlines = [CeemsStatusInline]


@admin.register(CeemsStatus)
class CeemsStatusAdmin(SpreadsheetAdmin):
    resource_classes = [resources.CeemsStatusResource]
    list_display = ("country", "year", "is_ceems", "note")
    list_filter = ("year", "is_ceems")
    list_select_related = ("country",)
    search_fields = ("country__iso2", "country__name_ru", "country__name_en")


@admin.register(Institute)
class InstituteAdmin(SpreadsheetAdmin, TranslationAdmin):
    resource_classes = [resources.InstituteResource]
    list_display = ("acronym", "name", "country", "kind", "city")
    list_filter = ("kind", "country__rmo", "country")
    list_select_related = ("country",)
    search_fields = ("acronym", "name_ru", "name_en", "country__iso2")


class SubFieldInline(TranslationTabularInline):
    model = SubField
    extra = 0


@admin.register(MetrologyArea)
class MetrologyAreaAdmin(SpreadsheetAdmin, TranslationAdmin):
    resource_classes = [resources.MetrologyAreaResource]
    list_display = ("code", "name", "position")
    search_fields = ("code", "name_ru", "name_en")
    inlines = [SubFieldInline]


@admin.register(SubField)
class SubFieldAdmin(SpreadsheetAdmin, TranslationAdmin):
    resource_classes = [resources.SubFieldResource]
    list_display = ("code", "name", "area", "position")
    list_filter = ("area",)
    list_select_related = ("area",)
    search_fields = ("code", "name_ru", "name_en")


class PortalUserChangeForm(UserChangeForm):
    """Refuses a respondent without an institute, whatever else is edited."""

    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups")
        if groups is not None and groups.filter(name=Role.RESPONDENT).exists():
            if not cleaned.get("institute"):
                raise ValidationError({"institute": RESPONDENT_NEEDS_INSTITUTE})
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PortalUserChangeForm
    list_display = ("username", "email", "first_name", "last_name", "institute", "is_active")
    list_filter = ("groups", "is_active", "is_superuser", "institute__country")
    list_select_related = ("institute",)
    search_fields = ("username", "email", "first_name", "last_name", "institute__acronym")
    autocomplete_fields = ("institute",)
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Portal"), {"fields": ("institute", "preferred_language")}),
    )
