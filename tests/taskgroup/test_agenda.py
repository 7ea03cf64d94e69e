"""Meetings and the agenda's flow: draft, circulated for review (emails in
each one's language with the .ics), comments and reviews, final."""
from datetime import timedelta

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import ConflictError, PortalError
from core.models import OutboxMessage
from taskgroup import services
from taskgroup.models import AgendaComment, AgendaItem, AgendaReview, Meeting

from .conftest import aware

pytestmark = pytest.mark.django_db


def _meeting_post(**overrides):
    day = (timezone.localdate() + timedelta(days=50)).isoformat()
    data = {
        "title_ru": "Третье заседание", "title_en": "Third meeting", "date": day, "starts": "10:00", "ends": "12:00",
        "time_zone": "Asia/Almaty", "format": "online", "place": "", "link": "https://meet.example.org/3",
        "guests": "",
    }
    data.update(overrides)
    return data


def test_the_secretary_creates_a_meeting_whose_first_item_approves_the_previous_minutes(client_as, planned):
    client = client_as("nmi-by")
    response = client.post("/en/taskgroup/meetings/new/", _meeting_post())
    assert response.status_code == 302
    meeting = Meeting.objects.get(title_en="Third meeting")
    first = meeting.agenda_items.get()
    assert first.kind == AgendaItem.Kind.PREVIOUS_MINUTES and first.previous_meeting == planned
    assert meeting.local_start.hour == 10 and str(meeting.zone) == "Asia/Almaty"
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Approval of the minutes of the previous meeting" in page and planned.get_absolute_url() in page


def test_a_meeting_that_ends_before_it_starts_is_refused_next_to_the_field(client_as, demo):
    client = client_as("nmi-by")
    response = client.post("/ru/taskgroup/meetings/new/", _meeting_post(starts="12:00", ends="11:00"))
    assert response.status_code == 200
    assert "Заседание должно заканчиваться позже, чем начинается." in response.content.decode() or \
        str(services.MEETING_ENDS_BEFORE_START) in response.content.decode()
    assert not Meeting.objects.filter(title_en="Third meeting").exists()
    with pytest.raises(ValidationError):
        services.meeting_save(title_ru="x", title_en="x", starts_at=aware(timezone.localdate(), 12),
                              ends_at=aware(timezone.localdate(), 11), time_zone="Asia/Almaty", format="online",
                              by=None)


def test_meeting_times_are_shown_in_the_viewers_zone(client_as, held, user_named):
    services.calendar_settings_save(user=user_named("nmi-cn"), time_zone="Asia/Shanghai")
    page = client_as("nmi-cn").get(held.get_absolute_url()).content.decode()
    assert "(Asia/Almaty)" in page and "(Asia/Shanghai)" in page
    from zoneinfo import ZoneInfo

    shanghai = held.starts_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert "11:00" in page and f"{shanghai:%H:%M}" in page


def test_circulating_mails_each_invited_in_their_language_with_the_ics(new_meeting, user_named):
    cn = user_named("nmi-cn")
    cn.preferred_language = "en"
    cn.save()
    meeting = new_meeting()
    written = services.agenda_circulate(meeting=meeting, revision=meeting.revision, by=user_named("nmi-by"))
    assert written == meeting.invitees.count() == 4
    rows = {m.to: m for m in OutboxMessage.objects.filter(key__startswith=f"taskgroup-agenda:meeting={meeting.pk}:")}
    assert rows[cn.email].language == "en" and "Draft agenda for review" in rows[cn.email].subject
    assert rows[user_named("nmi-am").email].subject.startswith("Проект повестки") or rows[user_named("nmi-am").email].language == "ru"
    attachment = rows[cn.email].attachments.get()
    assert attachment.filename.endswith(".ics") and attachment.content_type.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(bytes(attachment.content))
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("dtstart") == meeting.starts_at
    assert str(event.decoded("dtstart").tzinfo) == "Asia/Almaty"
    assert calendar.walk("VTIMEZONE")
    meeting.refresh_from_db()
    assert meeting.agenda_status == Meeting.AgendaStatus.CIRCULATED and meeting.agenda_round == 1


def test_members_comment_and_review_and_the_secretary_finalises(client_as, planned, user_named):
    member = client_as("nmi-cn")
    item = planned.agenda_items.get(position=1)
    response = member.post(f"/en/taskgroup/meetings/{planned.pk}/comments/", {"item": item.pk, "text": "Add the pH procedure."})
    assert response.status_code == 302
    assert AgendaComment.objects.filter(item=item, author=user_named("nmi-cn")).exists()
    member.post(f"/en/taskgroup/meetings/{planned.pk}/agenda/review/", {"verdict": "approved", "note": ""})
    assert AgendaReview.objects.get(meeting=planned, reviewer=user_named("nmi-cn")).verdict == "approved"
    # The member may not finalise; the secretary sees who has reviewed and does.
    assert member.post(f"/en/taskgroup/meetings/{planned.pk}/agenda/finalise/", {"revision": planned.revision}).status_code == 403
    secretary = client_as("nmi-by")
    page = secretary.get(planned.get_absolute_url()).content.decode()
    assert 'data-testid="review-overview"' in page and "not yet" in page
    secretary.post(f"/en/taskgroup/meetings/{planned.pk}/agenda/finalise/", {"revision": planned.revision})
    planned.refresh_from_db()
    assert planned.agenda_status == Meeting.AgendaStatus.FINAL


