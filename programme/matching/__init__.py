"""The matching engine: which donor offer serves which CEEMS need.

Plain Python over plain data: dataclasses in (`Need`, `Offer`, `Facts`,
optionally the Secretariat's `Decisions`), a `Result` out (proposals with
scores and reasons, unmatched needs and why, unsolicited offers and why,
what was not considered and why). No Django, no database, no translated
text: every reason is a code of `codes` with its values, which the portal
puts in Russian or English. docs/matching.md explains it for a reader.

    from programme.matching import Facts, Need, Offer, match
    result = match(needs, offers, Facts(customs_unions={"RU": "EAEU", "KG": "EAEU"}))
    json.dumps(result.to_dict())

What is never proposed:
- an offer of another activity type than the table below allows (today
  each type is served only by offers of the same type);
- an offer in another metrology area (no area, where the type allows it,
  is an area of its own, "general": a general need is served by a general
  offer);
- an offer whose period does not overlap the need's;
- an institute serving itself, or an institute of its own country.

Which activity types may serve which, and how an offer's capacity is used
(this table is `rules.ACTIVITY_RULES`; a test keeps the two the same):

| need type     | served by offers of | area     | one activity per          | capacity counts        | customs union counts |
| ------------- | ------------------- | -------- | ------------------------- | ---------------------- | -------------------- |
| comparison    | comparison          | required | offer, all its recipients | participants (needs)   | yes                  |
| calibration   | calibration         | required | need served               | calibrations (needs)   | yes                  |
| training      | training            | optional | offer, all its recipients | participants (needs)   | no                   |
| internship    | internship          | required | need served               | internships (needs)    | no                   |
| procedure     | procedure           | required | need served               | procedures (needs)     | no                   |
| prereview     | prereview           | optional | need served               | preparations (needs)   | no                   |
| joint_project | joint_project       | optional | offer, all its recipients | partners (needs)       | no                   |
| international | international       | optional | need served               | places (needs)         | no                   |
| information   | information         | optional | need served               | requests (needs)       | no                   |

In every row an offer of capacity N serves at most N needs and each need
served uses one unit of it: a calibration or internship offer gives up to
N activities, one per need; a comparison, a training event or a joint
project is one activity whose recipients are the needs it serves, up to N
(two needs of one institute in one comparison take two places: the
capacity is never exceeded, and the Secretariat may merge them).
"""
from programme.matching import codes
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
)
from programme.matching.engine import match
from programme.matching.rules import ACTIVITY_RULES
from programme.matching.scoring import WEIGHTS, Weights

__all__ = [
    "ACTIVITY_RULES", "WEIGHTS", "Assignment", "Decisions", "Facts", "Need", "NotConsidered", "Offer", "OfferUse",
    "Proposal", "Reason", "Result", "Unmatched", "Unsolicited", "Weights", "codes", "match",
]
