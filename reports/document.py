"""What the annual report says, section by section, in the order of the
source document (COOMET-34-PS/13).

`SECTION_BUILDERS` is the report: a list of functions, each taking the
`ReportData` of a year and returning a `Section` (its heading, its template
under reports/pdf/sections/, its context) or None to leave it out. The PDF
and the web preview render the same list. The task group's meetings, its
information-support requests and its composition are read from the taskgroup
app; the matching section's reasons are worded by the Programme's one
renderer of them (programme/reasons.py).

Every builder runs inside `translation.override(language)`, so its words are
in the report's language, and reads a fixed number of queries whatever the
size of the year (the annex of 2,000 activities included).
"""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from institutes.models import CeemsStatus, Institute, MetrologyArea
from programme.matching_selectors import names_for
from programme.models import DIRECTION_OF_TYPE, Activity, Direction, MatchingRun, ProgrammeVersion, quarter_parts
from programme.reasons import reason_text
from surveys.models import ActivityType, Campaign, CampaignKind, Invitation, Need, Offer, Response
from taskgroup import selectors as taskgroup_selectors
from taskgroup.models import ActionItem, Decision, InfoRequest, Membership, membership_today

from .charts import Row, bar_chart
from .models import AnnualReport
from .sanitize import narrative_clean


@dataclass
class ReportData:
    """The year being reported on, its report row (narrative parts), and the
    language of this rendering."""

    year: int
    language: str
    report: AnnualReport | None = None

    @cached_property
    def programme_version(self) -> ProgrammeVersion | None:
        """The version of the year the report speaks of: the latest
        published one, else the latest approved, else the latest draft."""
        versions = ProgrammeVersion.objects.filter(year=self.year).select_related("programme")
        for status in (ProgrammeVersion.Status.PUBLISHED, ProgrammeVersion.Status.APPROVED):
            found = versions.filter(status=status).order_by("-number").first()
            if found:
                return found
        return versions.order_by("-number").first()

    @cached_property
    def activities(self) -> list[Activity]:
        if self.programme_version is None:
            return []
        return list(
            Activity.objects.filter(version=self.programme_version)
            .select_related("area")
            # The annex names institutes by acronym: nothing else is loaded.
            .prefetch_related(
                Prefetch("recipients", queryset=Institute.objects.only("pk", "acronym").order_by("acronym")),
                Prefetch("providers", queryset=Institute.objects.only("pk", "acronym").order_by("acronym")),
            )
            .order_by("direction", "position", "pk")
        )


@dataclass
class Section:
    key: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    number: int = 0

    @property
    def anchor(self) -> str:
        return f"section-{self.key}"


SectionBuilder = Callable[[ReportData], "Section | None"]


def _section(key: str, title: str, **context) -> Section:
    return Section(key=key, title=title, template=f"reports/pdf/sections/{key}.html", context=context)


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


# --- The sections, in the source document's order ------------------------------

def narrative_of(report: AnnualReport | None, name: str, language: str) -> str:
    """A narrative part in the report's language, sanitised again. No
    fallback to the other language: a part not written in English is left
    out of the English report rather than shown in Russian."""
    if report is None:
        return ""
    return narrative_clean(getattr(report, f"{name}_{language}", "") or "")


def section_basis(data: ReportData) -> Section:
    basis = narrative_of(data.report, "basis", data.language)
    return _section("basis", _("Basis"), basis=basis)


def section_surveys(data: ReportData) -> Section:
    """The surveys of the year (and the self-classification that made the
    year's CEEMS list, when it was held the year before), with who answered."""
    submitted = Q(responses__status=Response.Status.SUBMITTED)
    campaigns = list(
        Campaign.objects.filter(
            Q(year=data.year) | Q(year=data.year - 1, kind=CampaignKind.SELF_CLASSIFICATION)
        )
        .exclude(status=Campaign.Status.DRAFT)
        .annotate(
            invited=Count("invitations", distinct=True),
            answered=Count("responses", filter=submitted, distinct=True),
        )
        .order_by("year", "opens_on", "kind")
    )
    answers = defaultdict(list)
    for campaign_id, name in (
        Response.objects.filter(campaign__in=campaigns, status=Response.Status.SUBMITTED)
        .order_by(f"institute__country__name_{data.language}", "institute__acronym")
        .values_list("campaign_id", f"institute__country__name_{data.language}")
    ):
        if name not in answers[campaign_id]:
            answers[campaign_id].append(name)
    for campaign in campaigns:
        campaign.percent = _percent(campaign.answered, campaign.invited)
        campaign.countries = answers[campaign.pk]
    return _section("surveys", _("Surveys of the year and who answered"), campaigns=campaigns)


