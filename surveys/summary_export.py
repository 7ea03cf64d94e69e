"""The summary table as a spreadsheet: XLSX (openpyxl) and CSV.

Both read the rows of `surveys.summary.summary_items` with one query, through
an iterator, and write them in the language that is active when they are
called. Every cell goes through `core.spreadsheets.safe_cell`: control
characters removed, a cell that a spreadsheet program would read as a
formula written as text, numbers and dates written as numbers and dates.
"""
import csv
from collections.abc import Iterable, Iterator
from io import BytesIO

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.spreadsheets import csv_row, safe_cell

from .summary import row_labeller

TEXT, NUMBER, DATE = "text", "number", "date"

# (header, key of the labelled row, type, width in characters)
COLUMNS = [
    (_("Need or offer"), "kind_label", TEXT, 12),
    (_("Country"), "country_name", TEXT, 16),
    (_("ISO code"), "country_iso2", TEXT, 8),
    (_("Institute"), "institute_acronym", TEXT, 16),
    (_("Activity type"), "activity_label", TEXT, 24),
    (_("Area code"), "area_code", TEXT, 8),
    (_("Metrology area"), "area_name", TEXT, 28),
    (_("Sub-field"), "subfield_name", TEXT, 28),
    (_("What exactly"), "what", TEXT, 60),
    (_("Range"), "range_", TEXT, 20),
    (_("From"), "period_from_", DATE, 12),
    (_("To"), "period_to_", DATE, 12),
    (_("Priority"), "priority_label", TEXT, 10),
    (_("Target uncertainty"), "uncertainty", TEXT, 14),
    (_("Capacity per year"), "capacity_", NUMBER, 10),
    (_("Language(s)"), "languages_label", TEXT, 14),
    (_("Conditions"), "conditions_label", TEXT, 16),
    (_("Customs and logistics paid by"), "customs_label", TEXT, 22),
    (_("Location"), "location_", TEXT, 20),
    (_("Comment"), "comment_", TEXT, 40),
    (_("Response status"), "status_label", TEXT, 12),
]

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
# Excel reads a CSV file as UTF-8 (and so shows Cyrillic) only after this mark.
UTF8_BOM = "\ufeff"
# Excel's built-in short date format: shown in the reader's own locale.
_EXCEL_SHORT_DATE = "mm-dd-yy"


def export_filename(*, year: int, fmt: str) -> str:
    return f"ceems-summary-{year}.{fmt}"


def _values(rows: Iterable[dict]) -> Iterator[list]:
    """Each row as a list of safe cell values in the order of COLUMNS: text
    cleaned and escaped, numbers and dates as they are, None for empty."""
    label = row_labeller()
    for row in rows:
        label(row)
        yield [safe_cell(row[key]) for _header, key, _kind, _width in COLUMNS]


def _headers() -> list[str]:
    return [safe_cell(str(header)) for header, _key, _kind, _width in COLUMNS]


def summary_xlsx(*, items: QuerySet, title: str) -> bytes:
    """The rows as an XLSX workbook of one sheet, with a frozen, filterable
    header row; built in memory in write-only mode."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for number, (_header, _key, _kind, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in _headers():
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    date_columns = {n for n, (_h, _k, kind, _w) in enumerate(COLUMNS) if kind == DATE}
    count = 0
    for values in _values(items.iterator(chunk_size=2000)):
        for n in date_columns:
            if values[n] is not None:
                cell = WriteOnlyCell(sheet, value=values[n])
                cell.number_format = _EXCEL_SHORT_DATE
                values[n] = cell
        sheet.append(values)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


class _Echo:
    """A file-like object whose write returns what it was given, so that
    csv.writer produces the lines a streaming response sends."""

    def write(self, value: str) -> str:
        return value


def summary_csv(*, items: QuerySet) -> Iterator[str]:
    """The rows as CSV lines (comma-separated, UTF-8 with a byte-order mark,
    dates as YYYY-MM-DD), one by one, for a streaming response."""
    writer = csv.writer(_Echo())
    yield UTF8_BOM + writer.writerow(_headers())
    for values in _values(items.iterator(chunk_size=2000)):
        yield writer.writerow(csv_row(values))
