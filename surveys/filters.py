"""The filters of the summary table, its matrix and its exports, as a
django-filter FilterSet.

The table is a union of needs and offers (surveys.summary), so the FilterSet
is not given the table's queryset: it cleans the query string once
(`SummaryFilter.cleaned_filters`) and `SummaryFilter.apply` filters each half
of the union, a Need or an Offer queryset, with the same filters. Every
filter reads fields both kinds have.

The choices of the country, institute and area filters depend on the year
and the data, and are read from the database when the form is built (to
validate or render it), never when filters are only applied.
"""
from datetime import date

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from institutes.models import MetrologyArea

from .models import ActivityType, Language, Need, Offer, Response

NONE = "none"  # the filter value for "no area" / "no activity type"

# More institutes than this are not listed in the institute filter (all RMOs
# together): it waits for a country to be chosen.
INSTITUTE_CHOICES_LIMIT = 300
CHOOSE_COUNTRY_FIRST = _("Choose a country to filter by one of its institutes.")


class ItemKind:
    NEED = "need"
    OFFER = "offer"
    choices = [(NEED, _("Need")), (OFFER, _("Offer"))]


class OfferScope:
    """Which offers a year shows: those of its own offers survey (the table's
    default), or also those of earlier surveys whose period still covers the
    year (the matrix's count)."""

    SURVEY = ""
    VALID = "valid"
    choices = [(VALID, _("Also earlier ones still valid"))]


def offers_of_year(year: int, *, scope: str = OfferScope.SURVEY) -> Q:
    """The offers a year shows (on an Offer queryset). An offer of an earlier
    survey counts in `year` when its period overlaps the year: it ends on or
    after 1 January and starts (if it says) on or before 31 December. An
    earlier offer without an end date is not counted: it said nothing about
    this year."""
    own = Q(response__campaign__year=year)
    if scope != OfferScope.VALID:
        return own
    earlier = Q(response__campaign__year__lt=year, period_to__gte=date(year, 1, 1)) & (
        Q(period_from__isnull=True) | Q(period_from__lte=date(year, 12, 31))
    )
    return own | earlier


class SummaryFilter(django_filters.FilterSet):
    """Cleans the query string of the table, the matrix links and the
    exports. A value that is not one of the choices is reported next to its
    field and left out of the filter; the other filters still apply."""

    kind = django_filters.ChoiceFilter(
        label=_("Needs or offers"), choices=ItemKind.choices, empty_label=_("Needs and offers"), method="filter_kind"
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"), empty_label=_("All countries"), field_name="response__institute__country__iso2"
    )
    institute = django_filters.ChoiceFilter(
        label=_("Institute"), empty_label=_("All institutes"), field_name="response__institute_id"
    )
    activity_type = django_filters.ChoiceFilter(
        label=_("Activity type"), empty_label=_("All activity types"), method="filter_activity_type",
        choices=[*ActivityType.choices, (NONE, _("Not specified"))],
    )
    area = django_filters.ChoiceFilter(label=_("Metrology area"), empty_label=_("All areas"), method="filter_area")
    language = django_filters.ChoiceFilter(
        label=_("Working language"), empty_label=_("Any language"), method="filter_language",
        choices=[(Language.RU, Language.RU.label), (Language.EN, Language.EN.label), (NONE, _("Not specified"))],
    )
    status = django_filters.ChoiceFilter(
        label=_("Response status"), empty_label=_("Any status"), field_name="response__status",
        choices=Response.Status.choices,
    )
    offers = django_filters.ChoiceFilter(
        label=_("Offers"), empty_label=_("Of this year's survey"), choices=OfferScope.choices, method="filter_offers"
    )
    class Meta:
        model = Need
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, year: int, request=None, prefix=None):
        super().__init__(data, queryset if queryset is not None else Need.objects.none(), request=request, prefix=prefix)
        self.year = year

    @property
    def form(self):
        """The filter form, its year's choices read now (three queries)."""
        if not hasattr(self, "_form"):
            form = super().form
            form.fields["country"].choices = self._country_choices()
            form.fields["institute"].choices = self._institute_choices(form)
            form.fields["area"].choices = self._area_choices()
        return self._form

    def _country_choices(self) -> list[tuple[str, str]]:
        from .summary import summary_filter_countries

        return sorted(((c.iso2, c.name) for c in summary_filter_countries(year=self.year)), key=lambda c: c[1])

    def _institute_choices(self, form) -> list[tuple[int, str]]:
        from .summary import summary_filter_institutes

        institutes = summary_filter_institutes(year=self.year)
        country = self.data.get("country")
        if country:
            institutes = institutes.filter(country__iso2=country)
        # Every institute of COOMET fits in one list; all RMOs together do
        # not, and rendering thousands of options would cost more than the
        # table: then the list waits for a country to be chosen.
        institutes = list(institutes[: INSTITUTE_CHOICES_LIMIT + 1])
        if len(institutes) > INSTITUTE_CHOICES_LIMIT:
            form.fields["institute"].help_text = CHOOSE_COUNTRY_FIRST
            return []
        return [(i.pk, f"{i.acronym} ({i.country.iso2})") for i in institutes]

    @staticmethod
    def _area_choices() -> list[tuple[str, str]]:
        areas = MetrologyArea.objects.order_by("position", "code")
        return [*((a.code, f"{a.code} — {a.name}") for a in areas), (NONE, _("No area"))]

    # --- Filters ------------------------------------------------------------

    @staticmethod
    def filter_kind(queryset: QuerySet, name: str, value: str) -> QuerySet:
        wanted = {ItemKind.NEED: Need, ItemKind.OFFER: Offer}.get(value)
        return queryset if wanted is None or queryset.model is wanted else queryset.none()

    @staticmethod
    def filter_activity_type(queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(activity_type="" if value == NONE else value)

    @staticmethod
    def filter_area(queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(area__isnull=True) if value == NONE else queryset.filter(area__code=value)

    @staticmethod
    def filter_language(queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Items one can work on in that language: "ru" finds those in
        Russian and those in Russian and English."""
        if value == NONE:
            return queryset.filter(languages="")
        return queryset.filter(languages__in=[code for code in Language.values if value in code.split("_")])

    @staticmethod
    def filter_offers(queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The year itself is chosen by surveys.summary, which reads this value.
        return queryset

    # --- For the table and the exports -------------------------------------

    def cleaned_filters(self) -> dict:
        """The valid, non-empty filters of the query string."""
        self.is_valid()
        return {name: value for name, value in self.form.cleaned_data.items() if value not in ("", None)}

    def apply(self, queryset: QuerySet, filters: dict) -> QuerySet:
        """`queryset` (of needs or of offers) narrowed by `filters`, cleaned
        values as `cleaned_filters` returns them."""
        for name, value in filters.items():
            if name in self.filters and value not in ("", None):
                queryset = self.filters[name].filter(queryset, value)
        return queryset
