"""The email outbox against a real SMTP server (aiosmtpd): one row per
recipient and reason, sent only when accepted, retried with backoff, one
copy when workers race, and a password reset that tells nobody anything."""
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core import outbox
from core.models import OutboxMessage
from tests.mailserver import smtp_server  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo(demo):
    """The demo users and campaigns."""


def _write(user_named, key="test:1", *names):
    return outbox.notify(
        to=[user_named(name) for name in names] or [user_named("nmi-kg")],
        key=key, template="surveys/emails/reminder",
        context={"campaign": _campaign(), "institute": user_named("nmi-kg").institute, "link": "http://x/"},
    )


def _campaign():
    from surveys.models import Campaign

    return Campaign.objects.filter(status="open").first()


def test_writing_the_same_message_twice_is_a_no_op(user_named):
    assert len(_write(user_named, "test:1", "nmi-kg", "nmi-tj")) == 2
    assert _write(user_named, "test:1", "nmi-kg", "nmi-tj") == []
    assert OutboxMessage.objects.filter(key="test:1").count() == 2


def test_each_message_is_rendered_in_its_recipients_language(user_named):
    from institutes.models import User

    User.objects.filter(username="nmi-kg").update(preferred_language="en")
    User.objects.filter(username="nmi-tj").update(preferred_language="ru")
    rows = {row.to: row for row in _write(user_named, "test:lang", "nmi-kg", "nmi-tj")}
    assert rows["nmi-tj@example.org"].language == "ru" and rows["nmi-tj@example.org"].subject.startswith("Напоминание")
    assert rows["nmi-kg@example.org"].language == "en" and rows["nmi-kg@example.org"].subject.startswith("Reminder")


def test_a_temporary_refusal_is_retried_with_backoff_and_sent_once(user_named, smtp_server):
    smtp_server.refuse_first("nmi-kg@example.org")
    row = _write(user_named)[0]
    assert outbox.outbox_send(message_id=row.pk) == "pending"
    row.refresh_from_db()
    assert row.attempts == 1 and "451" in row.last_error and row.next_attempt_at > timezone.now()
    # Not due yet: the sweep leaves it alone; once due, it is sent.
    assert outbox.outbox_sweep()["enqueued"] == 0
    assert outbox.outbox_send(message_id=row.pk, now=row.next_attempt_at) == "sent"
    assert outbox.outbox_send(message_id=row.pk, now=row.next_attempt_at) == "skipped"
    assert smtp_server.counts() == {"nmi-kg@example.org": 1}
    row.refresh_from_db()
    assert row.status == "sent" and row.sent_at is not None


def test_a_permanent_refusal_fails_after_its_attempts(user_named, smtp_server, settings):
    settings.OUTBOX_MAX_PERMANENT_ATTEMPTS = 2

    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 no such user"

    smtp_server.handle_RCPT = refuse
    row = _write(user_named)[0]
    assert outbox.outbox_send(message_id=row.pk) == "pending"
    assert outbox.outbox_send(message_id=row.pk, now=timezone.now() + timedelta(hours=2)) == "failed"
    row.refresh_from_db()
    assert row.status == "failed" and "550" in row.last_error


def test_an_unreachable_mail_server_leaves_the_row_pending(user_named, settings):
    from tests.mailserver import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    row = _write(user_named)[0]
    assert outbox.outbox_send(message_id=row.pk) == "pending"
    row.refresh_from_db()
    assert "refused" in row.last_error.lower()


def test_a_row_left_sending_by_a_dead_worker_is_taken_back_after_its_lease(user_named, django_capture_on_commit_callbacks):
    from django.core import mail

    row = _write(user_named)[0]
    OutboxMessage.objects.filter(pk=row.pk).update(status="sending", lease_until=timezone.now() - timedelta(seconds=1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks():
        assert outbox.outbox_sweep() == {"reclaimed": 1, "enqueued": 1}
    # What the enqueued task does (called here: the test's transaction is not visible to a worker).
    outbox.outbox_send(message_id=row.pk)
    row.refresh_from_db()
    assert row.status == "sent" and len(mail.outbox) == 1


def test_the_admin_retries_failed_emails(client_as, user_named, django_capture_on_commit_callbacks):
    row = _write(user_named)[0]
    OutboxMessage.objects.filter(pk=row.pk).update(status="failed", attempts=10)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_as("admin").post(
            "/en/admin/core/outboxmessage/", {"action": "retry", "_selected_action": [row.pk]}, follow=True
        )
    assert "1 failed email will be sent again." in response.content.decode()
    assert [type(callback).__name__ for callback in callbacks] == ["OutboxDispatch"]
    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 0
    assert client_as("admin").get(f"/en/admin/core/outboxmessage/?q={row.to}").status_code == 200


def test_password_reset_answers_the_same_for_a_known_and_an_unknown_address(client, demo):
    known = client.post("/en/accounts/password_reset/", {"email": "nmi-uz@example.org"})
    unknown = client.post("/en/accounts/password_reset/", {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known.status_code == 302
    assert OutboxMessage.objects.filter(to="nmi-uz@example.org", key__startswith="password-reset:").count() == 1
    assert not OutboxMessage.objects.filter(to="nobody@example.org").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locking; runs under CI")
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_row_at_once_send_one_copy(demo, user_named, smtp_server):
    # Written straight to the table: no task of the suite's own worker may take them first.
    rows = [
        OutboxMessage.objects.create(
            key="test:race", to=f"{name}@example.org", language="en", subject="Race", body="One copy.",
            next_attempt_at=timezone.now(),
        )
        for name in ("nmi-kg", "nmi-tj", "nmi-uz")
    ]
    barrier = threading.Barrier(2)
    results = []

    def worker():
        from django.db import connections

        try:
            barrier.wait()
            for row in rows:
                results.append(outbox.outbox_send(message_id=row.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["sent"] * 3 + ["skipped"] * 3
    assert smtp_server.wait_for(3) == {"nmi-kg@example.org": 1, "nmi-tj@example.org": 1, "nmi-uz@example.org": 1}


def test_a_password_reset_link_is_kept_nowhere_once_sent_and_never_shown_in_the_admin(client, client_as, demo):
    import re

    from django.core import mail

    from core.outbox import outbox_send

    client.post("/en/accounts/password_reset/", {"email": "nmi-uz@example.org"})
    row = OutboxMessage.objects.get(to="nmi-uz@example.org", key__startswith="password-reset:")
    link = re.search(r"/reset/\S+/", row.body).group(0)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert row.confidential and token not in row.key
    page = client_as("admin").get(f"/en/admin/core/outboxmessage/{row.pk}/change/").content.decode()
    assert link not in page
    if row.status == OutboxMessage.Status.PENDING:
        outbox_send(message_id=row.pk)
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.SENT
    assert (row.body, row.html) == ("", "")
    assert any(link in message.body for message in mail.outbox)
