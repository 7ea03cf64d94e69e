"""Reads of the summary table and the needs-versus-offers matrix.

The table shows needs and offers together. Both live in tables of their own,
so each is turned into the same list of columns with `.values()` and the two
are joined with a UNION: one query counts the rows and one fetches a page,
whatever the number of items, and sorting and paging run across both kinds
in the database. The same queryset, unpaginated, feeds the exports.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, CharField, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from institutes.models import Country, Institute, MetrologyArea, Role

from .filters import NONE, ItemKind, OfferScope, SummaryFilter, offers_of_year
from .models import ActivityType, Campaign, CampaignKind, Conditions, Language, Need, Offer, PaidBy, Priority, Response

__all__ = ["NONE", "ItemKind"]  # kept here for the modules that import them from the summary


# Sort keys of the table -> the columns of the union they order by.
SORTS = {
    "country": ("country_name", "institute_acronym"),
    "institute": ("institute_acronym", "country_name"),
    "activity_type": ("activity_order",),
    "area": ("area_order", "area_code", "subfield_code"),
    "period": ("period_start", "period_end"),
    "kind": ("kind",),
}
DEFAULT_SORT = "country"
# Appended to every sort so that paging is stable.
_TIEBREAK = ("country_name", "institute_acronym", "kind", "item_position", "item_id")

_FAR_FUTURE = date(9999, 12, 31)


def _localized(path: str):
    """The name in the active language, falling back to Russian (the
    default language of the bilingual reference data)."""
    language = (get_language() or "ru").split("-")[0]
    if language not in ("ru", "en"):
        language = "ru"
    return Coalesce(NullIf(F(f"{path}_{language}"), Value("")), F(f"{path}_ru"), output_field=CharField())


def _columns(model) -> dict:
    """The union's columns for `model`, all as annotations so that both
    halves select them in the same order and under the same names."""
    is_need = model is Need
    text = CharField()
    integer = IntegerField()
    activity_order = Case(
        *[When(activity_type=value, then=Value(n)) for n, value in enumerate(ActivityType.values)],
        default=Value(len(ActivityType.values)),
        output_field=integer,
    )
    return {
        "kind": Value(ItemKind.NEED if is_need else ItemKind.OFFER, output_field=text),
        "item_id": F("id"),
        "item_position": F("position"),
        "response_id_": F("response_id"),
        "response_status": F("response__status"),
        "country_iso2": F("response__institute__country__iso2"),
        "country_name": _localized("response__institute__country__name"),
        "institute_id_": F("response__institute_id"),
        "institute_acronym": F("response__institute__acronym"),
        "activity": F("activity_type"),
        "activity_order": activity_order,
        "area_code": F("area__code"),
        "area_name": _localized("area__name"),
        "area_order": Coalesce(F("area__position"), Value(32767), output_field=integer),
        "subfield_code": F("subfield__code"),
        "subfield_name": _localized("subfield__name"),
        "what": F("subject"),
        "range_": F("measurement_range"),
        "period_from_": F("period_from"),
        "period_to_": F("period_to"),
        "period_start": Coalesce(F("period_from"), Value(_FAR_FUTURE)),
        "period_end": Coalesce(F("period_to"), Value(_FAR_FUTURE)),
        "priority_": F("priority") if is_need else Value("", output_field=text),
        "uncertainty": F("target_uncertainty") if is_need else Value("", output_field=text),
        "capacity_": Value(None, output_field=integer) if is_need else F("capacity"),
        "languages_": F("languages"),
        "conditions_": Value("", output_field=text) if is_need else F("conditions"),
        "customs_": Value("", output_field=text) if is_need else F("customs_paid_by"),
        "location_": Value("", output_field=text) if is_need else F("location"),
        "comment_": F("comment"),
    }


def _visible(queryset: QuerySet, user) -> QuerySet:
    """Only items of responses the user may read (Response.visible_to): the
    Secretariat reads all, the task group and Committee submitted ones."""
    if user.has_role(Role.SECRETARIAT):
        return queryset
    return queryset.filter(response__in=Response.objects.visible_to(user).values("pk"))


def _filtered(model, *, year: int, filters: dict, user) -> QuerySet:
    """The needs or offers (`model`) of `year` the user may read, narrowed
    by `filters` (see `summary_items`). Offers of earlier surveys whose
    period covers the year come in with the filter `offers=valid`."""
    if model is Offer:
        in_year = offers_of_year(year, scope=filters.get("offers", OfferScope.SURVEY))
    else:
        in_year = Q(response__campaign__year=year)
    queryset = model.objects.filter(in_year, response__campaign__kind__in=[CampaignKind.NEEDS, CampaignKind.OFFERS])
    queryset = _visible(queryset, user)
    if filters.get("response"):
        queryset = queryset.filter(response_id=filters["response"])
    return SummaryFilter(year=year).apply(queryset, {k: v for k, v in filters.items() if k != "response"})


def _order(sort: str) -> list:
    descending = sort.startswith("-")
    columns = SORTS.get(sort.lstrip("-")) or SORTS[DEFAULT_SORT]
    ordering = [f"-{c}" if descending else c for c in columns]
    return ordering + [c for c in _TIEBREAK if c not in columns]


def summary_items(*, year: int, filters: dict, user, sort: str = DEFAULT_SORT) -> QuerySet:
    """Every need and offer of the needs and offers campaigns of `year` that
    `user` may read, as one queryset of dicts (see `_columns`), filtered and
    sorted. `filters` holds cleaned values (surveys.filters.SummaryFilter):
    kind ("need", "offer" or empty for both), country (ISO code), institute
    (id), activity_type (value or "none"), area (code or "none"), language
    ("ru" or "en": items in that language, alone or with the other; "none"), status
    (response status), offers ("valid": also earlier offers whose period
    covers the year), and response (id: one response's own export). `sort` is a key
    of SORTS, with a leading "-" for descending order. Counting and slicing it
    make one query each, whatever the number of rows."""
    parts = []
    for model, kind in ((Need, ItemKind.NEED), (Offer, ItemKind.OFFER)):
        if filters.get("kind") and filters["kind"] != kind:
            continue  # not even a part of the union
        columns = _columns(model)
        queryset = _filtered(model, year=year, filters=filters, user=user).order_by()
        parts.append(queryset.annotate(**columns).values(*columns))
    first, *others = parts
    combined = first.union(*others, all=True) if others else first
    return combined.order_by(*_order(sort or DEFAULT_SORT))


def summary_count(*, year: int, filters: dict, user) -> int:
    """The number of rows of `summary_items` with the same arguments, in one
    query that counts each kind's filtered rows without the joins and
    columns of the union (the union's own count builds every row first)."""
    from django.db import connection

    parts, params = [], []
    for model, kind in ((Need, ItemKind.NEED), (Offer, ItemKind.OFFER)):
        if filters.get("kind") and filters["kind"] != kind:
            continue
        queryset = _filtered(model, year=year, filters=filters, user=user).order_by().values("pk")
        if queryset.query.is_empty():
            continue
        sql, part_params = queryset.query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) {connection.ops.quote_name(kind)})")
        params.extend(part_params)
    if not parts:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {' + '.join(parts)}", params)
        return cursor.fetchone()[0]


