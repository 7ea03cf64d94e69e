"""Synthetic Programme data for the benchmark suite (bench/synth.py): one
Programme of 2090-2094 with a published version of 10·N activities and the
next year's draft holding the same activities (same lineage), one in ten
changed, one in twenty removed and one in twenty added, so the comparison
has every kind of difference. Rows are marked by bench.synth.PREFIX."""
from __future__ import annotations

import random
import uuid

from bench.synth import PREFIX
from institutes.models import Institute, SubField

from .models import Activity, Programme, ProgrammeVersion, direction_of, quarter_code

FIRST_YEAR, LAST_YEAR = 2090, 2094
TYPES = ["comparison", "calibration", "training", "internship", "procedure", "joint_project", "information"]
STATUSES = ["planned", "planned", "in_progress", "done", "postponed", "cancelled"]


def synthetic_programme() -> Programme | None:
    return Programme.objects.filter(title__startswith=PREFIX).first()


def generate(rng: random.Random, scale: int) -> dict[str, int]:
    institutes = list(Institute.objects.filter(acronym__startswith=PREFIX).order_by("pk").values_list("pk", flat=True))
    if scale <= 0 or len(institutes) < 2:
        return {}
    subfields = list(SubField.objects.order_by("pk").values_list("pk", "area_id"))
    programme = Programme.objects.create(
        title=f"{PREFIX}Programme", title_ru=f"{PREFIX}Программа", title_en=f"{PREFIX}Programme",
        first_year=FIRST_YEAR, last_year=LAST_YEAR,
    )
    published = ProgrammeVersion.objects.create(programme=programme, year=FIRST_YEAR, status="published")
    draft = ProgrammeVersion.objects.create(programme=programme, year=FIRST_YEAR + 1, status="draft", based_on=published)
    count = scale * 10
    first_rows, second_rows, relations = [], [], []
    for n in range(count):
        kind = rng.choice(TYPES)
        subfield, area = rng.choice(subfields) if subfields else (None, None)
        start = quarter_code(rng.randint(FIRST_YEAR, LAST_YEAR), rng.randint(1, 4))
        end = min(start + rng.choice([0, 1, 2, 10, 11]), quarter_code(LAST_YEAR, 4))
        if end % 10 in (0, 5, 6, 7, 8, 9):
            end = start
        status = rng.choice(STATUSES)
        lineage = uuid.UUID(int=rng.getrandbits(128))
        title = f"{PREFIX}activity {n}"
        fields = dict(
            lineage=lineage, direction=direction_of(kind), activity_type=kind, title=title, title_ru=title,
            title_en=title, area_id=area, subfield_id=subfield, first_quarter=start, last_quarter=end, status=status,
            status_reason="reason" if status in ("postponed", "cancelled") else "", position=n,
        )
        recipient, provider = rng.sample(institutes, 2)
        relations.append((recipient, provider))
        first_rows.append(Activity(version=published, **fields))
        roll = n % 20
        if roll == 0:
            continue  # removed in the draft
        if roll in (1, 2):
            fields = {**fields, "first_quarter": end, "status": "planned", "status_reason": ""}
        second_rows.append(Activity(version=draft, **fields))
    for n in range(count // 20):
        title = f"{PREFIX}new activity {n}"
        second_rows.append(Activity(version=draft, direction="technical", activity_type="comparison", title=title,
                                    title_ru=title, title_en=title, lineage=uuid.UUID(int=rng.getrandbits(128)), position=count + n))
    created = Activity.objects.bulk_create(first_rows, batch_size=2000)
    created_second = Activity.objects.bulk_create(second_rows, batch_size=2000)
    by_lineage = {a.lineage: relations[i] for i, a in enumerate(created)}
    through_r, through_p = Activity.recipients.through, Activity.providers.through
    rows_r, rows_p = [], []
    for activity in [*created, *created_second]:
        pair = by_lineage.get(activity.lineage)
        if pair:
            rows_r.append(through_r(activity_id=activity.pk, institute_id=pair[0]))
            rows_p.append(through_p(activity_id=activity.pk, institute_id=pair[1]))
    through_r.objects.bulk_create(rows_r, batch_size=5000)
    through_p.objects.bulk_create(rows_p, batch_size=5000)
    return {"versions": 2, "activities": len(created) + len(created_second)}


def existing() -> dict[str, int]:
    programme = synthetic_programme()
    if programme is None:
        return {}
    return {"activities": Activity.objects.filter(version__programme=programme).count()}


def flush() -> dict[str, int]:
    deleted = {}
    for programme in Programme.objects.filter(title__startswith=PREFIX):
        activities = Activity.objects.filter(version__programme=programme)
        deleted["activities"] = deleted.get("activities", 0) + activities.count()
        Activity.recipients.through.objects.filter(activity__in=activities).delete()
        Activity.providers.through.objects.filter(activity__in=activities).delete()
        activities._raw_delete(activities.db)
        ProgrammeVersion.objects.filter(programme=programme).delete()
        programme.delete()
    return deleted
