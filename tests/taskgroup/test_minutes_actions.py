"""Minutes (draft, circulated, approved at the next meeting, locked),
decisions, action items, the overdue list and the one reminder before due."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from core.errors import PortalError
from core.models import OutboxMessage
from taskgroup import services
from taskgroup.models import ActionItem, Minutes

pytestmark = pytest.mark.django_db


def test_minutes_are_approved_at_the_next_meeting_and_then_locked(client_as, held, planned):
    minutes = held.minutes
    assert minutes.status == Minutes.Status.CIRCULATED
    client = client_as("chair")
    page = client.get(planned.get_absolute_url()).content.decode()
    assert 'data-testid="approve-minutes"' in page
    client.post(f"/en/taskgroup/meetings/{planned.pk}/minutes/approve/", {"minutes": minutes.pk})
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.APPROVED and minutes.approved_at_meeting == planned


def test_minutes_edited_after_approval_are_refused_and_kept(client_as, held, planned):
    services.minutes_approve(minutes=held.minutes, at_meeting=planned, by=None)
    before = Minutes.objects.get(meeting=held)
    client = client_as("nmi-by")
    response = client.post(f"/ru/taskgroup/meetings/{held.pk}/minutes/", {"text": "Rewritten", "revision": before.revision}, follow=True)
    assert response.status_code == 200
    assert str(services.MINUTES_LOCKED) in response.content.decode() or "утверждён" in response.content.decode()
    assert Minutes.objects.get(meeting=held).text == before.text
    with pytest.raises(PortalError) as error:
        services.minutes_save(meeting=held, text="x", revision=before.revision, by=None)
    assert error.value.message == services.MINUTES_LOCKED
    with pytest.raises(PortalError):
        services.decision_add(meeting=held, text="late", by=None)


def test_minutes_cannot_be_approved_at_the_same_or_an_earlier_meeting(held):
    with pytest.raises(PortalError) as error:
        services.minutes_approve(minutes=held.minutes, at_meeting=held, by=None)
    assert error.value.message == services.MINUTES_APPROVED_LATER


def test_the_secretary_writes_and_circulates_minutes(client_as, planned, user_named):
    client = client_as("nmi-by")
    client.post(f"/en/taskgroup/meetings/{planned.pk}/minutes/", {"text": "We met.", "revision": 1, "circulate": "1"})
    minutes = Minutes.objects.get(meeting=planned)
    assert minutes.status == Minutes.Status.CIRCULATED and minutes.text == "We met."
    assert OutboxMessage.objects.filter(key__startswith=f"taskgroup-minutes:meeting={planned.pk}").count() == 4


def test_decisions_and_action_items_are_recorded_with_an_activity_optional(client_as, planned, user_named):
    client = client_as("nmi-by")
    client.post(f"/en/taskgroup/meetings/{planned.pk}/decisions/new/", {"text": "Adopt the report."})
    assert planned.decisions.get().number == 1
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    client.post(f"/en/taskgroup/meetings/{planned.pk}/actions/new/",
                {"title": "Draft the report", "owner": user_named("nmi-cn").pk, "due_on": due, "status": "open"})
    item = planned.action_items.get()
    assert item.owner == user_named("nmi-cn") and item.activity is None


def test_the_overdue_list_shows_what_is_late(client_as, held):
    page = client_as("chair").get("/en/taskgroup/actions/?show=overdue").content.decode()
    assert "Prepare a draft calibration procedure for pH meters" in page
    assert "Send the draft Programme" not in page  # done


def test_the_owner_moves_their_action_item_and_another_member_may_not(client_as, held, user_named):
    item = held.action_items.get(status=ActionItem.Status.IN_PROGRESS)
    assert client_as("nmi-cn").post(f"/en/taskgroup/actions/{item.pk}/status/", {"status": "done", "revision": item.revision}).status_code == 403
    client_as("nmi-by").post(f"/en/taskgroup/actions/{item.pk}/status/", {"status": "done", "revision": item.revision})
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE and item.done_at is not None


def test_owners_get_one_reminder_before_the_due_date_exactly_once(planned, user_named):
    owner = user_named("nmi-cn")
    item = services.action_item_save(meeting=planned, title="Check the list", owner=owner,
                                     due_on=timezone.localdate() + timedelta(days=2), by=None)
    far = services.action_item_save(meeting=planned, title="Later", owner=owner,
                                    due_on=timezone.localdate() + timedelta(days=30), by=None)
    assert services.action_reminders_send() == 1
    assert services.action_reminders_send() == 0
    from taskgroup.tasks import send_action_reminders

    assert send_action_reminders() == 0  # the periodic task, run again: nothing new
    rows = OutboxMessage.objects.filter(key__startswith="taskgroup-action-reminder:")
    assert rows.count() == 1 and rows.get().to == owner.email
    item.refresh_from_db()
    far.refresh_from_db()
    assert item.reminder_sent_at is not None and far.reminder_sent_at is None
    # Even with the flag lost, the outbox's key keeps it to one email.
    ActionItem.objects.filter(pk=item.pk).update(reminder_sent_at=None)
    services.action_reminders_send()
    assert rows.count() == 1
    schedule = settings.CELERY_BEAT_SCHEDULE["taskgroup-action-reminders"]
    assert schedule["task"] == "taskgroup.tasks.send_action_reminders"


def test_a_done_item_is_not_reminded(planned, user_named):
    services.action_item_save(meeting=planned, title="Done already", owner=user_named("nmi-cn"),
                              due_on=timezone.localdate() + timedelta(days=1), status="done", by=None)
    assert services.action_reminders_send() == 0


def test_the_activity_include_lists_its_action_items(held, user_named):
    from django.template.loader import render_to_string

    from taskgroup.selectors import activity_context

    item = held.action_items.first()

    class FakeActivity:
        pk = None

    # With a real activity linked, the include shows the item.
    from programme.models import Activity, Programme, ProgrammeVersion

    programme = Programme.objects.create(title="Programme", first_year=2022, last_year=2026)
    version = ProgrammeVersion.objects.create(programme=programme, year=2022)
    activity = Activity.objects.create(version=version, direction="technical", activity_type="calibration", title="pH")
    ActionItem.objects.filter(pk=item.pk).update(activity=activity)
    chair = user_named("chair")
    html = render_to_string("taskgroup/_activity_action_items.html", activity_context(activity=activity, user=chair))
    assert item.title in html
    outsider_html = render_to_string("taskgroup/_activity_action_items.html",
                                     activity_context(activity=activity, user=user_named("nmi-kz")))
    assert item.title not in outsider_html
