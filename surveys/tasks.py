"""Survey emails: invitations when a campaign opens, reminders before its
deadline. Each task takes ids, claims its work with a conditional update of
a *_sent_at flag, and so is safe to run twice or concurrently."""
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from institutes.selectors import respondents_to_email

from .models import Campaign, Invitation, Response


def _email_institute(invitation: Invitation, template: str) -> int:
    """Email every respondent of the invited institute in their own language."""
    sent = 0
    campaign = invitation.campaign
    for user in respondents_to_email(institute=invitation.institute):
        with translation.override(user.preferred_language):
            context = {
                "user": user,
                "campaign": campaign,
                "institute": invitation.institute,
                "link": settings.SITE_URL.rstrip("/") + reverse("surveys:campaign_detail", args=[campaign.pk]),
            }
            subject = " ".join(render_to_string(f"surveys/emails/{template}_subject.txt", context).split())
            body = render_to_string(f"surveys/emails/{template}.txt", context)
        sent += send_mail(subject, body, None, [user.email])
    return sent


@shared_task(time_limit=300, soft_time_limit=270, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_campaign_invitations(campaign_id: int) -> int:
    """Invite each institute of an open campaign once. Returns emails sent."""
    sent = 0
    invitations = Invitation.objects.filter(
        campaign_id=campaign_id, campaign__status=Campaign.Status.OPEN, invitation_sent_at__isnull=True
    ).select_related("campaign", "institute")
    for invitation in invitations:
        # Claim it: only one run gets the row, however many run at once.
        claimed = Invitation.objects.filter(pk=invitation.pk, invitation_sent_at__isnull=True).update(
            invitation_sent_at=timezone.now()
        )
        if claimed:
            sent += _email_institute(invitation, "invitation")
    return sent


@shared_task(time_limit=120, soft_time_limit=100, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_reminder(invitation_id: int, manual: bool = False) -> int:
    """Remind one invited institute that has not submitted. The automatic
    reminder goes out once (reminder_sent_at); a manual one each time asked."""
    invitation = Invitation.objects.select_related("campaign", "institute").get(pk=invitation_id)
    submitted = Response.objects.filter(
        campaign_id=invitation.campaign_id, institute_id=invitation.institute_id, status=Response.Status.SUBMITTED
    ).exists()
    if submitted or invitation.campaign.status != Campaign.Status.OPEN:
        return 0
    if not manual:
        claimed = Invitation.objects.filter(pk=invitation.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=timezone.now()
        )
        if not claimed:
            return 0
    return _email_institute(invitation, "reminder")


@shared_task(time_limit=300, soft_time_limit=270)
def send_due_reminders() -> int:
    """Run by Celery beat every hour: remind, once, each institute that has not
    submitted when its campaign's deadline is `reminder_days` away or closer."""
    today = timezone.localdate()
    count = 0
    invitations = (
        Invitation.objects.filter(
            campaign__status=Campaign.Status.OPEN,
            campaign__closes_on__gte=today,
            reminder_sent_at__isnull=True,
        )
        .select_related("campaign")
        .only("pk", "campaign__closes_on", "campaign__reminder_days")
    )
    for invitation in invitations:
        campaign = invitation.campaign
        if today >= campaign.closes_on - timedelta(days=campaign.reminder_days):
            count += send_reminder(invitation.pk)
    return count


@shared_task(time_limit=120, soft_time_limit=100)
def purge_stale_uploads() -> int:
    """Run by Celery beat: delete spreadsheets uploaded for a dry run and
    never confirmed, once they are older than an hour."""
    from .importing import uploads_purge_stale

    return uploads_purge_stale()
