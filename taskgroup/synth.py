"""Synthetic task-group data for the benchmark suite: at scale N, 10·N
meetings (each with its first agenda item) and 10·N action items spread over
them, owned by the synthetic chair, who holds a chair's membership. The
meetings list, the latest meeting's page and the action-item list are
measured at 100 and 20,000 rows (bench/bench_taskgroup.py).
Registered in bench.synth.GENERATORS after the institutes."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bench.synth import PREFIX, ROWS_PER_SCALE

from institutes.models import Institute, User

from .models import ActionItem, AgendaItem, Meeting, Membership

CHAIR = f"{PREFIX}chair"
BATCH = 1000
ZONES = ["Asia/Almaty", "Europe/Minsk", "Europe/Moscow", "Asia/Shanghai", "Asia/Yerevan"]


def _synthetic_meetings():
    return Meeting.objects.filter(title_en__startswith=PREFIX)


def generate(rng: random.Random, scale: int) -> dict[str, int]:
    chair = User.objects.get(username=CHAIR)
    institute = Institute.objects.filter(acronym__startswith=PREFIX).order_by("pk").first()
    Membership.objects.create(user=chair, institute=institute, role=Membership.Role.CHAIR, starts_on=date(2000, 1, 1),
                              note=PREFIX)
    count = ROWS_PER_SCALE * scale
    start = date(2022, 1, 10)
    meetings = []
    for n in range(count):
        day = start + timedelta(days=n % 3650)
        zone = ZoneInfo(rng.choice(ZONES))
        starts = datetime.combine(day, time(9 + n % 6, 0), tzinfo=zone)
        meetings.append(Meeting(
            title_en=f"{PREFIX}Meeting {n}", title_ru=f"{PREFIX}Заседание {n}", title=f"{PREFIX}Заседание {n}",
            starts_at=starts, ends_at=starts + timedelta(hours=2), time_zone=str(zone),
            format=rng.choice(Meeting.Format.values), link="https://meet.example.org/synthetic",
        ))
    Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    meetings = list(_synthetic_meetings().order_by("pk"))
    AgendaItem.objects.bulk_create([
        AgendaItem(meeting=m, position=0, kind=AgendaItem.Kind.PREVIOUS_MINUTES, title="Approval of the minutes",
                   title_en="Approval of the minutes", title_ru="Утверждение протокола")
        for m in meetings
    ], batch_size=BATCH)
    Meeting.invitees.through.objects.bulk_create(
        [Meeting.invitees.through(meeting=m, user=chair) for m in meetings], batch_size=BATCH
    )
    statuses = ActionItem.Status.values
    ActionItem.objects.bulk_create([
        ActionItem(meeting=meetings[n % len(meetings)], title=f"{PREFIX}Action {n}", owner=chair,
                   due_on=start + timedelta(days=rng.randrange(0, 3650)), status=rng.choice(statuses))
        for n in range(count)
    ], batch_size=BATCH)
    return existing()


def existing() -> dict[str, int]:
    meetings = _synthetic_meetings()
    return {
        "meetings": meetings.count(),
        "action items": ActionItem.objects.filter(meeting__in=meetings).count(),
    }


def flush() -> dict[str, int]:
    meetings = _synthetic_meetings()
    deleted = {"action items": ActionItem.objects.filter(meeting__in=meetings)._raw_delete("default")}
    AgendaItem.objects.filter(meeting__in=meetings)._raw_delete("default")
    Meeting.invitees.through.objects.filter(meeting__in=meetings)._raw_delete("default")
    deleted["meetings"] = meetings._raw_delete("default")
    Membership.objects.filter(note=PREFIX).delete()
    return deleted
