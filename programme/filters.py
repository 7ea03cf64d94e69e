"""The filters of a version's Programme page, its timeline and its export,
as a django-filter FilterSet: country, institute, activity type, area,
status, quarter, and "concerns my institute"."""
import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from institutes.models import Country, Institute, MetrologyArea
from surveys.models import ActivityType

from .models import Activity, ProgrammeVersion, quarter_code, quarter_label


class ActivityFilter(django_filters.FilterSet):
    """A value that is not one of the choices is reported next to its field
    and left out; the other filters still apply."""

    country = django_filters.ChoiceFilter(label=_("Country"), empty_label=_("All countries"), method="filter_country")
    institute = django_filters.ChoiceFilter(
        label=_("Institute"), empty_label=_("All institutes"), method="filter_institute"
    )
    activity_type = django_filters.ChoiceFilter(
        label=_("Activity type"), empty_label=_("All activity types"), choices=ActivityType.choices
    )
    area = django_filters.ChoiceFilter(label=_("Metrology area"), empty_label=_("All areas"), field_name="area__code")
    status = django_filters.ChoiceFilter(label=_("Status"), empty_label=_("Any status"), choices=Activity.Status.choices)
    quarter = django_filters.ChoiceFilter(label=_("Quarter"), empty_label=_("Any quarter"), method="filter_quarter")

    class Meta:
        model = Activity
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, version: ProgrammeVersion, request=None):
        super().__init__(data, queryset, request=request)
        self.version = version

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            programme = self.version.programme
            form.fields["quarter"].choices = [
                (str(quarter_code(y, q)), quarter_label(quarter_code(y, q)))
                for y in range(programme.first_year, programme.last_year + 1)
                for q in range(1, 5)
            ]
            named = _named_institutes(self.version)
            form.fields["institute"].choices = [
                (str(i.pk), f"{i.acronym} ({i.country.iso2})")
                for i in Institute.objects.filter(pk__in=named).select_related("country").order_by("country__iso2", "acronym")
            ]
            form.fields["country"].choices = [
                (c.iso2, c.name) for c in Country.objects.filter(institutes__pk__in=named).distinct().order_by("iso2")
            ]
            form.fields["area"].choices = [
                (a.code, f"{a.code} — {a.name}") for a in MetrologyArea.objects.order_by("position", "code")
            ]
        return self._form

    @staticmethod
    def filter_country(queryset: QuerySet, name: str, value: str) -> QuerySet:
        through_r = Activity.recipients.through.objects.filter(institute__country__iso2=value).values("activity_id")
        through_p = Activity.providers.through.objects.filter(institute__country__iso2=value).values("activity_id")
        return queryset.filter(Q(pk__in=through_r) | Q(pk__in=through_p))

    @staticmethod
    def filter_institute(queryset: QuerySet, name: str, value: str) -> QuerySet:
        through_r = Activity.recipients.through.objects.filter(institute_id=value).values("activity_id")
        through_p = Activity.providers.through.objects.filter(institute_id=value).values("activity_id")
        return queryset.filter(Q(pk__in=through_r) | Q(pk__in=through_p))

    @staticmethod
    def filter_quarter(queryset: QuerySet, name: str, value: str) -> QuerySet:
        code = int(value)
        return queryset.filter(
            Q(first_quarter__lte=code) | Q(first_quarter__isnull=True),
            Q(last_quarter__gte=code) | Q(last_quarter__isnull=True, first_quarter=code),
        )

    def cleaned(self, queryset: QuerySet) -> QuerySet:
        """`queryset` narrowed by the valid filters."""
        if not self.is_bound:
            return queryset
        self.is_valid()
        for name, value in self.form.cleaned_data.items():
            if value not in ("", None) and name in self.filters:
                queryset = self.filters[name].filter(queryset, value)
        return queryset


def _named_institutes(version: ProgrammeVersion):
    return list(
        Activity.recipients.through.objects.filter(activity__version=version).values_list("institute_id", flat=True).distinct()
    ) + list(
        Activity.providers.through.objects.filter(activity__version=version).values_list("institute_id", flat=True).distinct()
    )
