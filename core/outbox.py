"""The email outbox: every email the portal sends, one row per recipient and
message, written in the caller's transaction and sent by a task after commit.

Guarantees:
- never twice for the same reason: (key, address) is unique in the database,
  and writing the same message again is a no-op;
- sent means accepted: a row becomes `sent` only after the mail server took
  it (the backend's send() returned without an error);
- nothing lost: a refused recipient, a mail-server outage or a broker outage
  leave the row pending, retried with exponential backoff by the sweep;
- one copy when two workers race: a worker claims a row (pending -> sending)
  with a conditional update before it talks to the mail server.
The one window for a duplicate: a worker that dies after the server accepted
the mail and before it marked the row sent. The row then stays `sending`
until its lease ends, and the sweep sends it again.

Sending goes through a dedicated task per row (core.tasks.outbox_send), not
through a Job: the outbox row already is the durable record of the work (its
status, attempts, backoff and error), and a Job per email would keep the
same state twice.
"""
from __future__ import annotations

import logging
import smtplib
import socket
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .jobs import PUBLISH_RETRY, AfterCommit
from .models import OutboxAttachment, OutboxMessage

logger = logging.getLogger(__name__)

User = get_user_model()


def _setting(name: str, default):
    return getattr(settings, name, default)


def notify(
    *,
    to: Iterable,
    key: str,
    template: str,
    context: Mapping | None = None,
    by=None,
    confidential: bool = False,
    attachments: Callable[[], Iterable[tuple[str, bytes, str]]] | None = None,
) -> list[OutboxMessage]:
    """Write one outbox row per recipient in `to` (users, or plain addresses
    for someone without an account) for the reason `key`, and send them after
    the caller's transaction commits. Each message is rendered inside the
    recipient's preferred language from `<template>_subject.txt`,
    `<template>.txt` and, if it exists, `<template>.html`, with `context`
    plus `user` (None for a bare address) and `email`. A recipient who
    already has a row for `key` gets nothing new, so calling it again is
    safe. Users without an address are skipped. A `confidential` message
    (a password-reset link) is never shown in the admin and its text is
    erased once the mail server accepted it. `attachments`, if given, is
    called inside each recipient's language (once per language) and returns
    (file name, bytes, content type) triples; the bytes are stored with each
    new row (OutboxAttachment) and sent with it, the same on every retry.
    Returns the rows created."""
    rows = []
    now = timezone.now()
    for recipient in to:
        user = recipient if isinstance(recipient, User) else None
        address = (user.email if user else str(recipient)).strip()
        if not address:
            continue
        language = (user.preferred_language if user else None) or settings.LANGUAGE_CODE
        subject, body, html = _render(template, {**(context or {}), "user": user, "email": address}, language)
        rows.append(
            OutboxMessage(
                key=key, to=address, user=user, language=language, subject=subject, body=body, html=html,
                confidential=confidential,
                requested_by=by if by is not None and getattr(by, "is_authenticated", False) else None,
                next_attempt_at=now,
            )
        )
    if not rows:
        return []
    # Which rows are new: ignore_conflicts does not return primary keys on
    # every database, so ask before and insert without failing after.
    existing = set(OutboxMessage.objects.filter(key=key, to__in=[r.to for r in rows]).values_list("to", flat=True))
    rows = [row for row in rows if row.to not in existing]
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(OutboxMessage.objects.filter(key=key, to__in=[r.to for r in rows], created_at__gte=now))
    if created and attachments is not None:
        _attach(created, attachments)
    if created:
        transaction.on_commit(OutboxDispatch([m.pk for m in created]), robust=True)
    return created


def _attach(messages: list[OutboxMessage], attachments: Callable[[], Iterable[tuple[str, bytes, str]]]) -> None:
    files_by_language: dict[str, list[tuple[str, bytes, str]]] = {}
    rows = []
    for message in messages:
        if message.language not in files_by_language:
            with translation.override(message.language):
                files_by_language[message.language] = list(attachments())
        rows.extend(
            OutboxAttachment(message=message, filename=name, content=bytes(content), content_type=content_type)
            for name, content, content_type in files_by_language[message.language]
        )
    OutboxAttachment.objects.bulk_create(rows)


def _render(template: str, context: dict, language: str) -> tuple[str, str, str]:
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
        try:
            html = render_to_string(f"{template}.html", context)
        except TemplateDoesNotExist:
            html = ""
    return subject[:255], body, html


class OutboxDispatch(AfterCommit):
    def __call__(self) -> int:
        return outbox_dispatch(self.ids)




def outbox_dispatch(message_ids: list[int]) -> int:
    """Publish a send task for each of `message_ids` and note when the broker
    took them. A broker error is logged and swallowed: the rows stay pending
    and the sweep enqueues them later. Returns how many went out."""
    from .tasks import outbox_send as outbox_send_task

    # Stamped before publishing: a task that already ran and rescheduled its
    # row (in-process tasks run at once) must not look enqueued for its retry.
    stamp = timezone.now()
    published = []
    for pk in message_ids:
        try:
            outbox_send_task.apply_async((pk,), retry=True, retry_policy=PUBLISH_RETRY)
        except Exception:  # the broker: kombu raises several kinds
            logger.warning("Could not hand email %s to the broker; the sweep will retry.", pk, exc_info=True)
            break
        published.append(pk)
    if published:
        OutboxMessage.objects.filter(
            pk__in=published, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=stamp
        ).update(enqueued_at=stamp)
    return len(published)


