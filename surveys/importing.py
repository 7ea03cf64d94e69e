"""Import of responses collected on paper or by email, from an XLSX or CSV file.

`ResponseImport(campaign=..., by=..., file=...).run(dry_run=True)` reads the
file, checks every row and says per row whether it is new, unchanged, updated
or wrong, without writing anything. `run(dry_run=False)` does the same checks
again (the database may have changed since the dry run) and, only when every
row passes, writes everything in one transaction: nothing is ever
half-imported.

Rows are matched to what is already stored by a natural key, so re-running an
import of the same file is safe and changes nothing:
- needs and offers: (campaign, institute, activity type, area, sub-field,
  subject with case and spacing ignored);
- self-classification: (campaign, institute).
Items already stored but absent from the file are left alone: an import adds
and updates, it never deletes. A column left out of the file leaves that field
of existing items as it is.

`template_workbook(kind=...)` is the matching blank file to fill in.
"""
from __future__ import annotations

import csv
import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections, router, transaction
from django.db.models import F, TextChoices
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.spreadsheets import FORMULA_PREFIXES, safe_cell
from institutes.models import Institute, MetrologyArea, Role, SubField, User

from .models import (
    ActivityType,
    Campaign,
    CampaignKind,
    Conditions,
    ITEM_MODELS,
    MAX_CAPACITY,
    Language,
    PaidBy,
    Priority,
    Response,
)
from .services import (
    AREA_REQUIRED_TYPES,
    PERIOD_REVERSED,
    REQUIRED_NEED_FIELDS,
    REQUIRED_OFFER_FIELDS,
    SUBFIELD_NOT_IN_AREA,
)

# --- Limits -------------------------------------------------------------------
# Large enough for a whole RMO's answers in one file (the benchmark imports
# 10,000 rows), small enough to check in one request.
MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_ROWS = 20_000
# An XLSX is a zip: refuse one that unpacks to far more than it weighs.
MAX_UNPACKED_SIZE = 60 * 1024 * 1024
# Uploads kept between the dry run and the confirmation.
UPLOAD_FOLDER = "imports"
UPLOAD_TTL = timedelta(hours=1)
EXTENSIONS = {".xlsx": "xlsx", ".csv": "csv", ".txt": "csv"}
# Rows of the dry-run table listed besides those with errors (always all).
PREVIEW_ROWS = 1000
BATCH_SIZE = 500

# --- Messages -------------------------------------------------------------------
FILE_TOO_LARGE = _("The file is larger than %(max)s MB. Split it into several files.")
NOT_A_SPREADSHEET = _("This file is not a spreadsheet the portal can read. Upload an Excel workbook (.xlsx) or a CSV file (.csv).")
NO_HEADER = _("The first row of the file must hold the column headers, as in the template; it is empty.")
NO_ROWS = _("The file has a header row but no rows to import.")
TOO_MANY_ROWS = _("The file has more than %(max)s rows. Split it into several files.")
MISSING_COLUMN = _("The column “%(column)s” is missing. The first row must hold the column headers, as in the template.")
INSTITUTE_UNKNOWN = _("There is no institute with the acronym “%(value)s”.")
INSTITUTE_UNKNOWN_IN_COUNTRY = _("There is no institute with the acronym “%(value)s” in the country “%(country)s”.")
INSTITUTE_AMBIGUOUS = _("Several institutes have the acronym “%(value)s”: fill in the country column with the two-letter ISO code.")
INSTITUTE_NOT_ALLOWED = _("You may not import answers of %(value)s into this campaign: it is not one of the institutes invited to it.")
AREA_UNKNOWN = _("There is no metrology area with the code “%(value)s”. Use a KCDB code such as M or EM (see the “Allowed values” sheet).")
SUBFIELD_UNKNOWN = _("There is no sub-field with the code “%(value)s”. Use a code such as M-MASS (see the “Allowed values” sheet).")
AREA_REQUIRED = _("This activity type needs a metrology area.")
CHOICE_UNKNOWN = _("“%(value)s” is not one of the allowed values (see the “Allowed values” sheet).")
NOT_A_DATE = _("“%(value)s” is not a date. Write it as YYYY-MM-DD or DD.MM.YYYY.")
NOT_A_POSITIVE_NUMBER = _("“%(value)s” is not a whole number from 1 to %(max)s.")
NOT_YES_OR_NO = _("“%(value)s” is neither yes nor no.")
VALUE_REQUIRED = _("This column must be filled in.")
TEXT_TOO_LONG = _("The text is too long: at most %(max)s characters.")
DUPLICATE_ITEM = _("This row repeats row %(row)s: the same institute, activity type, area, sub-field and subject.")
DUPLICATE_INSTITUTE = _("This row repeats row %(row)s: one answer per institute.")
UPLOAD_EXPIRED = _("The uploaded file is no longer available (it expired or was already imported). Please upload it again.")
CHANGED_SINCE_DRY_RUN = _("Since the dry run, the data in the portal changed and some rows no longer pass the checks. Nothing was imported.")
IMPORT_DONE = ngettext_lazy(
    "%(count)s row imported into %(campaign)s: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.",
    "%(count)s rows imported into %(campaign)s: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.",
    "count",
)
YES = _("yes")
NO = _("no")
# Recorded with every historical record an import writes (data, not UI text).
HISTORY_REASON = "Imported from a spreadsheet"


