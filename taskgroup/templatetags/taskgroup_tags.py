"""Meeting times in the viewer's zone, and the labels of the task group's pages."""
from django import template
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

register = template.Library()


def _span(start, end) -> str:
    if start.date() == end.date():
        return _("%(date)s, %(start)s–%(end)s") % {
            "date": date_format(start, "DATE_FORMAT"), "start": time_format(start, "TIME_FORMAT"),
            "end": time_format(end, "TIME_FORMAT"),
        }
    return f"{date_format(start, 'DATE_FORMAT')} {time_format(start, 'TIME_FORMAT')} – " \
           f"{date_format(end, 'DATE_FORMAT')} {time_format(end, 'TIME_FORMAT')}"


@register.simple_tag
def meeting_when(meeting, zone=None) -> str:
    """"12 May 2022, 10:00–12:00 (Asia/Almaty)", and the same in `zone`
    (the viewer's chosen zone) when it is another one."""
    own = meeting.zone
    said = f"{_span(timezone.localtime(meeting.starts_at, own), timezone.localtime(meeting.ends_at, own))} ({meeting.time_zone})"
    if zone is not None and str(zone) != meeting.time_zone:
        mine = _span(timezone.localtime(meeting.starts_at, zone), timezone.localtime(meeting.ends_at, zone))
        said += " · " + _("your time: %(when)s (%(zone)s)") % {"when": mine, "zone": zone}
    return said


@register.simple_tag
def local_date(meeting, zone=None) -> str:
    return date_format(timezone.localtime(meeting.starts_at, zone or meeting.zone), "SHORT_DATE_FORMAT")


@register.simple_tag
def local_time(meeting, zone=None) -> str:
    z = zone or meeting.zone
    return f"{time_format(timezone.localtime(meeting.starts_at, z), 'TIME_FORMAT')} ({z})"
