"""`match(needs, offers, facts)`: the whole run, from plain data to a Result.

1. Set aside what cannot be considered (rules.need_problems/offer_problems).
2. Group the needs by activity type and area; for each group, every offer
   the table lets serve it is a candidate. Over each group's needs × its
   candidates, with arrays: the rules (other institute, other country,
   overlapping periods) and the score of every pair (scoring.Weights).
3. Give the pairs the rules allow to the min-cost flow (solver.solve), less
   the pairs the Secretariat rejected, after the accepted pairs have taken
   their places.
4. Turn the optimum into proposals (one per offer for grouped types, one per
   need otherwise), each pair scored again with its reasons
   (scoring.pair_score), and say why every other need was left out and which
   offers nobody asked for.

Cost: linear in the needs, the offers and the candidate pairs of the groups
(the pairs of one activity type and area), plus the flow solver on the pairs
the rules allow.
"""
from __future__ import annotations

import gc
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from programme.matching import codes, solver
from programme.matching.data import (
    Assignment,
    Decisions,
    Facts,
    Need,
    NotConsidered,
    Offer,
    OfferUse,
    Proposal,
    Reason,
    Result,
    Unmatched,
    Unsolicited,
    id_key,
)
from programme.matching.rules import ACTIVITY_RULES, TYPE_ORDER, need_problems, offer_problems, periods_overlap
from programme.matching.scoring import WEIGHTS, Weights, pair_score

_NONE = -1


_LANGUAGE = re.compile(r"[a-z]{2,3}")


def _check(items: Sequence, kind: str) -> None:
    """Refuse what is a caller's mistake rather than a respondent's gap: two
    items with one id, a language that is not an ISO 639 code (the portal's
    "ru_en" is ("en", "ru") here; taken as a code, it would silently share a
    language with nobody)."""
    seen: set = set()
    for item in items:
        if item.id in seen:
            raise ValueError(f"Two {kind}s have the id {item.id!r}.")
        seen.add(item.id)
        for code in item.languages:
            if not isinstance(code, str) or not _LANGUAGE.fullmatch(code):
                raise ValueError(f"The {kind} {item.id!r} has the language {code!r}: languages are ISO 639 codes "
                                 f"such as 'ru' or 'en'.")


class _Codes:
    """Small integer codes for strings, for array comparisons. The codes only
    ever meet in equality tests, so their order does not matter."""

    def __init__(self) -> None:
        self._codes: dict = {}

    def __call__(self, value) -> int:
        if value is None or value == "":
            return _NONE
        return self._codes.setdefault(value, len(self._codes))


@dataclass
class _Side:
    """The numbers of the needs or the offers that the arrays compare."""

    start: np.ndarray
    end: np.ndarray
    country: np.ndarray
    institute: np.ndarray
    union: np.ndarray
    subfield: np.ndarray
    languages: np.ndarray
    points: np.ndarray  # needs: priority points; offers: conditions + customs points


def _side(items: Sequence[Need | Offer], facts: Facts, points: Iterable[int], codes_: dict[str, _Codes]) -> _Side:
    languages = codes_["language"]
    return _Side(
        start=np.fromiter((i.period_from.toordinal() for i in items), dtype=np.int64, count=len(items)),
        end=np.fromiter((i.period_to.toordinal() for i in items), dtype=np.int64, count=len(items)),
        country=np.fromiter((codes_["country"](i.country) for i in items), dtype=np.int64, count=len(items)),
        institute=np.fromiter((codes_["institute"](i.institute) for i in items), dtype=np.int64, count=len(items)),
        union=np.fromiter((codes_["union"](facts.union_of(i.country)) for i in items), dtype=np.int64,
                          count=len(items)),
        subfield=np.fromiter((codes_["subfield"]((i.area, i.subfield) if i.subfield else None) for i in items),
                             dtype=np.int64, count=len(items)),
        languages=np.fromiter((sum(1 << languages(code) for code in set(i.languages) if code) for i in items),
                              dtype=np.int64, count=len(items)),
        points=np.fromiter(points, dtype=np.int64, count=len(items)),
    )