class RowStatus(TextChoices):
    NEW = "new", pgettext_lazy("import row", "new")
    UNCHANGED = "unchanged", pgettext_lazy("import row", "unchanged")
    UPDATED = "updated", pgettext_lazy("import row", "updated")
    ERROR = "error", pgettext_lazy("import row", "error")


# --- Columns ----------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One column of an import file. `key` is also accepted as a header, so
    a file works whatever the language it was written in."""

    key: str
    header: Promise
    kind: str = "text"  # text, institute, country, choice, area, subfield, date, count, yes_no
    choices: type[TextChoices] | None = None
    max_length: int | None = None
    note: Promise | str = ""
    example: Any = ""

    def label(self) -> str:
        return str(self.header)


_INSTITUTE = Column("institute", _("Institute"), "institute", max_length=32,
                    note=_("Acronym of the institute, as in the portal."), example="UzNIM")
_COUNTRY = Column("country", _("Country (ISO code)"), "country", max_length=2,
                  note=_("Only needed when two institutes share an acronym."), example="UZ")
_ACTIVITY = Column("activity_type", _("Activity type"), "choice", ActivityType,
                   example=ActivityType.CALIBRATION)
_AREA = Column("area", _("Area code"), "area", note=_("KCDB code, e.g. M, EM, T."), example="M")
_SUBFIELD = Column("subfield", _("Sub-field code"), "subfield",
                   note=_("Code of a sub-field of the area, e.g. M-MASS."), example="M-MASS")
_SUBJECT = Column("subject", _("What exactly"), max_length=300,
                  note=_("Quantity, and the instrument or standard."),
                  example="Calibration of a set of E2 weights")
_RANGE = Column("measurement_range", _("Range"), max_length=100, example="1 mg – 1 kg")
_COMMENT = Column("comment", _("Comment"))
_DATE_NOTE = _("Date: YYYY-MM-DD or DD.MM.YYYY.")

NEED_COLUMNS = (
    _INSTITUTE, _COUNTRY, _ACTIVITY, _AREA, _SUBFIELD, _SUBJECT, _RANGE,
    Column("target_uncertainty", _("Target uncertainty"), max_length=100, example="0.1 mg"),
    Column("period_from", _("Wanted from"), "date", note=_DATE_NOTE, example=date(2027, 1, 1)),
    Column("period_to", _("Wanted until"), "date", note=_DATE_NOTE, example=date(2027, 12, 31)),
    Column("priority", _("Priority"), "choice", Priority, example=Priority.HIGH),
    _COMMENT,
)
OFFER_COLUMNS = (
    _INSTITUTE, _COUNTRY, _ACTIVITY, _AREA, _SUBFIELD, _SUBJECT, _RANGE,
    Column("capacity", _("Capacity per year"), "count",
           note=_("How many calibrations, internship places or participants a year."), example=4),
    Column("period_from", _("Available from"), "date", note=_DATE_NOTE, example=date(2027, 1, 1)),
    Column("period_to", _("Available until"), "date", note=_DATE_NOTE, example=date(2027, 12, 31)),
    Column("languages", _("Language(s)"), "choice", Language, example=Language.RU_EN),
    Column("conditions", _("Conditions"), "choice", Conditions, example=Conditions.CONTRACT),
    Column("customs_paid_by", _("Customs and logistics paid by"), "choice", PaidBy, example=PaidBy.RECIPIENT),
    Column("location", _("Location"), max_length=200, example="Tashkent"),
    _COMMENT,
)
SELF_CLASSIFICATION_COLUMNS = (
    _INSTITUTE, _COUNTRY,
    Column("considers_ceems", _("Counts itself as CEEMS"), "yes_no", note=_("yes or no"), example=True),
    Column("ceems_reason", _("Why"), example="The national measurement system is still being built."),
)
COLUMNS = {
    CampaignKind.NEEDS: NEED_COLUMNS,
    CampaignKind.OFFERS: OFFER_COLUMNS,
    CampaignKind.SELF_CLASSIFICATION: SELF_CLASSIFICATION_COLUMNS,
}
# Columns the file must have, and columns every row must fill in: what a
# submitted response needs (surveys.services.REQUIRED_*). The area is also
# required, but may be left empty where the activity type does not need one.
REQUIRED_COLUMNS = {
    CampaignKind.NEEDS: ("institute", "area", *REQUIRED_NEED_FIELDS),
    CampaignKind.OFFERS: ("institute", "area", *REQUIRED_OFFER_FIELDS),
    CampaignKind.SELF_CLASSIFICATION: ("institute", "considers_ceems"),
}
REQUIRED_VALUES = {
    CampaignKind.NEEDS: ("institute", *REQUIRED_NEED_FIELDS),
    CampaignKind.OFFERS: ("institute", *REQUIRED_OFFER_FIELDS),
    CampaignKind.SELF_CLASSIFICATION: ("institute", "considers_ceems"),
}
# Item fields an import sets; area and sub-field are stored as ids.
_MODEL_FIELDS = {"area": "area_id", "subfield": "subfield_id"}
_NOT_ITEM_FIELDS = {"institute", "country"}

_YES_WORDS = {"yes", "y", "true", "1", "да", "д", "+"}
_NO_WORDS = {"no", "n", "false", "0", "нет", "н", "-"}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]*)?$")
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_WHOLE_NUMBER = re.compile(r"^\d+$")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def normalize(value: Any) -> str:
    """Case and spacing do not matter when matching headers, codes and labels."""
    return " ".join(str(value).replace("\ufeff", "").split()).casefold()


def columns_for(kind: str) -> tuple[Column, ...]:
    return COLUMNS[kind]


def column_headers(*, kind: str, language: str | None = None) -> list[str]:
    """The header row of the template of `kind`, in `language` (default: the active one)."""
    with translation.override(language or translation.get_language()):
        return [column.label() for column in columns_for(kind)]


def _in_each_language(text) -> set[str]:
    found = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(normalize(text))
    return found


# --- Report -------------------------------------------------------------------------

@dataclass
class Problem:
    """A message about the file or one of its cells; translated when shown,
    so it reads in the language of the page that shows it."""

    message: Promise
    params: dict = field(default_factory=dict)
    column: Column | None = None

    @property
    def text(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)

    @property
    def column_label(self) -> str:
        return self.column.label() if self.column else ""

    def __str__(self) -> str:
        return f"{self.column_label}: {self.text}" if self.column else self.text


@dataclass
class RowResult:
    number: int  # as in the spreadsheet: the header is row 1
    institute: str = ""
    summary: str = ""
    status: str = RowStatus.NEW
    errors: list[Problem] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # labels of the columns an update changes

    def error(self, column: Column | None, message: Promise, **params) -> None:
        self.errors.append(Problem(message, params, column))
        self.status = RowStatus.ERROR

    @property
    def status_label(self) -> str:
        return RowStatus(self.status).label


@dataclass
class ImportReport:
    campaign: Campaign
    filename: str = ""
    rows: list[RowResult] = field(default_factory=list)
    file_errors: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(RowStatus.values, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not any(row.errors for row in self.rows)

    @property
    def has_changes(self) -> bool:
        counts = self.counts
        return bool(counts[RowStatus.NEW] or counts[RowStatus.UPDATED])

    @property
    def error_rows(self) -> list[RowResult]:
        return [row for row in self.rows if row.errors]

    @property
    def preview_rows(self) -> list[RowResult]:
        """Rows for the dry-run table: every row with an error, and the
        first PREVIEW_ROWS of the others, in file order."""
        shown, others = [], 0
        for row in self.rows:
            if row.errors or others < PREVIEW_ROWS:
                shown.append(row)
                others += not row.errors
        return shown

    @property
    def rows_not_shown(self) -> int:
        return len(self.rows) - len(self.preview_rows)

    def done_message(self) -> str:
        counts = self.counts
        return IMPORT_DONE % {
            "count": len(self.rows),
            "campaign": self.campaign,
            "new": counts[RowStatus.NEW],
            "updated": counts[RowStatus.UPDATED],
            "unchanged": counts[RowStatus.UNCHANGED],
        }


class ImportFileError(Exception):
    def __init__(self, *problems: Problem):
        super().__init__(", ".join(str(p.message) for p in problems))
        self.problems = list(problems)


# --- Reading files --------------------------------------------------------------------

def _read_bytes(file) -> bytes:
    size = getattr(file, "size", None)
    if size is not None and size > MAX_FILE_SIZE:
        raise ImportFileError(Problem(FILE_TOO_LARGE, {"max": MAX_FILE_SIZE // (1024 * 1024)}))
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_FILE_SIZE + 1)
    if len(data) > MAX_FILE_SIZE:
        raise ImportFileError(Problem(FILE_TOO_LARGE, {"max": MAX_FILE_SIZE // (1024 * 1024)}))
    return data


def _file_format(name: str) -> str:
    for extension, file_format in EXTENSIONS.items():
        if name.lower().endswith(extension):
            return file_format
    raise ImportFileError(Problem(NOT_A_SPREADSHEET))


def _rows_from_csv(data: bytes) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # What Russian Excel writes when asked for "CSV (разделители - запятые)".
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            raise ImportFileError(Problem(NOT_A_SPREADSHEET)) from None
    # A binary file decodes as cp1251 too; its control characters give it away.
    if data.startswith(b"PK\x03\x04") or re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text):
        raise ImportFileError(Problem(NOT_A_SPREADSHEET))
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error:
        raise ImportFileError(Problem(NOT_A_SPREADSHEET)) from None


def _rows_from_xlsx(data: bytes) -> list[list]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
        if "xl/workbook.xml" not in names or unpacked > MAX_UNPACKED_SIZE:
            raise ImportFileError(Problem(NOT_A_SPREADSHEET))
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception:  # openpyxl raises anything from KeyError to XML errors on a broken file
        raise ImportFileError(Problem(NOT_A_SPREADSHEET)) from None
    try:
        sheet = workbook.worksheets[0]
        # Some programs write a wrong sheet size; read what is really there.
        sheet.reset_dimensions()
        rows, filled = [], 0
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            filled += not all(_is_empty(cell) for cell in row)
            if filled > MAX_ROWS + 1:  # the header and one row too many are enough to refuse
                break
        return rows
    except Exception:
        raise ImportFileError(Problem(NOT_A_SPREADSHEET)) from None
    finally:
        workbook.close()


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    if type(value) is str:
        text = value.strip()
        # Undo the apostrophe the portal's exports put before formula-like text.
        if text[:1] == "'" and text[1:2] and text[1:2] in FORMULA_PREFIXES:
            text = text[1:]
        return text
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return _text(str(value))


def _parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
        from openpyxl.utils.datetime import from_excel

        return from_excel(value).date()
    text = _text(value)
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = match.groups()
    else:
        match = _DOTTED_DATE.match(text)
        if not match:
            return None
        day, month, year = match.groups()
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _parse_count(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        number = int(value) if value.is_integer() else None
    elif isinstance(value, int):
        number = value
    else:
        text = _text(value).replace("\u00a0", "").replace(" ", "")
        number = int(text) if _WHOLE_NUMBER.match(text) else None
    return number if number is not None and 0 < number <= MAX_CAPACITY else None


# --- The import ------------------------------------------------------------------------

@dataclass
class _Lookups:
    """Everything a row is checked against, loaded in a fixed number of queries."""

    institutes: dict[str, list[tuple[int, str, str]]]  # acronym -> [(id, acronym, iso2)]
    allowed: set[int]
    areas: dict[str, tuple[int, str]]  # code -> (id, code)
    subfields: dict[str, tuple[int, int, str]]  # code -> (id, area id, code)
    choices: dict[str, dict[str, Any]]  # column key -> alias -> value
    responses: dict[int, Response]  # institute id -> response


@dataclass
class _Plan:
    new_responses: dict[int, Response] = field(default_factory=dict)
    updated_responses: list[Response] = field(default_factory=list)
    new_items: list = field(default_factory=list)
    updated_items: list = field(default_factory=list)
    update_fields: list[str] = field(default_factory=list)
    changed_fields: set[str] = field(default_factory=set)


class ResponseImport:
    """Import the answers in `file` into the responses of `campaign`, as `by`.

    `run(dry_run=True)` only reports; `run(dry_run=False)` checks again and
    writes all rows in one transaction, or nothing if any row is wrong.
    Re-running either is safe: rows are matched by their natural key, so the
    same file imported twice changes nothing the second time. A response that
    does not exist yet is created as submitted by `by` (the answers were
    given on paper); an existing one keeps its status, and its revision is
    bumped so that a questionnaire open in a browser gets a conflict instead
    of overwriting the import. Every write is recorded in the history, with
    `by` as the user.
    """

    def __init__(self, *, campaign: Campaign, by: User, file):
        self.campaign = campaign
        self.kind = campaign.kind
        self.by = by
        self.file = file
        self.filename = getattr(file, "name", "") or ""
        self.content: bytes = b""

    # -- public entry --

    def run(self, *, dry_run: bool = True) -> ImportReport:
        report = ImportReport(campaign=self.campaign, filename=self.filename)
        try:
            indexes, rows = self._read(report)
        except ImportFileError as error:
            report.file_errors = error.problems
            return report
        if dry_run:
            self._check(indexes, rows, report)
            return report
        with transaction.atomic():
            # Two confirmations of one file queue here; the second finds every row unchanged.
            Campaign.objects.select_for_update().filter(pk=self.campaign.pk).first()
            plan = self._check(indexes, rows, report)
            if report.is_valid:
                self._write(plan)
                report.applied = True
        return report

    def institutes_allowed(self) -> set[int]:
        """Ids of the institutes whose answers `by` may import into the
        campaign: for the Secretariat, every institute invited to it."""
        if self.by.has_role(Role.SECRETARIAT):
            return set(self.campaign.invitations.values_list("institute_id", flat=True))
        return set()

    # -- reading --

    def _read(self, report: ImportReport) -> tuple[dict[str, int], list[tuple[int, list]]]:
        """The column positions by key and the non-empty data rows with their numbers."""
        file_format = _file_format(self.filename)
        self.content = _read_bytes(self.file)
        table = _rows_from_xlsx(self.content) if file_format == "xlsx" else _rows_from_csv(self.content)
        if not table or all(_is_empty(cell) for cell in table[0]):
            raise ImportFileError(Problem(NO_HEADER))
        indexes = self._map_headers(table[0], report)
        rows = [
            (number, row)
            for number, row in enumerate(table[1:], start=2)
            if not all(_is_empty(cell) for cell in row)
        ]
        if len(rows) > MAX_ROWS:
            raise ImportFileError(Problem(TOO_MANY_ROWS, {"max": MAX_ROWS}))
        if not rows:
            raise ImportFileError(Problem(NO_ROWS))
        return indexes, rows

    def _map_headers(self, header_row: list, report: ImportReport) -> dict[str, int]:
        aliases: dict[str, str] = {}
        for column in columns_for(self.kind):
            for alias in {normalize(column.key), normalize(column.key.replace("_", " ")), *_in_each_language(column.header)}:
                aliases.setdefault(alias, column.key)
        indexes: dict[str, int] = {}
        for position, cell in enumerate(header_row):
            if _is_empty(cell):
                continue
            key = aliases.get(normalize(str(cell)).rstrip("*: ").strip())
            if key is None:
                report.ignored_columns.append(_text(cell))
            else:
                indexes.setdefault(key, position)
        missing = [c for c in columns_for(self.kind) if c.key in REQUIRED_COLUMNS[self.kind] and c.key not in indexes]
        if missing:
            raise ImportFileError(*(Problem(MISSING_COLUMN, {"column": c.header}, c) for c in missing))
        return indexes

    # -- checking --

    def _lookups(self) -> _Lookups:
        institutes: dict[str, list] = {}
        for pk, acronym, iso2 in Institute.objects.values_list("pk", "acronym", "country__iso2"):
            institutes.setdefault(normalize(acronym), []).append((pk, acronym, iso2))
        choices = {}
        for column in columns_for(self.kind):
            if column.choices:
                aliases = {}
                for value, label in column.choices.choices:
                    for alias in {normalize(value), *_in_each_language(label)}:
                        aliases.setdefault(alias, value)
                choices[column.key] = aliases
            elif column.kind == "yes_no":
                choices[column.key] = {
                    **dict.fromkeys(_YES_WORDS | _in_each_language(YES), True),
                    **dict.fromkeys(_NO_WORDS | _in_each_language(NO), False),
                }
        areas = subfields = {}
        if self.kind in ITEM_MODELS:
            areas = {normalize(code): (pk, code) for pk, code in MetrologyArea.objects.values_list("pk", "code")}
            subfields = {
                normalize(code): (pk, area_id, code)
                for pk, area_id, code in SubField.objects.values_list("pk", "area_id", "code")
            }
        responses = {r.institute_id: r for r in Response.objects.filter(campaign=self.campaign)}
        return _Lookups(institutes, self.institutes_allowed(), areas, subfields, choices, responses)

    def _check(self, indexes: dict[str, int], rows: list[tuple[int, list]], report: ImportReport) -> _Plan:
        lookups = self._lookups()
        columns = [c for c in columns_for(self.kind) if c.key in indexes]
        required = set(REQUIRED_VALUES[self.kind])
        if self.kind in ITEM_MODELS:
            return self._check_items(indexes, rows, report, lookups, columns, required)
        return self._check_self_classification(indexes, rows, report, lookups, columns, required)

    def _values(self, row: list, result: RowResult, indexes, columns, required, lookups) -> dict[str, Any]:
        """The row's cells converted to model values; problems go to `result`."""
        values: dict[str, Any] = {}
        for column in columns:
            position = indexes[column.key]
            raw = row[position] if position < len(row) else None
            if _is_empty(raw):
                if column.key in required:
                    result.error(column, VALUE_REQUIRED)
                values[column.key] = "" if column.kind in ("text", "choice", "country") else None
                continue
            value = self._convert(column, raw, result, lookups)
            if value is not None:
                values[column.key] = value
        return values

    def _convert(self, column: Column, raw, result: RowResult, lookups: _Lookups):
        shown = _text(raw)[:80]
        if column.kind == "date":
            value = _parse_date(raw)
            if value is None:
                result.error(column, NOT_A_DATE, value=shown)
            return value
        if column.kind == "count":
            value = _parse_count(raw)
            if value is None:
                result.error(column, NOT_A_POSITIVE_NUMBER, value=shown, max=MAX_CAPACITY)
            return value
        if column.kind == "yes_no":
            value = raw if isinstance(raw, bool) else lookups.choices[column.key].get(normalize(raw))
            if value is None:
                result.error(column, NOT_YES_OR_NO, value=shown)
            return value
        if column.kind == "choice":
            value = lookups.choices[column.key].get(normalize(raw))
            if value is None:
                result.error(column, CHOICE_UNKNOWN, value=shown)
            return value
        if column.kind == "area":
            area = lookups.areas.get(normalize(raw))
            if area is None:
                result.error(column, AREA_UNKNOWN, value=shown)
            return area
        if column.kind == "subfield":
            subfield = lookups.subfields.get(normalize(raw))
            if subfield is None:
                result.error(column, SUBFIELD_UNKNOWN, value=shown)
            return subfield
        text = _text(raw)
        if column.kind == "country":
            return text.upper()
        if column.max_length and len(text) > column.max_length:
            result.error(column, TEXT_TOO_LONG, max=column.max_length)
            return None
        return text

    def _institute(self, values: dict, result: RowResult, lookups: _Lookups) -> int | None:
        acronym = values.get("institute")
        if not acronym:
            return None
        column = next(c for c in columns_for(self.kind) if c.key == "institute")
        country = values.get("country") or ""
        result.institute = f"{acronym} ({country})" if country else acronym
        candidates = lookups.institutes.get(normalize(acronym), [])
        if country:
            candidates = [c for c in candidates if c[2] == country]
        if len(candidates) > 1:
            # Two institutes share the acronym: the invited one is meant.
            candidates = [c for c in candidates if c[0] in lookups.allowed] or candidates
        if not candidates:
            if country:
                result.error(column, INSTITUTE_UNKNOWN_IN_COUNTRY, value=acronym, country=country)
            else:
                result.error(column, INSTITUTE_UNKNOWN, value=acronym)
            return None
        if len(candidates) > 1:
            result.error(column, INSTITUTE_AMBIGUOUS, value=acronym)
            return None
        pk, acronym, iso2 = candidates[0]
        result.institute = f"{iso2} · {acronym}"
        if pk not in lookups.allowed:
            result.error(column, INSTITUTE_NOT_ALLOWED, value=acronym)
            return None
        return pk

    def _check_items(self, indexes, rows, report, lookups, columns, required) -> _Plan:
        model = ITEM_MODELS[self.kind]
        by_key = {c.key: c for c in columns_for(self.kind)}
        existing: dict[tuple, Any] = {}
        last_position: dict[int, int] = {}
        institute_of = {response.pk: institute_id for institute_id, response in lookups.responses.items()}
        area_of_subfield = {pk: area_id for pk, area_id, _code in lookups.subfields.values()}
        for item in model.objects.filter(response__campaign=self.campaign).order_by("position", "pk"):
            # As for a row, a stored sub-field without its area means the sub-field's area.
            area_id = item.area_id or area_of_subfield.get(item.subfield_id)
            key = (institute_of[item.response_id], item.activity_type, area_id, item.subfield_id, normalize(item.subject))
            existing.setdefault(key, item)
            last_position[item.response_id] = max(last_position.get(item.response_id, 0), item.position)
        fields = [c.key for c in columns if c.key not in _NOT_ITEM_FIELDS]
        plan = _Plan(update_fields=[_MODEL_FIELDS.get(key, key) for key in fields])
        seen: dict[tuple, int] = {}
        activity_labels = {value: str(label) for value, label in ActivityType.choices}
        touched_responses: set[int] = set()
        new_positions: dict[int, int] = {}

        for number, row in rows:
            result = RowResult(number=number)
            report.rows.append(result)
            values = self._values(row, result, indexes, columns, required, lookups)
            institute_id = self._institute(values, result, lookups)
            area, subfield = values.get("area"), values.get("subfield")
            if subfield and area and subfield[1] != area[0]:
                result.error(by_key["subfield"], SUBFIELD_NOT_IN_AREA)
            elif subfield and not area and "area" not in [p.column.key for p in result.errors if p.column]:
                area = (subfield[1], "")  # the sub-field tells the area
            activity = values.get("activity_type")
            if activity in AREA_REQUIRED_TYPES and not area and not any(
                p.column and p.column.key == "area" for p in result.errors
            ):
                result.error(by_key["area"], AREA_REQUIRED)
            start, end = values.get("period_from"), values.get("period_to")
            if start and end and start > end:
                result.error(by_key["period_to"], PERIOD_REVERSED)
            values["area"] = area[0] if area else None
            values["subfield"] = subfield[0] if subfield else None
            subject = values.get("subject") or ""
            result.summary = " · ".join(
                part for part in (
                    activity_labels.get(activity, ""),
                    subfield[2] if subfield else (area[1] if area else ""),
                    subject[:120],
                ) if part
            )
            if result.errors:
                continue
            key = (institute_id, activity, values["area"], values["subfield"], normalize(subject))
            if key in seen:
                result.error(None, DUPLICATE_ITEM, row=seen[key])
                continue
            seen[key] = number
            item = existing.get(key)
            if item is None:
                result.status = RowStatus.NEW
                response = lookups.responses.get(institute_id) or plan.new_responses.get(institute_id)
                if response is None:
                    response = self._new_response(institute_id)
                    plan.new_responses[institute_id] = response
                response_key = response.pk or f"new-{institute_id}"
                new_positions[response_key] = new_positions.get(
                    response_key, last_position.get(response.pk, 0) if response.pk else 0
                ) + 1
                item = model(response=response, position=new_positions[response_key])
                for key_name in fields:
                    setattr(item, _MODEL_FIELDS.get(key_name, key_name), values[key_name])
                plan.new_items.append(item)
                if response.pk:
                    touched_responses.add(response.pk)
                continue
            for key_name in fields:
                attribute = _MODEL_FIELDS.get(key_name, key_name)
                if getattr(item, attribute) != values[key_name]:
                    setattr(item, attribute, values[key_name])
                    result.changed.append(by_key[key_name].label())
                    plan.changed_fields.add(attribute)
            if result.changed:
                result.status = RowStatus.UPDATED
                plan.updated_items.append(item)
                touched_responses.add(item.response_id)
            else:
                result.status = RowStatus.UNCHANGED
        plan.updated_responses = [r for r in lookups.responses.values() if r.pk in touched_responses]
        return plan

    def _check_self_classification(self, indexes, rows, report, lookups, columns, required) -> _Plan:
        plan = _Plan(update_fields=[c.key for c in columns if c.key not in _NOT_ITEM_FIELDS])
        by_key = {c.key: c for c in columns_for(self.kind)}
        seen: dict[int, int] = {}
        for number, row in rows:
            result = RowResult(number=number)
            report.rows.append(result)
            values = self._values(row, result, indexes, columns, required, lookups)
            institute_id = self._institute(values, result, lookups)
            answer = values.get("considers_ceems")
            if answer is not None:
                result.summary = f"{by_key['considers_ceems'].label()}: {YES if answer else NO}"
            if values.get("ceems_reason"):
                result.summary += f" · {values['ceems_reason'][:120]}"
            if result.errors:
                continue
            if institute_id in seen:
                result.error(by_key["institute"], DUPLICATE_INSTITUTE, row=seen[institute_id])
                continue
            seen[institute_id] = number
            response = lookups.responses.get(institute_id)
            if response is None:
                response = self._new_response(institute_id)
                plan.new_responses[institute_id] = response
                result.status = RowStatus.NEW
            for name in plan.update_fields:
                if getattr(response, name) != values[name]:
                    setattr(response, name, values[name])
                    if response.pk:
                        result.changed.append(by_key[name].label())
            if response.pk:
                result.status = RowStatus.UPDATED if result.changed else RowStatus.UNCHANGED
                if result.changed:
                    plan.updated_responses.append(response)
        return plan

    def _new_response(self, institute_id: int) -> Response:
        # Paper answers were given in full: the response counts as submitted.
        return Response(
            campaign=self.campaign,
            institute_id=institute_id,
            status=Response.Status.SUBMITTED,
            submitted_by=self.by,
            submitted_at=timezone.now(),
        )

    # -- writing --

    def _write(self, plan: _Plan) -> None:
        history = {"default_user": self.by, "default_change_reason": f"{HISTORY_REASON}: {self.filename}"[:100]}
        now = timezone.now()
        if plan.new_responses:
            created = bulk_create_with_history(list(plan.new_responses.values()), Response, batch_size=BATCH_SIZE, **history)
            for response in created:
                plan.new_responses[response.institute_id].pk = response.pk
        if plan.updated_responses:
            if self.kind in ITEM_MODELS:
                # The items carry the history; the response only claims a new
                # revision, so that a browser form opened before the import conflicts.
                Response.objects.filter(pk__in=[r.pk for r in plan.updated_responses]).update(
                    revision=F("revision") + 1, updated_at=now
                )
            else:
                for response in plan.updated_responses:
                    response.revision += 1
                    response.updated_at = now
                bulk_update_with_history(
                    plan.updated_responses, Response, [*plan.update_fields, "revision", "updated_at"],
                    batch_size=BATCH_SIZE, **history,
                )
        if self.kind not in ITEM_MODELS:
            return
        model = ITEM_MODELS[self.kind]
        for item in plan.new_items:
            item.response_id = item.response.pk  # set once the new responses have their ids
        if plan.new_items:
            bulk_create_with_history(plan.new_items, model, batch_size=BATCH_SIZE, **history)
        if plan.updated_items:
            fields = [name for name in plan.update_fields if name in plan.changed_fields]
            _update_rows(model, plan.updated_items, fields)
            # No fields: the rows are written above; this records their history.
            bulk_update_with_history(plan.updated_items, model, [], batch_size=BATCH_SIZE, **history)


