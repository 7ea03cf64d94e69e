"""The Programme in the admin, going through the same rules as the pages
(programme.permissions): administrators only; a published version's
activities are read-only here too; an activity saved here bumps its
revision, so a form open on the page conflicts instead of overwriting; the
steps of a version (consultation, approval, publication) are the pages'
alone, so their fields are read-only; history is shown, never reverted."""
from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from core.concurrency import revision_bump

from .models import Activity, ActivityUpdate, ConsultationComment, Outcome, OutcomeDocument, Programme, ProgrammeVersion


class RulesAdminMixin:
    def _rule(self, request, action: str, obj=None) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.{action}_{self.opts.model_name}", obj)

    def has_view_permission(self, request, obj=None):
        return self._rule(request, "view", obj) or self._rule(request, "change", obj)

    def has_add_permission(self, request, *args):
        return self._rule(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._rule(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._rule(request, "delete", obj)

    def revert_disabled(self, request, obj=None):
        return True


@admin.register(Programme)
class ProgrammeAdmin(RulesAdminMixin, SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("title", "first_year", "last_year")


@admin.register(ProgrammeVersion)
class ProgrammeVersionAdmin(RulesAdminMixin, SimpleHistoryAdmin):
    list_display = ("programme", "year", "number", "status", "approved_at", "published_at")
    list_filter = ("status", "year")
    readonly_fields = (
        "status", "based_on", "created_by", "approved_by", "approved_at", "published_by", "published_at",
        "consultation_opened_at", "consultation_closed_at", "revision",
    )


@admin.register(Activity)
class ActivityAdmin(RulesAdminMixin, SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("title", "version", "activity_type", "status", "first_quarter", "last_quarter")
    list_filter = ("version__year", "status", "activity_type", "direction")
    search_fields = ("title_ru", "title_en")
    list_select_related = ("version__programme",)
    autocomplete_fields = ()
    raw_id_fields = ("needs", "offers", "carried_from")
    readonly_fields = ("version", "lineage", "revision")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            revision_bump(obj)


class OutcomeDocumentInline(admin.TabularInline):
    model = OutcomeDocument
    extra = 0


@admin.register(Outcome)
class OutcomeAdmin(RulesAdminMixin, SimpleHistoryAdmin):
    list_display = ("activity", "held_from", "result_kind", "result_identifier")
    raw_id_fields = ("activity",)
    inlines = [OutcomeDocumentInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            revision_bump(obj)


@admin.register(ConsultationComment)
class ConsultationCommentAdmin(RulesAdminMixin, SimpleHistoryAdmin):
    list_display = ("activity", "institute", "stance", "created_at", "answered_at")
    raw_id_fields = ("activity",)


@admin.register(ActivityUpdate)
class ActivityUpdateAdmin(RulesAdminMixin, admin.ModelAdmin):
    list_display = ("previous", "version", "action", "decided_at")
    raw_id_fields = ("previous", "activity")


# Counts in the admin's lists (core/counting.py).
from django.utils.translation import ngettext_lazy  # noqa: E402

from core import counting  # noqa: E402

counting.register(Programme, ngettext_lazy("%(count)s programme", "%(count)s programmes", "count"))
counting.register(ProgrammeVersion, ngettext_lazy("%(count)s Programme version", "%(count)s Programme versions", "count"))
counting.register(Activity, ngettext_lazy("%(count)s activity", "%(count)s activities", "count"))
counting.register(Outcome, ngettext_lazy("%(count)s outcome", "%(count)s outcomes", "count"))
counting.register(ConsultationComment, ngettext_lazy("%(count)s consultation comment", "%(count)s consultation comments", "count"))
counting.register(ActivityUpdate, ngettext_lazy("%(count)s annual update decision", "%(count)s annual update decisions", "count"))
