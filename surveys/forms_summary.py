"""The filter form of the summary table (a GET form: it never writes)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from institutes.models import MetrologyArea

from .models import ActivityType, Response
from .summary import NONE, SORTS, ItemKind, summary_filter_countries, summary_filter_institutes

INSTITUTE_CHOICES_LIMIT = 300
CHOOSE_COUNTRY_FIRST = _("Choose a country to filter by one of its institutes.")


class SummaryFilterForm(forms.Form):
    """Cleans the query string of the table and its exports. A value that is
    not one of the choices is reported next to its field and left out of the
    filter; the other filters still apply."""

    kind = forms.ChoiceField(label=_("Needs or offers"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    institute = forms.TypedChoiceField(label=_("Institute"), required=False, coerce=int, empty_value=None)
    activity_type = forms.ChoiceField(label=_("Activity type"), required=False)
    area = forms.ChoiceField(label=_("Metrology area"), required=False)
    status = forms.ChoiceField(label=_("Response status"), required=False)

    def __init__(self, data=None, *, year: int):
        super().__init__(data)
        countries = summary_filter_countries(year=year)
        institutes = summary_filter_institutes(year=year)
        country = (data or {}).get("country")
        if country:
            institutes = institutes.filter(country__iso2=country)
        # Every institute of COOMET fits in one list; all RMOs together do
        # not, and rendering thousands of options would cost more than the
        # table: then the list waits for a country to be chosen.
        institutes = list(institutes[: INSTITUTE_CHOICES_LIMIT + 1])
        if len(institutes) > INSTITUTE_CHOICES_LIMIT:
            institutes = []
            self.fields["institute"].help_text = CHOOSE_COUNTRY_FIRST
        self.fields["kind"].choices = [("", _("Needs and offers")), *ItemKind.choices]
        self.fields["country"].choices = [("", _("All countries"))] + sorted(
            ((country.iso2, country.name) for country in countries), key=lambda choice: choice[1]
        )
        self.fields["institute"].choices = [("", _("All institutes"))] + [
            (i.pk, f"{i.acronym} ({i.country.iso2})") for i in institutes
        ]
        self.fields["activity_type"].choices = [
            ("", _("All activity types")), *ActivityType.choices, (NONE, _("Not specified"))
        ]
        self.fields["area"].choices = [
            ("", _("All areas")),
            *((a.code, f"{a.code} — {a.name}") for a in MetrologyArea.objects.order_by("position", "code")),
            (NONE, _("No area")),
        ]
        self.fields["status"].choices = [("", _("Any status")), *Response.Status.choices]

    def filters(self) -> dict:
        """The valid, non-empty filters (call after is_valid())."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}


def clean_sort(value: str | None) -> str:
    """A sort key of the table ("country", "-period", ...); anything else
    gives the default."""
    if value and value.lstrip("-") in SORTS and value.count("-") <= 1:
        return value
    return ""