def section_ceems(data: ReportData) -> Section:
    """The CEEMS list in force for the year (the latest self-classification
    up to it) and how it changed from the list before."""
    years = sorted(
        set(CeemsStatus.objects.filter(year__lte=data.year).values_list("year", flat=True)), reverse=True
    )[:2]
    lists: dict[int, list] = {year: [] for year in years}
    for status in CeemsStatus.objects.filter(year__in=years, is_ceems=True).select_related("country").order_by(
        "country__name"
    ):
        lists[status.year].append(status.country)
    current = lists[years[0]] if years else []
    previous = lists[years[1]] if len(years) > 1 else None
    added = removed = []
    if previous is not None:
        before = {c.pk for c in previous}
        now = {c.pk for c in current}
        added = [c for c in current if c.pk not in before]
        removed = [c for c in previous if c.pk not in now]
    return _section(
        "ceems", _("The CEEMS list and its changes"), countries=current, list_year=years[0] if years else None,
        previous_year=years[1] if len(years) > 1 else None, added=added, removed=removed,
    )


def _items(model, data: ReportData):
    return (
        model.objects.filter(response__campaign__year=data.year, response__status=Response.Status.SUBMITTED)
        .exclude(activity_type="")
        .values_list("activity_type", "area_id", f"response__institute__country__name_{data.language}")
    )


def section_needs_offers(data: ReportData) -> Section:
    """Needs and offers of the year's submitted responses, by direction of
    support and activity type (who asks, who offers), with two charts:
    by metrology area and by activity type, needs against offers."""
    type_labels = dict(ActivityType.choices)
    areas = {area.pk: area for area in MetrologyArea.objects.order_by("position", "code")}
    by_type = {kind: {"needs": 0, "offers": 0, "askers": set(), "offerers": set()} for kind in ActivityType.values}
    by_area = defaultdict(lambda: [0, 0])
    for index, (model, key, who) in enumerate(((Need, "needs", "askers"), (Offer, "offers", "offerers"))):
        for activity_type, area_id, country in _items(model, data):
            if activity_type not in by_type:
                continue
            by_type[activity_type][key] += 1
            by_type[activity_type][who].add(country)
            by_area[area_id][index] += 1
    directions = []
    for direction, label in Direction.choices:
        rows = []
        for kind in ActivityType.values:
            if DIRECTION_OF_TYPE[kind] != direction:
                continue
            counts = by_type[kind]
            if counts["needs"] or counts["offers"]:
                rows.append({
                    "label": type_labels[kind], "needs": counts["needs"], "offers": counts["offers"],
                    "askers": sorted(counts["askers"]), "offerers": sorted(counts["offerers"]),
                })
        directions.append({"label": label, "rows": rows})
    series = [_("Needs"), _("Offers")]
    type_rows = [
        Row(type_labels[kind], (by_type[kind]["needs"], by_type[kind]["offers"]))
        for kind in ActivityType.values if by_type[kind]["needs"] or by_type[kind]["offers"]
    ]
    area_rows = [
        Row(f"{area.code} — {area.name}", tuple(by_area[pk])) for pk, area in areas.items() if any(by_area[pk])
    ]
    if any(by_area[None]):
        area_rows.append(Row(_("No area (general)"), tuple(by_area[None])))
    total_needs = sum(v["needs"] for v in by_type.values())
    total_offers = sum(v["offers"] for v in by_type.values())
    return _section(
        "needs_offers", _("Needs and offers by direction of support"),
        directions=directions, total_needs=total_needs, total_offers=total_offers,
        chart_types=bar_chart(title=_("Needs and offers by activity type"), rows=type_rows, series=series,
                              chart_id="chart-types") if type_rows else "",
        chart_areas=bar_chart(title=_("Needs and offers by metrology area"), rows=area_rows, series=series,
                              chart_id="chart-areas") if area_rows else "",
    )