def summary_years() -> list[int]:
    """Years that have a needs or offers campaign, newest first (one query)."""
    return list(
        Campaign.objects.filter(kind__in=[CampaignKind.NEEDS, CampaignKind.OFFERS])
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def summary_latest_year(*, user, today: date) -> int:
    """The year the summary opens on: the latest one with a need or an offer
    the user may read, else the latest with a needs or offers campaign (a
    campaign that has just opened has nothing to show yet), else this year."""
    latest = [
        _visible(model.objects.all(), user).order_by("-response__campaign__year")
        .values_list("response__campaign__year", flat=True).first()
        for model in (Need, Offer)
    ]
    latest = [year for year in latest if year]
    if latest:
        return max(latest)
    years = summary_years()
    return years[0] if years else today.year


def summary_filter_countries(*, year: int) -> QuerySet[Country]:
    """Countries with an institute that answered a needs or offers campaign
    of `year`: the choices of the table's country filter (one query)."""
    return Country.objects.filter(
        institutes__responses__campaign__year=year,
        institutes__responses__campaign__kind__in=[CampaignKind.NEEDS, CampaignKind.OFFERS],
    ).distinct()


def summary_filter_institutes(*, year: int) -> QuerySet[Institute]:
    """Institutes that answered a needs or offers campaign of `year`, with
    their countries: the choices of the table's filter."""
    return (
        Institute.objects.filter(
            responses__campaign__year=year,
            responses__campaign__kind__in=[CampaignKind.NEEDS, CampaignKind.OFFERS],
        )
        .select_related("country")
        .distinct()
        .order_by("country__iso2", "acronym")
    )


@dataclass
class MatrixCell:
    area_code: str  # "none" for the row of items without an area
    activity_type: str  # "none" for items without an activity type
    needs: int = 0
    offers: int = 0
    url: str = ""  # the table filtered to this cell, set by the view

    @property
    def state(self) -> str:
        """gap: needed, nothing offered; surplus: offered, nobody asked;
        matched: both; empty: neither."""
        if self.needs and not self.offers:
            return "gap"
        if self.offers and not self.needs:
            return "surplus"
        return "matched" if self.needs else "empty"


@dataclass
class MatrixRow:
    area: MetrologyArea | None
    cells: list[MatrixCell]
    needs: int = 0
    offers: int = 0
    url: str = ""

    @property
    def code(self) -> str:
        return self.area.code if self.area else NONE


@dataclass
class Matrix:
    columns: list[tuple[str, str]]  # (activity type value or "none", label)
    rows: list[MatrixRow]
    column_totals: list[MatrixCell] = field(default_factory=list)
    needs: int = 0
    offers: int = 0


def summary_matrix(*, year: int, user, filters: dict | None = None) -> Matrix:
    """Metrology areas (and a row for items without one) by activity type,
    each cell the number of needs and of offers of `year` the user may read.
    The needs are those of the year's survey; the offers those that can
    serve the year: of the year's survey, and of earlier surveys whose
    period covers the year (`OfferScope.VALID`). `filters` may narrow both
    counts, e.g. by response status. Three queries: the areas, the need
    counts and the offer counts."""
    filters = {key: value for key, value in (filters or {}).items() if key not in ("area", "activity_type", "kind")}
    filters["offers"] = OfferScope.VALID
    counts: dict[tuple[str, str], MatrixCell] = {}
    for model in (Need, Offer):
        grouped = (
            _filtered(model, year=year, filters=filters, user=user)
            .order_by()
            .values("area__code", "activity_type")
            .annotate(n=Count("id"))
        )
        for entry in grouped:
            key = (entry["area__code"] or NONE, entry["activity_type"] or NONE)
            cell = counts.setdefault(key, MatrixCell(*key))
            if model is Need:
                cell.needs += entry["n"]
            else:
                cell.offers += entry["n"]

    columns = list(ActivityType.choices)
    if any(activity == NONE for _area, activity in counts):
        columns.append((NONE, _("Not specified")))
    matrix = Matrix(columns=columns, rows=[])
    totals = {value: MatrixCell("", value) for value, _label in columns}
    for area in [*MetrologyArea.objects.order_by("position", "code"), None]:
        code = area.code if area else NONE
        row = MatrixRow(area=area, cells=[counts.get((code, value)) or MatrixCell(code, value) for value, _l in columns])
        for cell in row.cells:
            row.needs += cell.needs
            row.offers += cell.offers
            totals[cell.activity_type].needs += cell.needs
            totals[cell.activity_type].offers += cell.offers
        matrix.rows.append(row)
        matrix.needs += row.needs
        matrix.offers += row.offers
    matrix.column_totals = [totals[value] for value, _label in columns]
    return matrix



def row_labeller() -> Callable[[dict], dict]:
    """A function that adds the display labels to a row of `summary_items`
    (kind, activity type, response status, the need's priority and the
    offer's terms) in the language active now; the labels are looked up once."""
    def labels(choices) -> dict[str, str]:
        return {value: str(label) for value, label in choices}

    kinds, activities = labels(ItemKind.choices), labels(ActivityType.choices)
    statuses, priorities = labels(Response.Status.choices), labels(Priority.choices)
    languages, conditions, paid_by = labels(Language.choices), labels(Conditions.choices), labels(PaidBy.choices)

    def label(row: dict) -> dict:
        row["kind_label"] = kinds.get(row["kind"], "")
        row["activity_label"] = activities.get(row["activity"], "")
        row["status_label"] = statuses.get(row["response_status"], "")
        row["priority_label"] = priorities.get(row["priority_"], "")
        row["languages_label"] = languages.get(row["languages_"], "")
        row["conditions_label"] = conditions.get(row["conditions_"], "")
        row["customs_label"] = paid_by.get(row["customs_"], "")
        return row

    return label


# --- The cached table ---------------------------------------------------------

def summary_version() -> int | None:
    """The version of what the summary shows (SummaryStamp, moved on by
    database triggers at every committed change), or None when it cannot
    serve as a cache key: inside a transaction (what this transaction wrote
    moves the stamp only at its commit) or without the stamp's row (a
    database flushed by a test). One query."""
    from django.db import connection

    from .models import SummaryStamp

    if connection.in_atomic_block:
        return None
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('version')} FROM {quote(SummaryStamp._meta.db_table)} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def reader_scope(user) -> str:
    """What part of the summary `user` may read, as a key: the same for every
    user who reads the same rows (Response.objects.visible_to)."""
    if user.has_role(Role.SECRETARIAT):
        return "all"
    own = user.institute_id if user.has_role(Role.RESPONDENT) and user.institute_id else 0
    return f"{'submitted' if user.has_role(Role.TASKGROUP, Role.COMMITTEE) else 'none'}-{own}"
