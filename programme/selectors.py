"""What the Programme's pages read: querysets already joined for their page,
so each page makes the same number of queries for 100 activities as for
20,000 (a page of rows is shown; counts are aggregates)."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from core.changelog import LogSource, change_log
from institutes.models import Institute

from .models import (
    Activity,
    ActivityUpdate,
    ConsultationComment,
    Direction,
    OutcomeDocument,
    ProgrammeVersion,
    quarter_code,
    quarter_parts,
)

_INSTITUTES = Institute.objects.select_related("country").order_by("country__iso2", "acronym")


def versions_for_list(*, user) -> QuerySet[ProgrammeVersion]:
    return (
        ProgrammeVersion.objects.visible_to(user)
        .select_related("programme", "approved_by", "published_by")
        .annotate(activities_count=Count("activities"))
        .order_by("-programme__first_year", "-year", "-number")
    )


def version_for_page(*, user, pk: int) -> ProgrammeVersion:
    try:
        return (
            ProgrammeVersion.objects.visible_to(user)
            .select_related("programme", "based_on", "approved_by", "published_by", "created_by")
            .get(pk=pk)
        )
    except (ProgrammeVersion.DoesNotExist, ValueError):
        raise Http404 from None


def latest_version_for(*, user) -> ProgrammeVersion | None:
    """The version a reader lands on: the latest published one; for those
    who see drafts, the latest of all."""
    versions = ProgrammeVersion.objects.visible_to(user).order_by("-year", "-number")
    published = versions.filter(status=ProgrammeVersion.Status.PUBLISHED).first()
    if user.has_perm("programme.view_drafts"):
        return versions.first() or published
    return published or versions.first()


def activities_of_version(*, version: ProgrammeVersion, user) -> QuerySet[Activity]:
    """The activities of `version` the user sees, joined for a row of the
    Programme page (area, sub-field, recipients and providers with their
    countries, the outcome), in the Programme's order."""
    return (
        Activity.objects.visible_to(user)
        .filter(version=version)
        .select_related("area", "subfield", "outcome")
        .prefetch_related(
            Prefetch("recipients", queryset=_INSTITUTES),
            Prefetch("providers", queryset=_INSTITUTES),
        )
        .annotate(comments_count=Count("comments", distinct=True))
        .order_by("direction", "position", "pk")
    )


def mark_concerns(activities, institute_id: int | None) -> list:
    """Set `concerns_me` on each activity (prefetched relations): whether it
    names the user's institute, for the row's highlight."""
    activities = list(activities)
    for activity in activities:
        activity.concerns_me = bool(institute_id) and any(
            i.pk == institute_id for i in [*activity.recipients.all(), *activity.providers.all()]
        )
    return activities


DIRECTION_ORDER = {value: n for n, value in enumerate(Direction.values)}


def sort_by_direction(activities) -> list:
    """Rows in the order of the source document's directions (the database
    orders the direction codes alphabetically)."""
    return sorted(activities, key=lambda a: (DIRECTION_ORDER.get(a.direction, 99), a.position, a.pk))


