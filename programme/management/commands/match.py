"""`python manage.py match --year 2022 [--format json|text]`: what matching
proposes for a year, from its submitted needs and offers and the decisions
taken so far. Reads; writes nothing."""
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from institutes.models import Institute
from surveys.models import ActivityType
from programme.matching_services import matching_compute
from programme.reasons import reason_text
from programme.matching_selectors import names_for


def _by_acronym(data, acronyms: dict[int, str]):
    """The engine's JSON with institutes named by acronym instead of id."""
    if isinstance(data, list):
        return [_by_acronym(item, acronyms) for item in data]
    if not isinstance(data, dict):
        return data
    out = {}
    for key, value in data.items():
        if key in ("institute", "provider") and isinstance(value, int):
            out[key] = acronyms.get(value, value)
        elif key == "recipients" and isinstance(value, list):
            out[key] = [acronyms.get(v, v) for v in value]
        else:
            out[key] = _by_acronym(value, acronyms)
    return out


def _label(activity_type: str) -> str:
    try:
        return str(ActivityType(activity_type).label)
    except ValueError:
        return activity_type


class Command(BaseCommand):
    help = "Print what matching proposes for a year (JSON or text). Writes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["json", "text"], default="json")
        parser.add_argument("--lang", choices=["en", "ru"], default="en", help="Language of the text format.")

    def handle(self, *args, year: int, format: str, lang: str, **options):
        if not 1900 <= year <= 2200:
            raise CommandError("--year must be a year such as 2022.")
        result = matching_compute(year=year)
        acronyms = dict(Institute.objects.values_list("pk", "acronym"))
        data = _by_acronym(result.to_dict(), acronyms)
        data = {"year": year, **data}
        if format == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))
            return
        with translation.override(lang):
            self._text(year, result, data)

    def _text(self, year, result, data):
        from django.utils.translation import gettext as _

        write = self.stdout.write
        takers = {use.offer_id: use.need_ids for use in result.offer_use}
        names = names_for(
            institute_ids=list(Institute.objects.values_list("pk", flat=True)),
            need_ids=[n for use in result.offer_use for n in use.need_ids] + [u.need_id for u in result.unmatched],
            offer_ids=[o.offer_id for o in result.offer_use] + [u.offer_id for u in result.unsolicited],
        )
        names.takers = takers
        write(_("Matching %(year)s: %(needs)s needs and %(offers)s offers considered, %(proposals)s proposals.") % {
            "year": year, "needs": result.needs_considered, "offers": result.offers_considered,
            "proposals": len(result.proposals)})
        if result.is_empty:
            write(_("Nothing to match: the year needs submitted needs and submitted offers."))
        write("")
        write(_("Proposals") + ":")
        for proposal in data["proposals"]:
            write(f"- [{proposal['id']}] {_label(proposal['activity_type'])}, {names.area(proposal['area'])}"
                  f"{' / ' + names.subfield(proposal['subfield']) if proposal['subfield'] else ''}: "
                  f"{proposal['provider']} ({proposal['provider_country']}) -> {', '.join(proposal['recipients'])}"
                  f" | {proposal.get('subject', '')} | {_('score')} {proposal['score']}")
            for need in proposal["needs"]:
                write(f"    need {need['need']} {need['institute']}: {need.get('subject', '')} ({need['score']})")
                for reason in need["reasons"]:
                    write(f"      · {reason_text(reason, names)}")
        write("")
        write(_("Unmatched needs") + ":")
        for item in data["unmatched"]:
            write(f"- need {item['need']} {item['institute']} ({item['country']}) {_label(item['activity_type'])}, "
                  f"{names.area(item['area'])}: {item.get('subject', '')}\n    · {reason_text(item, names)}")
        write("")
        write(_("Unsolicited offers") + ":")
        for item in data["unsolicited"]:
            write(f"- offer {item['offer']} {item['provider']} ({item['provider_country']}) {_label(item['activity_type'])}, "
                  f"{names.area(item['area'])}: {item.get('subject', '')}\n    · {reason_text(item, names)}")
        if data["not_considered"]:
            write("")
            write(_("Not considered") + ":")
            for item in data["not_considered"]:
                write(f"- {item['kind']} {item['id']}: " + "; ".join(reason_text(r, names) for r in item["reasons"]))
