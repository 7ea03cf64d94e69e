"""Safe spreadsheet cells: the one place every export path (XLSX and CSV)
writes a value through.

`safe_cell(value)` returns what to put in a cell:

- text: control characters removed, then a leading apostrophe added if a
  spreadsheet program would read it as a formula, so it shows as text and
  never runs;
- numbers (int, float, Decimal; bool as it is), dates, datetimes and times:
  as they are, so they stay numbers and dates in the spreadsheet (a
  timezone-aware datetime becomes the portal's local time, which XLSX can
  hold; it has no time zones);
- None: None, the empty cell (`csv_cell` gives "" instead);
- anything else (a lazy translation, a model): its text, as text.

Control characters: XLSX (XML 1.0) cannot hold the C0 controls other than
tab, line feed and carriage return at all (openpyxl raises
IllegalCharacterError), and in CSV they only confuse the programs that read
it. So every C0 control except tab, line feed and carriage return is
removed, and so are DEL, the C1 controls (U+0080-U+009F), lone surrogates
and the non-characters U+FFFE/U+FFFF. Tab, LF and CR are kept inside text
(multi-line comments stay multi-line); at the start of a cell they count as
formula-like (below).

Formula-like text begins, after those removals, with =, +, -, @, a tab or a
carriage return, or with the full-width forms U+FF1D, U+FF0B, U+FF0D, U+FF20
that some spreadsheet programs also accept. Text that is a plain number such
as "-5" or "+3.5e2" is left as it is: it is a value, not a formula.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import tablib
from django.utils import timezone
from import_export.formats import base_formats

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# Where a CSV reader may end a cell: any separator a spreadsheet program
# offers, a quote, a line break; and a formula-like start after one of them
# (spaces between do not make it safe: some readers trim them).
_INNER_SEPARATOR = re.compile('[,;\t|"\r\n]')
_INNER_FORMULA = re.compile('[,;\t|"\r\n] *(?=[=+\\-@\uff1d\uff0b\uff0d\uff20])')

CellValue = str | int | float | Decimal | dt.date | dt.datetime | dt.time | None


def clean_text(text: str) -> str:
    """`text` without the characters no spreadsheet cell should hold."""
    return _CONTROL.sub("", text)


def escape_formula(text: str) -> str:
    """`text` with a leading apostrophe if it would be read as a formula."""
    if text.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def safe_cell(value: Any) -> CellValue:
    """The value to write in an XLSX or CSV cell (see the module's docstring)."""
    if value is None or isinstance(value, (bool, int, float, Decimal, dt.date, dt.time)):
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            return timezone.make_naive(value)
        return value
    return escape_formula(clean_text(str(value)))


def escape_csv_formulas(text: str) -> str:
    """`text` with an apostrophe before every formula-like start that
    follows a separator or a quote inside it.

    A CSV file is read with whatever separator the program that opens it
    chooses (Excel with Russian regional settings splits at ";", another
    at "," or a tab), and a stray quote can end a cell early: the text after
    any of them may start a cell of its own, so it is escaped as a cell's
    start is. Even a number is escaped there ("1;-5" becomes "1;'-5"): split
    at the wrong separator, the piece runs on into the next cell's text."""
    return _INNER_FORMULA.sub(_apostrophe, text)


def _apostrophe(match: re.Match) -> str:
    return match.group(0) + "'"


def csv_cell(value: Any) -> CellValue:
    """`safe_cell` for CSV: the empty cell is the empty string, and text is
    also escaped after every separator or quote inside it
    (`escape_csv_formulas`), since the reader may split the cell there."""
    cell = safe_cell(value)
    if cell is None:
        return ""
    return escape_csv_formulas(cell) if isinstance(cell, str) else cell


def safe_row(values: Iterable[Any]) -> list[CellValue]:
    return [safe_cell(value) for value in values]


def csv_row(values: Iterable[Any]) -> list[CellValue]:
    return [csv_cell(value) for value in values]


def safe_dataset(dataset: tablib.Dataset, *, empty: Any = None) -> tablib.Dataset:
    """A copy of a tablib dataset (django-import-export's exports) with
    every cell, headers included, made safe; None cells become `empty`."""
    headers = [csv_cell(header) for header in dataset.headers] if dataset.headers else dataset.headers
    safe = tablib.Dataset(headers=headers, title=dataset.title)
    for row in dataset:
        safe.append([empty if cell is None else cell for cell in safe_row(row)])
    return safe


escape_dataset = safe_dataset


class SafeCSV(base_formats.CSV):
    """The admin's CSV export with safe cells, escaped for CSV (`csv_cell`)."""

    def export_data(self, dataset, **kwargs):
        safe = tablib.Dataset(headers=[csv_cell(h) for h in dataset.headers or []] or None, title=dataset.title)
        for row in dataset:
            safe.append([csv_cell(cell) for cell in row])
        return super().export_data(safe, **kwargs)


class SafeXLSX(base_formats.XLSX):
    """The admin's XLSX export with safe cells (so never an IllegalCharacterError)."""

    def export_data(self, dataset, **kwargs):
        return super().export_data(safe_dataset(dataset), **kwargs)
