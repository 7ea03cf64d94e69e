"""What goes into the engine and what comes out: plain, frozen dataclasses.

Identifiers (`id`, `institute`) are whatever the caller uses (database ids,
acronyms); the engine only compares them and sorts by them, so within one
call they must all be ints or all be strings. Countries are ISO 3166 codes,
areas and sub-fields KCDB codes, languages ISO 639-1 codes ("ru", "en"),
dates `datetime.date` (periods include both ends).

Every output has `to_dict()`, JSON-ready and deterministic: the same input
gives the same dict, keys and lists in the same order.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Union

Id = Union[int, str]


def id_key(value: Id) -> tuple[int, int | str]:
    """The sort key of an identifier: numbers before strings, each in its
    natural order. Every ordering the engine makes goes through it (never
    through dict or set order)."""
    return (0, value) if isinstance(value, int) else (1, str(value))


def _plain(value: Any) -> Any:
    """A copy of `value` made of dicts and lists only (values may share
    read-only parts between reasons; the copy shares nothing)."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


# --- Input ---------------------------------------------------------------------

@dataclass(frozen=True)
class Need:
    """One need of a CEEMS institute, as its response says it.

    `area` and `subfield` are KCDB codes (a sub-field implies its area; pass
    both). `priority` is "high", "medium", "low" or None. `languages` are the
    working languages of the recipient, in any order."""

    id: Id
    institute: Id
    country: str
    activity_type: str
    area: str | None = None
    subfield: str | None = None
    subject: str = ""
    measurement_range: str = ""
    period_from: date | None = None
    period_to: date | None = None
    priority: str | None = None
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Offer:
    """One offer of a donor institute. `capacity` counts calibrations or
    internship places (one need each) or the participants of the one
    comparison or event it offers; see the table in the package docstring.
    `conditions` is "free", "cost_sharing", "contract" or None;
    `customs_paid_by` "provider", "shared", "recipient" or None."""

    id: Id
    institute: Id
    country: str
    activity_type: str
    area: str | None = None
    subfield: str | None = None
    subject: str = ""
    measurement_range: str = ""
    capacity: int | None = None
    period_from: date | None = None
    period_to: date | None = None
    languages: tuple[str, ...] = ()
    conditions: str | None = None
    customs_paid_by: str | None = None
    location: str = ""


@dataclass(frozen=True)
class Facts:
    """The reference data matching needs: each country's customs union
    (ISO code → union code such as "EAEU"; a country in none is absent or
    maps to "")."""

    customs_unions: Mapping[str, str] = field(default_factory=dict)

    def union_of(self, country: str) -> str:
        return self.customs_unions.get(country, "") or ""


@dataclass(frozen=True)
class Decisions:
    """What the Secretariat already decided, so that running matching again
    keeps it. `accepted` pairs (need id, offer id) stay assigned whatever the
    scores, and use their offer's capacity; `rejected` pairs are never
    proposed again. A pair naming a need or an offer not in the input is
    ignored (the caller decides what a withdrawn offer means)."""

    accepted: tuple[tuple[Id, Id], ...] = ()
    rejected: tuple[tuple[Id, Id], ...] = ()


# --- Output ------------------------------------------------------------------------

def _need_text(need: Need | None, *, described: bool = False) -> dict[str, Any]:
    """What a reader of the JSON needs to know a need by: its "what exactly"
    and priority, and where it stands alone, who asks what, in which area."""
    if need is None:
        return {}
    text = {"subject": need.subject, "priority": need.priority}
    if described:
        text = {"institute": need.institute, "country": need.country, "activity_type": need.activity_type,
                "area": need.area, "subfield": need.subfield, **text}
    return text


def _offer_text(offer: Offer | None, *, described: bool = False) -> dict[str, Any]:
    if offer is None:
        return {}
    text = {"subject": offer.subject, "capacity": offer.capacity}
    if described:
        text = {"provider": offer.institute, "provider_country": offer.country, "activity_type": offer.activity_type,
                "area": offer.area, "subfield": offer.subfield, **text}
    return text


@dataclass(frozen=True)
class Reason:
    """A code of `codes` and its values (strings, numbers, None, lists or
    tuples, dicts), for the portal to put in words. The values are
    read-only: reasons share parts (the needs that took an offer); use
    `to_dict()` for a copy of your own."""

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "values": _plain(self.values)}


@dataclass(frozen=True)
class Assignment:
    """One need served by a proposal, with its score and why. `accepted` is
    true for a pair kept from `Decisions.accepted`; `need` is the input."""

    need_id: Id
    institute: Id
    country: str
    score: int
    reasons: tuple[Reason, ...]
    accepted: bool = False
    need: Need | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "need": self.need_id,
            "institute": self.institute,
            "country": self.country,
            **_need_text(self.need),
            "score": self.score,
            "accepted": self.accepted,
            "reasons": [reason.to_dict() for reason in self.reasons],
        }


