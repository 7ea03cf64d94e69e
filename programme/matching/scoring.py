"""What makes a proposal better: the weights, in one place, and the score of
a need-offer pair with its reasons.

A score is a whole number of points, the sum of the parts below; the solver
maximises the total over all proposals. Every part is an integer, so the
min-cost flow works on exact integers: the one fractional part, the share
of the wanted period the offer covers, is scaled to points by
`PERIOD_COVERED * days covered // days wanted` (rounded down, integer
arithmetic, no floating point anywhere).

Serving a need is worth `compatible` points on its own, more than any
quality difference between two offers is worth to the need: so the optimum
never leaves a need unserved while an offer the rules allow has a place
left, and a need with high priority goes before one with low priority when
places are scarce (its `priority` points).

`pair_score` gives one pair's score and reasons (used for the proposals
chosen); `engine` computes the same numbers for all pairs at once with
arrays (tests check they agree on every pair).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from programme.matching import codes
from programme.matching.data import Facts, Need, Offer, Reason
from programme.matching.rules import ACTIVITY_RULES, customs_union_shared


def _frozen(mapping: dict[str | None, int]) -> MappingProxyType:
    return MappingProxyType(mapping)


@dataclass(frozen=True)
class Weights:
    """The points of each part of a score. Change them here and nowhere
    else; docs/matching.md explains each."""

    # Any pair the rules allow (same activity type, same area or an
    # area-free type, other country, overlapping periods).
    compatible: int = 100
    # The need's priority: the Secretariat's own ranking of what matters.
    priority: MappingProxyType = field(default_factory=lambda: _frozen({"high": 60, "medium": 30, "low": 0, None: 0}))
    # The same sub-field is a closer fit than only the same area; a general
    # need (no area: a seminar on uncertainty, a prereview) served by a
    # general offer fits as well as the same area.
    same_subfield: int = 40
    same_area: int = 15
    general: int = 15
    # Times the share of the need's wanted period the offer covers.
    period_covered: int = 30
    # Provider and recipient share a working language.
    shared_language: int = 20
    # Both countries in one customs union: simpler logistics for standards
    # and instruments (only for the activity types that ship them).
    same_customs_union: int = 10
    # The offer's conditions, cheapest for the CEEMS institute first.
    conditions: MappingProxyType = field(default_factory=lambda: _frozen(
        {"free": 15, "cost_sharing": 8, "contract": 0, None: 0}))
    # Who pays customs and logistics.
    customs_paid_by: MappingProxyType = field(default_factory=lambda: _frozen(
        {"provider": 10, "shared": 5, "recipient": 0, None: 0}))

    def __post_init__(self) -> None:
        # Every allowed pair must score above zero: a pair worth nothing
        # would be left out with places free, and its need's reason
        # ("the places went to others") would be false.
        parts = [self.same_subfield, self.same_area, self.general, self.period_covered, self.shared_language,
                 self.same_customs_union, *self.priority.values(), *self.conditions.values(),
                 *self.customs_paid_by.values()]
        if self.compatible <= 0 or any(not isinstance(p, int) or p < 0 for p in [self.compatible, *parts]):
            raise ValueError("Weights are whole numbers of points, none negative, and `compatible` above zero.")

    def priority_points(self, priority: str | None) -> int:
        return self.priority.get(priority, 0)

    def conditions_points(self, conditions: str | None) -> int:
        return self.conditions.get(conditions, 0)

    def customs_paid_by_points(self, paid_by: str | None) -> int:
        return self.customs_paid_by.get(paid_by, 0)

    def offer_points(self, offer: Offer) -> int:
        """The parts that depend on the offer alone."""
        return self.conditions_points(offer.conditions) + self.customs_paid_by_points(offer.customs_paid_by)

    def max_score(self) -> int:
        return (self.compatible + max(self.priority.values()) + self.same_subfield + self.period_covered
                + self.shared_language + self.same_customs_union + max(self.conditions.values())
                + max(self.customs_paid_by.values()))


WEIGHTS = Weights()


def days(start, end) -> int:
    """Days from `start` to `end`, both included (0 when they do not meet)."""
    return max(0, (end - start).days + 1)


def pair_score(need: Need, offer: Offer, facts: Facts, weights: Weights = WEIGHTS) -> tuple[int, tuple[Reason, ...]]:
    """The score of `offer` serving `need` and its reasons, each with its
    points, in a fixed order. Assumes both are considered; does not check
    the rules (an accepted pair is scored whatever they say now), and
    says so when the areas differ."""
    reasons = [Reason(codes.COMPATIBLE, {"activity_type": need.activity_type, "points": weights.compatible})]

    if need.area != offer.area:  # only an accepted pair the rules would not propose now
        reasons.append(Reason(codes.OTHER_AREA, {"need_area": need.area, "offer_area": offer.area, "points": 0}))
    elif need.area is None:
        reasons.append(Reason(codes.GENERAL, {"points": weights.general}))
    elif need.subfield and need.subfield == offer.subfield:
        reasons.append(Reason(codes.SAME_SUBFIELD, {"area": need.area, "subfield": need.subfield,
                                                    "points": weights.same_subfield}))
    else:
        reasons.append(Reason(codes.SAME_AREA, {"area": need.area, "need_subfield": need.subfield,
                                                "offer_subfield": offer.subfield, "points": weights.same_area}))

    reasons.append(Reason(codes.PRIORITY, {"priority": need.priority,
                                           "points": weights.priority_points(need.priority)}))

    wanted = days(need.period_from, need.period_to)
    covered = days(max(need.period_from, offer.period_from), min(need.period_to, offer.period_to))
    reasons.append(Reason(codes.PERIOD_COVERED, {
        "percent": 100 * covered // wanted, "days_covered": covered, "days_wanted": wanted,
        "points": weights.period_covered * covered // wanted,
    }))

    shared = sorted(set(need.languages) & set(offer.languages))
    if shared:
        reasons.append(Reason(codes.SHARED_LANGUAGE, {"languages": shared, "points": weights.shared_language}))
    else:
        reasons.append(Reason(codes.NO_SHARED_LANGUAGE, {
            "need_languages": sorted(set(need.languages)), "offer_languages": sorted(set(offer.languages)),
            "points": 0,
        }))

    if ACTIVITY_RULES[need.activity_type].shipping:
        union = customs_union_shared(need, offer, facts)
        if union:
            reasons.append(Reason(codes.SAME_CUSTOMS_UNION, {"union": union, "points": weights.same_customs_union}))
        else:
            reasons.append(Reason(codes.DIFFERENT_CUSTOMS_UNIONS, {
                "recipient_union": facts.union_of(need.country) or None,
                "provider_union": facts.union_of(offer.country) or None, "points": 0,
            }))

    reasons.append(Reason(codes.CONDITIONS, {"conditions": offer.conditions,
                                             "points": weights.conditions_points(offer.conditions)}))
    reasons.append(Reason(codes.CUSTOMS_PAID_BY, {"paid_by": offer.customs_paid_by,
                                                  "points": weights.customs_paid_by_points(offer.customs_paid_by)}))
    return sum(reason.values["points"] for reason in reasons), tuple(reasons)
