"""A version of the Programme as an XLSX workbook, the format a Committee
member forwards: one row per activity in the Programme's order, in the
language active when it is called (the user's), every cell through
`core.spreadsheets.safe_cell` (formula-like text escaped, numbers and dates
kept as numbers and dates)."""
from io import BytesIO

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.spreadsheets import safe_cell

from .models import Activity, ProgrammeVersion, quarter_label

_EXCEL_SHORT_DATE = "mm-dd-yy"


def _columns():
    """(header, value of an activity, width, is a date)."""
    def institutes(name):
        return lambda a: ", ".join(i.acronym for i in getattr(a, name).all())

    def outcome(name):
        def value(a):
            try:
                o = a.outcome
            except Activity.outcome.RelatedObjectDoesNotExist:
                return None
            v = getattr(o, name)
            return o.get_result_kind_display() if name == "result_kind" and v else v
        return value

    return [
        (_("No."), lambda a: a.row_number, 6, False),
        (_("Direction"), lambda a: a.get_direction_display(), 30, False),
        (_("Activity type"), lambda a: a.get_activity_type_display(), 16, False),
        (_("Title"), lambda a: a.title, 50, False),
        (_("Description"), lambda a: a.description, 50, False),
        (_("Metrology area"), lambda a: a.area.code if a.area_id else "", 10, False),
        (_("Sub-field"), lambda a: str(a.subfield) if a.subfield_id else "", 24, False),
        (_("Recipients"), institutes("recipients"), 24, False),
        (_("Providers"), institutes("providers"), 24, False),
        (_("From quarter"), lambda a: quarter_label(a.first_quarter), 12, False),
        (_("To quarter"), lambda a: quarter_label(a.last_quarter), 12, False),
        (_("Status"), lambda a: a.get_status_display(), 14, False),
        (_("Reason"), lambda a: a.status_reason, 30, False),
        (_("Funding basis"), lambda a: a.get_funding_display() if a.funding else "", 16, False),
        (_("Responsible person"), lambda a: a.responsible, 20, False),
        (_("Notes"), lambda a: a.notes, 30, False),
        (_("Held from"), outcome("held_from"), 12, True),
        (_("Held to"), outcome("held_to"), 12, True),
        (_("Number of participants"), outcome("participants_count"), 10, False),
        (_("Result"), outcome("result_kind"), 24, False),
        (_("Result identifier"), outcome("result_identifier"), 20, False),
    ]


def version_xlsx(*, version: ProgrammeVersion, activities: QuerySet[Activity]) -> bytes:
    """`activities` (of `version`, already filtered and joined) as an XLSX
    workbook of one sheet with a title row and a frozen header."""
    columns = _columns()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(version.year))
    for number, (_header, _value, width, _is_date) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "A3"
    bold = Font(bold=True)
    title = WriteOnlyCell(sheet, value=safe_cell(
        _("%(programme)s: version %(number)s of %(year)s (%(status)s)") % {
            "programme": version.programme.title, "number": version.number, "year": version.year,
            "status": version.get_status_display(),
        }
    ))
    title.font = bold
    sheet.append([title])
    headers = []
    for header, _value, _width, _is_date in columns:
        cell = WriteOnlyCell(sheet, value=safe_cell(str(header)))
        cell.font = bold
        headers.append(cell)
    sheet.append(headers)
    for number, activity in enumerate(activities.iterator(chunk_size=2000), start=1):
        activity.row_number = number
        row = []
        for _header, value, _width, is_date in columns:
            cell_value = safe_cell(value(activity))
            if is_date and cell_value is not None:
                cell = WriteOnlyCell(sheet, value=cell_value)
                cell.number_format = _EXCEL_SHORT_DATE
                row.append(cell)
            else:
                row.append(cell_value)
        sheet.append(row)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
