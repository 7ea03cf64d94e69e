"""The task group in the admin: administrators only (taskgroup.permissions,
`taskgroup.admin_*`). The pages are where the task group works; the admin
corrects data. History is shown, never reverted."""
from django.contrib import admin
from django.utils.translation import ngettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from core import counting

from .models import (
    ActionItem,
    AgendaComment,
    AgendaItem,
    AgendaReview,
    CalendarSettings,
    Decision,
    Document,
    DocumentVersion,
    InfoMessage,
    InfoRequest,
    JoinRequest,
    Meeting,
    Membership,
    Minutes,
)


class RulesAdmin(SimpleHistoryAdmin):
    def _rule(self, request, action: str, obj=None) -> bool:
        return request.user.has_perm(f"taskgroup.admin_{action}_{self.opts.model_name}", obj)

    def has_view_permission(self, request, obj=None):
        return self._rule(request, "view", obj)

    def has_add_permission(self, request, *args):
        return self._rule(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._rule(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._rule(request, "delete", obj)

    def has_module_permission(self, request):
        return self._rule(request, "view")

    def revert_disabled(self, request, obj=None):
        return True


@admin.register(Membership)
class MembershipAdmin(RulesAdmin):
    list_display = ("user", "institute", "role", "starts_on", "ends_on")
    list_filter = ("role",)
    autocomplete_fields = ()
    raw_id_fields = ("user",)


@admin.register(JoinRequest)
class JoinRequestAdmin(RulesAdmin):
    list_display = ("user", "institute", "status", "created_at", "decided_at")
    raw_id_fields = ("user", "decided_by")


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ("position", "kind", "title_ru", "title_en", "presenter", "planned_minutes", "standing")
    extra = 0
    fk_name = "meeting"


@admin.register(Meeting)
class MeetingAdmin(RulesAdmin):
    list_display = ("title", "starts_at", "time_zone", "format", "agenda_status", "cancelled")
    list_filter = ("agenda_status", "format", "cancelled")
    raw_id_fields = ("invitees", "created_by")
    exclude = ("title",)
    inlines = [AgendaItemInline]


@admin.register(Document)
class DocumentAdmin(RulesAdmin):
    list_display = ("title", "meeting", "created_at")





@admin.register(Minutes)
class MinutesAdmin(RulesAdmin):
    list_display = ("meeting", "status", "approved_at")



@admin.register(ActionItem)
class ActionItemAdmin(RulesAdmin):
    list_display = ("title", "meeting", "owner", "due_on", "status", "reminder_sent_at")
    list_filter = ("status",)
    raw_id_fields = ("owner", "activity")



@admin.register(InfoRequest)
class InfoRequestAdmin(RulesAdmin):
    list_display = ("subject", "institute", "topic", "status", "created_at", "first_answered_at")
    list_filter = ("status", "topic")
    raw_id_fields = ("requester", "assigned_to", "activity")



# How the admin counts them, in words that agree with the number (core.counting).
for model, singular, plural in (
    (Membership, "%(count)s membership", "%(count)s memberships"),
    (JoinRequest, "%(count)s request to join", "%(count)s requests to join"),
    (Meeting, "%(count)s meeting", "%(count)s meetings"),
    (Document, "%(count)s document", "%(count)s documents"),
    (Minutes, "%(count)s set of minutes", "%(count)s sets of minutes"),
    (ActionItem, "%(count)s action item", "%(count)s action items"),
    (InfoRequest, "%(count)s information-support request", "%(count)s information-support requests"),
):
    counting.register(model, ngettext_lazy(singular, plural, "count"))
