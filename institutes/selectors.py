"""Reads of reference data, each joined for the page that shows it."""
from django.db.models import Count, Prefetch, Q, QuerySet

from .models import CeemsStatus, Country, Institute, MetrologyArea, Role, SubField, User


def institutes_for_directory(*, search: str = "", country: str = "") -> QuerySet[Institute]:
    qs = Institute.objects.select_related("country").annotate(
        member_count=Count("members", filter=Q(members__is_active=True))
    )
    if country:
        qs = qs.filter(country__iso2=country.upper())
    if search:
        qs = qs.filter(
            Q(acronym__icontains=search)
            | Q(name_ru__icontains=search)
            | Q(name_en__icontains=search)
            | Q(city__icontains=search)
        )
    return qs.order_by("country__iso2", "acronym")


def institute_members(*, institute: Institute) -> QuerySet[User]:
    return institute.members.filter(is_active=True).prefetch_related("groups").order_by("last_name", "username")


def countries_with_status() -> QuerySet[Country]:
    return Country.objects.annotate(institute_count=Count("institutes")).prefetch_related(
        Prefetch("ceems_statuses", queryset=CeemsStatus.objects.order_by("year"))
    )


def ceems_years() -> list[int]:
    return list(CeemsStatus.objects.order_by("-year").values_list("year", flat=True).distinct())


def ceems_countries(*, year: int) -> QuerySet[Country]:
    return Country.objects.filter(ceems_statuses__year=year, ceems_statuses__is_ceems=True).order_by("iso2")


def areas_with_subfields() -> QuerySet[MetrologyArea]:
    return MetrologyArea.objects.prefetch_related(
        Prefetch("subfields", queryset=SubField.objects.order_by("position", "code"))
    )


def respondents_by_institute() -> QuerySet[Institute]:
    """Institutes with their active respondents, for the Secretariat's contacts."""
    respondents = User.objects.filter(is_active=True, groups__name=Role.RESPONDENT).order_by(
        "last_name", "username"
    )
    return Institute.objects.select_related("country").prefetch_related(
        Prefetch("members", queryset=respondents, to_attr="respondents")
    ).order_by("country__iso2", "acronym")