def _backoff(attempts: int) -> timedelta:
    base = _setting("OUTBOX_RETRY_BASE", 60)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), _setting("OUTBOX_RETRY_MAX", 3600)))


def _smtp_code(error: Exception) -> int | None:
    """The SMTP reply code of `error`, if the mail server gave one."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return max(codes) if codes else None
    return getattr(error, "smtp_code", None)


def outbox_send(*, message_id: int, now: datetime | None = None) -> str:
    """Send the outbox row `message_id` if it is pending and due. Claims it
    first (pending -> sending, one more attempt, a lease) with a conditional
    update, so of two workers running this at once only one sends. Sends it
    as its own message to its one recipient; marks it sent only when the
    backend's send() returned without an error. A temporary failure (4xx,
    connection refused, timeout) puts it back to pending with exponential
    backoff and the error; a permanent 5xx refusal, or too many attempts,
    marks it failed. Returns the row's status afterwards, or "skipped"."""
    now = now or timezone.now()
    lease = timedelta(seconds=_setting("OUTBOX_LEASE", 600))
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now
    ).update(status=OutboxMessage.Status.SENDING, attempts=F("attempts") + 1, lease_until=now + lease)
    if not claimed:
        return "skipped"
    message = OutboxMessage.objects.get(pk=message_id)
    # Only this claim may settle the row: a worker past its lease must not
    # settle the next worker's attempt.
    this_claim = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxMessage.Status.SENDING, attempts=message.attempts
    )
    email = EmailMultiAlternatives(subject=message.subject, body=message.body, to=[message.to])
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments.all():
        email.attach(attachment.filename, bytes(attachment.content), attachment.content_type)
    try:
        accepted = email.send()
        if not accepted:
            raise smtplib.SMTPException("The mail backend accepted no message.")
    except (smtplib.SMTPException, OSError, socket.timeout) as error:
        code = _smtp_code(error)
        permanent = code is not None and code >= 500
        limit = _setting("OUTBOX_MAX_PERMANENT_ATTEMPTS", 3) if permanent else _setting("OUTBOX_MAX_ATTEMPTS", 10)
        text = f"{type(error).__name__}: {error}"[:2000]
        logger.warning("Email %s to %s not sent (attempt %s): %s", message.pk, message.to, message.attempts, text)
        if message.attempts >= limit:
            this_claim.update(status=OutboxMessage.Status.FAILED, last_error=text, lease_until=None)
            return OutboxMessage.Status.FAILED
        this_claim.update(
            status=OutboxMessage.Status.PENDING, last_error=text, lease_until=None,
            next_attempt_at=timezone.now() + _backoff(message.attempts),
        )
        return OutboxMessage.Status.PENDING
    erased = {"body": "", "html": ""} if message.confidential else {}
    this_claim.update(status=OutboxMessage.Status.SENT, sent_at=timezone.now(), lease_until=None, last_error="", **erased)
    return OutboxMessage.Status.SENT


def outbox_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Run by Celery beat every minute, safe at any time and twice at once.
    Takes back rows left `sending` past their lease (a worker died: the only
    case where a recipient may get a second copy) and enqueues every pending
    row that is due and that the broker has not taken since it became due
    (or took more than OUTBOX_REQUEUE_AFTER seconds ago). So a broker or
    mail-server outage delays mail and loses none. Returns counts."""
    now = now or timezone.now()
    requeue_after = timedelta(seconds=_setting("OUTBOX_REQUEUE_AFTER", 120))
    reclaimed = OutboxMessage.objects.filter(status=OutboxMessage.Status.SENDING, lease_until__lt=now).update(
        status=OutboxMessage.Status.PENDING, next_attempt_at=now, enqueued_at=None,
        last_error="Taken back: the worker sending it did not finish.",
    )
    due = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
        .filter(
            Q(enqueued_at__isnull=True)
            | Q(enqueued_at__lt=F("next_attempt_at"))
            | Q(enqueued_at__lt=now - requeue_after)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[: _setting("OUTBOX_SWEEP_BATCH", 2000)]
    )
    enqueued = outbox_dispatch(due) if due else 0
    return {"enqueued": enqueued, "reclaimed": reclaimed}


@transaction.atomic
def outbox_retry(*, messages: Iterable[OutboxMessage], by=None) -> int:
    """Give failed rows a fresh set of attempts (the admin's action): back to
    pending, due now, sent after commit. Rows not failed are left alone.
    Returns how many were retried."""
    ids = [m.pk for m in messages]
    retried = list(
        OutboxMessage.objects.filter(pk__in=ids, status=OutboxMessage.Status.FAILED).values_list("pk", flat=True)
    )
    OutboxMessage.objects.filter(pk__in=retried).update(
        status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), enqueued_at=None
    )
    if retried:
        transaction.on_commit(OutboxDispatch(retried), robust=True)
    return len(retried)
