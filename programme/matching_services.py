"""The portal's side of matching: feed the engine a year's submitted needs
and offers, keep what it proposes, and turn the Secretariat's decisions into
activities of the year's draft Programme.

    run = matching_run_start(year=2022, by=user)     # in place, or a background job
    proposal_accept(proposal=p, by=user, revision=r, need_ids=[...], title=..., first_quarter=..., last_quarter=...)
    proposal_reject(proposal=p, by=user, revision=r, reason="...")

Decisions are kept per (need, offer) pair (`MatchDecision`), and every run
hands them to the engine (`matching.Decisions`): an accepted pair stays
assigned and uses its offer's capacity, a rejected pair is never proposed
again. So running matching again after new answers keeps every decision and
proposes only what is new.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _, gettext_lazy

from core.concurrency import revision_bump, revision_claim
from core.errors import ConflictError, PortalError
from core.jobs import job_enqueue, job_function, job_progress
from institutes.models import Country, Institute
from surveys.models import ActivityType, Campaign, CampaignKind, Need, Offer, Response, language_iso_codes

from . import matching
from .models import Activity, MatchDecision, MatchingRun, Proposal, direction_of, quarter_code
from .services import activity_create, version_draft_for_year

# Above this many needs and offers together a run goes to the background
# (with progress on the page); below it the page runs it in place.
INLINE_LIMIT_DEFAULT = 2000

NOT_LATEST = gettext_lazy(
    "Matching was run again since you opened this page, and this proposal is no longer current. "
    "The page now shows the latest proposals; nothing was decided."
)
ALREADY_DECIDED = gettext_lazy(
    "Somebody decided this proposal after you opened it. The page now shows their decision; yours was not saved."
)
OFFER_WITHDRAWN = gettext_lazy(
    "The offer “%(offer)s” of %(provider)s is no longer in a submitted response (it was reopened or withdrawn). "
    "Nothing was accepted; run matching again to see what it allows now."
)
OFFER_REDUCED = gettext_lazy(
    "The offer “%(offer)s” of %(provider)s now has a capacity of %(capacity)s and %(used)s already accepted; "
    "it cannot take %(asked)s more. Nothing was accepted; run matching again."
)
NEED_WITHDRAWN = gettext_lazy(
    "The need “%(need)s” of %(institute)s is no longer in a submitted response. Nothing was accepted; "
    "run matching again."
)
NEED_TAKEN = gettext_lazy(
    "The need “%(need)s” of %(institute)s is already served by an accepted proposal. Nothing was accepted."
)
NO_RECIPIENT = gettext_lazy("Choose at least one of the proposal's needs to accept.")
NOT_OF_PROPOSAL = gettext_lazy("Choose only needs this proposal serves.")
REASON_REQUIRED = gettext_lazy("Say why the proposal is rejected.")
QUARTERS_REVERSED = gettext_lazy("The last quarter cannot come before the first.")
QUARTER_OUTSIDE = gettext_lazy("Choose quarters within the Programme's period, %(first)s–%(last)s.")
RUN_NOT_DONE = gettext_lazy("This run has not finished; decide on the proposals of a finished run.")


# --- Input ---------------------------------------------------------------------

def submitted_items(model, *, year: int, kind: str):
    """The needs (or offers) of the submitted responses of the year's
    campaigns of `kind`."""
    return (
        model.objects.filter(
            response__campaign__year=year,
            response__campaign__kind=kind,
            response__status=Response.Status.SUBMITTED,
        )
        .exclude(response__campaign__status=Campaign.Status.DRAFT)
        .select_related("area", "subfield", "response__institute__country")
        .order_by("pk")
    )


def _period(item) -> tuple[date | None, date | None]:
    return item.period_from, item.period_to


def engine_need(need: Need) -> matching.Need:
    institute = need.response.institute
    return matching.Need(
        id=need.pk,
        institute=institute.pk,
        country=institute.country.iso2,
        activity_type=need.activity_type,
        area=need.area.code if need.area_id else None,
        subfield=need.subfield.code if need.subfield_id else None,
        subject=need.subject,
        measurement_range=need.measurement_range,
        period_from=need.period_from,
        period_to=need.period_to,
        priority=need.priority or None,
        languages=language_iso_codes(need.languages),
    )


def engine_offer(offer: Offer) -> matching.Offer:
    institute = offer.response.institute
    return matching.Offer(
        id=offer.pk,
        institute=institute.pk,
        country=institute.country.iso2,
        activity_type=offer.activity_type,
        area=offer.area.code if offer.area_id else None,
        subfield=offer.subfield.code if offer.subfield_id else None,
        subject=offer.subject,
        measurement_range=offer.measurement_range,
        capacity=offer.capacity,
        period_from=offer.period_from,
        period_to=offer.period_to,
        languages=language_iso_codes(offer.languages),
        conditions=offer.conditions or None,
        customs_paid_by=offer.customs_paid_by or None,
        location=offer.location,
    )


def matching_facts() -> matching.Facts:
    return matching.Facts(customs_unions=dict(Country.objects.exclude(customs_union="").values_list("iso2", "customs_union")))


def matching_decisions(*, year: int) -> matching.Decisions:
    rows = MatchDecision.objects.filter(year=year).order_by("need_id", "offer_id").values_list("need_id", "offer_id", "verdict")
    accepted = tuple((n, o) for n, o, v in rows if v == MatchDecision.Verdict.ACCEPTED)
    rejected = tuple((n, o) for n, o, v in rows if v == MatchDecision.Verdict.REJECTED)
    return matching.Decisions(accepted=accepted, rejected=rejected)


def matching_compute(*, year: int, progress=None) -> matching.Result:
    """Run the engine over the year's submitted needs and offers with the
    decisions taken so far. Reads, writes nothing."""
    say = progress or (lambda done, message: None)
    say(0, _("Reading the needs and offers"))
    needs = [engine_need(n) for n in submitted_items(Need, year=year, kind=CampaignKind.NEEDS)]
    offers = [engine_offer(o) for o in submitted_items(Offer, year=year, kind=CampaignKind.OFFERS)]
    say(1, _("Finding the best assignment"))
    return matching.match(needs, offers, matching_facts(), decisions=matching_decisions(year=year))


# --- Runs ----------------------------------------------------------------------

def inline_limit() -> int:
    return int(getattr(settings, "MATCHING_INLINE_LIMIT", INLINE_LIMIT_DEFAULT))


def matching_size(*, year: int) -> int:
    return (
        submitted_items(Need, year=year, kind=CampaignKind.NEEDS).count()
        + submitted_items(Offer, year=year, kind=CampaignKind.OFFERS).count()
    )


@transaction.atomic
def matching_run_start(*, year: int, by=None) -> MatchingRun:
    """Start a run of `year`: in place when the year is small (the run is
    done when this returns), else as a background job whose progress the
    page shows. Returns the run."""
    run = MatchingRun.objects.create(year=year, requested_by=by if getattr(by, "is_authenticated", False) else None)
    if matching_size(year=year) > inline_limit():
        run.job = job_enqueue(name="programme.matching_run", kwargs={"run_id": run.pk}, by=by)
        run.save(update_fields=["job"])
    else:
        matching_run_execute(run=run)
    return run


@job_function("programme.matching_run", time_limit=600)
def matching_run_job(*, job, run_id: int):
    run = MatchingRun.objects.filter(pk=run_id).first()
    if run is None or run.status == MatchingRun.Status.DONE:
        return {"run": run_id}  # gone, or a repeated delivery of a finished run
    matching_run_execute(run=run, progress=lambda done, message: job_progress(job, done=done, total=3, message=message))
    return {"run": run_id, "proposals": run.proposals_count}


@transaction.atomic
def matching_run_execute(*, run: MatchingRun, progress=None) -> MatchingRun:
    """Compute the run and store it: the engine's result and one Proposal
    row per proposed activity. Safe to call again on the same run: its
    proposals are stored anew."""
    result = matching_compute(year=run.year, progress=progress)
    if progress:
        progress(2, _("Saving the proposals"))
    run.proposals.all().delete()
    Proposal.objects.bulk_create(
        [
            Proposal(
                run=run,
                key=proposal.id,
                position=position,
                offer_id=proposal.offer_id,
                direction=direction_of(proposal.activity_type),
                activity_type=proposal.activity_type,
                score=proposal.score,
                grouped=proposal.grouped,
                data=proposal.to_dict(),
            )
            for position, proposal in enumerate(result.proposals)
        ],
        batch_size=1000,
    )
    run.result = result.to_dict()
    run.details = run_details(result, whole=run.result)
    run.status = MatchingRun.Status.DONE
    run.finished_at = timezone.now()
    run.needs_count = result.needs_considered
    run.offers_count = result.offers_considered
    run.proposals_count = len(result.proposals)
    run.save()
    if progress:
        progress(3, _("Done"))
    return run


def run_details(result: matching.Result, *, whole: dict | None = None) -> dict:
    """The parts of a result the matching page shows besides the proposals,
    and its totals: needs served by priority, capacity used by donor."""
    whole = whole if whole is not None else result.to_dict()
    served = {}
    for proposal in result.proposals:
        for assignment in proposal.assignments:
            key = (assignment.need.priority if assignment.need else None) or "none"
            served[key] = served.get(key, 0) + 1
    donors: dict[int, list[int]] = {}
    for use in result.offer_use:
        capacity_used = donors.setdefault(use.provider, [0, 0])
        capacity_used[0] += use.capacity
        capacity_used[1] += use.used
    return {
        "unmatched": whole["unmatched"],
        "unsolicited": whole["unsolicited"],
        "not_considered": whole["not_considered"],
        "offer_use": whole["offer_use"],
        "totals": {
            "needs_considered": result.needs_considered,
            "offers_considered": result.offers_considered,
            "needs_served": sum(served.values()),
            "served_by_priority": served,
            "unmatched": len(result.unmatched),
            "unsolicited": len(result.unsolicited),
            "needs_not_considered": sum(1 for item in result.not_considered if item.kind == "need"),
            "offers_not_considered": sum(1 for item in result.not_considered if item.kind == "offer"),
            "capacity_by_donor": [[provider, *values] for provider, values in sorted(donors.items())],
            "pairs": result.pairs,
            "total_score": result.total_score,
        },
    }


def latest_run(*, year: int) -> MatchingRun | None:
    """The year's latest run, finished or not."""
    return MatchingRun.objects.filter(year=year).defer("result").order_by("-created_at", "-pk").first()