@dataclass(frozen=True)
class Proposal:
    """One activity the engine proposes: one offer and the needs it serves.
    A grouped offer (comparison, training event, joint project) gives one
    proposal with all its recipients; any other gives one proposal per need
    served. `id` is stable across runs: "<offer id>" for a group,
    "<offer id>/<need id>" otherwise."""

    id: str
    offer_id: Id
    provider: Id
    provider_country: str
    activity_type: str
    area: str | None
    subfield: str | None
    grouped: bool
    assignments: tuple[Assignment, ...]
    offer: Offer | None = field(default=None, repr=False, compare=False)

    @property
    def score(self) -> int:
        return sum(assignment.score for assignment in self.assignments)

    @property
    def need_ids(self) -> tuple[Id, ...]:
        return tuple(assignment.need_id for assignment in self.assignments)

    @property
    def recipients(self) -> tuple[Id, ...]:
        """The recipient institutes, each once, in order."""
        return tuple(sorted({a.institute for a in self.assignments}, key=id_key))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "offer": self.offer_id,
            "provider": self.provider,
            "provider_country": self.provider_country,
            **_offer_text(self.offer),
            "activity_type": self.activity_type,
            "area": self.area,
            "subfield": self.subfield,
            "grouped": self.grouped,
            "score": self.score,
            "recipients": list(self.recipients),
            "needs": [assignment.to_dict() for assignment in self.assignments],
        }


@dataclass(frozen=True)
class Unmatched:
    """A considered need no proposal serves, and why (codes.UNMATCHED_CODES);
    `need` is the input."""

    need_id: Id
    reason: Reason
    need: Need | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"need": self.need_id, **_need_text(self.need, described=True), **self.reason.to_dict()}


@dataclass(frozen=True)
class Unsolicited:
    """An offer no considered need can use under the rules, and why
    (codes.UNSOLICITED_CODES); `offer` is the input."""

    offer_id: Id
    reason: Reason
    offer: Offer | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"offer": self.offer_id, **_offer_text(self.offer, described=True), **self.reason.to_dict()}


@dataclass(frozen=True)
class NotConsidered:
    """A need or an offer missing what matching needs; `kind` is "need" or
    "offer", `reasons` every field at fault (codes.NOT_CONSIDERED_CODES)."""

    kind: str
    id: Id
    reasons: tuple[Reason, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "reasons": [reason.to_dict() for reason in self.reasons]}


@dataclass(frozen=True)
class OfferUse:
    """How much of a considered offer's capacity the proposals use."""

    offer_id: Id
    provider: Id
    capacity: int
    need_ids: tuple[Id, ...]

    @property
    def used(self) -> int:
        return len(self.need_ids)

    def to_dict(self) -> dict[str, Any]:
        return {"offer": self.offer_id, "provider": self.provider, "capacity": self.capacity,
                "used": self.used, "needs": list(self.need_ids)}


@dataclass(frozen=True)
class Result:
    """Everything one run of `match` found. Lists are in a stable order:
    proposals by activity type (the order of the rules table), area,
    sub-field, offer id, then need id; the other lists by id.

    `pairs` is the number of need-offer pairs the rules allow (the size of
    the problem the solver got); `total_score` the optimum's total (the
    accepted pairs of `Decisions` included)."""

    proposals: tuple[Proposal, ...]
    unmatched: tuple[Unmatched, ...]
    unsolicited: tuple[Unsolicited, ...]
    not_considered: tuple[NotConsidered, ...]
    offer_use: tuple[OfferUse, ...]
    total_score: int
    pairs: int
    needs_considered: int
    offers_considered: int

    @property
    def is_empty(self) -> bool:
        """True when there was nothing to match: no considered need or no
        considered offer (the portal says so in words; it is not an error)."""
        return self.needs_considered == 0 or self.offers_considered == 0

    def served_need_ids(self) -> tuple[Id, ...]:
        return tuple(sorted((n for p in self.proposals for n in p.need_ids), key=id_key))

    def to_dict(self) -> dict[str, Any]:
        return {
            "total_score": self.total_score,
            "pairs": self.pairs,
            "needs_considered": self.needs_considered,
            "offers_considered": self.offers_considered,
            "proposals": [proposal.to_dict() for proposal in self.proposals],
            "unmatched": [item.to_dict() for item in self.unmatched],
            "unsolicited": [item.to_dict() for item in self.unsolicited],
            "not_considered": [item.to_dict() for item in self.not_considered],
            "offer_use": [item.to_dict() for item in self.offer_use],
        }
