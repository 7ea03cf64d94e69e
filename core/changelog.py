"""The change log every app reuses: who changed what and when, read from
django-simple-history's tables.

    entries = change_log(
        LogSource(Response.history.filter(id=response.pk)),
        LogSource(Need.history.filter(response_id=response.pk), describe=lambda r: r.subject),
    )

and in the page `{% include "core/_change_log.html" with entries=entries %}`.

Each entry says when, who, what (the kind of thing and which one), the
action (created, changed, removed), the reason recorded with it (an import's
file name) and, for a change, the fields that changed with their values
before and after when they are short enough to show. Newest first, at most
`limit` entries. The number of queries does not depend on the size of the
history: per source one for the records in the window, one for the records
just before it (to compare the oldest ones against), and one per kind of
related object named in a changed field.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

# Bookkeeping columns nobody edits.
ALWAYS_IGNORED = frozenset({
    "id", "history_id", "history_date", "history_change_reason", "history_type", "history_user",
    "history_relation", "revision", "created_at", "updated_at", "position", "password", "last_login",
})
# Longer values are named as changed, not shown.
SHORT = 80


@dataclass
class FieldChange:
    field: str
    before: str | None = None
    after: str | None = None

    @property
    def shown(self) -> bool:
        return self.before is not None or self.after is not None


@dataclass
class ChangeLogEntry:
    when: datetime
    who: object
    what: str
    action: str  # "+" created, "~" changed, "-" removed (simple_history's history_type)
    changes: list[FieldChange] = field(default_factory=list)
    reason: str = ""

    @property
    def action_label(self) -> str:
        return {"+": _("created"), "-": _("removed")}.get(self.action, _("changed"))


@dataclass
class LogSource:
    """One history queryset, e.g. `Need.history.filter(response_id=5)`, and
    how to name one of its records beyond its model's name."""

    records: QuerySet
    describe: Callable[[object], str] | None = None
    ignore: frozenset[str] = frozenset()


def _translated_originals(fields) -> set[str]:
    """modeltranslation's untranslated column (`name` beside `name_ru`,
    `name_en`) repeats one language: the translated ones are shown instead."""
    names = {f.name for f in fields}
    codes = [code.replace("-", "_") for code, _name in settings.LANGUAGES]
    return {name for name in names if all(f"{name}_{code}" in names for code in codes)}


def _display(f, value, related: dict) -> str | None:
    if value is None or value == "":
        return "—"
    if f.is_relation:
        return str(related.get((f.related_model, value), f"#{value}"))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    text = str(value)
    return text if len(text) <= SHORT and "\n" not in text else None


def _previous_records(source: LogSource, window: list) -> dict[int, object]:
    """For each object whose oldest record in the window is not its
    creation, the record just before the window: two queries at most."""
    model = source.records.model
    oldest: dict[int, object] = {}
    for record in window:
        if record.id not in oldest or record.history_id < oldest[record.id].history_id:
            oldest[record.id] = record
    wanted = [(pk, record.history_id) for pk, record in oldest.items() if record.history_type != "+"]
    if not wanted:
        return {}
    condition = Q()
    for pk, history_id in wanted:
        condition |= Q(id=pk, history_id__lt=history_id)
    previous_ids = (
        model.objects.filter(condition).order_by().values("id").annotate(last=Max("history_id")).values_list("last", flat=True)
    )
    return {record.id: record for record in model.objects.filter(history_id__in=list(previous_ids))}


def change_log(*sources: LogSource | QuerySet, limit: int = 300) -> list[ChangeLogEntry]:
    """The newest `limit` changes recorded in `sources` (history querysets,
    bare or as LogSource), newest first."""
    pending = []  # (record, before, fields, source)
    related_ids: dict = defaultdict(set)
    for source in sources:
        if not isinstance(source, LogSource):
            source = LogSource(source)
        model = source.records.model
        window = list(source.records.select_related("history_user").order_by("-history_date", "-history_id")[:limit])
        concrete = [f for f in model._meta.concrete_fields if f.name not in ALWAYS_IGNORED | source.ignore]
        skip = _translated_originals(concrete)
        fields = [f for f in concrete if f.name not in skip]
        before_window = _previous_records(source, window)
        chain = dict(before_window)
        for record in reversed(window):  # oldest first, to compare each with the one before
            before = chain.get(record.id)
            chain[record.id] = record
            pending.append((record, before, fields, source))
            for f in fields:
                if f.is_relation:
                    for value in (getattr(record, f.attname), getattr(before, f.attname, None)):
                        if value is not None:
                            related_ids[f.related_model].add(value)
    related = {
        (related_model, obj.pk): obj
        for related_model, ids in related_ids.items()
        for obj in related_model._base_manager.filter(pk__in=ids)
    }
    entries = []
    for record, before, fields, source in pending:
        changes = []
        if record.history_type == "~" and before is not None:
            for f in fields:
                old, new = getattr(before, f.attname), getattr(record, f.attname)
                if old != new:
                    shown_old, shown_new = _display(f, old, related), _display(f, new, related)
                    if shown_old is None or shown_new is None:
                        shown_old = shown_new = None
                    changes.append(FieldChange(str(f.verbose_name), shown_old, shown_new))
            if not changes:
                continue  # a save that changed nothing a person would see
        model = source.records.model
        what = str(model._meta.verbose_name).capitalize()
        original = getattr(model, "instance_type", None)
        if original is not None:
            what = str(original._meta.verbose_name).capitalize()
        if source.describe is not None:
            described = source.describe(record)
            if described:
                what = f"{what} {described}"
        entries.append(
            ChangeLogEntry(
                when=record.history_date,
                who=record.history_user,
                what=what,
                action=record.history_type,
                changes=changes,
                reason=record.history_change_reason or "",
            )
        )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]
