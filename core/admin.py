"""Read-only admin of the jobs and the email outbox. Rows change only
through the services; the one action, retry, calls them too."""
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from . import counting

from .jobs import job_retry
from .models import Job, OutboxMessage
from .outbox import outbox_retry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("pk", "name", "status", "attempts", "progress_done", "progress_total", "requested_by", "created_at", "finished_at")
    list_filter = ("status", "name", "created_at")
    search_fields = ("name", "last_error", "requested_by__username")
    date_hierarchy = "created_at"
    list_select_related = ("requested_by",)
    actions = ["retry"]

    def has_retry_permission(self, request):
        return request.user.is_superuser

    @admin.action(description=_("Retry the selected failed jobs"), permissions=["retry"])
    def retry(self, request, queryset):
        count = sum(job_retry(job=job, by=request.user) for job in queryset.filter(status=Job.Status.FAILED))
        self.message_user(
            request,
            ngettext("%(count)d failed job will run again.", "%(count)d failed jobs will run again.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("pk", "to", "key", "subject", "language", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "language", "created_at")
    search_fields = ("to", "key", "subject", "user__username")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    actions = ["retry"]
    readonly_fields = ("attachment_names",)

    @admin.display(description=_("attachments"))
    def attachment_names(self, obj):
        return ", ".join(attachment.filename for attachment in obj.attachments.all()) or "—"

    def get_exclude(self, request, obj=None):
        # A password-reset link is nobody's to read here.
        return ("body", "html") if obj is not None and obj.confidential else ()

    def has_retry_permission(self, request):
        return request.user.is_superuser

    @admin.action(description=_("Retry the selected failed emails"), permissions=["retry"])
    def retry(self, request, queryset):
        count = outbox_retry(messages=queryset.filter(status=OutboxMessage.Status.FAILED), by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d failed email will be sent again.", "%(count)d failed emails will be sent again.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


# Counts in the admin's lists in words that agree with the number
# (core/counting.py): this app's models, and those of the packages whose
# admin the portal shows as they are (groups, django-axes).
counting.register(Job, ngettext_lazy("%(count)s background job", "%(count)s background jobs", "count"))
counting.register(OutboxMessage, ngettext_lazy("%(count)s outgoing email", "%(count)s outgoing emails", "count"))
counting.register(Group, ngettext_lazy("%(count)s group", "%(count)s groups", "count"))
counting.register(AccessAttempt, ngettext_lazy("%(count)s login attempt", "%(count)s login attempts", "count"))
counting.register(AccessLog, ngettext_lazy("%(count)s login record", "%(count)s login records", "count"))
counting.register(AccessFailureLog, ngettext_lazy("%(count)s failed login", "%(count)s failed logins", "count"))
