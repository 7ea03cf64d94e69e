"""Synthetic surveys for the benchmark suite: campaigns of a few years, the
synthetic institutes invited to them, their responses, and their needs and
offers. Registered in bench.synth.GENERATORS after institutes.synth, whose
institutes, users and staff it uses.

At scale N the summary table of SUMMARY_YEAR (its needs and offers
together, the largest list this app has) holds exactly 10·N rows, 70% needs
and 30% offers. Around it, as in a real portal: needs and offers campaigns
of the two years before (half and three quarters of that), an open needs
campaign of the year after with mostly draft answers (the one the import
benchmark imports into), and one self-classification, answered by the
national institutes. Items spread over activity types, the KCDB areas and
the sub-fields loaded by the migration, periods, priorities, working
languages and terms with the weights a real survey shows: many calibrations
and comparisons, mass, electricity and temperature first.

Synthetic campaigns are those of a questionnaire whose title starts with
bench.synth.PREFIX; their years (SUMMARY_YEAR and around it, far from any
real survey) are checked against real campaigns before anything is made,
because a campaign is unique by kind and year.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.db.models import Max, QuerySet
from django.utils import timezone

from bench.synth import PREFIX, SynthError
from institutes.models import Institute, SubField, User
from institutes.synth import SECRETARIAT

from .models import (
    ActivityType,
    Campaign,
    CampaignKind,
    Conditions,
    Invitation,
    Language,
    Need,
    Offer,
    PaidBy,
    Priority,
    Questionnaire,
    Response,
)
from .services import AREA_REQUIRED_TYPES

ITEMS_PER_SCALE = 10
NEED_SHARE = 0.7
BATCH = 1000

# The year of the summary table the benchmarks read, and the others around
# it: (kind, year, status, items as a share of the summary year's).
SUMMARY_YEAR = 2092
OPEN_YEAR = SUMMARY_YEAR + 1
CAMPAIGNS = [
    (CampaignKind.NEEDS, SUMMARY_YEAR - 1, Campaign.Status.CLOSED, 0.6),
    (CampaignKind.OFFERS, SUMMARY_YEAR - 1, Campaign.Status.CLOSED, 0.6),
    (CampaignKind.NEEDS, SUMMARY_YEAR, Campaign.Status.CLOSED, 1.0),
    (CampaignKind.OFFERS, SUMMARY_YEAR, Campaign.Status.CLOSED, 1.0),
    (CampaignKind.SELF_CLASSIFICATION, SUMMARY_YEAR, Campaign.Status.CLOSED, 0.0),
    (CampaignKind.NEEDS, OPEN_YEAR, Campaign.Status.OPEN, 0.3),
]
# Share of the institutes invited to a campaign of each kind (the national
# institutes are three times as likely to be): about the NMIs of the CEEMS
# countries for needs, the donors for offers, so that a response holds
# about eight needs or four offers, a few of them dozens. Self-classification
# invites every national institute.
INVITED_SHARE = {CampaignKind.NEEDS: 0.1, CampaignKind.OFFERS: 0.08}
NMI_WEIGHT = 3
# Of the invited institutes, how many answer, and the state of their answer.
ANSWERED = {Campaign.Status.CLOSED: 0.85, Campaign.Status.OPEN: 0.6}
STATUS_WEIGHTS = {
    Campaign.Status.CLOSED: {Response.Status.SUBMITTED: 88, Response.Status.DRAFT: 8, Response.Status.REOPENED: 4},
    Campaign.Status.OPEN: {Response.Status.SUBMITTED: 35, Response.Status.DRAFT: 50, Response.Status.REOPENED: 15},
}

ACTIVITY_WEIGHTS = {
    ActivityType.CALIBRATION: 30, ActivityType.COMPARISON: 18, ActivityType.TRAINING: 15,
    ActivityType.INTERNSHIP: 10, ActivityType.PROCEDURE: 8, ActivityType.PREREVIEW: 5,
    ActivityType.JOINT_PROJECT: 6, ActivityType.INTERNATIONAL: 3, ActivityType.INFORMATION: 5,
}
# KCDB areas by how often CEEMS NMIs ask about them; an area not listed gets 3.
AREA_WEIGHTS = {"M": 25, "EM": 18, "T": 15, "L": 12, "QM": 10, "TF": 6, "PR": 5, "AUV": 5, "RI": 4}
PRIORITY_WEIGHTS = {Priority.HIGH: 35, Priority.MEDIUM: 45, Priority.LOW: 20}
LANGUAGE_WEIGHTS = {Language.RU: 40, Language.EN: 30, Language.RU_EN: 30}
# The working languages of needs: mostly Russian, as the CEEMS NMIs of
# COOMET answer; some left blank, where no default was obvious.
NEED_LANGUAGE_WEIGHTS = {Language.RU: 55, Language.RU_EN: 25, Language.EN: 10, "": 10}
CONDITION_WEIGHTS = {Conditions.FREE: 30, Conditions.COST_SHARING: 30, Conditions.CONTRACT: 40}
PAID_BY_WEIGHTS = {PaidBy.RECIPIENT: 50, PaidBy.PROVIDER: 20, PaidBy.SHARED: 30}
MAX_WEIGHT = 8.0  # of a response's share of the items; the mean weight is 5/3
CAPACITIES = [1, 2, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30]
DURATIONS = [6, 12, 12, 12, 18, 24, 24, 36]  # months

SUBJECTS = {
    ActivityType.CALIBRATION: "Calibration of {what} ({detail})",
    ActivityType.COMPARISON: "Comparison of national standards: {what}, {detail}",
    ActivityType.TRAINING: "Seminar on {what} and its uncertainty budget",
    ActivityType.INTERNSHIP: "Internship in {what}, two weeks, {detail}",
    ActivityType.PROCEDURE: "Development of a calibration procedure: {what}, {detail}",
    ActivityType.PREREVIEW: "Help in preparing the prereview of CMCs in {what}",
    ActivityType.JOINT_PROJECT: "Joint research project on {what}",
    ActivityType.INTERNATIONAL: "Participation in the technical committee for {what}",
    ActivityType.INFORMATION: "Documents and guides on {what}",
}
GENERAL_TOPICS = ["quality systems for NMIs (ISO/IEC 17025)", "measurement uncertainty", "the CIPM MRA",
                  "legal metrology", "traceability chains", "laboratory management"]
DETAILS = ["class E2", "working standards", "reference standards", "transfer standards", "portable instruments",
           "secondary standards", "field instruments", "the national standard"]
# The measurement range of a technical item, when it has one.
RANGE_TYPES = AREA_REQUIRED_TYPES
RANGE_SHARE = 0.7
RANGES = ["0–6 MPa", "0.1–60 MPa", "1 mg – 20 kg", "1 mg – 1 kg", "−40…+420 °C", "1 V and 10 V", "1 Ω – 10 kΩ",
          "5 and 10 MHz", "up to 10 kV", "0.5–100 mm", "1 µl – 10 ml", "10 Hz – 10 kHz", "up to 2 Gy", "pH 1.68–9.18"]
UNCERTAINTIES = ["0.1 mg", "0.05 %", "0.01 %", "2 mK", "0.02 °C", "1 µV/V", "2 µΩ/Ω", "0.1 µm", "1e-11",
                 "0.5 %", "0.01 pH", "1 %"]
COMMENTS = ["Needed for the accreditation of the calibration laboratory.",
            "Agreed with the ministry; funding is planned.",
            "Can be combined with the comparison of the previous year.",
            "Online participation is possible.",
            "Equipment will be bought next year."]
REASONS = ["The national measurement system is still being built.",
           "Traceability is obtained abroad for most quantities.",
           "The NMI has CMCs in the KCDB in several areas.",
           "The NMI covers all quantities the economy needs."]


class _Institute(NamedTuple):
    """What the surveys need of a synthetic institute: tens of thousands of
    model instances would cost more than the rows this generator writes."""

    pk: int
    kind: str
    city: str


YEARS_TAKEN = "Real campaigns use the synthetic campaigns' kind and year: {campaigns}."
NO_AREAS = "There are no KCDB areas and sub-fields to spread needs and offers over: run migrate, which loads them."


def _weighted(weights: dict) -> tuple[list, list]:
    return list(weights), list(weights.values())


def _pick(rng: random.Random, weights: dict):
    values, counts = _weighted(weights)
    return rng.choices(values, counts)[0]


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def synthetic_campaigns() -> QuerySet[Campaign]:
    """The campaigns this generator made (whatever the scale and seed)."""
    return Campaign.objects.filter(questionnaire__title_en__startswith=PREFIX)


def _check_years_free() -> None:
    taken = [
        f"{kind} {year}" for kind, year, _status, _share in CAMPAIGNS
        if Campaign.objects.filter(kind=kind, year=year).exists()
    ]
    if taken:
        raise SynthError(YEARS_TAKEN.format(campaigns=", ".join(taken)))


def generate(rng: random.Random, scale: int) -> dict[str, int]:
    """Create the campaigns of CAMPAIGNS with their invitations, responses,
    needs and offers, 10·`scale` needs and offers in SUMMARY_YEAR. Every
    random choice comes from `rng`. Returns the rows created, by kind."""
    institutes = [
        _Institute(*row)
        for row in Institute.objects.filter(acronym__startswith=PREFIX).order_by("pk").values_list("pk", "kind", "city")
    ]
    if scale <= 0 or not institutes:
        return {}
    _check_years_free()
    secretariat = User.objects.get(username=SECRETARIAT)
    respondents: dict[int, list[int]] = {}
    for pk, institute_id in (
        User.objects.filter(username__startswith=f"{PREFIX}u", is_active=True).order_by("pk").values_list("pk", "institute_id")
    ):
        respondents.setdefault(institute_id, []).append(pk)
    subfields: dict[int, list[SubField]] = {}
    areas = {}
    for subfield in SubField.objects.select_related("area").order_by("code"):
        subfields.setdefault(subfield.area_id, []).append(subfield)
        areas[subfield.area_id] = subfield.area
    if not areas:
        raise SynthError(NO_AREAS)
    area_ids = sorted(areas, key=lambda pk: areas[pk].code)
    area_weights = [AREA_WEIGHTS.get(areas[pk].code, 3) for pk in area_ids]
    cities = {institute.pk: institute.city for institute in institutes}

    questionnaires = _questionnaires()
    counts = {"campaigns": 0, "invitations": 0, "responses": 0, "needs": 0, "offers": 0}
    n_items = ITEMS_PER_SCALE * scale
    for kind, year, status, share in CAMPAIGNS:
        campaign = _campaign(kind, year, status, questionnaires[kind], secretariat)
        invited = _invited(rng, institutes, kind)
        invitations = Invitation.objects.bulk_create(
            [_invitation(rng, campaign, institute) for institute in invited], batch_size=BATCH
        )
        responses = Response.objects.bulk_create(
            _responses(rng, campaign, invited, respondents, secretariat), batch_size=BATCH
        )
        counts["campaigns"] += 1
        counts["invitations"] += len(invitations)
        counts["responses"] += len(responses)
        if kind == CampaignKind.SELF_CLASSIFICATION or not responses:
            continue
        total = n_items if year == SUMMARY_YEAR else round(n_items * share)
        if kind == CampaignKind.NEEDS:
            wanted = round(total * NEED_SHARE)
            items = _items(rng, Need, campaign, responses, wanted, area_ids, area_weights, areas, subfields, cities)
            counts["needs"] += len(Need.objects.bulk_create(items, batch_size=BATCH))
        else:
            wanted = total - round(total * NEED_SHARE)
            items = _items(rng, Offer, campaign, responses, wanted, area_ids, area_weights, areas, subfields, cities)
            counts["offers"] += len(Offer.objects.bulk_create(items, batch_size=BATCH))
    return counts


def _questionnaires() -> dict[str, Questionnaire]:
    titles = {
        CampaignKind.NEEDS: ("Needs of CEEMS NMIs", "Потребности НМИ стран CEEMS"),
        CampaignKind.OFFERS: ("Support members can offer", "Возможности оказания поддержки"),
        CampaignKind.SELF_CLASSIFICATION: ("CEEMS self-classification", "Самоклассификация CEEMS"),
    }
    made = {}
    for kind, (title_en, title_ru) in titles.items():
        # The next free version: real questionnaires keep theirs.
        version = (Questionnaire.objects.filter(kind=kind).aggregate(top=Max("version"))["top"] or 0) + 1
        made[kind] = Questionnaire.objects.create(
            kind=kind, version=version, title=f"{PREFIX}{title_ru}", title_ru=f"{PREFIX}{title_ru}",
            title_en=f"{PREFIX}{title_en}", instructions_en="Synthetic questionnaire.",
            instructions_ru="Синтетическая анкета.", frozen_at=_moment(date(SUMMARY_YEAR - 3, 12, 1)),
        )
    return made


def _campaign(kind: str, year: int, status: str, questionnaire: Questionnaire, by: User) -> Campaign:
    opens_on = date(year, 2, 1)
    return Campaign.objects.create(
        kind=kind, year=year, questionnaire=questionnaire, status=status,
        opens_on=opens_on, closes_on=date(year, 4, 15), opened_at=_moment(opens_on), created_by=by,
        introduction_en=f"Synthetic {kind.replace('_', ' ')} campaign of {year}.",
        introduction_ru=f"Синтетическая кампания {year} года.",
    )


def _invited(rng: random.Random, institutes: list[_Institute], kind: str) -> list[_Institute]:
    """A weighted sample without replacement (national institutes first),
    in the order of the institutes."""
    nmis = [i for i in institutes if i.kind == Institute.Kind.NMI]
    if kind == CampaignKind.SELF_CLASSIFICATION:
        return nmis
    k = max(1, round(INVITED_SHARE[kind] * len(institutes)))
    # Efraimidis–Spirakis: the k largest random()^(1/weight) keys.
    keys = [(rng.random() ** (1 / (NMI_WEIGHT if i.kind == Institute.Kind.NMI else 1)), n) for n, i in enumerate(institutes)]
    chosen = sorted(n for _key, n in sorted(keys, reverse=True)[:k])
    return [institutes[n] for n in chosen]


def _invitation(rng: random.Random, campaign: Campaign, institute: _Institute) -> Invitation:
    reminded = campaign.status == Campaign.Status.CLOSED and rng.random() < 0.3
    return Invitation(
        campaign_id=campaign.pk, institute_id=institute.pk, invitation_sent_at=campaign.opened_at,
        reminder_sent_at=_moment(campaign.closes_on - timedelta(days=campaign.reminder_days)) if reminded else None,
    )


def _responses(rng, campaign: Campaign, invited: list[_Institute], respondents: dict[int, list[int]], secretariat: User) -> list[Response]:
    rows = []
    for number, institute in enumerate(invited):
        # The first invited institute always answers, and in full once the
        # campaign is closed: every page has a response to show at any scale.
        first = number == 0
        if rng.random() >= ANSWERED[campaign.status] and not first:
            continue
        status = _pick(rng, STATUS_WEIGHTS[campaign.status])
        if first and campaign.status == Campaign.Status.CLOSED:
            status = Response.Status.SUBMITTED
        people = respondents.get(institute.pk)
        by = rng.choice(people) if people else None
        response = Response(campaign_id=campaign.pk, institute_id=institute.pk, status=status)
        if status != Response.Status.DRAFT:
            response.submitted_at = _moment(campaign.opens_on + timedelta(days=rng.randint(5, 70)))
            response.submitted_by_id = by
        if status == Response.Status.REOPENED:
            response.reopen_reason = "Please add the periods of the last two items."
        if campaign.kind == CampaignKind.SELF_CLASSIFICATION:
            response.considers_ceems = rng.random() < 0.4
            response.ceems_reason = rng.choice(REASONS)
            if status == Response.Status.SUBMITTED and rng.random() < 0.8:
                response.accepted_at = response.submitted_at + timedelta(days=rng.randint(1, 20))
                response.accepted_by_id = secretariat.pk
        rows.append(response)
    return rows


def _period(rng: random.Random, year: int) -> tuple[date, date]:
    start = date(year + 1, rng.randint(1, 12), 1)
    months = start.month - 1 + rng.choice(DURATIONS)
    end_year, end_month = start.year + months // 12, months % 12 + 1
    end = date(end_year, end_month, 1) - timedelta(days=1)
    return start, end


def _items(rng, model, campaign, responses, n, area_ids, area_weights, areas, subfields, cities) -> list:
    """`n` needs or offers over `responses`, some answering many, most a few."""
    if n <= 0:
        return []
    # A few institutes answer at length (up to about five times the
    # average), most with a handful of items.
    weights = [min(rng.paretovariate(2.5), MAX_WEIGHT) for _ in responses]
    owners = rng.choices(responses, weights, k=n)
    activities, activity_weights = _weighted(ACTIVITY_WEIGHTS)
    positions: dict[int, int] = {}  # by id(): the responses' own order
    is_need = model is Need
    rows = []
    for response in owners:
        activity = rng.choices(activities, activity_weights)[0]
        area = subfield = None
        if activity in AREA_REQUIRED_TYPES or rng.random() < 0.6:
            area = areas[rng.choices(area_ids, area_weights)[0]]
            if rng.random() < (0.85 if activity in AREA_REQUIRED_TYPES else 0.5):
                subfield = rng.choice(subfields[area.pk])
        what = (subfield.name_en if subfield else area.name_en if area else rng.choice(GENERAL_TOPICS)).lower()
        subject = SUBJECTS[activity].format(what=what, detail=rng.choice(DETAILS))
        measurement_range = rng.choice(RANGES) if activity in RANGE_TYPES and rng.random() < RANGE_SHARE else ""
        # An unfinished draft leaves the period out now and then.
        unfinished = response.status == Response.Status.DRAFT and rng.random() < 0.2
        start, end = (None, None) if unfinished else _period(rng, campaign.year)
        positions[id(response)] = positions.get(id(response), 0) + 1
        item = model(
            response_id=response.pk, position=positions[id(response)], activity_type=activity,
            area_id=area.pk if area else None, subfield_id=subfield.pk if subfield else None,
            subject=subject, measurement_range=measurement_range, period_from=start, period_to=end,
            comment=rng.choice(COMMENTS) if rng.random() < 0.15 else "",
        )
        if is_need:
            item.priority = _pick(rng, PRIORITY_WEIGHTS)
            item.target_uncertainty = rng.choice(UNCERTAINTIES) if rng.random() < 0.45 else ""
            item.languages = _pick(rng, NEED_LANGUAGE_WEIGHTS)
        else:
            item.capacity = rng.choice(CAPACITIES)
            item.languages = _pick(rng, LANGUAGE_WEIGHTS)
            item.conditions = _pick(rng, CONDITION_WEIGHTS)
            item.customs_paid_by = _pick(rng, PAID_BY_WEIGHTS)
            online = activity == ActivityType.TRAINING and rng.random() < 0.3
            item.location = "online" if online else cities[response.institute_id]
        rows.append(item)
    return rows


def summary_rows(year: int = SUMMARY_YEAR) -> int:
    """Needs and offers of `year`'s campaigns: the rows of its summary table."""
    return sum(
        model.objects.filter(response__campaign__year=year, response__campaign__kind__in=[CampaignKind.NEEDS, CampaignKind.OFFERS]).count()
        for model in (Need, Offer)
    )