def ordered_by_direction(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
    from django.db.models import Case, IntegerField, Value, When

    order = Case(
        *(When(direction=value, then=Value(n)) for value, n in DIRECTION_ORDER.items()),
        default=Value(99),
        output_field=IntegerField(),
    )
    return queryset.annotate(direction_order=order).order_by("direction_order", "position", "pk")


def activity_for_page(*, user, pk: int) -> Activity:
    try:
        return (
            Activity.objects.visible_to(user)
            .select_related("version__programme", "area", "subfield", "carried_from__version")
            .prefetch_related(
                Prefetch("recipients", queryset=_INSTITUTES),
                Prefetch("providers", queryset=_INSTITUTES),
                "needs__response__institute",
                "offers__response__institute",
            )
            .get(pk=pk)
        )
    except (Activity.DoesNotExist, ValueError):
        raise Http404 from None


def outcome_of(activity: Activity):
    from .models import Outcome

    return (
        Outcome.objects.filter(activity=activity)
        .prefetch_related(Prefetch("documents", queryset=OutcomeDocument.objects.order_by("position", "pk")))
        .select_related("recorded_by")
        .first()
    )


def comments_of(*, activity: Activity, user) -> QuerySet[ConsultationComment]:
    return (
        ConsultationComment.objects.visible_to(user)
        .filter(activity=activity)
        .select_related("institute", "author", "answered_by")
        .order_by("created_at", "pk")
    )


def comments_of_version(*, version: ProgrammeVersion, user) -> QuerySet[ConsultationComment]:
    return (
        ConsultationComment.objects.visible_to(user)
        .filter(activity__version=version)
        .select_related("institute", "author", "answered_by", "activity")
        .order_by("activity__direction", "activity__position", "created_at", "pk")
    )


# --- Change logs --------------------------------------------------------------------

def activity_change_log(activity: Activity) -> list:
    """Every recorded change of the activity (its fields, its recipients and
    providers, its outcome, the comments on it), newest first."""
    from .models import Outcome

    entries = change_log(
        LogSource(Activity.history.filter(id=activity.pk), ignore=frozenset({"lineage"})),
        LogSource(Outcome.history.filter(activity_id=activity.pk)),
        LogSource(ConsultationComment.history.filter(activity_id=activity.pk)),
    )
    entries.extend(_relation_changes(activity))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


def _relation_changes(activity: Activity) -> list:
    """The changes of the recipients and providers, read from the snapshots
    simple_history keeps with each record of the activity: three queries."""
    from core.changelog import ChangeLogEntry, FieldChange

    records = list(
        Activity.history.filter(id=activity.pk).select_related("history_user").order_by("history_date", "history_id")
    )
    ids = [r.history_id for r in records]
    snapshots: dict = {name: defaultdict(set) for name in ("recipients", "providers")}
    institute_ids = set()
    history_model = Activity.history.model
    for name in ("recipients", "providers"):
        m2m = history_model._meta.get_field(f"historicalactivity_{name}").related_model
        for history_id, institute_id in m2m.objects.filter(history_id__in=ids).values_list("history_id", "institute_id"):
            snapshots[name][history_id].add(institute_id)
            institute_ids.add(institute_id)
    acronyms = dict(Institute.objects.filter(pk__in=institute_ids).values_list("pk", "acronym"))

    def shown(pks) -> str:
        return ", ".join(sorted(acronyms.get(pk, f"#{pk}") for pk in pks)) or "—"

    entries = []
    what = str(Activity._meta.verbose_name).capitalize()
    previous = None
    for record in records:
        if previous is not None:
            changes = []
            for name in ("recipients", "providers"):
                old, new = snapshots[name].get(previous.history_id, set()), snapshots[name].get(record.history_id, set())
                if old != new:
                    label = str(Activity._meta.get_field(name).verbose_name).capitalize()
                    changes.append(FieldChange(label, shown(old), shown(new)))
            if changes:
                entries.append(ChangeLogEntry(
                    when=record.history_date, who=record.history_user, what=what, action="~", changes=changes,
                    reason=record.history_change_reason or "",
                ))
        previous = record
    return entries


def version_change_log(version: ProgrammeVersion) -> list:
    return change_log(
        LogSource(ProgrammeVersion.history.filter(id=version.pk)),
        LogSource(Activity.history.filter(version_id=version.pk), describe=lambda r: r.title, ignore=frozenset({"lineage"})),
        LogSource(ConsultationComment.history.filter(activity__version=version)),
    )


# --- Progress -----------------------------------------------------------------------

@dataclass
class Progress:
    total: int = 0
    by_status: dict = field(default_factory=dict)
    by_direction: dict = field(default_factory=dict)  # direction -> {status: n, "total": n}
    by_country: dict = field(default_factory=dict)  # country name -> {status: n, "total": n}
    with_outcome: int = 0


def progress_of(*, activities: QuerySet[Activity]) -> Progress:
    """Counts of `activities` by status, by direction and status, and by
    recipient country and status: three aggregate queries."""
    progress = Progress()
    by_direction: dict = defaultdict(Counter)
    for row in activities.order_by().values("direction", "status").annotate(n=Count("pk")):
        by_direction[row["direction"]][row["status"]] += row["n"]
    for direction, counts in by_direction.items():
        counts["total"] = sum(v for k, v in counts.items() if k != "total")
    progress.by_direction = {d: dict(by_direction[d]) for d in DIRECTION_ORDER if d in by_direction}
    status_counts: Counter = Counter()
    for counts in by_direction.values():
        for status, n in counts.items():
            if status != "total":
                status_counts[status] += n
    progress.by_status = dict(status_counts)
    progress.total = sum(status_counts.values())
    by_country: dict = defaultdict(Counter)
    rows = (
        Activity.recipients.through.objects.filter(activity__in=activities.order_by().values("pk"))
        .values("institute__country__name", "activity__status")
        .annotate(n=Count("activity_id", distinct=True))
    )
    for row in rows:
        counts = by_country[row["institute__country__name"] or "—"]
        counts[row["activity__status"]] += row["n"]
        counts["total"] += row["n"]
    progress.by_country = {name: dict(by_country[name]) for name in sorted(by_country)}
    progress.with_outcome = activities.filter(outcome__isnull=False).count()
    return progress


# --- Timeline ----------------------------------------------------------------------

@dataclass
class TimelineRow:
    activity: Activity
    start: int  # 1-based column of the first quarter
    span: int


def timeline_columns(version: ProgrammeVersion) -> list[tuple[int, int]]:
    """(year, quarter) of every column: the Programme's period."""
    programme = version.programme
    return [(y, q) for y in range(programme.first_year, programme.last_year + 1) for q in range(1, 5)]


def timeline_rows(*, version: ProgrammeVersion, activities) -> list[TimelineRow]:
    columns = [quarter_code(y, q) for y, q in timeline_columns(version)]
    index = {code: n for n, code in enumerate(columns, start=1)}
    rows = []
    for activity in activities:
        first = activity.first_quarter or activity.last_quarter
        last = activity.last_quarter or activity.first_quarter
        if first is None:
            rows.append(TimelineRow(activity, 0, 0))
            continue
        start = index.get(first, 1 if first < columns[0] else len(columns))
        end = index.get(last, len(columns) if last > columns[-1] else 1)
        rows.append(TimelineRow(activity, start, max(1, end - start + 1)))
    return rows


# --- Comparison --------------------------------------------------------------------

COMPARED_FIELDS = (
    "title_ru", "title_en", "description_ru", "description_en", "direction", "activity_type", "area", "subfield",
    "first_quarter", "last_quarter", "status", "status_reason", "funding", "responsible", "notes",
)


@dataclass
class FieldDiff:
    name: str
    label: str
    before: str
    after: str


@dataclass
class ChangedActivity:
    before: Activity
    after: Activity
    diffs: list[FieldDiff]


@dataclass
class Comparison:
    a: ProgrammeVersion
    b: ProgrammeVersion
    added: list[Activity] = field(default_factory=list)
    removed: list[Activity] = field(default_factory=list)
    changed: list[ChangedActivity] = field(default_factory=list)
    unchanged: int = 0
    reasons: dict = field(default_factory=dict)  # lineage -> list of ActivityUpdate


def _shown(activity: Activity, name: str) -> str:
    from .models import quarter_label

    value = getattr(activity, name)
    if name in ("first_quarter", "last_quarter"):
        return quarter_label(value) or "—"
    f = Activity._meta.get_field(name)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value)) if value else "—"
    if value is None or value == "":
        return "—"
    return str(value)


