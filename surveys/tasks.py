"""Survey emails: invitations when a campaign opens, reminders before its
deadline, the Secretariat's reminders by hand and the news of a moved
deadline. None of them sends mail
itself: each writes outbox rows (core.outbox.notify), one per respondent,
with a key that says why, so a row is never written twice for the same
reason; the outbox sends them after commit and retries what fails."""
import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.text import format_lazy

from core.jobs import job_function, job_progress
from core.outbox import notify
from institutes.selectors import respondents_to_email

from .models import Campaign, Invitation, Response

logger = logging.getLogger(__name__)

INVITE_JOB = "surveys.campaign_invite"


def invitation_key(invitation: Invitation) -> str:
    return f"invitation:campaign={invitation.campaign_id}:institute={invitation.institute_id}"


# The email telling respondents that the deadline moved (surveys.services.campaign_set_deadline).
DEADLINE_TEMPLATE = "deadline"


def reminder_key(invitation: Invitation) -> str:
    """One automatic reminder per institute and deadline: when the deadline
    is extended, the reminder before the new one is a new email."""
    closes_on = invitation.campaign.closes_on.isoformat()
    return f"reminder-auto:campaign={invitation.campaign_id}:institute={invitation.institute_id}:deadline={closes_on}"


def institute_notify(*, invitation: Invitation, template: str, key: str, by=None) -> int:
    """Write the `template` email ("invitation" or "reminder") for every
    respondent of the invitation's institute, each in their own language,
    under `key`, in the caller's transaction. Returns the rows written (0
    for recipients who already have one under `key`)."""
    campaign = invitation.campaign
    # Lazy: the link is built inside each recipient's language, so its
    # language prefix is theirs.
    link = format_lazy("{}{}", settings.SITE_URL.rstrip("/"), reverse_lazy("surveys:campaign_detail", args=[campaign.pk]))
    rows = notify(
        to=respondents_to_email(institute=invitation.institute).order_by("pk"),
        key=key,
        template=f"surveys/emails/{template}",
        context={"campaign": campaign, "institute": invitation.institute, "link": link},
        by=by,
    )
    return len(rows)


def institute_has_submitted(invitation: Invitation) -> bool:
    return Response.objects.filter(
        campaign_id=invitation.campaign_id, institute_id=invitation.institute_id, status=Response.Status.SUBMITTED
    ).exists()


def campaign_invitations_write(*, campaign_id: int, job=None) -> int:
    """Write the invitation of each institute of the open campaign that has
    none yet, one institute per transaction: its rows and its
    `invitation_sent_at` (meaning "its emails are in the outbox") commit
    together. One institute failing does not stop the others; the error is
    raised at the end so the job is marked failed and can be retried, which
    writes only what is missing. Returns the rows written."""
    invitations = list(
        Invitation.objects.filter(
            campaign_id=campaign_id, campaign__status=Campaign.Status.OPEN, invitation_sent_at__isnull=True
        ).select_related("campaign", "institute").order_by("pk")
    )
    written = 0
    errors = []
    for done, invitation in enumerate(invitations, start=1):
        try:
            with transaction.atomic():
                if Invitation.objects.filter(pk=invitation.pk, invitation_sent_at__isnull=True).update(
                    invitation_sent_at=timezone.now()
                ):
                    written += institute_notify(invitation=invitation, template="invitation", key=invitation_key(invitation))
        except Exception as error:
            logger.exception("Invitation %s could not be written.", invitation.pk)
            errors.append(f"{invitation.institute}: {error}")
        if job is not None:
            job_progress(job, done=done, total=len(invitations))
    if errors:
        raise RuntimeError("Some invitations were not written: " + "; ".join(errors))
    return written


@job_function(INVITE_JOB, time_limit=1800)
def campaign_invite(*, job, campaign_id: int) -> dict:
    """The job campaign_open asks for: write every invitation of the campaign
    (see campaign_invitations_write). Safe to run again."""
    return {"emails": campaign_invitations_write(campaign_id=campaign_id, job=job)}


def invitation_remind(*, invitation_id: int) -> int:
    """The automatic reminder of one invited institute: if its campaign is
    open and it has not submitted, write its reminder rows and mark it
    reminded in one transaction. Once per institute per campaign; if writing
    fails nothing is marked and the next run tries again. Returns rows written."""
    with transaction.atomic():
        invitation = Invitation.objects.select_related("campaign", "institute").get(pk=invitation_id)
        if invitation.campaign.status != Campaign.Status.OPEN or institute_has_submitted(invitation):
            return 0
        if not Invitation.objects.filter(pk=invitation.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=timezone.now()
        ):
            return 0
        return institute_notify(invitation=invitation, template="reminder", key=reminder_key(invitation))


@shared_task(time_limit=600, soft_time_limit=540)
def send_due_reminders() -> int:
    """Run by Celery beat every hour: remind, once, each institute that has not
    submitted when its campaign's deadline is `reminder_days` away or closer.
    Each institute is its own transaction: one that fails is logged, left
    unmarked for the next run, and does not stop the others. Returns the
    emails written."""
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
        .order_by("pk")
    )
    for invitation in invitations:
        campaign = invitation.campaign
        if today < campaign.closes_on - timedelta(days=campaign.reminder_days):
            continue
        try:
            count += invitation_remind(invitation_id=invitation.pk)
        except Exception:
            logger.exception("The reminder of invitation %s could not be written; the next run tries again.", invitation.pk)
    return count


@shared_task(time_limit=120, soft_time_limit=100)
def purge_stale_uploads() -> int:
    """Run by Celery beat: delete spreadsheets uploaded for a dry run and
    never confirmed, once they are older than an hour."""
    from .importing import uploads_purge_stale

    return uploads_purge_stale()
