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

Needs and offers are imported through their django-import-export resources
(surveys.resources.NeedResource, OfferResource), which the admin's import
uses too; this module reads the file (with the size, encoding and memory
guards), maps its headers, and shows the result. Self-classification
answers, one per institute, are read here directly.

What happens to each institute's response (shown on the dry run's page):
- no response yet: the import creates it, submitted by the importing user
  (the answers were given in full on paper); the institute can no longer
  answer online until the Secretariat reopens it;
- a draft (or a reopened response) online: the rows are added to it and it
  stays a draft, which the institute still edits and submits itself;
- a submitted response: the rows are added to it and it stays submitted.

The template's example row is never imported: its institute cell reads
EXAMPLE_INSTITUTE, and a row left so (or the example of an older template)
is skipped and named on the dry run's page.

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
from django.db.models import TextChoices
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy
from import_export.formats import base_formats
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.spreadsheets import FORMULA_PREFIXES, safe_cell
from institutes.models import Institute, MetrologyArea, Role, SubField, User

# The columns of each kind, kept importable from here.
from .columns import IMPORT_COLUMNS, NEED_COLUMNS, OFFER_COLUMNS, SELF_CLASSIFICATION_COLUMNS, Column  # noqa: F401
from .models import ActivityType, Campaign, CampaignKind, ITEM_MODELS, MAX_CAPACITY, MIN_CAPACITY, Response  # noqa: F401
from .services import REQUIRED_NEED_FIELDS, REQUIRED_OFFER_FIELDS

# --- Limits -------------------------------------------------------------------
# Large enough for a whole RMO's answers in one file (the benchmark imports
# 10,000 rows), small enough to check in one request.
MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_ROWS = 20_000
# An XLSX is a zip: refuse one that unpacks to far more than it weighs.
MAX_UNPACKED_SIZE = 60 * 1024 * 1024
# Columns read from a workbook: the templates have at most 15; a value
# further right is refused, so a row's memory never depends on how far to
# the right its last cell claims to be (XFD is column 16,384).
MAX_COLUMNS = 64
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
ONLY_EXAMPLE = _("The file holds only the template's example row, which is never imported. Write your rows over it or below it.")
MIXED_ENCODING = _("Line %(line)s is not in the encoding of line %(other)s: the file mixes UTF-8 and Windows-1251 text. Save the whole file again in one encoding (UTF-8 is best) and upload it again.")
CONTROL_CHARACTER = _("The cell holds an invisible control character (%(code)s) that cannot be stored. Delete it and upload the file again.")
HEADER_CONTROL_CHARACTER = _("The header of column %(column)s holds an invisible control character (%(code)s). Delete it and upload the file again.")
BEYOND_LAST_COLUMN = _("Cell %(cell)s holds a value beyond column %(last)s, the last one the portal reads. Delete the columns to the right of the template's columns and upload the file again.")
ROW_FAILED = _("This row could not be read.")
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
# The institute cell of the template's example row: a row left so is never imported.
EXAMPLE_INSTITUTE = _("Example (not imported)")
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
# The columns of each kind's file are surveys.columns' (IMPORT_COLUMNS), the
# one definition the summary's exports use too.
COLUMNS = IMPORT_COLUMNS
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
_NOT_ITEM_FIELDS = {"institute", "country"}