@dataclass
class _Group:
    """The needs of one activity type and area and their candidate offers."""

    activity_type: str
    needs: np.ndarray       # need indexes, ascending
    candidates: np.ndarray  # offer indexes, ascending
    foreign: np.ndarray     # needs × candidates: other institute and other country
    allowed: np.ndarray     # foreign, and the periods overlap: the rules allow the pair


def _area_key(area: str | None) -> tuple[bool, str]:
    return (area is not None, area or "")


@contextmanager
def _without_collection():
    """Pause the cyclic garbage collector for the run, as it was before
    afterwards. The run makes no reference cycles, so a collection would
    free nothing; but each pass walks every live object (the caller's tens
    of thousands of needs and offers included), a third of the run's time
    at 20,000 needs."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def match(
    needs: Iterable[Need],
    offers: Iterable[Offer],
    facts: Facts | None = None,
    *,
    decisions: Decisions | None = None,
    weights: Weights = WEIGHTS,
) -> Result:
    """Propose the activities that serve the most of `needs` with `offers`:
    an assignment of maximum total score under the rules and every offer's
    capacity, each need served at most once, with the reasons of each
    proposal, of each need left unmatched and of each offer nobody asked
    for. Pure: reads nothing but its arguments, writes nothing. The same
    arguments, in any order, give an equal Result (and equal `to_dict()`).
    Raises ValueError when two needs or two offers share an id."""
    with _without_collection():
        return _match(needs, offers, facts or Facts(), decisions or Decisions(), weights)


@dataclass
class Problem:
    """What the solver is given, and what the reasons are read from: the
    considered needs and offers (numbered in id order), the groups, and the
    pairs the rules allow that the solver may choose (pair k joins need
    `pair_needs[k]` to offer `pair_offers[k]`, scores `pair_scores[k]`)."""

    needs: list[Need]
    offers: list[Offer]
    not_considered: list[NotConsidered]
    needs_by: dict[tuple[str, str | None], list[int]]
    groups: list[_Group]
    group_of: np.ndarray
    row_of: np.ndarray
    offer_allowed: np.ndarray
    assigned: np.ndarray
    accepted: np.ndarray
    places: np.ndarray
    rejected: set[tuple[int, int]]
    pair_needs: np.ndarray
    pair_offers: np.ndarray
    pair_scores: np.ndarray
    pair_groups: np.ndarray


def problem(needs: Iterable[Need], offers: Iterable[Offer], facts: Facts | None = None,
            decisions: Decisions | None = None, weights: Weights = WEIGHTS) -> Problem:
    """The rules applied and every allowed pair scored, before solving (the
    first half of `match`; the benchmark gives the same pairs to another
    solver)."""
    facts = facts or Facts()
    decisions = decisions or Decisions()
    needs = sorted(needs, key=lambda n: id_key(n.id))
    offers = sorted(offers, key=lambda o: id_key(o.id))
    _check(needs, "need")
    _check(offers, "offer")

    not_considered: list[NotConsidered] = []
    considered_needs: list[Need] = []
    for need in needs:
        problems = need_problems(need)
        if problems:
            not_considered.append(NotConsidered("need", need.id, tuple(problems)))
        else:
            considered_needs.append(need)
    considered_offers: list[Offer] = []
    for offer in offers:
        problems = offer_problems(offer)
        if problems:
            not_considered.append(NotConsidered("offer", offer.id, tuple(problems)))
        else:
            considered_offers.append(offer)
    needs, offers = considered_needs, considered_offers
    need_index = {need.id: number for number, need in enumerate(needs)}
    offer_index = {offer.id: number for number, offer in enumerate(offers)}

    # What the Secretariat decided: accepted pairs take their places first.
    assigned = np.full(len(needs), _NONE, dtype=np.int64)
    accepted = np.zeros(len(needs), dtype=bool)
    for need_id, offer_id in sorted(decisions.accepted, key=lambda pair: (id_key(pair[0]), id_key(pair[1]))):
        n, o = need_index.get(need_id), offer_index.get(offer_id)
        if n is not None and o is not None and not accepted[n]:
            assigned[n], accepted[n] = o, True
    capacities = np.array([offer.capacity for offer in offers], dtype=np.int64)
    places = capacities - np.bincount(assigned[accepted], minlength=len(offers))
    places = np.maximum(places, 0)
    rejected: set[tuple[int, int]] = set()
    for need_id, offer_id in decisions.rejected:
        n, o = need_index.get(need_id), offer_index.get(offer_id)
        if n is not None and o is not None:
            rejected.add((n, o))

    code_tables = {name: _Codes() for name in ("country", "institute", "union", "subfield", "language")}
    # Languages get their bits in a fixed order (only equality of bits
    # matters, but a fixed order keeps every run's arrays the same).
    languages = sorted({code for item in (*needs, *offers) for code in item.languages})
    if len(languages) > 62:
        raise ValueError(f"{len(languages)} languages: the engine tells at most 62 apart.")
    for code in languages:
        code_tables["language"](code)
    need_side = _side(needs, facts, (weights.priority_points(n.priority) for n in needs), code_tables)
    offer_side = _side(offers, facts, (weights.offer_points(o) for o in offers), code_tables)

    # Offers by (activity type, area), ascending.
    offers_by: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    for number, offer in enumerate(offers):
        offers_by[offer.activity_type, offer.area].append(number)
    needs_by: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    for number, need in enumerate(needs):
        needs_by[need.activity_type, need.area].append(number)

    group_of = np.full(len(needs), _NONE, dtype=np.int64)
    row_of = np.zeros(len(needs), dtype=np.int64)
    offer_allowed = np.zeros(len(offers), dtype=np.int64)
    groups: list[_Group] = []
    pair_needs: list[np.ndarray] = []
    pair_offers: list[np.ndarray] = []
    pair_scores: list[np.ndarray] = []
    pair_groups: list[np.ndarray] = []
    for activity_type, area in sorted(needs_by, key=lambda key: (TYPE_ORDER[key[0]], _area_key(key[1]))):
        rule = ACTIVITY_RULES[activity_type]
        members = np.array(needs_by[activity_type, area], dtype=np.int64)
        found: list[int] = []
        for served_by in rule.served_by:
            found += offers_by.get((served_by, area), [])
        candidates = np.array(sorted(found), dtype=np.int64)
        group_of[members] = len(groups)
        row_of[members] = np.arange(len(members))
        n, o = need_side, offer_side
        ns, ne = n.start[members][:, None], n.end[members][:, None]
        os_, oe = o.start[candidates][None, :], o.end[candidates][None, :]
        foreign = ((n.country[members][:, None] != o.country[candidates][None, :])
                   & (n.institute[members][:, None] != o.institute[candidates][None, :]))
        covered = np.minimum(ne, oe) - np.maximum(ns, os_) + 1
        allowed = foreign & (covered > 0)
        groups.append(_Group(activity_type, members, candidates, foreign, allowed))
        np.add.at(offer_allowed, candidates, allowed.sum(axis=0))

        # Every pair's score, the same sum as scoring.pair_score.
        scores = weights.compatible + n.points[members][:, None] + o.points[candidates][None, :]
        if area is not None:
            need_sub = n.subfield[members][:, None]
            same_sub = (need_sub != _NONE) & (need_sub == o.subfield[candidates][None, :])
            scores = scores + np.where(same_sub, weights.same_subfield, weights.same_area)
        else:
            scores = scores + weights.general
        scores = scores + weights.period_covered * np.maximum(covered, 0) // (ne - ns + 1)
        shared = (n.languages[members][:, None] & o.languages[candidates][None, :]) != 0
        scores = scores + np.where(shared, weights.shared_language, 0)
        if rule.shipping:
            need_union = n.union[members][:, None]
            same_union = (need_union != _NONE) & (need_union == o.union[candidates][None, :])
            scores = scores + np.where(same_union, weights.same_customs_union, 0)

        # The solver's pairs: allowed, the need not already accepted.
        rows, columns = np.nonzero(allowed & ~accepted[members][:, None])
        pair_needs.append(members[rows])
        pair_offers.append(candidates[columns])
        pair_scores.append(scores[rows, columns])
        pair_groups.append(np.full(len(rows), len(groups) - 1, dtype=np.int64))

    all_needs = np.concatenate(pair_needs) if pair_needs else np.empty(0, dtype=np.int64)
    all_offers = np.concatenate(pair_offers) if pair_offers else np.empty(0, dtype=np.int64)
    all_scores = np.concatenate(pair_scores) if pair_scores else np.empty(0, dtype=np.int64)
    all_groups = np.concatenate(pair_groups) if pair_groups else np.empty(0, dtype=np.int64)
    if rejected:
        keys = all_needs * max(len(offers), 1) + all_offers
        rejected_keys = np.array(sorted(n * max(len(offers), 1) + o for n, o in rejected), dtype=np.int64)
        keep = ~np.isin(keys, rejected_keys)
        all_needs, all_offers, all_scores, all_groups = (
            all_needs[keep], all_offers[keep], all_scores[keep], all_groups[keep])
    return Problem(needs, offers, not_considered, needs_by, groups, group_of, row_of, offer_allowed, assigned,
                   accepted, places, rejected, all_needs, all_offers, all_scores, all_groups)


def _match(needs: Iterable[Need], offers: Iterable[Offer], facts: Facts, decisions: Decisions,
           weights: Weights) -> Result:
    p = problem(needs, offers, facts, decisions, weights)
    needs, offers, groups, assigned, accepted = p.needs, p.offers, p.groups, p.assigned, p.accepted
    all_needs, all_offers, all_scores = p.pair_needs, p.pair_offers, p.pair_scores
    group_of, row_of, offer_allowed, rejected, needs_by = p.group_of, p.row_of, p.offer_allowed, p.rejected, p.needs_by
    places = p.places

    # Groups that share no offer share nothing: each connected set of
    # groups is a problem of its own, and the sum of their optima is the
    # optimum, found faster in pieces (with today's table, where types serve
    # only themselves and areas must be equal, each group is alone).
    for members in _components(groups, p.pair_groups):
        chosen = members[solver.solve(capacities=places, pair_needs=all_needs[members],
                                      pair_offers=all_offers[members], pair_scores=all_scores[members])]
        assigned[all_needs[chosen]] = all_offers[chosen]

    # --- The proposals ---------------------------------------------------------
    served_by_offer: dict[int, list[int]] = defaultdict(list)
    for n in np.flatnonzero(assigned != _NONE).tolist():
        served_by_offer[int(assigned[n])].append(n)
    proposals: list[Proposal] = []
    total = 0
    for o in sorted(served_by_offer):
        offer = offers[o]
        assignments = []
        for n in served_by_offer[o]:
            need = needs[n]
            score, reasons = pair_score(need, offer, facts, weights)
            total += score
            assignments.append(Assignment(need.id, need.institute, need.country, score, reasons, bool(accepted[n]),
                                          need))
        if ACTIVITY_RULES[offer.activity_type].grouped:
            batches = [(str(offer.id), assignments)]
        else:
            batches = [(f"{offer.id}/{a.need_id}", [a]) for a in assignments]
        for proposal_id, batch in batches:
            proposals.append(Proposal(
                id=proposal_id, offer_id=offer.id, provider=offer.institute, provider_country=offer.country,
                activity_type=offer.activity_type, area=offer.area, subfield=offer.subfield,
                grouped=ACTIVITY_RULES[offer.activity_type].grouped, assignments=tuple(batch), offer=offer,
            ))
    # Offers are numbered in id order and needs too: sorting by type, area
    # and sub-field keeps, inside each, the order of offer then need.
    proposals.sort(key=lambda p: (TYPE_ORDER[p.activity_type], _area_key(p.area), _area_key(p.subfield)))

    offer_use = tuple(
        OfferUse(offer.id, offer.institute, offer.capacity, tuple(needs[n].id for n in served_by_offer.get(o, ())))
        for o, offer in enumerate(offers)
    )

    # --- Why the others were left out -------------------------------------------
    # Shared by every reason that names them (reason values are read-only).
    offer_ids = np.empty(len(offers), dtype=object)
    offer_ids[:] = [offer.id for offer in offers]
    taken = np.empty(len(offers), dtype=object)
    taken[:] = [{"offer": use.offer_id, "capacity": use.capacity, "needs": use.need_ids} for use in offer_use]
    unmatched = [
        Unmatched(needs[n].id, _unmatched_reason(n, needs[n], groups[group_of[n]], int(row_of[n]), rejected,
                                                 offer_ids, taken), needs[n])
        for n in np.flatnonzero(assigned == _NONE).tolist()
    ]
    unsolicited = [
        Unsolicited(offer.id, _unsolicited_reason(offer, needs, needs_by), offer)
        for o, offer in enumerate(offers)
        if offer_allowed[o] == 0 and o not in served_by_offer
    ]

    return Result(
        proposals=tuple(proposals),
        unmatched=tuple(unmatched),
        unsolicited=tuple(unsolicited),
        not_considered=tuple(p.not_considered),
        offer_use=offer_use,
        total_score=total,
        pairs=int(len(all_needs)),
        needs_considered=len(needs),
        offers_considered=len(offers),
    )


def _components(groups: list[_Group], pair_groups: np.ndarray) -> list[np.ndarray]:
    """The pairs of each connected set of groups (two groups are connected
    when an offer is a candidate of both), as arrays of pair indexes in
    ascending order; the sets in the order of their first group."""
    parent = list(range(len(groups)))

    def root(g: int) -> int:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    first_group_of_offer: dict[int, int] = {}
    for number, group in enumerate(groups):
        for o in group.candidates.tolist():
            other = first_group_of_offer.setdefault(o, number)
            a, b = root(other), root(number)
            if a != b:
                parent[max(a, b)] = min(a, b)
    roots = np.array([root(g) for g in range(len(groups))], dtype=np.int64)
    if not len(pair_groups):
        return []
    pair_roots = roots[pair_groups]
    order = np.argsort(pair_roots, kind="stable")
    bounds = np.flatnonzero(np.diff(pair_roots[order])) + 1
    return np.split(order, bounds)


def _unmatched_reason(n: int, need: Need, group: _Group, row: int, rejected: set[tuple[int, int]],
                      offer_ids: np.ndarray, taken: np.ndarray) -> Reason:
    """Why need number `n` is served by no proposal: the first of the
    reasons of codes.UNMATCHED_CODES that holds."""
    if not len(group.candidates):
        return Reason(codes.NO_OFFER_OF_TYPE_IN_AREA, {"activity_type": need.activity_type, "area": need.area})
    foreign = group.candidates[group.foreign[row]]
    if not len(foreign):
        return Reason(codes.ONLY_OWN_COUNTRY, {"country": need.country,
                                               "offers": offer_ids[group.candidates].tolist()})
    allowed = group.candidates[group.allowed[row]]
    if not len(allowed):
        return Reason(codes.NO_OFFER_IN_PERIOD, {
            "period_from": need.period_from.isoformat(), "period_to": need.period_to.isoformat(),
            "offers": offer_ids[foreign].tolist(),
        })
    if rejected:
        open_ = np.array([o for o in allowed.tolist() if (n, o) not in rejected], dtype=np.int64)
        if not len(open_):
            return Reason(codes.PAIRS_REJECTED, {"offers": offer_ids[allowed].tolist()})
    else:
        open_ = allowed
    # The optimum leaves no place free on an offer a need could still use
    # (every pair scores above zero): these offers are full.
    return Reason(codes.CAPACITY_TAKEN, {"offers": taken[open_].tolist()})


def _unsolicited_reason(offer: Offer, needs: list[Need], needs_by: dict[tuple[str, str | None], list[int]]) -> Reason:
    """Why no need may use `offer` (it has none the rules allow)."""
    asking: list[int] = []
    for activity_type, rule in ACTIVITY_RULES.items():
        if offer.activity_type not in rule.served_by:
            continue
        asking += needs_by.get((activity_type, offer.area), [])
    asking.sort()
    if not asking:
        return Reason(codes.NO_NEED_OF_TYPE_IN_AREA, {"activity_type": offer.activity_type, "area": offer.area})
    foreign = [n for n in asking if needs[n].country != offer.country and needs[n].institute != offer.institute]
    if not foreign:
        return Reason(codes.NEEDS_ONLY_FROM_OWN_COUNTRY, {"country": offer.country,
                                                          "needs": [needs[n].id for n in asking]})
    # Every foreign need is outside the offer's period (else it would be allowed).
    assert not any(periods_overlap(needs[n], offer) for n in foreign)
    return Reason(codes.NO_NEED_IN_PERIOD, {
        "period_from": offer.period_from.isoformat(), "period_to": offer.period_to.isoformat(),
        "needs": [needs[n].id for n in foreign],
    })
