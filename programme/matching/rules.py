"""The rules: which offers may ever serve which needs, and what a need or an
offer must say to be considered at all.

ACTIVITY_RULES is the table of the package docstring, in code (a test checks
the two agree, and that it names every activity type of the portal).
"""
from __future__ import annotations

from dataclasses import dataclass

from programme.matching import codes
from programme.matching.data import Facts, Need, Offer, Reason


@dataclass(frozen=True)
class ActivityRule:
    """How needs of one activity type are served.

    served_by: the offer types that may serve it (today each type only
        itself: a different activity type is never proposed).
    area_required: a need or offer of this type without an area is not
        considered (the questionnaire requires one before submitting).
    grouped: an offer is one activity whose recipients are all the needs it
        serves, up to its capacity of participants; otherwise each need
        served is an activity of its own, up to capacity activities.
    shipping: standards or instruments travel between the two countries,
        so a shared customs union is a reason.
    """

    served_by: tuple[str, ...]
    area_required: bool
    grouped: bool
    shipping: bool


ACTIVITY_RULES: dict[str, ActivityRule] = {
    "comparison": ActivityRule(served_by=("comparison",), area_required=True, grouped=True, shipping=True),
    "calibration": ActivityRule(served_by=("calibration",), area_required=True, grouped=False, shipping=True),
    "training": ActivityRule(served_by=("training",), area_required=False, grouped=True, shipping=False),
    "internship": ActivityRule(served_by=("internship",), area_required=True, grouped=False, shipping=False),
    "procedure": ActivityRule(served_by=("procedure",), area_required=True, grouped=False, shipping=False),
    "prereview": ActivityRule(served_by=("prereview",), area_required=False, grouped=False, shipping=False),
    "joint_project": ActivityRule(served_by=("joint_project",), area_required=False, grouped=True, shipping=False),
    "international": ActivityRule(served_by=("international",), area_required=False, grouped=False, shipping=False),
    "information": ActivityRule(served_by=("information",), area_required=False, grouped=False, shipping=False),
}
# The order proposals are listed in: the table's.
TYPE_ORDER = {activity_type: number for number, activity_type in enumerate(ACTIVITY_RULES)}


def areas_compatible(need: Need, offer: Offer) -> bool:
    """Never a different area. No area (allowed only for the types whose
    area is optional) is an area of its own, "general": a general need is
    served by a general offer, a need in mass by an offer in mass."""
    return need.area == offer.area


def periods_overlap(need: Need, offer: Offer) -> bool:
    return need.period_from <= offer.period_to and offer.period_from <= need.period_to


def same_side(need: Need, offer: Offer) -> bool:
    """An institute never serves itself nor an institute of its own country."""
    return need.institute == offer.institute or need.country == offer.country


def may_serve(offer: Offer, need: Need) -> bool:
    """Whether the rules allow `offer` to serve `need` at all (both
    considered). The engine applies the same rules vectorised; tests check
    the two agree."""
    return (
        offer.activity_type in ACTIVITY_RULES[need.activity_type].served_by
        and areas_compatible(need, offer)
        and not same_side(need, offer)
        and periods_overlap(need, offer)
    )


def _missing(item: Need | Offer) -> list[Reason]:
    reasons = []
    if not item.activity_type:
        reasons.append(Reason(codes.MISSING_ACTIVITY_TYPE))
    elif item.activity_type not in ACTIVITY_RULES:
        reasons.append(Reason(codes.UNKNOWN_ACTIVITY_TYPE, {"activity_type": item.activity_type}))
    elif ACTIVITY_RULES[item.activity_type].area_required and not item.area:
        reasons.append(Reason(codes.MISSING_AREA, {"activity_type": item.activity_type}))
    if not item.country:
        reasons.append(Reason(codes.MISSING_COUNTRY))
    if item.period_from is None or item.period_to is None:
        reasons.append(Reason(codes.MISSING_PERIOD))
    elif item.period_from > item.period_to:
        reasons.append(Reason(codes.PERIOD_REVERSED, {"period_from": item.period_from.isoformat(),
                                                      "period_to": item.period_to.isoformat()}))
    return reasons


def need_problems(need: Need) -> list[Reason]:
    """Why `need` cannot be considered (empty when it can)."""
    return _missing(need)


def offer_problems(offer: Offer) -> list[Reason]:
    """Why `offer` cannot be considered (empty when it can)."""
    reasons = _missing(offer)
    if not offer.capacity or offer.capacity < 0:
        reasons.append(Reason(codes.MISSING_CAPACITY, {"capacity": offer.capacity}))
    return reasons


def customs_union_shared(need: Need, offer: Offer, facts: Facts) -> str:
    """The customs union both countries are in, or ""."""
    union = facts.union_of(need.country)
    return union if union and union == facts.union_of(offer.country) else ""