def section_matching(data: ReportData) -> Section:
    """The matches and the gaps, from the latest finished matching run of
    the year: its `result` is the engine's Result.to_dict() with database
    ids (programme/matching/data.py), read here as JSON, not recomputed."""
    run = (
        MatchingRun.objects.filter(year=data.year, status=MatchingRun.Status.DONE)
        .order_by("-finished_at", "-created_at", "-pk").first()
    )
    if run is None:
        return _section("matching", _("Matches and gaps"), run=None)
    result = run.result or {}
    institute_ids = set()
    for proposal in result.get("proposals", []):
        institute_ids.add(proposal.get("provider"))
        institute_ids.update(proposal.get("recipients", []))
    for item in result.get("unmatched", []):
        institute_ids.add(item.get("institute"))
    for item in result.get("unsolicited", []):
        institute_ids.add(item.get("provider"))
    institutes = {
        i.pk: i for i in Institute.objects.filter(pk__in=[i for i in institute_ids if isinstance(i, int)])
        .select_related("country")
    }
    areas = dict(MetrologyArea.objects.values_list("code", f"name_{data.language}"))
    type_labels = dict(ActivityType.choices)

    def who(institute_id) -> str:
        institute = institutes.get(institute_id)
        return f"{institute.acronym} ({institute.country.name})" if institute else str(institute_id or "—")

    def area(code) -> str:
        return f"{code} — {areas[code]}" if code in areas else (code or _("general"))

    # The reasons name offers and needs (the Programme's one renderer of
    # them, programme/reasons.py): their names in five queries, however many.
    need_ids, offer_ids = set(), set()
    for item in result.get("unmatched", []) + result.get("unsolicited", []):
        values = item.get("values") or {}
        for offer in values.get("offers", []):
            if isinstance(offer, dict):  # capacity_taken: the offer and the needs that took it
                offer_ids.add(offer.get("offer"))
                need_ids.update(offer.get("needs", []))
            else:
                offer_ids.add(offer)
        need_ids.update(values.get("needs", []))
    takers = {use.get("offer"): use.get("needs", []) for use in result.get("offer_use", [])}
    for offer in offer_ids & set(takers):
        need_ids.update(takers[offer])
    names = names_for(need_ids=need_ids, offer_ids=offer_ids)
    names.takers = takers

    proposals = [
        {
            "type": type_labels.get(p.get("activity_type"), p.get("activity_type")), "area": area(p.get("area")),
            "subject": p.get("subject", ""), "provider": who(p.get("provider")),
            "recipients": ", ".join(who(r) for r in p.get("recipients", [])), "score": p.get("score"),
        }
        for p in result.get("proposals", [])
    ]
    unmatched = [
        {
            "who": who(u.get("institute")), "type": type_labels.get(u.get("activity_type"), u.get("activity_type")),
            "area": area(u.get("area")), "subject": u.get("subject", ""),
            "reason": reason_text(u, names),
        }
        for u in result.get("unmatched", [])
    ]
    unsolicited = [
        {
            "who": who(u.get("provider")), "type": type_labels.get(u.get("activity_type"), u.get("activity_type")),
            "area": area(u.get("area")), "subject": u.get("subject", ""),
            "reason": reason_text(u, names),
        }
        for u in result.get("unsolicited", [])
    ]
    served = sum(len(p.get("needs", [])) for p in result.get("proposals", []))
    return _section(
        "matching", _("Matches and gaps"), run=run, proposals=proposals, unmatched=unmatched,
        unsolicited=unsolicited, served=served, needs_considered=result.get("needs_considered", 0),
        offers_considered=result.get("offers_considered", 0),
    )


def activity_outcomes(activities: list[Activity]) -> dict[int, str]:
    """The recorded outcome of each done activity, by activity id, in one
    query: when it was held, its result and identifier (a comparison
    registered as COOMET.M.M-K1, a certificate issued...), the number of
    participants and its summary, in the report's language."""
    from django.utils import formats

    from programme.models import Outcome

    outcomes = {}
    for outcome in Outcome.objects.filter(activity__in=[a.pk for a in activities]):
        parts = []
        if outcome.held_from:
            held = formats.date_format(outcome.held_from, "SHORT_DATE_FORMAT")
            if outcome.held_to and outcome.held_to != outcome.held_from:
                held += " – " + formats.date_format(outcome.held_to, "SHORT_DATE_FORMAT")
            parts.append(_("held %(when)s") % {"when": held})
        if outcome.result_kind:
            result = str(outcome.get_result_kind_display())
            parts.append(f"{result} {outcome.result_identifier}".strip())
        elif outcome.result_identifier:
            parts.append(outcome.result_identifier)
        if outcome.participants_count:
            parts.append(_("participants: %(count)s") % {"count": outcome.participants_count})
        if outcome.summary:
            parts.append(outcome.summary)
        outcomes[outcome.activity_id] = "; ".join(parts)
    return outcomes