def existing() -> dict[str, int]:
    """Synthetic rows of this app now in the database, by kind."""
    campaigns = synthetic_campaigns()
    return {
        "campaigns": campaigns.count(),
        "responses": Response.objects.filter(campaign__in=campaigns).count(),
        "needs": Need.objects.filter(response__campaign__in=campaigns).count(),
        "offers": Offer.objects.filter(response__campaign__in=campaigns).count(),
    }


def _delete_without_signals(queryset: QuerySet) -> int:
    """One DELETE statement, no signals. Needs, offers and responses are
    tracked by django-simple-history, whose post_delete receiver makes
    Django fetch every row and write a history record for each: minutes for
    the large size, and history of rows that never were real."""
    return queryset._raw_delete(queryset.db)


def flush() -> dict[str, int]:
    """Delete the synthetic campaigns with everything in them (and any
    history an import into them recorded); real campaigns stay."""
    campaigns = synthetic_campaigns()
    responses = Response.objects.filter(campaign__in=campaigns)
    response_ids = responses.values("pk")
    deleted = {}
    for model, name in ((Need, "needs"), (Offer, "offers")):
        _delete_without_signals(model.history.filter(response_id__in=response_ids))
        deleted[name] = _delete_without_signals(model.objects.filter(response_id__in=response_ids))
    _delete_without_signals(Response.history.filter(campaign_id__in=campaigns.values("pk")))
    deleted["responses"] = _delete_without_signals(Response.objects.filter(campaign__in=campaigns))
    deleted["invitations"] = Invitation.objects.filter(campaign__in=campaigns).delete()[0]
    questionnaires = Questionnaire.objects.filter(title_en__startswith=PREFIX)
    deleted["campaigns"] = Campaign.objects.filter(questionnaire__in=questionnaires).delete()[0]
    questionnaires.delete()
    return deleted