# --- Decisions -----------------------------------------------------------------

@dataclass(frozen=True)
class Acceptance:
    """What the Secretariat accepts of a proposal: some or all of its needs,
    with the activity's title and planned quarters."""

    need_ids: tuple[int, ...]
    title: str = ""
    first_quarter: int | None = None
    last_quarter: int | None = None


def _claim(proposal: Proposal, revision: int | None) -> None:
    """Lock the proposal for this decision, or say why not."""
    run = proposal.run
    if run.status != MatchingRun.Status.DONE:
        raise PortalError(RUN_NOT_DONE, code="run_not_done")
    newest = MatchingRun.objects.filter(year=run.year, status=MatchingRun.Status.DONE).order_by("-created_at", "-pk").values_list("pk", flat=True).first()
    if newest != run.pk:
        raise ConflictError(NOT_LATEST, code="not_latest")
    revision_claim(proposal, revision=revision, message=ALREADY_DECIDED)


def _assignment_needs(proposal: Proposal) -> list[int]:
    return [a["need"] for a in proposal.data.get("needs", [])]


def _accepted_needs(proposal: Proposal) -> set[int]:
    return {a["need"] for a in proposal.data.get("needs", []) if a.get("accepted")}


def _check_offer(offer: Offer | None, *, asked: int, label: str) -> Offer:
    if offer is None or offer.response.status != Response.Status.SUBMITTED:
        raise PortalError(OFFER_WITHDRAWN % {"offer": label, "provider": offer.response.institute.acronym if offer else "—"},
                          code="offer_withdrawn")
    used = MatchDecision.objects.filter(offer=offer, verdict=MatchDecision.Verdict.ACCEPTED).count()
    if offer.capacity is None or used + asked > offer.capacity:
        raise PortalError(
            OFFER_REDUCED % {"offer": label, "provider": offer.response.institute.acronym,
                             "capacity": offer.capacity or 0, "used": used, "asked": asked},
            code="offer_reduced",
        )
    return offer