def _institutes_text(institutes) -> str:
    return ", ".join(i.acronym for i in sorted(institutes, key=lambda i: i.acronym)) or "—"


def version_compare(*, a: ProgrammeVersion, b: ProgrammeVersion, user) -> Comparison:
    """The activities added, removed and changed (field by field) from
    version `a` to version `b`, matched by lineage, with the reasons the
    annual updates between them recorded. Six queries whatever the size."""
    def load(version):
        return {
            activity.lineage: activity
            for activity in Activity.objects.visible_to(user)
            .filter(version=version)
            .select_related("area", "subfield")
            .prefetch_related(Prefetch("recipients", queryset=_INSTITUTES), Prefetch("providers", queryset=_INSTITUTES))
            .order_by("direction", "position", "pk")
        }

    before, after = load(a), load(b)
    comparison = Comparison(a=a, b=b)
    labels = {name: str(Activity._meta.get_field(name).verbose_name) for name in COMPARED_FIELDS}
    from django.utils.translation import gettext as _

    for suffix, language in (("_ru", _("Russian")), ("_en", _("English"))):
        for base in ("title", "description"):
            labels[base + suffix] = f"{Activity._meta.get_field(base).verbose_name} ({language})"
    for lineage, new in after.items():
        old = before.get(lineage)
        if old is None:
            comparison.added.append(new)
            continue
        diffs = []
        for name in COMPARED_FIELDS:
            attname = Activity._meta.get_field(name).attname
            if getattr(old, attname) != getattr(new, attname):
                diffs.append(FieldDiff(name, labels[name].capitalize(), _shown(old, name), _shown(new, name)))
        for name in ("recipients", "providers"):
            old_set = {i.pk for i in getattr(old, name).all()}
            new_set = {i.pk for i in getattr(new, name).all()}
            if old_set != new_set:
                diffs.append(FieldDiff(
                    name, str(Activity._meta.get_field(name).verbose_name).capitalize(),
                    _institutes_text(getattr(old, name).all()), _institutes_text(getattr(new, name).all()),
                ))
        if diffs:
            comparison.changed.append(ChangedActivity(old, new, diffs))
        else:
            comparison.unchanged += 1
    comparison.removed = [old for lineage, old in before.items() if lineage not in after]
    low, high = sorted((a, b), key=lambda v: (v.year, v.number))
    updates = (
        ActivityUpdate.objects.filter(version__programme_id=high.programme_id)
        .filter(Q(version__year__gt=low.year) | Q(version__year=low.year, version__number__gt=low.number))
        .filter(Q(version__year__lt=high.year) | Q(version__year=high.year, version__number__lte=high.number))
        .select_related("previous", "decided_by", "version")
        .order_by("version__year", "version__number", "pk")
    )
    for update in updates:
        comparison.reasons.setdefault(update.previous.lineage, []).append(update)
    for activity in comparison.added + comparison.removed + [c.after for c in comparison.changed]:
        activity.update_reasons = comparison.reasons.get(activity.lineage, [])
    return comparison


def years_of(version: ProgrammeVersion) -> list[int]:
    return list(range(version.programme.first_year, version.programme.last_year + 1))


def quarter_year(code: int | None) -> int | None:
    return quarter_parts(code)[0] if code else None