def _update_rows(model, objects: list, fields: list[str]) -> None:
    """Write `fields` of `objects` with one UPDATE statement run for each row
    (executemany). Django's bulk_update builds a CASE per field over the whole
    batch, which takes seconds for ten thousand rows; this takes a fraction."""
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    params = [
        [column.get_db_prep_save(getattr(obj, column.attname), connection) for column in columns] + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# --- Keeping an upload between the dry run and the confirmation -------------------------

def upload_keep(*, content: bytes, filename: str) -> str:
    """Store an uploaded file under an unguessable name and return its token.
    Files older than UPLOAD_TTL are removed on the way."""
    uploads_purge_stale()
    token = uuid.uuid4().hex
    default_storage.save(_upload_path(token, filename), ContentFile(content))
    return token


def upload_open(*, token: str, filename: str) -> ContentFile | None:
    """The kept file, named as uploaded, or None if it is gone or expired."""
    path = _upload_path(token, filename)
    if not default_storage.exists(path):
        return None
    if timezone.now() - default_storage.get_modified_time(path) > UPLOAD_TTL:
        default_storage.delete(path)
        return None
    with default_storage.open(path, "rb") as kept:
        return ContentFile(kept.read(), name=filename)


def upload_discard(*, token: str, filename: str) -> None:
    default_storage.delete(_upload_path(token, filename))


def uploads_purge_stale() -> int:
    """Delete kept uploads older than UPLOAD_TTL; returns how many."""
    try:
        _folders, files = default_storage.listdir(UPLOAD_FOLDER)
    except FileNotFoundError:
        return 0
    removed = 0
    limit = timezone.now() - UPLOAD_TTL
    for name in files:
        path = f"{UPLOAD_FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
                removed += 1
        except FileNotFoundError:  # another process removed it first
            continue
    return removed


def _upload_path(token: str, filename: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{32}", token):
        raise ValueError("bad upload token")
    return f"{UPLOAD_FOLDER}/{token}.{_file_format(filename)}"


# --- The template to fill in -------------------------------------------------------------

def _sheet_title(text) -> str:
    return _SHEET_TITLE_FORBIDDEN.sub(" ", str(text))[:31]


def _display(column: Column, value):
    if column.choices and value:
        return str(column.choices(value).label)
    if column.kind == "yes_no":
        return str(YES if value else NO)
    return value


def template_workbook(*, kind: str) -> bytes:
    """An XLSX to fill in for a campaign of `kind`, in the active language:
    the header row and one example row on the first sheet, the allowed values
    (activity types, areas, sub-fields, priorities...) on the second."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = columns_for(kind)
    required = set(REQUIRED_COLUMNS[kind])
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(_("Answers"))
    values_sheet = workbook.create_sheet(_sheet_title(_("Allowed values")))
    bold = Font(bold=True)

    for position, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=position, value=safe_cell(column.label()))
        cell.font = bold
        note = str(_("Required.")) if column.key in required else ""
        if column.note:
            note = f"{note} {column.note}".strip()
        if note:
            cell.comment = Comment(note, "CEEMS Portal")
        example = sheet.cell(row=2, column=position, value=safe_cell(_display(column, column.example)))
        if column.kind == "date":
            example.number_format = "yyyy-mm-dd"
        sheet.column_dimensions[get_column_letter(position)].width = max(14, min(len(column.label()) + 4, 48))
    sheet.freeze_panes = "A2"

    # The allowed values, one list per column, side by side.
    lists: list[tuple[list, list[list], Column | None]] = []
    for column in columns:
        if column.choices:
            lists.append(([column.label()], [[str(label)] for _value, label in column.choices.choices], column))
        elif column.kind == "yes_no":
            lists.append(([column.label()], [[str(YES)], [str(NO)]], column))
    if kind in ITEM_MODELS:
        lists.append((
            [_("Area code"), _("Name")],
            [[area.code, area.name] for area in MetrologyArea.objects.order_by("position", "code")],
            next(c for c in columns if c.key == "area"),
        ))
        lists.append((
            [_("Sub-field code"), _("Name"), _("Area code")],
            [[s.code, s.name, s.area.code] for s in SubField.objects.select_related("area").order_by("area__position", "position", "code")],
            next(c for c in columns if c.key == "subfield"),
        ))
    first = 1
    quoted = values_sheet.title.replace("'", "''")
    for headers, entries, column in lists:
        width = len(headers)
        for offset, part in enumerate(headers):
            header = values_sheet.cell(row=1, column=first + offset, value=safe_cell(str(part)))
            header.font = bold
            values_sheet.column_dimensions[get_column_letter(first + offset)].width = 12 if offset == 0 and width > 1 else 40
        for row_number, entry in enumerate(entries, start=2):
            for offset, value in enumerate(entry):
                values_sheet.cell(row=row_number, column=first + offset, value=safe_cell(value))
        if column is not None and entries:
            letter = get_column_letter(first)
            target = get_column_letter(columns.index(column) + 1)
            # A drop-down to pick from, never a stop: values in the other language are accepted too.
            validation = DataValidation(
                type="list",
                formula1=f"'{quoted}'!${letter}$2:${letter}${len(entries) + 1}",
                allow_blank=True,
                errorStyle="warning",
            )
            sheet.add_data_validation(validation)
            validation.add(f"{target}2:{target}{MAX_ROWS + 1}")
        first += width + 1

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
