"""RFC 5545 calendars of meetings, written with the `icalendar` package:
one meeting's .ics (a download, and the attachment of the agenda's
circulation) and a person's subscription feed.

Times are written in the meeting's own zone (DTSTART;TZID=Asia/Almaty:...)
with its VTIMEZONE, so every calendar program shows the right hour in its
user's zone. UID is the meeting's, SEQUENCE goes up whenever its time or
place changed, so an updated invitation replaces the old one.
"""
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Meeting

PRODID = "-//COOMET//CEEMS Programme Portal//EN"
DOMAIN = "ceems-portal"


def _event(meeting: Meeting) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.uid}@{DOMAIN}")
    event.add("dtstamp", timezone.now())
    event.add("sequence", meeting.sequence)
    event.add("summary", meeting.title)
    event.add("dtstart", meeting.local_start)
    event.add("dtend", meeting.local_end)
    where = meeting.place or meeting.link
    if where:
        event.add("location", where)
    url = settings.SITE_URL.rstrip("/") + reverse("taskgroup:meeting_detail", args=[meeting.pk])
    event.add("url", url)
    description = [meeting.get_format_display()]
    if meeting.link:
        description.append(meeting.link)
    items = getattr(meeting, "ics_items", None)
    if items:
        description.append(_("Agenda:"))
        description.extend(f"{n}. {item.title}" for n, item in enumerate(items, start=1))
    description.append(url)
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    return event


def calendar_bytes(meetings: Iterable[Meeting], *, name: str) -> bytes:
    """A VCALENDAR of `meetings` with the VTIMEZONEs their times use."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    for meeting in meetings:
        calendar.add_component(_event(meeting))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def meeting_ics(meeting: Meeting) -> bytes:
    meeting.ics_items = list(meeting.agenda_items.order_by("position", "pk"))
    return calendar_bytes([meeting], name=meeting.title)


def meeting_ics_filename(meeting: Meeting) -> str:
    return f"meeting-{meeting.local_start:%Y-%m-%d}.ics"