_YES_WORDS = {"yes", "y", "true", "1", "да", "д", "+"}
_NO_WORDS = {"no", "n", "false", "0", "нет", "н", "-"}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]*)?$")
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_WHOLE_NUMBER = re.compile(r"^\d+$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def normalize(value: Any) -> str:
    """Case and spacing do not matter when matching headers, codes and labels."""
    if type(value) is str and value.isascii() and value.isprintable() and "  " not in value and value == value.strip():
        return value.casefold()  # the common case, quicker
    return " ".join(str(value).replace("\ufeff", "").split()).casefold()


def institute_candidates(institutes: dict, allowed, acronym: str, country: str) -> list[tuple]:
    """The institutes a row's acronym (and country, if the row gives one) may
    name, as (id, acronym, ISO code), from `institutes` (normalized acronym:
    candidates). When two share the acronym, the invited one (in `allowed`)
    is meant."""
    candidates = institutes.get(normalize(acronym), [])
    if country:
        candidates = [c for c in candidates if c[2] == country]
    if len(candidates) > 1:
        candidates = [c for c in candidates if c[0] in allowed] or candidates
    return candidates


def columns_for(kind: str) -> tuple[Column, ...]:
    return COLUMNS[kind]


def column_headers(*, kind: str, language: str | None = None) -> list[str]:
    """The header row of the template of `kind`, in `language` (default: the active one)."""
    with translation.override(language or translation.get_language()):
        return [column.label(kind) for column in columns_for(kind)]


def choice_aliases(choices) -> dict[str, Any]:
    """What a cell may hold for a value of `choices`: the value, or its label
    in any of the portal's languages, case and spacing ignored."""
    aliases: dict[str, Any] = {}
    for value, label in choices.choices:
        for alias in {normalize(value), *_in_each_language(label)}:
            aliases.setdefault(alias, value)
    return aliases


def institutes_allowed(*, campaign: Campaign, by: User) -> set[int]:
    """Ids of the institutes whose answers `by` may import into `campaign`:
    for whoever may import (the Secretariat; an administrator in the admin),
    every institute invited to it."""
    if by.has_role(Role.SECRETARIAT) or by.has_perm("surveys.import_responses"):
        return set(campaign.invitations.values_list("institute_id", flat=True))
    return set()


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
    kind: str = ""  # the campaign kind, whose template names the column

    @property
    def text(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)

    @property
    def column_label(self) -> str:
        return self.column.label(self.kind) if self.column else ""

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
    kind: str = ""

    def error(self, column: Column | None, message: Promise, **params) -> None:
        self.errors.append(Problem(message, params, column, self.kind))
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
    example_rows: list[int] = field(default_factory=list)  # the template's example, never imported
    responses: list[dict] = field(default_factory=list)  # what happens to each institute's response
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


class CellError(ValueError):
    """A cell that cannot be imported: a translated message and its
    parameters (surveys.resources' widgets raise it)."""

    def __init__(self, message: Promise, **params):
        super().__init__(str(message))
        self.message, self.params = message, params


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
    text = _decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error:
        raise ImportFileError(Problem(NOT_A_SPREADSHEET)) from None


def _decode_csv(data: bytes) -> str:
    """The text of a CSV file in UTF-8 (with or without a byte-order mark)
    or, failing that, Windows-1251, which Russian Excel writes. A file that
    mixes the two (lines pasted from another file) is refused with the
    first line that differs from the lines before it: decoded either way,
    part of it would be stored as mojibake."""
    # A zip (an XLSX named .csv) or a NUL byte: not text at all.
    if data.startswith(b"PK\x03\x04") or b"\x00" in data:
        raise ImportFileError(Problem(NOT_A_SPREADSHEET))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    first: dict[str, int] = {}
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8-sig" if number == 1 else "utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1251"
        first.setdefault(encoding, number)
        if len(first) == 2:
            other = first["utf-8"] if encoding == "cp1251" else first["cp1251"]
            raise ImportFileError(Problem(MIXED_ENCODING, {"line": number, "other": other}))
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError:
        raise ImportFileError(Problem(NOT_A_SPREADSHEET)) from None


def _rows_from_xlsx(data: bytes) -> list[list]:
    """The first sheet's rows, read so that memory follows the file's real
    content: openpyxl's read-only parser, cells beyond MAX_COLUMNS refused
    (a row holding one cell in column XFD would otherwise become 16,384
    values), and every row, empty or missing ones too, counted against
    MAX_ROWS (a sheet claiming a million empty rows stops at the limit)."""
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._reader import WorkSheetParser

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
        rows: list[list] = []
        # The sheet's own parser, as openpyxl's iter_rows uses it, but
        # without padding every row to the widest one. (The dimension the
        # file claims is not trusted either: some programs write it wrong.)
        with sheet._get_source() as source:
            parser = WorkSheetParser(source, workbook.shared_strings, data_only=True, epoch=workbook.epoch,
                                     date_formats=workbook._date_formats,
                                     timedelta_formats=workbook._timedelta_formats)
            for number, cells in parser.parse():
                if number > MAX_ROWS + 1:  # the header and one row too many are enough to refuse
                    raise ImportFileError(Problem(TOO_MANY_ROWS, {"max": MAX_ROWS}))
                while len(rows) < number - 1:
                    rows.append([])  # a row the file leaves out is an empty row
                row: list = []
                for cell in cells:
                    column, value = cell["column"], cell["value"]
                    if column > MAX_COLUMNS:
                        if not is_empty(value):
                            raise ImportFileError(Problem(BEYOND_LAST_COLUMN, {
                                "cell": f"{get_column_letter(column)}{number}", "last": get_column_letter(MAX_COLUMNS),
                            }))
                        continue
                    if column > len(row):
                        row.extend([None] * (column - len(row)))
                    row[column - 1] = value
                rows.append(row)
        return rows
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(Problem(NOT_A_SPREADSHEET)) from None
    finally:
        workbook.close()


def control_character(value) -> str | None:
    """The first control character in a text cell, as U+XXXX, or None.
    Tab, line feed and carriage return are text."""
    if type(value) is str:
        found = _CONTROL.search(value)
        if found:
            return f"U+{ord(found.group()):04X}"
    return None


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value) -> str:
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
    return cell_text(str(value))


