"""What the matching page reads: a run's proposals one page at a time, with
everything they name, in a fixed number of queries however large the year."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When

from institutes.models import Institute, MetrologyArea, SubField
from surveys.models import ActivityType, Campaign, CampaignKind, Need, Offer

from .models import Direction, MatchDecision, MatchingRun, Proposal
from .reasons import Names, reason_text

PER_PAGE = 20
TABS = ("proposals", "unmatched", "unsolicited", "not_considered", "capacity", "decisions")

_DIRECTION_ORDER = Case(
    *[When(direction=value, then=Value(number)) for number, value in enumerate(Direction.values)],
    output_field=IntegerField(),
)


def matching_years() -> list[int]:
    """Years that have a needs or offers campaign, newest first."""
    return sorted(
        set(
            Campaign.objects.filter(kind__in=[CampaignKind.NEEDS, CampaignKind.OFFERS])
            .exclude(status=Campaign.Status.DRAFT)
            .values_list("year", flat=True)
        ),
        reverse=True,
    )


def newest_done_run(*, year: int) -> MatchingRun | None:
    return (
        MatchingRun.objects.filter(year=year, status=MatchingRun.Status.DONE)
        .defer("result").select_related("requested_by").order_by("-created_at", "-pk").first()
    )


def pending_run(*, year: int) -> MatchingRun | None:
    """A run of the year still waiting for its background job, newer than
    every finished one."""
    return (
        MatchingRun.objects.filter(year=year, status=MatchingRun.Status.PENDING)
        .defer("result", "details").select_related("job").order_by("-created_at", "-pk").first()
    )


@dataclass
class NeedRow:
    need_id: int
    institute: str
    country: str
    subject: str
    priority: str | None
    score: int
    reasons: list[tuple[str, int | None]]
    decision: MatchDecision | None = None


@dataclass
class ProposalCard:
    proposal: Proposal
    provider: str
    provider_country: str
    subject: str
    capacity: int | None
    area: str
    subfield: str
    needs: list[NeedRow] = field(default_factory=list)

    @property
    def state(self) -> str:
        """open, accepted, rejected or partly (some needs decided)."""
        decisions = [row.decision for row in self.needs]
        if all(d is None for d in decisions):
            return "open"
        if all(d is not None and d.verdict == MatchDecision.Verdict.ACCEPTED for d in decisions):
            return "accepted"
        if all(d is not None and d.verdict == MatchDecision.Verdict.REJECTED for d in decisions):
            return "rejected"
        return "partly"

    @property
    def open_needs(self) -> list[NeedRow]:
        return [row for row in self.needs if row.decision is None]

    @property
    def activity(self):
        return next((row.decision.activity for row in self.needs if row.decision and row.decision.activity_id), None)


def _ids(ids) -> list:
    """`ids` for a `pk__in`, never empty: an empty list would skip the query,
    and the page would make fewer queries at one size than at another."""
    return sorted({i for i in ids if i is not None}) or [0]


def names_for(*, institute_ids=(), need_ids=(), offer_ids=()) -> Names:
    """The names reasons use, in five queries whatever is asked."""
    institutes = dict(Institute.objects.filter(pk__in=_ids(institute_ids)).values_list("pk", "acronym"))
    areas = dict(MetrologyArea.objects.values_list("code", "name"))
    subfields = dict(SubField.objects.values_list("code", "name"))
    needs = {}
    for pk, subject, acronym in Need.objects.filter(pk__in=_ids(need_ids)).values_list(
        "pk", "subject", "response__institute__acronym"
    ):
        needs[pk] = f"{acronym}: {subject}" if subject else acronym
    offers = {}
    for pk, subject, acronym in Offer.objects.filter(pk__in=_ids(offer_ids)).values_list(
        "pk", "subject", "response__institute__acronym"
    ):
        offers[pk] = f"{acronym}: {subject}" if subject else acronym
    return Names(institutes=institutes, areas=areas, subfields=subfields, needs=needs, offers=offers)


def proposal_page(*, run: MatchingRun, page: str | int | None, direction: str = ""):
    """One page of the run's proposals, by direction of support, each with
    its names, reasons in words and the decisions on its pairs."""
    proposals = Proposal.objects.filter(run=run)
    if direction in Direction.values:
        proposals = proposals.filter(direction=direction)
    proposals = proposals.annotate(direction_order=_DIRECTION_ORDER).order_by("direction_order", "position")
    paginator = Paginator(proposals, PER_PAGE)
    page_obj = paginator.get_page(page)
    items = list(page_obj.object_list)
    institute_ids, pairs = set(), []
    for proposal in items:
        institute_ids.add(proposal.data.get("provider"))
        for assignment in proposal.data.get("needs", []):
            institute_ids.add(assignment.get("institute"))
            pairs.append((assignment["need"], proposal.offer_id))
    names = names_for(institute_ids=institute_ids)
    decisions = {}
    for decision in MatchDecision.objects.filter(
        need_id__in=_ids(n for n, _ in pairs), offer_id__in=_ids(o for _, o in pairs)
    ).select_related("decided_by", "activity"):
        decisions[(decision.need_id, decision.offer_id)] = decision
    cards = []
    for proposal in items:
        data = proposal.data
        card = ProposalCard(
            proposal=proposal,
            provider=names.institute(data.get("provider")),
            provider_country=data.get("provider_country", ""),
            subject=data.get("subject", ""),
            capacity=data.get("capacity"),
            area=names.area(data.get("area")),
            subfield=names.subfield(data.get("subfield")) if data.get("subfield") else "",
        )
        for assignment in data.get("needs", []):
            card.needs.append(NeedRow(
                need_id=assignment["need"],
                institute=names.institute(assignment.get("institute")),
                country=assignment.get("country", ""),
                subject=assignment.get("subject", ""),
                priority=assignment.get("priority"),
                score=assignment.get("score", 0),
                reasons=[(reason_text(r, names), (r.get("values") or {}).get("points")) for r in assignment.get("reasons", [])],
                decision=decisions.get((assignment["need"], proposal.offer_id)),
            ))
        cards.append(card)
    return page_obj, cards


def detail_page(*, run: MatchingRun, tab: str, page: str | int | None):
    """One page of the run's unmatched needs, unsolicited offers, items not
    considered or capacity by offer, each with its reasons in words."""
    details = run.details or {}
    key = {"unmatched": "unmatched", "unsolicited": "unsolicited", "not_considered": "not_considered",
           "capacity": "offer_use"}[tab]
    rows = details.get(key, [])
    paginator = Paginator(rows, PER_PAGE * 2)
    page_obj = paginator.get_page(page)
    items = list(page_obj.object_list)
    institute_ids, need_ids, offer_ids = set(), set(), set()
    takers = {use["offer"]: use["needs"] for use in details.get("offer_use", [])}
    for item in items:
        institute_ids.update(filter(None, [item.get("institute"), item.get("provider")]))
        if tab == "not_considered":
            (need_ids if item["kind"] == "need" else offer_ids).add(item["id"])
        if tab == "capacity":
            offer_ids.add(item["offer"])
            need_ids.update(item["needs"])
        values = item.get("values", {}) or {}
        for offer in values.get("offers", []):
            if isinstance(offer, dict):  # capacity_taken: the offer and the needs that took it
                offer_ids.add(offer.get("offer"))
                need_ids.update(offer.get("needs", []))
            else:
                offer_ids.add(offer)
        need_ids.update(values.get("needs", []))
    names = names_for(institute_ids=institute_ids, need_ids=need_ids, offer_ids=offer_ids)
    names.takers = takers
    rows_out = []
    for item in items:
        row = dict(item)
        if tab in ("unmatched", "unsolicited"):
            row["reason_text"] = reason_text(item, names)
            row["who"] = names.institute(item.get("institute") or item.get("provider"))
            row["area_name"] = names.area(item.get("area"))
            row["activity_type_label"] = _type_label(item.get("activity_type"))
        elif tab == "not_considered":
            row["label"] = names.need(item["id"]) if item["kind"] == "need" else names.offer(item["id"])
            row["reasons_text"] = [reason_text(r, names) for r in item.get("reasons", [])]
        else:
            row["label"] = names.offer(item["offer"])
            row["who"] = names.institute(item.get("provider"))
            row["takers"] = [names.need(n) for n in item.get("needs", [])]
        rows_out.append(row)
    return page_obj, rows_out


def _type_label(value) -> str:
    try:
        return str(ActivityType(value).label)
    except ValueError:
        return str(value or "")


def capacity_by_donor(run: MatchingRun) -> list[tuple[str, int, int]]:
    totals = (run.details or {}).get("totals", {})
    rows = totals.get("capacity_by_donor", [])
    names = dict(Institute.objects.filter(pk__in=_ids(r[0] for r in rows)).values_list("pk", "acronym"))
    return [(names.get(provider, str(provider)), capacity, used) for provider, capacity, used in rows]


def decision_page(*, year: int, page):
    decisions = (
        MatchDecision.objects.filter(year=year)
        .select_related("decided_by", "activity", "need__response__institute", "offer__response__institute")
        .order_by("-decided_at", "-pk")
    )
    paginator = Paginator(decisions, PER_PAGE * 2)
    return paginator.get_page(page)
