"""A Programme year of N synthetic activities, for the report's benchmark
and the tests that need a long annex. Not one of bench.synth's generators:
the report benchmark makes its own year (far from any real one), measures,
and removes it (`programme_year_remove`)."""
from __future__ import annotations

import random

from django.db import transaction

from institutes.models import Country, Institute, MetrologyArea
from programme.models import DIRECTION_OF_TYPE, Activity, Programme, ProgrammeVersion, quarter_code
from surveys.models import ActivityType

SYNTH_TITLE = "Synthetic Programme (report benchmark)"
STATUSES = [s for s, _label in Activity.Status.choices]


@transaction.atomic
def programme_year(*, year: int, activities: int, seed: int = 1) -> ProgrammeVersion:
    """A published version of `year` with `activities` activities spread over
    the types, areas and statuses, each with two recipients and a provider."""
    rng = random.Random(seed)
    institutes = list(Institute.objects.all()[:40])
    if len(institutes) < 3:
        country, _created = Country.objects.get_or_create(iso2="ZZ", defaults={"name_en": "Synthland", "name_ru": "Синтландия"})
        for n in range(3 - len(institutes)):
            institutes.append(Institute.objects.create(
                country=country, acronym=f"SYN{n}", name_en=f"Synthetic institute {n}", name_ru=f"Синтетический институт {n}",
            ))
    areas = list(MetrologyArea.objects.all()) or [None]
    programme = Programme.objects.create(title=SYNTH_TITLE, first_year=year, last_year=year)
    version = ProgrammeVersion.objects.create(programme=programme, year=year, status=ProgrammeVersion.Status.PUBLISHED)
    types = list(ActivityType.values)
    rows = []
    for n in range(activities):
        kind = rng.choice(types)
        status = rng.choice(STATUSES)
        rows.append(Activity(
            version=version, direction=DIRECTION_OF_TYPE[kind].value, activity_type=kind,
            title_en=f"Activity {n + 1}: {kind} of a travelling standard, range {rng.randint(1, 999)} units",
            title_ru=f"Мероприятие {n + 1}: {kind}, диапазон {rng.randint(1, 999)} единиц",
            area=rng.choice(areas), status=status,
            status_reason="Postponed at the recipient's request" if status in Activity.NEEDS_REASON else "",
            first_quarter=quarter_code(year, rng.randint(1, 2)), last_quarter=quarter_code(year, rng.randint(3, 4)),
            responsible=f"Person {rng.randint(1, 50)}", position=n,
        ))
    Activity.objects.bulk_create(rows, batch_size=500)
    recipients = Activity.recipients.through
    providers = Activity.providers.through
    links_r, links_p = [], []
    for activity in Activity.objects.filter(version=version).only("pk"):
        picked = rng.sample(institutes, 3)
        links_r += [recipients(activity_id=activity.pk, institute_id=i.pk) for i in picked[:2]]
        links_p.append(providers(activity_id=activity.pk, institute_id=picked[2].pk))
    recipients.objects.bulk_create(links_r, batch_size=1000)
    providers.objects.bulk_create(links_p, batch_size=1000)
    return version


@transaction.atomic
def programme_year_remove(*, year: int) -> None:
    Programme.objects.filter(title=SYNTH_TITLE, first_year=year).delete()
