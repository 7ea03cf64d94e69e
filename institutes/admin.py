"""Reference data and users in the admin. Every model keeps its history
(read-only here); a user's roles change only through
institutes.services.user_set_roles, as everywhere else."""
from django import forms
from django.contrib import admin
from django.db import models
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from import_export.admin import ImportExportModelAdmin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from import_export.formats.base_formats import CSV, XLSX

from core import counting
from core.spreadsheets import SafeCSV, SafeXLSX

from . import resources
from .models import CeemsStatus, Country, Institute, MetrologyArea, Role, SubField, User
from .services import RESPONDENT_NEEDS_INSTITUTE, user_set_roles


class HistoryAdmin(SimpleHistoryAdmin):
    """The history of a row, shown and never reverted: a revert would write
    behind the services' backs."""

    def revert_disabled(self, request, obj=None):
        return True


class SpreadsheetAdmin(HistoryAdmin, ImportExportModelAdmin):
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
    # A website typed without a scheme means https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
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
    """The person's roles as one list of choices; saved by user_set_roles
    (UserAdmin.save_related), which also makes an administrator staff and
    superuser. Refuses a respondent without an institute before anything
    is saved."""

    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # From the groups and superuser status themselves: `roles` is
            # empty for an inactive user, and saving that would strip them.
            held = set(self.instance.groups.filter(name__in=Role.values).values_list("name", flat=True))
            if self.instance.is_superuser:
                held.add(Role.ADMIN)
            self.fields["roles"].initial = sorted(held)

    def clean(self):
        cleaned = super().clean()
        if Role.RESPONDENT in (cleaned.get("roles") or []) and not cleaned.get("institute"):
            raise ValidationError({"institute": RESPONDENT_NEEDS_INSTITUTE})
        return cleaned


@admin.register(User)
class UserAdmin(HistoryAdmin, DjangoUserAdmin):
    form = PortalUserChangeForm
    list_display = ("username", "email", "first_name", "last_name", "institute", "is_active")
    list_filter = ("groups", "is_active", "is_superuser", "institute__country")
    list_select_related = ("institute",)
    search_fields = ("username", "email", "first_name", "last_name", "institute__acronym")
    autocomplete_fields = ("institute",)
    # Groups, staff and superuser status are the roles, set by the service;
    # Django's per-user permissions are not used (the rules are the permissions).
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Portal"), {"fields": ("institute", "preferred_language", "roles", "is_active")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "roles" in form.cleaned_data:
            user_set_roles(user=form.instance, roles=set(form.cleaned_data["roles"]))


# Counts in the admin's lists (core/counting.py).
counting.register(Country, ngettext_lazy("%(count)s country", "%(count)s countries", "count"))
counting.register(CeemsStatus, ngettext_lazy("%(count)s CEEMS status", "%(count)s CEEMS statuses", "count"))
counting.register(Institute, ngettext_lazy("%(count)s institute", "%(count)s institutes", "count"))
counting.register(MetrologyArea, ngettext_lazy("%(count)s metrology area", "%(count)s metrology areas", "count"))
counting.register(SubField, ngettext_lazy("%(count)s sub-field", "%(count)s sub-fields", "count"))
counting.register(User, ngettext_lazy("%(count)s user", "%(count)s users", "count"))
