"""The engine's reasons in words, in the active language.

The engine gives a code and its values (`programme.matching.codes`); this is
the one place that turns them into sentences. Institutes, areas, sub-fields,
needs and offers are named through a `Names` lookup the caller fills once
per page (a fixed number of queries however many reasons it shows).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _, ngettext

from institutes.models import CustomsUnion
from surveys.models import ActivityType, Conditions, PaidBy, Priority

from .matching import codes



@dataclass
class Names:
    """What reasons name things by: institutes by id (acronym), areas and
    sub-fields by KCDB code, needs and offers by id (a short label)."""

    institutes: Mapping[int, str] = field(default_factory=dict)
    areas: Mapping[str, str] = field(default_factory=dict)
    subfields: Mapping[str, str] = field(default_factory=dict)
    needs: Mapping[int, str] = field(default_factory=dict)
    offers: Mapping[int, str] = field(default_factory=dict)
    # offer id -> the need ids that took its places (the run's offer use)
    takers: Mapping[int, Iterable[int]] = field(default_factory=dict)

    def institute(self, pk) -> str:
        return self.institutes.get(pk, str(pk))

    def area(self, code) -> str:
        if not code:
            return _("no particular area")
        return self.areas.get(code, code)

    def subfield(self, code) -> str:
        return self.subfields.get(code, code) if code else _("none")

    def need(self, pk) -> str:
        return self.needs.get(pk, f"#{pk}")

    def offer(self, pk) -> str:
        return self.offers.get(pk, f"#{pk}")


def _choice(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _lower_first(text: str) -> str:
    """A label inside a sentence: its first letter in lower case, unless the
    label starts with an abbreviation ("CEEMS", "НМИ")."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _languages(codes_: Iterable[str]) -> str:
    names = [_("Russian") if c == "ru" else _("English") if c == "en" else c for c in codes_]
    return ", ".join(names) if names else _("not stated")


def _date(text: str | None) -> str:
    if not text:
        return "—"
    try:
        return formats.date_format(date.fromisoformat(text), "SHORT_DATE_FORMAT")
    except ValueError:
        return text


def _list(items: Iterable, name) -> str:
    return ", ".join(name(i) for i in items)