def default_quarters(*, needs: list[Need], offer: Offer, programme) -> tuple[int | None, int | None]:
    """The quarters the activity is planned in by default: where the offer's
    period overlaps the wanted periods, within the Programme's period."""
    starts = [d for d in [offer.period_from, *[n.period_from for n in needs]] if d]
    ends = [d for d in [offer.period_to, *[n.period_to for n in needs]] if d]
    if not starts or not ends:
        return None, None
    start, end = max(starts), min(ends)
    if end < start:  # the needs' periods do not overlap each other: the offer's
        start, end = offer.period_from or start, offer.period_to or end
    first = quarter_code(start.year, (start.month - 1) // 3 + 1)
    last = quarter_code(end.year, (end.month - 1) // 3 + 1)
    first = min(max(first, programme.first_quarter), programme.last_quarter)
    last = min(max(last, programme.first_quarter), programme.last_quarter)
    return first, max(first, last)


def activity_titles(*, activity_type: str, subject: str) -> dict[str, str]:
    """The activity's default title in every language: what it is about
    (the need's "what exactly" for an activity of one need, the offer's for
    a grouped one), or its activity type when neither says."""
    titles = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            titles[code] = (subject or str(ActivityType(activity_type).label))[:255]
    return titles


@transaction.atomic
def proposal_accept(*, proposal: Proposal, by, revision: int | None, acceptance: Acceptance) -> Activity:
    """Accept the proposal (or the chosen needs of it) into the year's draft
    Programme: an activity with the offer's provider and the needs'
    institutes as recipients, and one accepted decision per (need, offer)
    pair. A grouped offer (comparison, training event, joint project)
    already accepted in the draft gains the new recipients in its activity
    instead of a second one. Refused, with nothing changed, when the
    proposal was decided or run again since, or when its offer or needs
    were withdrawn or reduced meanwhile."""
    chosen = list(dict.fromkeys(int(n) for n in acceptance.need_ids))
    served = _assignment_needs(proposal)
    if not chosen:
        raise PortalError(NO_RECIPIENT, code="no_recipient")
    if any(n not in served for n in chosen):
        raise PortalError(NOT_OF_PROPOSAL, code="not_of_proposal")
    _claim(proposal, revision)

    already = _accepted_needs(proposal)
    new_needs = [n for n in chosen if n not in already]
    offer = Offer.objects.select_related("response__institute__country", "area", "subfield").filter(pk=proposal.offer_id).first()
    _check_offer(offer, asked=len(new_needs), label=proposal.data.get("subject", "") or str(proposal.offer_id))
    needs = {n.pk: n for n in Need.objects.select_related("response__institute", "subfield").filter(pk__in=chosen)}
    for need_id in chosen:
        need = needs.get(need_id)
        label = (proposal_need(proposal, need_id) or {}).get("subject", "") or str(need_id)
        if need is None or need.response.status != Response.Status.SUBMITTED:
            institute = need.response.institute.acronym if need else "—"
            raise PortalError(NEED_WITHDRAWN % {"need": label, "institute": institute}, code="need_withdrawn")
        if need_id in new_needs and MatchDecision.objects.filter(need_id=need_id, verdict=MatchDecision.Verdict.ACCEPTED).exists():
            raise PortalError(NEED_TAKEN % {"need": label, "institute": need.response.institute.acronym}, code="need_taken")

    version = version_draft_for_year(year=proposal.run.year, by=by)
    programme = version.programme
    first, last = acceptance.first_quarter, acceptance.last_quarter
    if first is None and last is None:
        first, last = default_quarters(needs=list(needs.values()), offer=offer, programme=programme)
    else:
        first = first if first is not None else last
        last = last if last is not None else first
        if last < first:
            raise PortalError(QUARTERS_REVERSED, code="quarters_reversed")
        if first < programme.first_quarter or last > programme.last_quarter:
            raise PortalError(QUARTER_OUTSIDE % {"first": programme.first_year, "last": programme.last_year},
                              code="quarter_outside")

    recipients = sorted({needs[n].response.institute for n in chosen}, key=lambda i: (i.country_id, i.acronym))
    activity = None
    if proposal.grouped:
        activity = (
            Activity.objects.filter(version=version, offers=offer, match_decisions__verdict=MatchDecision.Verdict.ACCEPTED)
            .distinct().first()
        )
    if activity is None:
        if proposal.grouped or len(chosen) > 1:
            subject = offer.subject or next((needs[n].subject for n in chosen if needs[n].subject), "")
        else:
            subject = needs[chosen[0]].subject or offer.subject
        titles = activity_titles(activity_type=proposal.activity_type, subject=subject)
        if acceptance.title.strip():
            titles[translation.get_language() or settings.LANGUAGE_CODE[:2]] = acceptance.title.strip()[:255]
        subfields = {needs[n].subfield for n in chosen}
        subfield = offer.subfield or (subfields.pop() if len(subfields) == 1 else None)
        activity = activity_create(
            version=version,
            by=by,
            recipients=recipients,
            providers=[offer.response.institute],
            needs=[needs[n] for n in chosen],
            offers=[offer],
            reason=_("Accepted from matching"),
            activity_type=proposal.activity_type,
            area=offer.area,
            subfield=subfield if subfield is None or subfield.area_id == offer.area_id else None,
            first_quarter=first,
            last_quarter=last,
            funding=offer.conditions,
            **{f"title_{code}": text for code, text in titles.items()},
        )
    else:
        # A later recipient of a grouped offer's activity: any form still
        # open on the activity must conflict rather than drop them.
        revision_bump(activity)
        activity.recipients.add(*recipients)
        activity.needs.add(*[needs[n] for n in chosen])

    for need_id in new_needs:
        MatchDecision.objects.create(
            year=proposal.run.year, need_id=need_id, offer=offer, verdict=MatchDecision.Verdict.ACCEPTED,
            activity=activity, proposal=proposal, decided_by=by if getattr(by, "is_authenticated", False) else None,
        )
    return activity


@transaction.atomic
def proposal_reject(*, proposal: Proposal, by, revision: int | None, reason: str, need_ids=None) -> int:
    """Reject the proposal's pairs (all, or `need_ids` of them) with a
    reason: none of them is proposed again. Pairs already accepted are kept.
    Returns how many pairs were rejected."""
    reason = (reason or "").strip()
    if not reason:
        raise PortalError(REASON_REQUIRED, code="reason_required")
    served = _assignment_needs(proposal)
    chosen = served if need_ids is None else [int(n) for n in need_ids]
    if any(n not in served for n in chosen):
        raise PortalError(NOT_OF_PROPOSAL, code="not_of_proposal")
    _claim(proposal, revision)
    accepted = _accepted_needs(proposal)
    rejected = 0
    for need_id in chosen:
        if need_id in accepted:
            continue
        _decision, created = MatchDecision.objects.get_or_create(
            need_id=need_id, offer_id=proposal.offer_id,
            defaults={"year": proposal.run.year, "verdict": MatchDecision.Verdict.REJECTED, "reason": reason[:2000],
                      "proposal": proposal, "decided_by": by if getattr(by, "is_authenticated", False) else None},
        )
        rejected += int(created)
    return rejected


def proposal_need(proposal: Proposal, need_id: int) -> dict | None:
    return next((a for a in proposal.data.get("needs", []) if a["need"] == need_id), None)
