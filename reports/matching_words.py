"""The engine's reasons for a gap or an unsolicited offer, in words, for the
report (programme/matching/codes.py: UNMATCHED_CODES, UNSOLICITED_CODES).

The Programme's matching pages will have their own renderer of every code;
when it lands, `reason_text` should call it. Until then the report needs
only these eight sentences, so they live here, translated.
"""
from __future__ import annotations

from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _date(value) -> str:
    try:
        return formats.date_format(date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return str(value)


def reason_text(code: str | None, values: dict) -> str:
    if code == "no_offer_of_type_in_area":
        return _("Nobody offers this activity in this area.")
    if code == "only_own_country":
        return _("Only institutes of the same country offer it.")
    if code == "no_offer_in_period":
        return _("No offer falls within the wanted period (%(start)s – %(end)s).") % {
            "start": _date(values.get("period_from")), "end": _date(values.get("period_to")),
        }
    if code == "pairs_rejected":
        return _("The Secretariat rejected every offer that fits.")
    if code == "capacity_taken":
        count = len(values.get("offers") or [])
        return ngettext(
            "The offer that fits is fully taken by needs that scored as well or better.",
            "The %(count)s offers that fit are fully taken by needs that scored as well or better.",
            count,
        ) % {"count": count}
    if code == "no_need_of_type_in_area":
        return _("No CEEMS institute asked for this activity in this area.")
    if code == "needs_only_from_own_country":
        return _("Only institutes of the same country asked for it.")
    if code == "no_need_in_period":
        return _("No need falls within the offered period (%(start)s – %(end)s).") % {
            "start": _date(values.get("period_from")), "end": _date(values.get("period_to")),
        }
    return code or ""
