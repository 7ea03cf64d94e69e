"""The summary's CSV export opens with no live formula, whichever separator
the spreadsheet program splits it at, and in the Russian interface it is
the ";"-separated UTF-8 file (with a byte-order mark) Russian Excel opens."""
import csv
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from core.spreadsheets import csv_cell
from surveys.models import Campaign, CampaignKind, Need, Response

CSV = "/{lang}/surveys/summary/2022/export.csv/"
PARAMS = {"country": "UZ", "activity_type": "training"}
INJECTIONS = ["x;=1+1;", 'x,=HYPERLINK("http://evil.example");', "say \"hi\";@SUM(A1:A9)", "a\t-2+3*cmd"]


@pytest.fixture
def tricky(demo):
    campaign = Campaign.objects.get(kind=CampaignKind.NEEDS, year=2022)
    response = Response.objects.get(campaign=campaign, institute__acronym="UzNIM")
    for position, subject in enumerate(INJECTIONS, start=90):
        Need.objects.create(response=response, activity_type="training", subject=subject, position=position,
                            comment="range 1;-5")
    return INJECTIONS


def _text(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.mark.parametrize(
    "value,expected",
    [
        ("x;=1+1;", "x;'=1+1;"),
        ("x, +7 495", "x, '+7 495"),
        ('x"=cmd', "x\"'=cmd"),
        ("a\t@SUM(A1)", "a\t'@SUM(A1)"),
        ("=1", "'=1"),
        ("-5", "-5"),  # a whole cell that is a number stays a number
        ("1;-5", "1;'-5"),  # a piece of a cell is escaped even when it looks like a number
        ("range 1 - 5; 2 - 3", "range 1 - 5; 2 - 3"),
        ("a;b", "a;b"),
    ],
)
def test_csv_cells_escape_formulas_after_any_separator_or_quote(value, expected):
    assert csv_cell(value) == expected


def test_the_russian_csv_is_semicolon_separated_utf8_with_a_bom(client_as, tricky):
    text = _text(client_as("secretariat").get(CSV.format(lang="ru"), PARAMS))
    assert text.startswith("\ufeff")
    header = text.lstrip("\ufeff").splitlines()[0]
    assert header.startswith("Потребность или предложение;Страна;") or header.split(";")[1] == "Страна"
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert {"x;'=1+1;"} <= {row[8] for row in rows[1:]}


@pytest.mark.parametrize("lang,separator", [("en", ","), ("ru", ";")])
def test_no_cell_starts_a_formula_whichever_separator_splits_the_csv(client_as, tricky, lang, separator):
    text = _text(client_as("secretariat").get(CSV.format(lang=lang), PARAMS)).lstrip("\ufeff")
    for delimiter in (",", ";", "\t"):
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            for cell in row:
                stripped = cell.strip().lstrip('"').strip()
                assert stripped[:1] not in ("=", "+", "-", "@"), (delimiter, cell)


SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_libreoffice_opens_the_csv_split_at_semicolons_with_no_formula(client_as, tricky, tmp_path, lang):
    """LibreOffice opens the export as Russian Excel does (";" separator,
    UTF-8) and with formulas evaluated: not one cell is a formula."""
    path = tmp_path / f"summary-{lang}.csv"
    path.write_bytes(_text(client_as("secretariat").get(CSV.format(lang=lang), PARAMS)).encode("utf-8"))
    # Separator ";", quote '"', UTF-8, from line 1, ..., evaluate formulas.
    options = "CSV:59,34,76,1,,0,false,true,false,false,false,-1,true"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         f"--infilter={options}", "--convert-to", "xlsx", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    workbook = openpyxl.load_workbook(Path(tmp_path / f"summary-{lang}.xlsx"))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    assert cells, "LibreOffice produced an empty sheet"
    assert [cell.value for cell in cells if cell.data_type == "f"] == []
    values = {str(cell.value) for cell in cells if cell.value is not None}
    assert any("=1+1" in value for value in values)  # the text is there, as text
