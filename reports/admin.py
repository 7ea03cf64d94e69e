"""The annual reports in the admin: the narrative parts may be corrected
there by an administrator; versions are read-only (a PDF is never edited,
only generated anew from the report's page)."""
from django.contrib import admin
from django.utils.translation import ngettext_lazy
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from core import counting

from .models import AnnualReport, ReportVersion
from .sanitize import narrative_clean


class RulesAdminMixin:
    def _rule(self, request, action: str, obj=None) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.{action}_{self.opts.model_name}", obj)

    def has_view_permission(self, request, obj=None):
        return self._rule(request, "view", obj) or self._rule(request, "change", obj)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return self._rule(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return self.has_view_permission(request)


class VersionInline(admin.TabularInline):
    model = ReportVersion
    extra = 0
    can_delete = False
    fields = ["number", "language", "requested_by", "requested_at", "job", "file", "pages", "submitted"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AnnualReport)
class AnnualReportAdmin(RulesAdminMixin, SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["year", "document_number", "updated_at"]
    readonly_fields = ["year", "created_at", "updated_at", "revision"]
    inlines = [VersionInline]

    def save_model(self, request, obj, form, change):
        # The same sanitising as the service: nothing the PDF cannot show.
        from .services import NARRATIVE_FIELDS
        from django.conf import settings

        for name in NARRATIVE_FIELDS:
            for code, _label in settings.LANGUAGES:
                field = f"{name}_{code}"
                setattr(obj, field, narrative_clean(getattr(obj, field, "") or ""))
        obj.revision += 1
        super().save_model(request, obj, form, change)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        extra_context = {**(extra_context or {}), "revert_disabled": True}
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(ReportVersion)
class ReportVersionAdmin(RulesAdminMixin, admin.ModelAdmin):
    list_display = ["report", "number", "language", "requested_by", "requested_at", "pages", "submitted"]
    list_filter = ["language", "submitted"]
    list_select_related = ["report", "requested_by"]
    readonly_fields = [f.name for f in ReportVersion._meta.fields]


counting.register(AnnualReport, ngettext_lazy("%(count)s annual report", "%(count)s annual reports", "count"))
counting.register(ReportVersion, ngettext_lazy("%(count)s report version", "%(count)s report versions", "count"))