def test_an_agenda_finalised_twice_is_refused_with_a_message_and_stays_final(client_as, planned):
    services.agenda_finalise(meeting=planned, revision=planned.revision, by=None)
    planned.refresh_from_db()
    client = client_as("chair")
    response = client.post(f"/ru/taskgroup/meetings/{planned.pk}/agenda/finalise/", {"revision": planned.revision}, follow=True)
    assert "Повестка уже окончательная" in response.content.decode() or str(services.AGENDA_ALREADY_FINAL) in response.content.decode()
    with pytest.raises(PortalError) as error:
        services.agenda_finalise(meeting=planned, revision=planned.revision, by=None)
    assert error.value.message == services.AGENDA_ALREADY_FINAL
    planned.refresh_from_db()
    assert planned.agenda_status == Meeting.AgendaStatus.FINAL
    # No item can be added to a final agenda.
    with pytest.raises(PortalError):
        services.agenda_item_save(meeting=planned, title_ru="x", title_en="x", revision=planned.revision, by=None)


def test_two_people_editing_the_agenda_at_once_get_a_conflict(planned, user_named):
    loaded = planned.revision
    services.agenda_item_save(meeting=planned, title_ru="Первый", title_en="First", revision=loaded, by=user_named("nmi-by"))
    with pytest.raises(ConflictError):
        services.agenda_item_save(meeting=planned, title_ru="Второй", title_en="Second", revision=loaded, by=user_named("chair"))
    assert planned.agenda_items.filter(title_en="First").exists()
    assert not planned.agenda_items.filter(title_en="Second").exists()


def test_every_change_to_an_agenda_is_recorded(client_as, planned):
    item = planned.agenda_items.get(position=3)
    client = client_as("nmi-by")
    client.post(f"/en/taskgroup/meetings/{planned.pk}/agenda/{item.pk}/", {
        "title_ru": item.title_ru, "title_en": "The report to the Committee, draft", "presenter": "KazStandart",
        "planned_minutes": 25, "revision": planned.revision,
    })
    log = client.get(f"/en/taskgroup/meetings/{planned.pk}/history/").content.decode()
    assert "The report to the Committee, draft" in log


def test_the_first_item_cannot_be_removed_or_moved(planned):
    first = planned.agenda_items.get(kind=AgendaItem.Kind.PREVIOUS_MINUTES)
    with pytest.raises(PortalError):
        services.agenda_item_delete(item=first, revision=planned.revision, by=None)
    services.agenda_item_move(item=planned.agenda_items.get(position=1), up=True, revision=planned.revision, by=None)
    assert planned.agenda_items.order_by("position").first().pk == first.pk


def test_a_comment_on_a_meeting_one_is_not_invited_to_is_refused(client_as, planned, user_named):
    member = user_named("nmi-cn")
    planned.invitees.remove(member)
    client = client_as("nmi-cn")
    response = client.post(f"/en/taskgroup/meetings/{planned.pk}/comments/", {"text": "Me too"}, follow=True)
    assert str(services.NOT_INVITED) in response.content.decode()
    assert not AgendaComment.objects.filter(author=member, meeting=planned).exists()


def test_a_member_edits_only_their_own_comments(client_as, planned, user_named):
    comment = services.comment_add(meeting=planned, text="Mine", by=user_named("nmi-am"))
    other = client_as("nmi-cn")
    assert other.post(f"/en/taskgroup/meetings/{planned.pk}/comments/{comment.pk}/", {"text": "Changed"}).status_code == 403
    owner = client_as("nmi-am")
    owner.post(f"/en/taskgroup/meetings/{planned.pk}/comments/{comment.pk}/", {"text": "Mine, edited"})
    comment.refresh_from_db()
    assert comment.text == "Mine, edited" and comment.edited_at is not None


def test_preparing_the_next_meeting_copies_invitees_and_standing_items(client_as, planned):
    client = client_as("nmi-by")
    day = (planned.local_start + timedelta(days=180)).date().isoformat()
    response = client.post(f"/en/taskgroup/meetings/{planned.pk}/prepare-next/", {"date": day, "starts": "11:00", "ends": "13:00"})
    assert response.status_code == 302
    new = Meeting.objects.order_by("-starts_at").first()
    assert new.pk != planned.pk
    assert set(new.invitees.all()) == set(planned.invitees.all())
    titles = list(new.agenda_items.order_by("position").values_list("title_en", flat=True))
    assert titles[0] == "Approval of the minutes of the previous meeting"
    assert titles[1:] == list(planned.agenda_items.filter(standing=True).order_by("position").values_list("title_en", flat=True))
    assert new.agenda_items.get(position=0).previous_meeting == planned


def test_the_overview_warns_when_fewer_than_two_meetings_this_year(client_as, demo):
    from taskgroup.models import Meeting

    Meeting.objects.filter(starts_at__year=timezone.localdate().year).update(cancelled=True)
    page = client_as("chair").get("/en/taskgroup/").content.decode()
    assert 'data-testid="too-few-meetings"' in page
