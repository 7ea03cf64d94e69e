"""The .ics of a meeting and the personal, revocable feed: valid RFC 5545
parsed back with icalendar, with time zones."""
import icalendar
import pytest

from taskgroup import services
from taskgroup.models import CalendarSettings
from taskgroup.views import FEED_REVOKED

pytestmark = pytest.mark.django_db


def test_a_meetings_ics_has_its_event_in_its_zone(client_as, held):
    response = client_as("nmi-cn").get(f"/en/taskgroup/meetings/{held.pk}/calendar.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == held.title_en
    assert event.decoded("dtstart") == held.starts_at and event.decoded("dtend") == held.ends_at
    assert event["dtstart"].params["TZID"] == "Asia/Almaty"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Almaty"]
    assert str(event["uid"]).startswith(f"meeting-{held.uid}")


def test_a_non_member_gets_404_for_a_meetings_calendar(client, outsider, held):
    client.force_login(outsider)
    assert client.get(f"/en/taskgroup/meetings/{held.pk}/calendar.ics").status_code == 404


def test_the_personal_feed_lists_the_meetings_one_is_invited_to(client, held, planned, user_named):
    member = user_named("nmi-cn")
    planned.invitees.remove(member)
    token = services.feed_token_create(user=member)
    assert CalendarSettings.objects.get(user=member).feed_token_hash != token  # only the hash is kept
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert [event.decoded("dtstart") for event in events] == [held.starts_at]


def test_a_revoked_or_replaced_feed_token_is_refused_with_a_message(client, held, user_named):
    member = user_named("nmi-cn")
    old = services.feed_token_create(user=member)
    new = services.feed_token_create(user=member)
    response = client.get(f"/calendar/{old}.ics")
    from django.utils import translation

    with translation.override(response["Content-Language"]):
        assert response.status_code == 404 and str(FEED_REVOKED) in response.content.decode()
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    services.feed_token_revoke(user=member)
    assert client.get(f"/calendar/{new}.ics").status_code == 404


def test_the_calendar_page_shows_the_new_address_once(client_as, held):
    client = client_as("nmi-cn")
    page = client.post("/en/taskgroup/calendar/", {"action": "feed"}).content.decode()
    assert 'data-testid="feed-url"' in page and "/calendar/" in page
    assert 'data-testid="feed-url"' not in client.get("/en/taskgroup/calendar/").content.decode()