def section_programme(data: ReportData) -> Section:
    """The Programme of the year and its progress: activities by status
    (with a chart), what was done (with outcomes, once recorded), what was
    postponed or cancelled and why."""
    activities = data.activities
    counts = Counter(a.status for a in activities)
    statuses = [(value, label, counts.get(value, 0)) for value, label in Activity.Status.choices]
    outcomes = activity_outcomes([a for a in activities if a.status == Activity.Status.DONE])
    done = [(a, outcomes.get(a.pk, "")) for a in activities if a.status == Activity.Status.DONE]
    held_back = [a for a in activities if a.status in Activity.NEEDS_REASON]
    chart = bar_chart(
        title=_("Activities by status"), rows=[Row(label, (n,)) for _value, label, n in statuses],
        series=[_("Activities")], chart_id="chart-status",
    ) if activities else ""
    return _section(
        "programme", _("The Programme of the year and its progress"), version=data.programme_version,
        total=len(activities), statuses=statuses, done=done, held_back=held_back, chart=chart,
    )


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _as_on(year: int) -> date:
    """The day the report's "current" means: the year's last day, or today
    while the year runs (memberships count days in UTC, taskgroup.models)."""
    return min(date(year, 12, 31), membership_today())


def section_meetings(data: ReportData) -> Section:
    """The task group's meetings held in the year (taskgroup.selectors.meetings_held:
    not cancelled, already begun), each with its decisions and the state of
    its minutes and action items; then the action items still open today of
    every meeting held up to the end of the year, with owner, due date,
    status and the Programme activity they serve. Three queries."""
    meetings = list(
        taskgroup_selectors.meetings_held(year=data.year)
        # The minutes' state only: their text (up to 100,000 characters) stays behind.
        .select_related("minutes").defer("minutes__text")
        .prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.select_related("activity").order_by("number")),
        )
        .annotate(
            actions_total=Count("action_items", distinct=True),
            actions_done=Count("action_items", filter=Q(action_items__status=ActionItem.Status.DONE), distinct=True),
        )
    )
    for meeting in meetings:
        minutes = taskgroup_selectors.minutes_of(meeting)  # joined above: no query
        meeting.minutes_state = minutes.get_status_display() if minutes else ""
    _first, last = _year_bounds(data.year)
    open_items = list(
        ActionItem.objects.open()
        .filter(meeting__cancelled=False, meeting__starts_at__date__lte=last)
        .select_related("owner__institute", "activity", "meeting")
        .order_by("due_on", "pk")
    )
    return _section(
        "meetings", _("Meetings held, decisions and open action items"), meetings=meetings,
        open_items=open_items, today=timezone.localdate(), year=data.year,
    )


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def section_information(data: ReportData) -> Section:
    """The information-support requests asked in the year (as
    taskgroup.selectors.info_request_summary counts them: by the day asked):
    how many, by topic and by country, answered or open, and the median
    days from asking to the first answer (the median, not the mean: with a
    handful of requests one slow answer would make the mean say little).
    One query."""
    topics = dict(InfoRequest.Topic.choices)
    rows = list(
        InfoRequest.objects.filter(created_at__year=data.year)
        .order_by(f"institute__country__name_{data.language}", "created_at", "pk")
        .values_list(
            "topic", "status", "created_at", "first_answered_at", f"institute__country__name_{data.language}",
            "institute__acronym", "subject",
        )
    )
    open_statuses = {InfoRequest.Status.NEW, InfoRequest.Status.ASSIGNED}
    by_topic, by_country = Counter(), {}
    answered = waiting = 0
    days = []
    requests = []
    for topic, status, asked, first_answer, country, acronym, subject in rows:
        by_topic[topic] += 1
        counts = by_country.setdefault(country, {"country": country, "total": 0, "answered": 0, "open": 0})
        counts["total"] += 1
        if status in open_statuses:
            counts["open"] += 1
            waiting += 1
        if first_answer is not None:
            counts["answered"] += 1
            answered += 1
            days.append((first_answer - asked).total_seconds() / 86400)
        requests.append({
            "institute": acronym, "country": country, "topic": topics.get(topic, topic), "subject": subject,
            "asked": asked, "days": round((first_answer - asked).total_seconds() / 86400, 1) if first_answer else None,
            "open": status in open_statuses,
        })
    return _section(
        "information", _("Information-support requests"), total=len(rows), answered=answered, waiting=waiting,
        median_days=_median(days), by_topic=[(label, by_topic[value]) for value, label in InfoRequest.Topic.choices
                                             if by_topic[value]],
        by_country=list(by_country.values()), requests=requests, year=data.year,
    )


