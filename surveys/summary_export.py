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
from django.utils.translation import get_language
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.spreadsheets import csv_row, safe_cell

from .columns import DATE, EXPORT_COLUMNS
from .summary import row_labeller

# (header, key of the labelled row, type, width in characters): the
# exported columns of surveys.columns, the one list of the needs' and offers' columns.
COLUMNS = [(column.header, column.row_key, column.kind, column.width) for column in EXPORT_COLUMNS]

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


def csv_delimiter(language: str | None = None) -> str:
    """The separator of the CSV export in `language` (default: the active
    one): ";" in Russian, which is what Excel with Russian regional settings
    splits at (there "," is the decimal separator), "," otherwise."""
    language = (language or get_language() or "").split("-")[0]
    return ";" if language == "ru" else ","


def summary_csv(*, items: QuerySet, delimiter: str | None = None) -> Iterator[str]:
    """The rows as CSV lines (UTF-8 with a byte-order mark, dates as
    YYYY-MM-DD), one by one, for a streaming response. Separated by
    `delimiter`, by default that of the language active when the lines are
    made (csv_delimiter). Every cell goes through `csv_cell`, which also
    escapes formula-like text after a separator inside a cell, so the file
    runs nothing whichever separator it is opened with."""
    writer = csv.writer(_Echo(), delimiter=delimiter or csv_delimiter())
    yield UTF8_BOM + writer.writerow(csv_row(_headers()))
    for values in _values(items.iterator(chunk_size=2000)):
        yield writer.writerow(csv_row(values))
