"""Safe spreadsheet cells: what every export path writes."""
import csv
import io
from datetime import date, datetime, timezone as dt_timezone
from decimal import Decimal

import openpyxl
import pytest
import tablib
from openpyxl import Workbook

from core.spreadsheets import SafeCSV, SafeXLSX, csv_cell, safe_cell, safe_dataset


def _xlsx_round_trip(values):
    workbook = Workbook()
    workbook.active.append([safe_cell(value) for value in values])
    output = io.BytesIO()
    workbook.save(output)
    return [cell.value for cell in openpyxl.load_workbook(io.BytesIO(output.getvalue())).active[1]]


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=1+1", "'=1+1"),
        ("+7 495", "'+7 495"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\uff1d1+1", "'\uff1d1+1"),  # full-width equals sign
        ("\uff0bcmd", "'\uff0bcmd"),
        ("\uff0dcmd", "'\uff0dcmd"),
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),
        ("\x01=1+1", "'=1+1"),  # a control character cannot hide a formula
        ("-5", "-5"),
        ("+3.5e2", "+3.5e2"),
        ("pH meter", "pH meter"),
        ("line one\nline two", "line one\nline two"),
        ("a\tb", "a\tb"),
    ],
)
def test_text_is_cleaned_and_formula_like_text_escaped(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.parametrize(
    "value", [-5, 3.5, Decimal("0.01"), True, date(2024, 3, 1), datetime(2024, 3, 1, 12, 30)]
)
def test_numbers_and_dates_are_kept_as_they_are(value):
    assert safe_cell(value) == value
    assert type(safe_cell(value)) is type(value)


def test_an_aware_datetime_becomes_local_time_that_xlsx_can_hold():
    cell = safe_cell(datetime(2024, 3, 1, 9, 0, tzinfo=dt_timezone.utc))
    assert cell.tzinfo is None
    assert cell == datetime(2024, 3, 1, 12, 0)  # Europe/Minsk, UTC+3


def test_none_is_the_empty_cell():
    assert safe_cell(None) is None
    assert csv_cell(None) == ""


def test_control_characters_are_removed_and_the_xlsx_opens():
    [text, formula, number, negative, day] = _xlsx_round_trip(
        ["a\x01b\x0bc\x00d\x7fe\x9ff\ufffeg", "=1+1", 3.5, "-5", date(2024, 3, 1)]
    )
    assert text == "abcdefg"
    assert formula == "'=1+1"  # text, not a formula
    assert number == 3.5
    assert negative == "-5"  # not escaped: a plain number is not a formula
    assert isinstance(day, datetime) and day.date() == date(2024, 3, 1)  # a date cell


def test_admin_formats_write_safe_cells():
    dataset = tablib.Dataset(headers=["name", "count", "since"])
    dataset.append(["=HYPERLINK(\"x\")\x01\x0b", 3, date(2024, 3, 1)])
    dataset.append([None, -5, None])

    sheet = openpyxl.load_workbook(io.BytesIO(SafeXLSX().export_data(dataset))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0][0] == "'=HYPERLINK(\"x\")"
    assert rows[0][1] == 3
    assert rows[0][2].date() == date(2024, 3, 1)
    assert rows[1][1] == -5

    lines = list(csv.reader(io.StringIO(SafeCSV().export_data(dataset))))
    assert lines[1] == ["'=HYPERLINK(\"x\")", "3", "2024-03-01"]
    assert lines[2] == ["", "-5", ""]


def test_safe_dataset_keeps_headers_and_title():
    dataset = tablib.Dataset(headers=["=h"], title="t")
    dataset.append(["x"])
    safe = safe_dataset(dataset)
    assert safe.headers == ["'=h"] and safe.title == "t"