def section_composition(data: ReportData) -> Section:
    """The task group's composition: the members current at the end of the
    year (or today, while it runs) by country, with role and term, and the
    changes in the year: who joined, who left, whose role changed. One query."""
    first, last = _year_bounds(data.year)
    on = _as_on(data.year)
    memberships = list(
        Membership.objects.filter(starts_on__lte=last)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .select_related("user", "institute__country")
        .order_by(f"institute__country__name_{data.language}", "institute__acronym", "starts_on", "pk")
    )
    by_country = defaultdict(list)
    for membership in memberships:
        if membership.is_current(on):
            by_country[membership.institute.country.name].append(membership)
    # A term that begins the day after the same person's previous term ends
    # is a change of role, not a departure and an arrival.
    terms = defaultdict(list)
    for membership in memberships:
        terms[membership.user_id].append(membership)
    changes = []
    for person_terms in terms.values():
        person_terms.sort(key=lambda m: (m.starts_on, m.pk))
        for before, after in zip([None] + person_terms, person_terms + [None]):
            follows = (
                before is not None and after is not None and before.ends_on is not None
                and after.starts_on <= before.ends_on + timedelta(days=1)
            )
            if after is not None and first <= after.starts_on <= last:
                if follows:
                    changes.append({"on": after.starts_on, "membership": after, "kind": "role",
                                    "before": before.get_role_display()})
                else:
                    changes.append({"on": after.starts_on, "membership": after, "kind": "joined"})
            if (before is not None and before.ends_on is not None and first <= before.ends_on <= last
                    and before.ends_on < on and not follows):
                changes.append({"on": before.ends_on, "membership": before, "kind": "left"})
    changes.sort(key=lambda change: (change["on"], str(change["membership"].user)))
    return _section(
        "composition", _("Composition of the task group"), on=on, countries=list(by_country.items()),
        total=sum(len(v) for v in by_country.values()), changes=changes, year=data.year,
    )


def section_narrative(data: ReportData) -> Section:
    report = data.report
    parts = []
    if report is not None:
        for name, title in (
            ("summary", pgettext("report part", "Summary")), ("conclusions", _("Conclusions")),
            ("proposals", _("Proposals to the Committee")),
        ):
            text = narrative_of(report, name, data.language)
            if text:
                parts.append({"title": title, "html": text})
    return _section("narrative", _("Summary, conclusions and proposals"), parts=parts)


def _quarters(activity: Activity) -> str:
    def one(code):
        year, quarter = quarter_parts(code)
        return _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year}

    if activity.first_quarter and activity.last_quarter and activity.first_quarter != activity.last_quarter:
        return f"{one(activity.first_quarter)} – {one(activity.last_quarter)}"
    code = activity.first_quarter or activity.last_quarter
    return one(code) if code else "—"


def section_annex(data: ReportData) -> Section:
    """The full Programme table of the year, by direction of support."""
    groups = []
    by_direction = defaultdict(list)
    for activity in data.activities:
        by_direction[activity.direction].append(activity)
    number = 0
    for direction, label in Direction.choices:
        rows = []
        for activity in by_direction.get(direction, []):
            number += 1
            rows.append({
                "number": number, "title": activity.title, "type": activity.get_activity_type_display(),
                "area": activity.area.code if activity.area else "—",
                "recipients": ", ".join(i.acronym for i in activity.recipients.all()) or "—",
                "providers": ", ".join(i.acronym for i in activity.providers.all()) or "—",
                "quarters": _quarters(activity), "status": activity.get_status_display(),
                "responsible": activity.responsible,
            })
        if rows:
            groups.append({"label": label, "rows": rows})
    return _section("annex", _("Annex: the Programme of activities"), version=data.programme_version, groups=groups)


SECTION_BUILDERS: list[SectionBuilder] = [
    section_basis,
    section_surveys,
    section_ceems,
    section_needs_offers,
    section_matching,
    section_programme,
    section_meetings,
    section_information,
    section_composition,
    section_narrative,
    section_annex,
]


def build_sections(data: ReportData) -> list[Section]:
    """Every section of the report, numbered in order."""
    sections = []
    for builder in SECTION_BUILDERS:
        section = builder(data)
        if section is not None:
            section.number = len(sections) + 1
            sections.append(section)
    return sections
