"""The import's files as users' programs write them, and what an import
does to an institute's response: the template's example never imports,
a draft online is not taken away, mixed encodings, control characters and
a workbook claiming column XFD are refused with the line, cell or column."""
import io
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from surveys import importing
from surveys.importing import (
    BEYOND_LAST_COLUMN,
    CONTROL_CHARACTER,
    MIXED_ENCODING,
    ONLY_EXAMPLE,
    ResponseImport,
    RowStatus,
)
from surveys.models import Campaign, CampaignKind, Need, Response
from tests.surveys.test_import import NEED_HEADER, NEED_ROWS, csv_bytes, upload

UPLOAD_URL = "/en/surveys/import/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def secretariat(client_as):
    return client_as("secretariat")


def needs_campaign() -> Campaign:
    return Campaign.objects.get(kind=CampaignKind.NEEDS, year=timezone.localdate().year)


def _file_errors(response) -> list[str]:
    return response.context["form"].errors["file"]


# --- The template's example row ------------------------------------------------------

def _template(client, lang="en") -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(client.get(f"/{lang}/surveys/import/template/needs.xlsx").content))


def _saved(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_templates_example_row_is_never_imported(secretariat):
    target = needs_campaign()
    workbook = _template(secretariat)
    sheet = workbook.worksheets[0]
    assert sheet.cell(row=2, column=1).value == "Example (not imported)"
    # The user fills in a row of their own below the example, and leaves the example.
    for position, value in enumerate(["Kyrgyzstandard", "", "Comparison", "T", "T-CON", "Thermocouples", "", "",
                                      "2027-01-01", "2027-12-31", "High", ""], start=1):
        sheet.cell(row=3, column=position, value=value)
    response = upload(secretariat, target, "needs.xlsx", _saved(workbook))
    report = response.context["report"]
    assert report.is_valid, [[p.text for p in r.errors] for r in report.rows]
    assert [r.number for r in report.rows] == [3] and report.example_rows == [2]
    assert "Row 2 is the template's example and is not imported." in response.content.decode()
    secretariat.post(f"/en/surveys/import/{response.context['token']}/confirm/")
    assert not Response.objects.filter(campaign=target, institute__acronym="UzNIM").exists()
    assert Response.objects.filter(campaign=target, institute__acronym="Kyrgyzstandard").exists()


def test_a_file_holding_only_the_example_imports_nothing(client_as):
    client = client_as("secretariat")
    target = needs_campaign()
    response = upload(client, target, "needs.xlsx", client.get("/ru/surveys/import/template/needs.xlsx").content)
    assert _file_errors(response) == [str(ONLY_EXAMPLE)]
    assert not Response.objects.filter(campaign=target).exists()


def test_the_example_row_of_an_older_template_is_not_imported_either(secretariat):
    target = needs_campaign()
    old_example = ["UzNIM", "calibration", "M", "M-MASS", "Calibration of a set of E2 weights", "0.1 mg",
                   "2027-01-01", "2027-12-31", "high", ""]
    response = upload(secretariat, target, "needs.csv", csv_bytes(NEED_HEADER, [old_example, NEED_ROWS[1]]))
    report = response.context["report"]
    assert report.example_rows == [2] and [r.number for r in report.rows] == [3]


# --- An institute answering online keeps its response ------------------------------------

def test_an_import_adds_to_an_institutes_draft_and_leaves_it_a_draft(secretariat, user_named):
    target = needs_campaign()
    draft = Response.objects.create(campaign=target, institute=user_named("nmi-uz").institute)
    Need.objects.create(response=draft, activity_type="training", subject="Typed online", position=1)
    response = upload(secretariat, target, "needs.csv", csv_bytes(NEED_HEADER, NEED_ROWS[:2]))
    report = response.context["report"]
    states = {entry["institute"]: entry["state"] for entry in report.responses}
    assert states == {"UZ · UzNIM": "draft", "KG · Kyrgyzstandard": "new"}
    page = response.content.decode()
    assert "the institute is answering online. 1 row is added to its draft, which stays a draft" in page
    assert "no response yet. The import creates it with 1 row, submitted by you" in page
    secretariat.post(f"/en/surveys/import/{response.context['token']}/confirm/")
    draft.refresh_from_db()
    assert draft.status == Response.Status.DRAFT and draft.submitted_by is None
    assert set(draft.needs.values_list("subject", flat=True)) == {"Typed online", NEED_ROWS[0][4]}
    # The institute can still answer online.
    assert client_edit_page(user_named("nmi-uz"), draft).status_code == 200


def client_edit_page(user, response):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get(f"/en/surveys/responses/{response.pk}/")


# --- Encodings and control characters --------------------------------------------------------

def test_a_csv_mixing_utf8_and_windows_1251_is_refused_with_the_line(secretariat):
    target = needs_campaign()
    good = csv_bytes(NEED_HEADER, [NEED_ROWS[0]], encoding="utf-8")
    pasted = csv_bytes(NEED_HEADER, [["UzNIM", "calibration", "M", "M-MASS", "Поверка гирь", "", "2027-01-01",
                                      "2027-12-31", "high", "из другого файла"]], encoding="cp1251")
    utf8_cyrillic = "UzNIM,calibration,M,M-MASS,Калибровка весов,,2027-01-01,2027-12-31,high,\r\n".encode("utf-8")
    content = good + utf8_cyrillic + pasted.split(b"\r\n", 1)[1]  # line 4 is Windows-1251
    response = upload(secretariat, target, "needs.csv", content)
    assert _file_errors(response) == [MIXED_ENCODING % {"line": 4, "other": 2}]
    assert not Need.objects.filter(response__campaign=target).exists()


def test_a_windows_1251_file_with_one_utf8_line_names_that_line(secretariat):
    target = needs_campaign()
    rows = [["UzNIM", "calibration", "M", "M-MASS", f"Поверка гирь {n}", "", "2027-01-01", "2027-12-31", "high", ""] for n in range(3)]
    lines = csv_bytes(NEED_HEADER, rows, encoding="cp1251").split(b"\r\n")
    lines[3] = ",".join(rows[2]).encode("utf-8")
    response = upload(secretariat, target, "needs.csv", b"\r\n".join(lines))
    assert _file_errors(response) == [MIXED_ENCODING % {"line": 4, "other": 2}]


def test_a_control_character_in_a_csv_cell_is_named_by_row_and_column(secretariat):
    target = needs_campaign()
    bad = [*NEED_ROWS[1][:4], "Comparison of\x0b thermocouples", *NEED_ROWS[1][5:]]
    response = upload(secretariat, target, "needs.csv", csv_bytes(NEED_HEADER, [NEED_ROWS[0], bad]))
    report = response.context["report"]
    assert row_errors(report, 3) == [("subject", CONTROL_CHARACTER % {"code": "U+000B"})]
    assert row_errors(report, 2) == []
    page = response.content.decode()
    assert 'data-row="3"' in page and "<strong>What exactly:</strong>" in page and "U+000B" in page


def row_errors(report, number):
    row = next(r for r in report.rows if r.number == number)
    return [(p.column.key if p.column else None, p.text) for p in row.errors]


# --- A workbook claiming column XFD ----------------------------------------------------------

def xfd_workbook(rows: int, *, empty: bool = False) -> bytes:
    """A workbook whose rows each hold one cell in column XFD (16,384), as
    the issue's 150 KB file (`empty`: a cell with a style and no value):
    written by hand, since openpyxl would pad them."""
    cell = '<c r="XFD{n}"/>' if empty else '<c r="XFD{n}" t="inlineStr"><is><t>x</t></is></c>'
    cells = "".join(f'<row r="{n}">{cell.format(n=n)}</row>' for n in range(1, rows + 1))
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Answers" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD{rows}"/><sheetData>{cells}</sheetData></worksheet>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def test_a_workbook_with_cells_in_column_xfd_is_refused_with_a_message(secretariat):
    content = xfd_workbook(2000)
    response = upload(secretariat, needs_campaign(), "needs.xlsx", content)
    assert _file_errors(response) == [BEYOND_LAST_COLUMN % {"cell": "XFD1", "last": "BL"}]


def test_a_workbook_of_empty_rows_counts_them_against_the_row_limit(secretariat, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 50)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(NEED_HEADER)
    sheet.append(NEED_ROWS[0])
    sheet.cell(row=100_000, column=1, value=None).style = "Normal"  # a row far down the sheet
    sheet.cell(row=100_000, column=2, value="x")
    response = upload(secretariat, needs_campaign(), "needs.xlsx", _saved(workbook))
    assert _file_errors(response) == [importing.TOO_MANY_ROWS % {"max": 50}]


MEMORY_PROBE = """
import io, os, resource, sys
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ceems_portal.settings")
import django
django.setup()
from django.utils import translation
translation.activate("en")
from surveys import importing
from tests.surveys.test_import_files import xfd_workbook
content = xfd_workbook(int(sys.argv[1]), empty=sys.argv[2] == "empty")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    importing._rows_from_xlsx(content)
    print("read", len(content))
except importing.ImportFileError as error:
    print("refused", len(content), error.problems[0].text)
print("grew_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


@pytest.mark.parametrize("cells", ["value", "empty"])
def test_reading_such_a_workbook_takes_little_memory(cells):
    """In a process of its own, so the peak is this read's: the issue's
    file (rows holding one cell in column XFD) took 2.6 GB. Cells with a
    value are refused at the first; empty ones are read past, the rows
    counted against the limit, in memory that follows the file."""
    result = subprocess.run([sys.executable, "-c", MEMORY_PROBE, "20000", cells], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())
    if cells == "value":
        assert lines["refused"].split(" ", 1)[1].startswith("Cell XFD1 holds a value beyond column BL")
    assert int(lines["grew_kb"]) < 50 * 1024  # under 50 MB


def test_a_normal_workbook_still_reads_in_bounded_rows(user_named):
    target = needs_campaign()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(NEED_HEADER)
    for row in NEED_ROWS:
        sheet.append(row)
    sheet.cell(row=3, column=30, value=None)  # an empty cell far right is nothing
    report = ResponseImport(campaign=target, by=user_named("secretariat"),
                            file=SimpleUploadedFile("n.xlsx", _saved(workbook))).run(dry_run=True)
    assert report.is_valid and [r.status for r in report.rows] == [RowStatus.NEW] * 3


# --- The admin imports through the same resource ---------------------------------------------

def test_the_admin_imports_needs_through_the_same_resource_with_its_checks(client_as):
    client = client_as("admin")
    target = needs_campaign()
    page = client.get("/en/admin/surveys/need/import/")
    assert page.status_code == 200 and 'name="campaign"' in page.content.decode()
    bad = ["BelGIM", *NEED_ROWS[0][1:]]  # not invited
    content = csv_bytes(NEED_HEADER, [NEED_ROWS[0], bad])
    dry = client.post("/en/admin/surveys/need/import/", {
        "campaign": target.pk, "format": 1, "import_file": SimpleUploadedFile("needs.csv", content),
    })
    assert dry.status_code == 200
    html = dry.content.decode()
    assert "You may not import answers of BelGIM into this campaign" in html
    assert dry.context["result"].has_validation_errors() and "confirm_form" not in dry.context

    good = csv_bytes(NEED_HEADER, NEED_ROWS)
    dry = client.post("/en/admin/surveys/need/import/", {
        "campaign": target.pk, "format": 1, "import_file": SimpleUploadedFile("needs.csv", good),
    })
    confirm = dry.context["confirm_form"]
    assert not dry.context["result"].has_validation_errors()
    assert not Need.objects.filter(response__campaign=target).exists()  # the dry run wrote nothing
    data = {name: confirm[name].value() for name in confirm.fields}
    done = client.post("/en/admin/surveys/need/process_import/", data)
    assert done.status_code == 302
    assert Need.objects.filter(response__campaign=target).count() == 3
    assert set(Response.objects.filter(campaign=target).values_list("status", flat=True)) == {Response.Status.SUBMITTED}


def test_a_respondent_has_no_admin_import(client_as):
    assert client_as("nmi-uz").get("/en/admin/surveys/need/import/").status_code in (302, 403)
