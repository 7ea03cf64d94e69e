"""Spreadsheet formats for every export path of the portal.

A cell that a spreadsheet program would read as a formula (it begins with
=, +, -, @, a tab or a carriage return) is written with a leading apostrophe,
so it shows as text and never runs. Numbers, and text that is a plain number
such as "-5", stay numbers.
"""
import re

import tablib
from import_export.formats import base_formats

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$")


def escape_cell(value):
    """Return `value` safe to put in a CSV or XLSX cell."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def escape_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    escaped = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        escaped.append([escape_cell(cell) for cell in row])
    return escaped


class _EscapingExport:
    def export_data(self, dataset, **kwargs):
        return escape_dataset(dataset).export(self.get_title(), **kwargs)


class SafeCSV(_EscapingExport, base_formats.CSV):
    pass


class SafeXLSX(_EscapingExport, base_formats.XLSX):
    pass