def reason_text(reason: Mapping, names: Names | None = None) -> str:
    """One reason (`{"code": ..., "values": {...}}`) as a sentence."""
    names = names or Names()
    code = reason.get("code", "")
    v = reason.get("values", {}) or {}
    if code == codes.COMPATIBLE:
        return _("Same activity type: %(type)s") % {"type": _choice(ActivityType, v.get("activity_type"))}
    if code == codes.SAME_SUBFIELD:
        return _("Same sub-field: %(subfield)s") % {"subfield": names.subfield(v.get("subfield"))}
    if code == codes.SAME_AREA:
        return _("Same area (%(area)s), other sub-field: %(need)s wanted, %(offer)s offered") % {
            "area": names.area(v.get("area")), "need": names.subfield(v.get("need_subfield")),
            "offer": names.subfield(v.get("offer_subfield")),
        }
    if code == codes.GENERAL:
        return _("Neither names a particular area")
    if code == codes.OTHER_AREA:
        return _("Different areas: %(need)s wanted, %(offer)s offered (accepted before the answers changed)") % {
            "need": names.area(v.get("need_area")), "offer": names.area(v.get("offer_area")),
        }
    if code == codes.PRIORITY:
        if not v.get("priority"):
            return _("Priority not stated")
        return _("Priority: %(priority)s") % {"priority": _lower_first(_choice(Priority, v.get("priority")))}
    if code == codes.PERIOD_COVERED:
        return _("The offer covers %(percent)s%% of the wanted period") % {"percent": v.get("percent", 0)}
    if code == codes.SHARED_LANGUAGE:
        return _("Shared working language: %(languages)s") % {"languages": _languages(v.get("languages", []))}
    if code == codes.NO_SHARED_LANGUAGE:
        return _("No shared working language (needed: %(need)s; offered: %(offer)s)") % {
            "need": _languages(v.get("need_languages", [])), "offer": _languages(v.get("offer_languages", [])),
        }
    if code == codes.SAME_CUSTOMS_UNION:
        return _("Both in one customs union (%(union)s): simpler logistics") % {
            "union": _choice(CustomsUnion, v.get("union"))
        }
    if code == codes.DIFFERENT_CUSTOMS_UNIONS:
        return _("Not in one customs union: standards cross a customs border")
    if code == codes.CONDITIONS:
        if not v.get("conditions"):
            return _("Conditions not stated")
        return _("Conditions: %(conditions)s") % {"conditions": _lower_first(_choice(Conditions, v.get("conditions")))}
    if code == codes.CUSTOMS_PAID_BY:
        if not v.get("paid_by"):
            return _("Who pays customs and logistics is not stated")
        return _("Customs and logistics paid by: %(who)s") % {"who": _lower_first(_choice(PaidBy, v.get("paid_by")))}

    # Why a need is unmatched
    if code == codes.NO_OFFER_OF_TYPE_IN_AREA:
        return _("No offer of this activity type in %(area)s") % {"area": names.area(v.get("area"))}
    if code == codes.ONLY_OWN_COUNTRY:
        return _("The only offers of this kind come from the institute's own country: %(offers)s") % {
            "offers": _list(v.get("offers", []), names.offer)
        }
    if code == codes.NO_OFFER_IN_PERIOD:
        return _("Offers exist (%(offers)s), but none covers the wanted period %(from)s – %(to)s") % {
            "offers": _list(v.get("offers", []), names.offer), "from": _date(v.get("period_from")),
            "to": _date(v.get("period_to")),
        }
    if code == codes.PAIRS_REJECTED:
        return _("The Secretariat rejected every offer that fits: %(offers)s") % {
            "offers": _list(v.get("offers", []), names.offer)
        }
    if code == codes.CAPACITY_TAKEN:
        parts = []
        for offer in v.get("offers", []):
            # Each offer with the needs that took its places: {"offer", "capacity", "needs"}.
            if isinstance(offer, Mapping):
                pk, takers = offer.get("offer"), list(offer.get("needs", []))
            else:
                pk, takers = offer, list(names.takers.get(offer, []))
            parts.append(_("%(offer)s (taken by %(needs)s)") % {"offer": names.offer(pk), "needs": _list(takers, names.need)}
                         if takers else names.offer(pk))
        return ngettext(
            "The offer that fits is at its capacity with needs that score as well or better: %(offers)s",
            "The offers that fit are at their capacity with needs that score as well or better: %(offers)s",
            len(parts),
        ) % {"offers": "; ".join(parts)}

    # Why an offer is unsolicited
    if code == codes.NO_NEED_OF_TYPE_IN_AREA:
        return _("No need of this activity type in %(area)s") % {"area": names.area(v.get("area"))}
    if code == codes.NEEDS_ONLY_FROM_OWN_COUNTRY:
        return _("Only the provider's own country asks for it: %(needs)s") % {
            "needs": _list(v.get("needs", []), names.need)
        }
    if code == codes.NO_NEED_IN_PERIOD:
        return _("Needs exist (%(needs)s), but none falls in the offered period %(from)s – %(to)s") % {
            "needs": _list(v.get("needs", []), names.need), "from": _date(v.get("period_from")),
            "to": _date(v.get("period_to")),
        }

    # Why a need or an offer was not considered
    if code == codes.MISSING_ACTIVITY_TYPE:
        return _("No activity type")
    if code == codes.UNKNOWN_ACTIVITY_TYPE:
        return _("Unknown activity type “%(type)s”") % {"type": v.get("activity_type", "")}
    if code == codes.MISSING_AREA:
        return _("No metrology area, which %(type)s needs") % {"type": _lower_first(_choice(ActivityType, v.get("activity_type")))}
    if code == codes.MISSING_COUNTRY:
        return _("The institute has no country")
    if code == codes.MISSING_PERIOD:
        return _("No period (from and to)")
    if code == codes.PERIOD_REVERSED:
        return _("The period ends before it starts")
    if code == codes.MISSING_CAPACITY:
        return _("No capacity")
    return code


def reasons_text(reasons: Iterable[Mapping], names: Names | None = None) -> list[tuple[str, int | None]]:
    """Each reason's sentence with its points (None where it has none)."""
    return [(reason_text(r, names), (r.get("values") or {}).get("points")) for r in reasons]