def shown(value) -> str:
    """A cell's text as a message quotes it."""
    return cell_text(value)[:80]


def parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
        from openpyxl.utils.datetime import from_excel

        return from_excel(value).date()
    text = cell_text(value)
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


def parse_count(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        number = int(value) if value.is_integer() else None
    elif isinstance(value, int):
        number = value
    else:
        text = cell_text(value).replace("\u00a0", "").replace(" ", "")
        number = int(text) if _WHOLE_NUMBER.match(text) else None
    return number if number is not None and MIN_CAPACITY <= number <= MAX_CAPACITY else None  # models.validate_capacity's bounds


# --- The import ------------------------------------------------------------------------

# --- Headers and rows ------------------------------------------------------------------

def _header_aliases(kind: str) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for column in columns_for(kind):
        names = {normalize(column.key), normalize(column.key.replace("_", " "))}
        for header in {column.header, *column.headers.values()}:
            names |= _in_each_language(header)
        for alias in names:
            aliases.setdefault(alias, column.key)
    return aliases


def map_headers(header_row: list, *, kind: str, ignored: list[str]) -> dict[str, int]:
    """The position of each known column in `header_row`, by key; headers
    may be in Russian or English, or the keys. Unknown headers go to
    `ignored`; a required column missing, or a header hiding a control
    character, is an ImportFileError."""
    from openpyxl.utils import get_column_letter

    aliases = _header_aliases(kind)
    indexes: dict[str, int] = {}
    for position, cell in enumerate(header_row):
        if is_empty(cell):
            continue
        code = control_character(cell)
        if code:
            raise ImportFileError(Problem(HEADER_CONTROL_CHARACTER, {"column": get_column_letter(position + 1), "code": code}))
        key = aliases.get(normalize(str(cell)).rstrip("*: ").strip())
        if key is None:
            ignored.append(cell_text(cell))
        else:
            indexes.setdefault(key, position)
    missing = [c for c in columns_for(kind) if c.key in REQUIRED_COLUMNS[kind] and c.key not in indexes]
    if missing:
        raise ImportFileError(*(Problem(MISSING_COLUMN, {"column": c.headers.get(kind, c.header)}, c, kind) for c in missing))
    return indexes


def map_dataset_headers(dataset, *, kind: str, ignored: list[str]) -> None:
    """`dataset` (a tablib Dataset, as the admin reads a file) with its
    known columns under their keys and the others dropped; the natural
    key's optional sub-field added empty when the file has none."""
    indexes = map_headers(list(dataset.headers or []), kind=kind, ignored=ignored)
    if list(dataset.headers) == list(indexes) and "subfield" in indexes:
        return
    positions = list(indexes.values())
    rows = [[row[i] if i < len(row) else None for i in positions] for row in dataset]
    keys = list(indexes)
    if kind in ITEM_MODELS and "subfield" not in indexes:
        keys.append("subfield")
        rows = [[*row, None] for row in rows]
    dataset.wipe()
    dataset.headers = keys
    for row in rows:
        dataset.append(row)


def example_row_test():
    """A function telling whether a row (cells by key) is the template's
    example: its institute cell says so in any language, or it is the
    example row of a template from before that (UzNIM's weights), which
    must not become UzNIM's answer. The words are looked up once."""
    markers = _in_each_language(EXAMPLE_INSTITUTE)
    old_subject = normalize(COLUMNS[CampaignKind.NEEDS][5].example)

    def is_example(values: dict[str, Any]) -> bool:
        institute = values.get("institute")
        if is_empty(institute):
            return False
        institute = normalize(institute)
        return institute in markers or (institute == "uznim" and normalize(values.get("subject") or "") == old_subject)

    return is_example


def drop_example_rows(dataset, numbers: list[int], example_rows: list[int]) -> None:
    """Remove from `dataset` (and `numbers`, its rows' numbers) the empty
    rows and the template's example rows, whose numbers go to `example_rows`."""
    headers = list(dataset.headers)
    is_example_row = example_row_test()
    keep_rows, keep_numbers = [], []
    for number, row in zip(numbers, dataset):
        if all(is_empty(cell) for cell in row):
            continue
        if is_example_row(dict(zip(headers, row))):
            example_rows.append(number)
            continue
        keep_rows.append(row)
        keep_numbers.append(number)
    if len(keep_rows) != len(dataset):
        dataset.wipe()
        dataset.headers = headers
        for row in keep_rows:
            dataset.append(row)
    numbers[:] = keep_numbers


# --- The import ------------------------------------------------------------------------

@dataclass
class _Lookups:
    """Everything a self-classification row is checked against, loaded in a fixed number of queries."""

    institutes: dict[str, list[tuple[int, str, str]]]  # acronym -> [(id, acronym, iso2)]
    allowed: set[int]
    choices: dict[str, dict[str, Any]]  # column key -> alias -> value
    responses: dict[int, Response]  # institute id -> response


@dataclass
class _Plan:
    new_responses: dict[int, Response] = field(default_factory=dict)
    updated_responses: list[Response] = field(default_factory=list)
    update_fields: list[str] = field(default_factory=list)


class ResponseImport:
    """Import the answers in `file` into the responses of `campaign`, as `by`.

    `run(dry_run=True)` only reports and writes nothing; `run(dry_run=False)`
    checks again and writes all rows in one transaction, or nothing if any
    row is wrong. Re-running either is safe: rows are matched by their
    natural key, so the same file imported twice changes nothing the second
    time. Needs and offers go through their django-import-export resource
    (surveys.resources); what happens to each institute's response is in
    the module's docstring and on the dry run's page. An existing response's
    revision is bumped so that a questionnaire open in a browser gets a
    conflict instead of overwriting the import. Every write is recorded in
    the history, with `by` as the user.
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
        if self.kind in ITEM_MODELS:
            self._import_items(indexes, rows, report, dry_run=dry_run)
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
        return institutes_allowed(campaign=self.campaign, by=self.by)

    # -- reading --

    def _read(self, report: ImportReport) -> tuple[dict[str, int], list[tuple[int, list]]]:
        """The column positions by key and the data rows to import with
        their numbers: neither empty rows nor the template's example."""
        file_format = _file_format(self.filename)
        self.content = _read_bytes(self.file)
        table = _rows_from_xlsx(self.content) if file_format == "xlsx" else _rows_from_csv(self.content)
        if not table or all(is_empty(cell) for cell in table[0]):
            raise ImportFileError(Problem(NO_HEADER))
        indexes = map_headers(table[0], kind=self.kind, ignored=report.ignored_columns)
        rows = [
            (number, row)
            for number, row in enumerate(table[1:], start=2)
            if not all(is_empty(cell) for cell in row)
        ]
        if len(rows) > MAX_ROWS:
            raise ImportFileError(Problem(TOO_MANY_ROWS, {"max": MAX_ROWS}))
        keys = [(key, position) for key, position in indexes.items() if key in ("institute", "subject")]
        kept = []
        is_example_row = example_row_test()
        for number, row in rows:
            if is_example_row({key: row[position] if position < len(row) else None for key, position in keys}):
                report.example_rows.append(number)
            else:
                kept.append((number, row))
        if not kept:
            raise ImportFileError(Problem(ONLY_EXAMPLE if report.example_rows else NO_ROWS))
        return indexes, kept

    # -- needs and offers: through their resource --

    def _import_items(self, indexes: dict[str, int], rows: list[tuple[int, list]], report: ImportReport, *, dry_run: bool) -> None:
        import tablib

        from .resources import RESOURCES

        keys = list(indexes)
        positions = list(indexes.values())
        if "subfield" not in indexes:  # part of the natural key: an empty column
            keys.append("subfield")
            positions.append(None)
        dataset = tablib.Dataset(
            *([row[i] if i is not None and i < len(row) else None for i in positions] for _number, row in rows),
            headers=keys,
        )
        resource = RESOURCES[self.kind](
            campaign=self.campaign, by=self.by, numbers=[number for number, _row in rows], filename=self.filename
        )
        # A dry run writes nothing, so it needs no transaction; the
        # confirmation runs in one, all rows or none.
        result = resource.import_data(dataset, dry_run=dry_run, use_transactions=not dry_run, raise_errors=False)
        if result.base_errors:
            error = result.base_errors[0].error
            if isinstance(error, ImportFileError):
                report.file_errors = error.problems
                return
            raise error
        for row in resource.rows:
            row.kind = self.kind
            for problem in row.errors:
                problem.kind = self.kind
        report.rows = resource.rows
        report.responses = resource.response_plan()
        report.applied = not dry_run and report.is_valid

    # -- self-classification: read here --

    def _lookups(self) -> _Lookups:
        institutes: dict[str, list] = {}
        for pk, acronym, iso2 in Institute.objects.values_list("pk", "acronym", "country__iso2"):
            institutes.setdefault(normalize(acronym), []).append((pk, acronym, iso2))
        choices = {}
        for column in columns_for(self.kind):
            if column.choices:
                choices[column.key] = choice_aliases(column.choices)
            elif column.kind == "yes_no":
                choices[column.key] = {
                    **dict.fromkeys(_YES_WORDS | _in_each_language(YES), True),
                    **dict.fromkeys(_NO_WORDS | _in_each_language(NO), False),
                }
        responses = {r.institute_id: r for r in Response.objects.filter(campaign=self.campaign)}
        return _Lookups(institutes, self.institutes_allowed(), choices, responses)

    def _check(self, indexes: dict[str, int], rows: list[tuple[int, list]], report: ImportReport) -> _Plan:
        lookups = self._lookups()
        columns = [c for c in columns_for(self.kind) if c.key in indexes]
        required = set(REQUIRED_VALUES[self.kind])
        return self._check_self_classification(indexes, rows, report, lookups, columns, required)

    def _values(self, row: list, result: RowResult, indexes, columns, required, lookups) -> dict[str, Any]:
        """The row's cells converted to model values; problems go to `result`."""
        values: dict[str, Any] = {}
        for column in columns:
            position = indexes[column.key]
            raw = row[position] if position < len(row) else None
            if is_empty(raw):
                if column.key in required:
                    result.error(column, VALUE_REQUIRED)
                values[column.key] = "" if column.kind in ("text", "choice", "country") else None
                continue
            code = control_character(raw)
            if code:
                result.error(column, CONTROL_CHARACTER, code=code)
                continue
            value = self._convert(column, raw, result, lookups)
            if value is not None:
                values[column.key] = value
        return values

    def _convert(self, column: Column, raw, result: RowResult, lookups: _Lookups):
        if column.kind == "yes_no":
            value = raw if isinstance(raw, bool) else lookups.choices[column.key].get(normalize(raw))
            if value is None:
                result.error(column, NOT_YES_OR_NO, value=shown(raw))
            return value
        text = cell_text(raw)
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
        candidates = institute_candidates(lookups.institutes, lookups.allowed, acronym, country)
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

    def _check_self_classification(self, indexes, rows, report, lookups, columns, required) -> _Plan:
        plan = _Plan(update_fields=[c.key for c in columns if c.key not in _NOT_ITEM_FIELDS])
        by_key = {c.key: c for c in columns_for(self.kind)}
        seen: dict[int, int] = {}
        for number, row in rows:
            result = RowResult(number=number, kind=self.kind)
            report.rows.append(result)
            values = self._values(row, result, indexes, columns, required, lookups)
            institute_id = self._institute(values, result, lookups)
            answer = values.get("considers_ceems")
            if answer is not None:
                result.summary = f"{by_key['considers_ceems'].label(self.kind)}: {YES if answer else NO}"
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
                        result.changed.append(by_key[name].label(self.kind))
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
            bulk_create_with_history(list(plan.new_responses.values()), Response, batch_size=BATCH_SIZE, **history)
        if plan.updated_responses:
            for response in plan.updated_responses:
                response.revision += 1
                response.updated_at = now
            bulk_update_with_history(
                plan.updated_responses, Response, [*plan.update_fields, "revision", "updated_at"],
                batch_size=BATCH_SIZE, **history,
            )


def update_rows(model, objects: list, fields: list[str]) -> None:
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


# --- The admin's import formats ---------------------------------------------------------

def read_table(*, content: bytes, file_format: str) -> "tablib.Dataset":
    """A file's first sheet as a tablib Dataset, its first row the headers,
    read with the guards of the import page (size, encodings, bounded
    workbooks); an ImportFileError says what is wrong."""
    import tablib

    if len(content) > MAX_FILE_SIZE:
        raise ImportFileError(Problem(FILE_TOO_LARGE, {"max": MAX_FILE_SIZE // (1024 * 1024)}))
    table = _rows_from_xlsx(content) if file_format == "xlsx" else _rows_from_csv(content)
    if not table or all(is_empty(cell) for cell in table[0]):
        raise ImportFileError(Problem(NO_HEADER))
    width = max(len(row) for row in table)
    headers = [cell_text(cell) or f"column {n}" for n, cell in enumerate(table[0] + [None] * (width - len(table[0])), start=1)]
    return tablib.Dataset(*(list(row) + [None] * (width - len(row)) for row in table[1:]), headers=headers)


class PortalCSV(base_formats.CSV):
    """The admin's CSV import, read as the import page reads it."""

    def get_read_mode(self):
        return "rb"

    def is_binary(self):
        return True

    def create_dataset(self, in_stream, **kwargs):
        return read_table(content=bytes(in_stream), file_format="csv")


class PortalXLSX(base_formats.XLSX):
    """The admin's XLSX import, read as the import page reads it."""

    def create_dataset(self, in_stream, **kwargs):
        return read_table(content=bytes(in_stream), file_format="xlsx")


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
    if column.key == "institute":
        return str(EXAMPLE_INSTITUTE)
    if column.choices and value:
        return str(column.choices(value).label)
    if column.kind == "yes_no":
        return str(YES if value else NO)
    return value


def template_workbook(*, kind: str) -> bytes:
    """An XLSX to fill in for a campaign of `kind`, in the active language:
    the header row and one example row on the first sheet, the allowed values
    (activity types, areas, sub-fields, priorities...) on the second. The
    example's institute cell reads EXAMPLE_INSTITUTE, so that the row is
    never imported as a real answer: it is skipped unless written over."""
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
    example_font = Font(italic=True, color="595959")

    for position, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=position, value=safe_cell(column.label(kind)))
        cell.font = bold
        note = str(_("Required.")) if column.key in required else ""
        if column.note:
            note = f"{note} {column.note}".strip()
        if note:
            cell.comment = Comment(note, "CEEMS Portal")
        example = sheet.cell(row=2, column=position, value=safe_cell(_display(column, column.example)))
        example.font = example_font
        if column.key == "institute":
            example.comment = Comment(str(_("The example row is never imported: write your rows over it or below it.")), "CEEMS Portal")
        if column.kind == "date":
            example.number_format = "yyyy-mm-dd"
        sheet.column_dimensions[get_column_letter(position)].width = max(14, min(len(column.label(kind)) + 4, 48))
    sheet.freeze_panes = "A2"

    # The allowed values, one list per column, side by side.
    lists: list[tuple[list, list[list], Column | None]] = []
    for column in columns:
        if column.choices:
            lists.append(([column.label(kind)], [[str(label)] for _value, label in column.choices.choices], column))
        elif column.kind == "yes_no":
            lists.append(([column.label(kind)], [[str(YES)], [str(NO)]], column))
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
