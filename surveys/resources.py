"""The spreadsheet import of needs and offers, on django-import-export: one
`ModelResource` per item kind (NeedResource, OfferResource), used by the
Secretariat's import page (surveys.importing.ResponseImport) and by the
admin's import alike.

What django-import-export does: the fields and their widgets turn cells
into values; `import_id_fields` names the natural key a row is matched by
(institute, activity type, area, sub-field, subject with case and spacing
ignored); `import_data(dry_run=...)` runs the rows, in one transaction when
confirming; its row results say per row whether it is new, updated,
unchanged (skipped) or invalid, and use_bulk writes in batches.

What is the portal's own, as widgets and hooks:
- headers in Russian or English, or the column keys (`before_import`);
- choice labels in either language (`ChoiceWidget`), KCDB codes (`CodeWidget`),
  dates as Excel dates, YYYY-MM-DD or DD.MM.YYYY, counts from 1 to MAX_CAPACITY;
- the institute by acronym (and country where two share one), only one
  invited to the campaign (`InstituteWidget`); a row of an institute without
  a response creates its paper response, submitted by the importing user;
- every row checked as the questionnaire checks an item (required values,
  the sub-field in its area, the period in order), and a row repeating an
  earlier one refused;
- all rows or none: when any row is wrong nothing is written, and a dry run
  writes nothing at all (not even inside a rolled-back transaction);
- each row's problems as translated messages bound to its column, in
  `rows` (surveys.importing.RowResult), besides the library's own results.
The size, encoding and memory guards of the file are surveys.importing's
readers, which the admin's import formats use too (PortalCSV, PortalXLSX).
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.results import RowResult as LibraryRowResult
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.history import bulk_create_with_sql_history
from institutes.models import Institute, MetrologyArea, SubField

from . import importing
from .columns import AREA, CHOICE, COUNTRY, DATE, INSTITUTE, NUMBER, SUBFIELD, Column
from .importing import (
    AREA_REQUIRED,
    BATCH_SIZE,
    CHOICE_UNKNOWN,
    DUPLICATE_ITEM,
    HISTORY_REASON,
    NOT_A_DATE,
    NOT_A_POSITIVE_NUMBER,
    ROW_FAILED,
    SUBFIELD_UNKNOWN,
    AREA_UNKNOWN,
    VALUE_REQUIRED,
    CellError,
    RowResult,
    RowStatus,
    is_empty,
    normalize,
)
from .models import ActivityType, Campaign, CampaignKind, ITEM_MODELS, MAX_CAPACITY, Need, Offer, Response
from .services import AREA_REQUIRED_TYPES, PERIOD_REVERSED, SUBFIELD_NOT_IN_AREA


# --- Widgets ------------------------------------------------------------------------
# Each turns one cell into the model's value or raises CellError with a
# translated message; an empty cell never reaches them (ItemResource.clean_row).

class TextWidget(widgets.CharWidget):
    def __init__(self, *, max_length: int | None = None):
        super().__init__()
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        text = importing.cell_text(value)
        if self.max_length and len(text) > self.max_length:
            raise CellError(importing.TEXT_TOO_LONG, max=self.max_length)
        return text


class CountryWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        return super().clean(value, row).upper()


class ChoiceWidget(widgets.Widget):
    """A value of `choices` by its stored value or its label in any language."""

    def __init__(self, choices):
        super().__init__()
        self.choices = choices
        self.aliases = importing.choice_aliases(choices)

    def clean(self, value, row=None, **kwargs):
        found = self.aliases.get(normalize(value))
        if found is None:
            raise CellError(CHOICE_UNKNOWN, value=importing.shown(value))
        return found

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


class CodeWidget(widgets.Widget):
    """A metrology area or sub-field by its KCDB code, as (id, area id, code);
    the codes are loaded once per import (`load`)."""

    def __init__(self, model, message):
        super().__init__()
        self.model, self.message = model, message
        self.codes: dict[str, tuple[int, int, str]] = {}

    def load(self) -> None:
        if self.model is SubField:
            rows = SubField.objects.values_list("pk", "area_id", "code")
        else:
            rows = ((pk, pk, code) for pk, code in MetrologyArea.objects.values_list("pk", "code"))
        self.codes = {normalize(code): (pk, area_id, code) for pk, area_id, code in rows}

    def clean(self, value, row=None, **kwargs):
        found = self.codes.get(normalize(value))
        if found is None:
            raise CellError(self.message, value=importing.shown(value))
        return found


class DateWidget(widgets.DateWidget):
    """An Excel date, YYYY-MM-DD or DD.MM.YYYY."""

    def clean(self, value, row=None, **kwargs):
        parsed = importing.parse_date(value)
        if parsed is None:
            raise CellError(NOT_A_DATE, value=importing.shown(value))
        return parsed


class CountWidget(widgets.IntegerWidget):
    """A whole number from 1 to MAX_CAPACITY."""

    def clean(self, value, row=None, **kwargs):
        number = importing.parse_count(value)
        if number is None:
            raise CellError(NOT_A_POSITIVE_NUMBER, value=importing.shown(value), max=MAX_CAPACITY)
        return number


class InstituteWidget(widgets.Widget):
    """The institute of the row by acronym, and by the row's country where
    two institutes share the acronym; only an institute whose answers the
    importing user may import into the campaign (the invited ones, for the
    Secretariat). The institutes are loaded once per import (`load`)."""

    def __init__(self):
        super().__init__()
        self.by_acronym: dict[str, list[tuple[int, str, str]]] = {}
        self.allowed: set[int] = set()

    def load(self, *, allowed: set[int]) -> None:
        self.by_acronym = {}
        for pk, acronym, iso2 in Institute.objects.values_list("pk", "acronym", "country__iso2"):
            self.by_acronym.setdefault(normalize(acronym), []).append((pk, acronym, iso2))
        self.allowed = allowed

    def clean(self, value, row=None, **kwargs) -> tuple[int, str]:
        """(id, "ISO · acronym"); the label goes to the row's result even when
        the institute may not be imported."""
        acronym = importing.cell_text(value)
        country = importing.cell_text((row or {}).get("country")).upper()
        candidates = importing.institute_candidates(self.by_acronym, self.allowed, acronym, country)
        if not candidates:
            if country:
                raise CellError(importing.INSTITUTE_UNKNOWN_IN_COUNTRY, value=acronym, country=country)
            raise CellError(importing.INSTITUTE_UNKNOWN, value=acronym)
        if len(candidates) > 1:
            raise CellError(importing.INSTITUTE_AMBIGUOUS, value=acronym)
        pk, acronym, iso2 = candidates[0]
        if pk not in self.allowed:
            raise CellError(importing.INSTITUTE_NOT_ALLOWED, value=acronym, label=f"{iso2} · {acronym}")
        return pk, f"{iso2} · {acronym}"


def _field(column: Column) -> fields.Field:
    attribute = {"area": "area_id", "subfield": "subfield_id", "institute": None, "country": None}.get(
        column.key, column.key
    )
    if column.kind == INSTITUTE:
        widget = InstituteWidget()
    elif column.kind == COUNTRY:
        widget = CountryWidget(max_length=column.max_length)
    elif column.kind == CHOICE:
        widget = ChoiceWidget(column.choices)
    elif column.kind == AREA:
        widget = CodeWidget(MetrologyArea, AREA_UNKNOWN)
    elif column.kind == SUBFIELD:
        widget = CodeWidget(SubField, SUBFIELD_UNKNOWN)
    elif column.kind == DATE:
        widget = DateWidget()
    elif column.kind == NUMBER:
        widget = CountWidget()
    else:
        widget = TextWidget(max_length=column.max_length)
    return fields.Field(attribute=attribute, column_name=column.key, widget=widget)


# --- The resources --------------------------------------------------------------------

class ItemResource(resources.ModelResource):
    """Needs or offers of one campaign, imported as `by` (see the module's
    docstring). `rows` holds each row's result for the import page;
    `numbers` maps the dataset's rows to the spreadsheet's row numbers (the
    header is row 1), which the import page sets since it leaves empty rows
    out; the admin's dataset has them all."""

    kind: str = ""
    natural_key = ("institute", "activity_type", "area", "subfield", "subject")

    def __init__(self, *, campaign: Campaign | None = None, by=None, numbers: list[int] | None = None, filename: str = ""):
        # Without a campaign it only describes its columns (the admin's import page).
        super().__init__()
        if campaign is not None and campaign.kind != self.kind:
            raise ValueError(f"{type(self).__name__} imports into a {self.kind} campaign, not {campaign.kind}")
        self.campaign, self.by, self.filename = campaign, by, filename
        self.numbers = numbers
        self.columns = {column.key: column for column in importing.columns_for(self.kind)}
        self.rows: list[RowResult] = []
        self.ignored_columns: list[str] = []
        self.example_rows: list[int] = []

    class Meta:
        import_id_fields = ("institute", "activity_type", "area", "subfield", "subject")
        use_bulk = True
        batch_size = None  # written at the end, all rows or none
        skip_diff = True  # changes are found field by field (import_instance)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False  # checked as the questionnaire checks an item (check_row)
        use_transactions = True

    # -- the import, as django-import-export runs it --

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        """django-import-export's import. A dry run asked for without a
        transaction runs without one: it writes nothing (bulk_create and
        bulk_update below), so there is nothing to roll back."""
        self.dry_run = dry_run
        if dry_run and use_transactions is False:
            return self.import_data_inner(dataset, True, raise_errors, False, kwargs.pop("collect_failed_rows", False), **kwargs)
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=use_transactions, **kwargs)

    def before_import(self, dataset, **kwargs):
        """Headers to keys; everything rows are checked against, loaded in a
        fixed number of queries; the campaign locked while confirming, so two
        confirmations of one file queue and the second finds every row unchanged."""
        if not self.dry_run:
            Campaign.objects.select_for_update().filter(pk=self.campaign.pk).first()
        importing.map_dataset_headers(dataset, kind=self.kind, ignored=self.ignored_columns)
        if self.numbers is None:
            self.numbers = list(range(2, len(dataset) + 2))
            importing.drop_example_rows(dataset, self.numbers, self.example_rows)
        self.present = [self.fields[key] for key in dataset.headers if key in self.fields]
        required = set(importing.REQUIRED_VALUES[self.kind])
        # (key, column, widget, required, value of an empty cell) of each column of the file.
        self.cleaners = [
            (field.column_name, self.columns[field.column_name], field.widget, field.column_name in required,
             "" if self.columns[field.column_name].kind in ("text", CHOICE, COUNTRY) else None)
            for field in self.present
        ]
        self.setters = [(field.attribute, field.column_name) for field in self.present if field.attribute]
        allowed = importing.institutes_allowed(campaign=self.campaign, by=self.by)
        self.fields["institute"].widget.load(allowed=allowed)
        self.fields["area"].widget.load()
        self.fields["subfield"].widget.load()
        self.responses = {r.institute_id: r for r in Response.objects.filter(campaign=self.campaign)}
        self.new_responses: dict[int, Response] = {}
        self.response_rows: dict[int, int] = {}  # institute id -> rows that write into its response
        self.touched: set[int] = set()
        self.positions: dict[Any, int] = {}
        self.existing: dict[tuple, Any] = {}
        area_of_subfield = {pk: area_id for pk, area_id, _code in self.fields["subfield"].widget.codes.values()}
        institute_of = {response.pk: institute_id for institute_id, response in self.responses.items()}
        for item in self._meta.model.objects.filter(response__campaign=self.campaign).order_by("position", "pk"):
            # As for a row, a stored sub-field without its area means the sub-field's area.
            area_id = item.area_id or area_of_subfield.get(item.subfield_id)
            key = (institute_of[item.response_id], item.activity_type, area_id, item.subfield_id, normalize(item.subject))
            self.existing.setdefault(key, item)
            self.positions[item.response_id] = max(self.positions.get(item.response_id, 0), item.position)
        self.seen: dict[tuple, int] = {}
        self.labels: dict[int, str] = {}
        self.changed_fields: set[str] = set()
        self.activity_labels = {value: str(label) for value, label in ActivityType.choices}

    def before_import_row(self, row, **kwargs):
        number = self.numbers[kwargs["row_number"] - 1]
        self.current = RowResult(number=number)
        self.rows.append(self.current)
        self.values = self.clean_row(row, self.current)

    def get_instance(self, instance_loader, row):
        """The stored item with the row's natural key, from the items loaded
        once by before_import (no query per row)."""
        values, result = self.values, self.current
        if result.errors:
            return None
        key = (values["institute"], values.get("activity_type", ""), values.get("area"), values.get("subfield"),
               normalize(values.get("subject", "")))
        if key in self.seen:
            result.error(None, DUPLICATE_ITEM, row=self.seen[key])
            return None
        self.seen[key] = result.number
        return self.existing.get(key)

    def init_instance(self, row=None):
        return self._meta.model()

    def import_instance(self, instance, row, **kwargs):
        """Set the row's values on the item, noting which columns change an
        existing one; the row's problems become the ValidationError that
        makes it invalid."""
        result, values = self.current, self.values
        if result.errors:
            messages: dict[str, list[str]] = {}
            for problem in result.errors:
                messages.setdefault(problem.column.key if problem.column else "__all__", []).append(problem.text)
            raise ValidationError(messages)
        if instance.pk is None:
            institute_id = values["institute"]
            response = self.responses.get(institute_id) or self.new_responses.get(institute_id)
            if response is None:
                response = self.new_paper_response(institute_id)
                self.new_responses[institute_id] = response
            instance.response = response
            slot = response.pk or f"new-{institute_id}"
            self.positions[slot] = self.positions.get(slot, 0) + 1
            instance.position = self.positions[slot]
        new = instance.pk is None
        for attribute, key in self.setters:
            value = values[key]
            if new:
                setattr(instance, attribute, value)
            elif getattr(instance, attribute) != value:
                setattr(instance, attribute, value)
                result.changed.append(self.columns[key].label(self.kind))
                self.changed_fields.add(attribute)
        institute_id = values["institute"]
        if instance.pk is None or result.changed:
            self.response_rows[institute_id] = self.response_rows.get(institute_id, 0) + 1
            if instance.response_id:
                self.touched.add(instance.response_id)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """An existing item the row does not change is skipped: unchanged."""
        return not import_validation_errors and instance.pk is not None and not self.current.changed

    def after_import_row(self, row, row_result, **kwargs):
        result = self.current
        status = {
            LibraryRowResult.IMPORT_TYPE_NEW: RowStatus.NEW,
            LibraryRowResult.IMPORT_TYPE_UPDATE: RowStatus.UPDATED,
            LibraryRowResult.IMPORT_TYPE_SKIP: RowStatus.UNCHANGED,
        }.get(row_result.import_type)
        if row_result.import_type == LibraryRowResult.IMPORT_TYPE_ERROR and not result.errors:
            result.error(None, ROW_FAILED)
        elif status and not result.errors:
            result.status = status

    def save_m2m(self, instance, row, **kwargs):
        pass  # items have no many-to-many fields; the base class would walk every field per row

    # -- writing (use_bulk: called once, after every row) --

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """The new paper responses, then the new items, with their history.
        Nothing in a dry run, nothing when any row is wrong."""
        if dry_run or not self._all_rows_valid(result):
            self.create_instances.clear()
            return
        history = self._history()
        if self.new_responses:
            created = bulk_create_with_history(list(self.new_responses.values()), Response, batch_size=BATCH_SIZE, **history)
            for response in created:
                self.new_responses[response.institute_id].pk = response.pk
        for item in self.create_instances:
            item.response_id = item.response.pk  # set once the new responses have their ids
        if self.create_instances:
            # The items' history by INSERT ... SELECT: thousands of history
            # objects built in Python cost as much as the items themselves.
            bulk_create_with_sql_history(
                self.create_instances, self._meta.model, user=history["default_user"],
                reason=history["default_change_reason"], batch_size=BATCH_SIZE,
            )
        self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """The changed fields of the updated items (one UPDATE per row,
        executemany), their history, and a new revision of every existing
        response a row changed, so that a questionnaire open in a browser
        gets a conflict instead of overwriting the import."""
        if dry_run or not self._all_rows_valid(result):
            self.update_instances.clear()
            return
        if self.update_instances:
            names = sorted(self.changed_fields)
            importing.update_rows(self._meta.model, self.update_instances, names)
            # No fields: the rows are written above; this records their history.
            bulk_update_with_history(self.update_instances, self._meta.model, [], batch_size=BATCH_SIZE, **self._history())
        if self.touched:
            Response.objects.filter(pk__in=self.touched).update(revision=F("revision") + 1, updated_at=timezone.now())
        self.update_instances.clear()

    # -- the portal's own --

    def clean_row(self, row, result: RowResult) -> dict[str, Any]:
        """The row's cells as model values through the fields' widgets, and
        the checks across cells; problems go to `result`, bound to their column."""
        values: dict[str, Any] = {}
        for key, column, widget, required, empty in self.cleaners:
            raw = row[key]
            if raw is None or raw == "" or (type(raw) is str and raw.isspace()):
                if required:
                    result.error(column, VALUE_REQUIRED)
                values[key] = empty
                continue
            code = importing.control_character(raw)
            if code:
                result.error(column, importing.CONTROL_CHARACTER, code=code)
                continue
            try:
                values[key] = widget.clean(raw, row=row)
            except CellError as error:
                if key == "institute" and error.params.get("label"):
                    result.institute = error.params["label"]
                result.error(column, error.message, **{k: v for k, v in error.params.items() if k != "label"})
        institute = values.get("institute")
        if institute:
            values["institute"], result.institute = institute
            self.labels[institute[0]] = result.institute
        elif "institute" in row and not is_empty(row["institute"]):
            country = importing.cell_text(row.get("country"))
            result.institute = result.institute or importing.cell_text(row["institute"]) + (f" ({country})" if country else "")
        self.check_row(values, result)
        return values

    def check_row(self, values: dict[str, Any], result: RowResult) -> None:
        """The rules of an item across its cells, as the questionnaire's
        submit checks them; codes become ids."""
        area, subfield = values.get("area"), values.get("subfield")
        area_failed = any(p.column and p.column.key == "area" for p in result.errors)
        if subfield and area and subfield[1] != area[0]:
            result.error(self.columns["subfield"], SUBFIELD_NOT_IN_AREA)
        elif subfield and not area and not area_failed:
            area = (subfield[1], subfield[1], "")  # the sub-field tells the area
        activity = values.get("activity_type")
        if activity in AREA_REQUIRED_TYPES and not area and not area_failed:
            result.error(self.columns["area"], AREA_REQUIRED)
        start, end = values.get("period_from"), values.get("period_to")
        if start and end and start > end:
            result.error(self.columns["period_to"], PERIOD_REVERSED)
        values["area"] = area[0] if area else None
        values["subfield"] = subfield[0] if subfield else None
        subject = values.get("subject") or ""
        place = ""
        if subfield:
            place = subfield[2]
        elif area:
            place = area[2]
        result.summary = " · ".join(part for part in (self.activity_labels.get(activity, ""), place, subject[:120]) if part)

    def new_paper_response(self, institute_id: int) -> Response:
        """The response of an institute that had none: the answers were
        given in full on paper, so it counts as submitted, by the importing
        user (the import page says so before the confirmation)."""
        return Response(
            campaign=self.campaign,
            institute_id=institute_id,
            status=Response.Status.SUBMITTED,
            submitted_by=self.by,
            submitted_at=timezone.now(),
        )

    def response_plan(self) -> list[dict]:
        """What the import does to each institute's response, for the dry
        run's page: {"institute": label, "state", "rows"}, where state is
        "new" (created, submitted by the importing user: the institute can
        no longer answer online until reopened), "draft" (the rows join the
        institute's draft or reopened response, which stays so) or
        "submitted" (the rows join the submitted response)."""
        plan = []
        for institute_id, rows in self.response_rows.items():
            response = self.responses.get(institute_id)
            if response is None:
                state = "new"
            elif response.status == Response.Status.SUBMITTED:
                state = "submitted"
            else:
                state = "draft"
            plan.append({"institute": self.labels.get(institute_id, ""), "state": state, "rows": rows})
        return sorted(plan, key=lambda entry: entry["institute"])

    def _all_rows_valid(self, result) -> bool:
        return not (result and (result.has_validation_errors() or result.has_errors())) and not any(
            row.errors for row in self.rows
        )

    def _history(self) -> dict:
        return {"default_user": self.by, "default_change_reason": f"{HISTORY_REASON}: {self.filename}"[:100]}


def _item_fields(kind: str) -> dict[str, fields.Field]:
    return {column.key: _field(column) for column in importing.columns_for(kind)}


def _item_resource(name: str, kind: str, model) -> type[ItemResource]:
    """The resource of one item kind: its fields are those of the kind's
    columns (surveys.columns), handed to django-import-export's metaclass
    as the class attributes it collects."""
    keys = tuple(column.key for column in importing.columns_for(kind))
    meta = type("Meta", (ItemResource.Meta,), {"model": model, "fields": keys})
    attrs = {"__module__": __name__, "__qualname__": name, "kind": kind, "Meta": meta, **_item_fields(kind)}
    return type(ItemResource)(name, (ItemResource,), attrs)


NeedResource = _item_resource("NeedResource", CampaignKind.NEEDS, Need)
OfferResource = _item_resource("OfferResource", CampaignKind.OFFERS, Offer)


RESOURCES = {CampaignKind.NEEDS: NeedResource, CampaignKind.OFFERS: OfferResource}
assert set(RESOURCES) == set(ITEM_MODELS)
