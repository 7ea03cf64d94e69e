"""Import of responses collected on paper or by email: dry run, confirm,
idempotence, every bad input of the issue, permissions, templates, queries."""
import csv
import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape

from surveys import importing
from surveys.importing import (
    AREA_UNKNOWN,
    CHANGED_SINCE_DRY_RUN,
    CHOICE_UNKNOWN,
    DUPLICATE_INSTITUTE,
    DUPLICATE_ITEM,
    FILE_TOO_LARGE,
    INSTITUTE_NOT_ALLOWED,
    INSTITUTE_UNKNOWN,
    MAX_FILE_SIZE,
    MISSING_COLUMN,
    NO_ROWS,
    NOT_A_DATE,
    NOT_A_POSITIVE_NUMBER,
    NOT_A_SPREADSHEET,
    NOT_YES_OR_NO,
    SUBFIELD_UNKNOWN,
    TOO_MANY_ROWS,
    UPLOAD_EXPIRED,
    VALUE_REQUIRED,
    AREA_REQUIRED,
    ResponseImport,
    RowStatus,
    column_headers,
)
from surveys.models import Campaign, CampaignKind, Invitation, Need, Offer, Response
from surveys.services import PERIOD_REVERSED, SUBFIELD_NOT_IN_AREA

UPLOAD_URL = "/en/surveys/import/"

NEED_HEADER = ["institute", "activity_type", "area", "subfield", "subject", "target_uncertainty", "period_from", "period_to", "priority", "comment"]
NEED_ROWS = [
    ["UzNIM", "calibration", "M", "M-MASS", "Calibration of a set of E2 weights, 1 mg – 1 kg", "0.1 mg", "2027-01-01", "2027-12-31", "high", ""],
    ["Kyrgyzstandard", "Comparison", "T", "T-CON", "Comparison of thermocouples, 0–1200 °C", "", "01.03.2027", "31.12.2028", "Medium", "paper, 2 pages"],
    ["nim-am", "training", "", "", "Seminar on uncertainty budgets", "", "2027-04-01", "2027-04-30", "low", ""],
]
OFFER_HEADER = ["institute", "activity_type", "area", "subfield", "subject", "capacity", "period_from", "period_to", "languages", "conditions", "customs_paid_by", "location"]
OFFER_ROW = ["BelGIM", "internship", "M", "M-PRESS", "Internship in pressure measurements, one month", "2", "2027-01-01", "2027-12-31", "ru", "contract", "recipient", "Minsk"]


# --- helpers ---------------------------------------------------------------------

def campaign(kind: str, year: int | None = None) -> Campaign:
    return Campaign.objects.get(kind=kind, year=year or timezone.localdate().year)


def csv_bytes(header, rows, *, encoding="utf-8", delimiter=",") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(header, rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, target: Campaign, name: str, content: bytes, url: str = UPLOAD_URL):
    return client.post(url, {"campaign": target.pk, "file": SimpleUploadedFile(name, content)})


def row(report, number):
    return next(r for r in report.rows if r.number == number)


def texts(problems) -> list[str]:
    return [p.text for p in problems]


def msgid(message) -> str:
    with translation.override(None):
        return str(message)


def dry_run(target, by, name, content):
    return ResponseImport(campaign=target, by=by, file=SimpleUploadedFile(name, content)).run(dry_run=True)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads kept between dry run and confirmation go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def secretariat(client_as):
    return client_as("secretariat")


# --- good files ----------------------------------------------------------------------

def test_good_xlsx_dry_run_writes_nothing_then_confirm_imports_every_row(secretariat, user_named, media_root):
    target = campaign(CampaignKind.NEEDS)
    needs_before = Need.objects.count()
    response = upload(secretariat, target, "needs.xlsx", xlsx_bytes(NEED_HEADER, NEED_ROWS))
    assert response.status_code == 200
    report = response.context["report"]
    assert report.is_valid, [texts(r.errors) for r in report.rows]
    assert [r.status for r in report.rows] == [RowStatus.NEW] * 3
    assert [r.number for r in report.rows] == [2, 3, 4]
    assert Need.objects.count() == needs_before
    assert not Response.objects.filter(campaign=target).exists()
    token = response.context["token"]
    assert token

    kept = list((media_root / "imports").iterdir())
    assert [path.name for path in kept] == [f"{token}.xlsx"]

    done = secretariat.post(f"/en/surveys/import/{token}/confirm/", follow=True)
    assert not kept[0].exists()  # the kept upload is gone once imported
    assert done.redirect_chain[-1][0] == target.get_absolute_url().replace("/ru/", "/en/")
    assert "3 rows imported into CEEMS needs" in done.content.decode()
    assert Need.objects.count() == needs_before + 3
    secretariat_user = user_named("secretariat")
    responses = Response.objects.filter(campaign=target)
    assert responses.count() == 3
    assert set(responses.values_list("status", flat=True)) == {Response.Status.SUBMITTED}
    assert set(responses.values_list("submitted_by", flat=True)) == {secretariat_user.pk}
    need = Need.objects.get(response__campaign=target, subfield__code="T-CON")
    assert need.activity_type == "comparison" and need.priority == "medium"
    assert need.period_from == date(2027, 3, 1) and need.comment == "paper, 2 pages"
    training = Need.objects.get(response__campaign=target, activity_type="training")
    assert training.area is None and training.response.institute.acronym == "NIM-AM"
    # Who and when is recorded, for the items and the responses.
    assert need.history.get().history_user == secretariat_user
    assert responses.first().history.get().history_user == secretariat_user


@pytest.mark.parametrize(
    "encoding,delimiter,language",
    [("utf-8", ",", "en"), ("utf-8-sig", ",", "en"), ("cp1251", ";", "ru")],
    ids=["utf8", "utf8-bom", "cp1251-semicolons-russian-headers"],
)
def test_good_csv_in_each_encoding_imports(secretariat, encoding, delimiter, language):
    target = campaign(CampaignKind.OFFERS, 2022)
    header = column_headers(kind=CampaignKind.OFFERS, language=language)
    header = [h for h, key in zip(header, [c.key for c in importing.OFFER_COLUMNS]) if key != "country"]
    with translation.override(language):
        internship = str(importing.ActivityType.INTERNSHIP.label)
    rows = [
        ["BelGIM", internship, "M", "M-PRESS", "Стажировка по измерениям давления, один месяц", "0–6 МПа", "2", "01.01.2027", "31.12.2027", "ru", "contract", "recipient", "Минск", ""],
        ["VNIIM", "training", "M", "M-MASS", "Семинар по измерениям массы", "", 20, "2027-05-01", "2027-05-31", "ru", "free", "provider", "Санкт-Петербург", ""],
    ]
    content = csv_bytes(header, rows, encoding=encoding, delimiter=delimiter)
    response = upload(secretariat, target, "offers.csv", content)
    report = response.context["report"]
    assert report.is_valid, [texts(r.errors) for r in report.rows]
    assert report.counts[RowStatus.NEW] == 2
    secretariat.post(f"/en/surveys/import/{response.context['token']}/confirm/")
    offer = Offer.objects.get(subject="Стажировка по измерениям давления, один месяц")
    assert offer.capacity == 2 and offer.location == "Минск" and offer.response.institute.acronym == "BelGIM"
    assert offer.measurement_range == "0–6 МПа"
    assert offer.period_to == date(2027, 12, 31)


def test_reimporting_the_same_file_changes_nothing(secretariat, user_named):
    target = campaign(CampaignKind.NEEDS)
    content = xlsx_bytes(NEED_HEADER, NEED_ROWS)
    first = upload(secretariat, target, "needs.xlsx", content)
    secretariat.post(f"/en/surveys/import/{first.context['token']}/confirm/")
    counts = (Need.objects.count(), Need.history.count(), Response.objects.count(), Response.history.count())
    revisions = list(Response.objects.filter(campaign=target).values_list("revision", flat=True))

    again = upload(secretariat, target, "needs.xlsx", content)
    report = again.context["report"]
    assert [r.status for r in report.rows] == [RowStatus.UNCHANGED] * 3
    assert again.context["token"] is None
    assert b'data-testid="import-nothing"' in again.content
    # Running the confirmation step itself again is just as harmless.
    result = ResponseImport(
        campaign=target, by=user_named("secretariat"), file=SimpleUploadedFile("needs.xlsx", content)
    ).run(dry_run=False)
    assert result.applied and result.counts[RowStatus.UNCHANGED] == 3
    assert counts == (Need.objects.count(), Need.history.count(), Response.objects.count(), Response.history.count())
    assert revisions == list(Response.objects.filter(campaign=target).values_list("revision", flat=True))


def test_a_changed_row_updates_the_stored_item_and_bumps_the_response_revision(secretariat):
    target = campaign(CampaignKind.NEEDS, 2022)
    need = Need.objects.get(response__campaign=target, subject__startswith="Калибровка набора гирь класса E1")
    revision = need.response.revision
    header = ["institute", "activity_type", "area", "subfield", "subject", "period_from", "period_to", "priority"]
    rows = [["NIM-AM", "calibration", "M", "M-MASS", need.subject.upper(), "2023-01-01", "2023-12-31", "low"]]
    response = upload(secretariat, target, "needs.csv", csv_bytes(header, rows))
    report = response.context["report"]
    assert report.rows[0].status == RowStatus.UPDATED
    assert set(report.rows[0].changed) == {"What exactly", "Priority"}
    secretariat.post(f"/en/surveys/import/{response.context['token']}/confirm/")
    need.refresh_from_db()
    assert need.priority == "low" and need.subject == rows[0][4]
    assert need.target_uncertainty == ""  # a column left out of the file is left alone
    assert need.response.revision == revision + 1
    assert need.history.latest().history_type == "~"


def test_self_classification_import(secretariat):
    target = campaign(CampaignKind.SELF_CLASSIFICATION, 2021)
    existing = Response.objects.get(campaign=target, institute__acronym="NIM-AM")
    header = column_headers(kind=CampaignKind.SELF_CLASSIFICATION, language="en")
    rows = [["NIM-AM", "", "yes", existing.ceems_reason], ["BelGIM", "BY", "no", "Not an emerging system."]]
    response = upload(secretariat, target, "self.csv", csv_bytes(header, rows))
    report = response.context["report"]
    assert [r.status for r in report.rows] == [RowStatus.UNCHANGED, RowStatus.NEW]
    secretariat.post(f"/en/surveys/import/{response.context['token']}/confirm/")
    created = Response.objects.get(campaign=target, institute__acronym="BelGIM")
    assert created.considers_ceems is False and created.status == Response.Status.SUBMITTED

    bad = [["NIM-AM", "", "maybe", ""], ["BelGIM", "", "no", ""], ["belgim", "", "нет", ""]]
    report = upload(secretariat, target, "self.csv", csv_bytes(header, bad)).context["report"]
    assert texts(row(report, 2).errors) == [NOT_YES_OR_NO % {"value": "maybe"}]
    assert row(report, 3).status == RowStatus.UPDATED
    assert texts(row(report, 4).errors) == [DUPLICATE_INSTITUTE % {"row": 3}]


# --- bad rows -----------------------------------------------------------------------------

BAD_NEED_ROWS = {
    "institute not invited": (
        ["BelGIM", "calibration", "M", "M-MASS", "Calibration of weights", "", "2027-01-01", "2027-12-31", "high", ""],
        "institute", (INSTITUTE_NOT_ALLOWED, {"value": "BelGIM"}),
    ),
    "unknown institute": (
        ["NOPE", "calibration", "M", "M-MASS", "Calibration of weights", "", "2027-01-01", "2027-12-31", "high", ""],
        "institute", (INSTITUTE_UNKNOWN, {"value": "NOPE"}),
    ),
    "unknown area": (
        ["UzNIM", "calibration", "XX", "", "Calibration of weights", "", "2027-01-01", "2027-12-31", "high", ""],
        "area", (AREA_UNKNOWN, {"value": "XX"}),
    ),
    "unknown sub-field": (
        ["UzNIM", "calibration", "M", "M-NOPE", "Calibration of weights", "", "2027-01-01", "2027-12-31", "high", ""],
        "subfield", (SUBFIELD_UNKNOWN, {"value": "M-NOPE"}),
    ),
    "sub-field of another area": (
        ["UzNIM", "calibration", "M", "T-CON", "Calibration of weights", "", "2027-01-01", "2027-12-31", "high", ""],
        "subfield", SUBFIELD_NOT_IN_AREA,
    ),
    "area missing for a calibration": (
        ["UzNIM", "calibration", "", "", "Calibration of weights", "", "2027-01-01", "2027-12-31", "high", ""],
        "area", AREA_REQUIRED,
    ),
    "reversed dates": (
        ["UzNIM", "calibration", "M", "M-MASS", "Calibration of weights", "", "2027-12-31", "2027-01-01", "high", ""],
        "period_to", PERIOD_REVERSED,
    ),
    "not a date": (
        ["UzNIM", "calibration", "M", "M-MASS", "Calibration of weights", "", "31.02.2027", "2027-12-31", "high", ""],
        "period_from", (NOT_A_DATE, {"value": "31.02.2027"}),
    ),
    "unknown priority": (
        ["UzNIM", "calibration", "M", "M-MASS", "Calibration of weights", "", "2027-01-01", "2027-12-31", "urgent", ""],
        "priority", (CHOICE_UNKNOWN, {"value": "urgent"}),
    ),
    "empty required cell": (
        ["UzNIM", "calibration", "M", "M-MASS", "", "", "2027-01-01", "2027-12-31", "high", ""],
        "subject", VALUE_REQUIRED,
    ),
    "duplicate of row 2": (
        NEED_ROWS[0],
        None, (DUPLICATE_ITEM, {"row": 2}),
    ),
}


@pytest.mark.parametrize("case", list(BAD_NEED_ROWS), ids=list(BAD_NEED_ROWS))
def test_a_bad_row_is_reported_on_its_row_and_nothing_is_written(secretariat, case):
    bad_row, column, message = BAD_NEED_ROWS[case]
    # Formatted here, in the test's language, not at import time.
    if isinstance(message, tuple):
        message = message[0] % message[1]
    target = campaign(CampaignKind.NEEDS)
    before = (Need.objects.count(), Response.objects.count())
    response = upload(secretariat, target, "needs.csv", csv_bytes(NEED_HEADER, [NEED_ROWS[0], NEED_ROWS[1], bad_row]))
    report = response.context["report"]
    assert not report.is_valid
    assert [r.status for r in report.rows][:2] == [RowStatus.NEW, RowStatus.NEW]
    errors = row(report, 4).errors
    assert [(p.column.key if p.column else None, p.text) for p in errors] == [(column, str(message))]
    assert response.context["token"] is None
    page = response.content.decode()
    assert 'data-testid="import-confirm"' not in page
    assert escape(str(message)) in page
    assert before == (Need.objects.count(), Response.objects.count())


def test_text_in_a_number_column_is_rejected(secretariat):
    target = campaign(CampaignKind.OFFERS, 2022)
    bad = [*OFFER_ROW[:5], "abc", *OFFER_ROW[6:]]
    report = upload(secretariat, target, "offers.csv", csv_bytes(OFFER_HEADER, [OFFER_ROW, bad])).context["report"]
    assert row(report, 2).status == RowStatus.NEW
    assert texts(row(report, 3).errors) == [NOT_A_POSITIVE_NUMBER % {"value": "abc", "max": 10_000}]
    assert row(report, 3).errors[0].column.key == "capacity"


def test_confirm_checks_again_and_writes_nothing_if_the_data_changed(secretariat):
    target = campaign(CampaignKind.NEEDS)
    response = upload(secretariat, target, "needs.xlsx", xlsx_bytes(NEED_HEADER, NEED_ROWS))
    Invitation.objects.filter(campaign=target, institute__acronym="UzNIM").delete()
    page = secretariat.post(f"/en/surveys/import/{response.context['token']}/confirm/")
    assert page.status_code == 200
    assert str(CHANGED_SINCE_DRY_RUN) in page.content.decode()
    assert texts(row(page.context["report"], 2).errors) == [INSTITUTE_NOT_ALLOWED % {"value": "UzNIM"}]
    assert not Need.objects.filter(response__campaign=target).exists()
    assert not Response.objects.filter(campaign=target).exists()


# --- bad files ------------------------------------------------------------------------------

def _file_errors(response) -> list[str]:
    return response.context["form"].errors["file"]


def test_a_missing_required_column_is_named(secretariat):
    header = [h for h in NEED_HEADER if h != "priority"]
    rows = [r[:8] + r[9:] for r in NEED_ROWS]
    response = upload(secretariat, campaign(CampaignKind.NEEDS), "needs.csv", csv_bytes(header, rows))
    assert _file_errors(response) == [MISSING_COLUMN % {"column": "Priority"}]
    assert "Priority" in response.content.decode()


@pytest.mark.parametrize(
    "name,content",
    [
        ("minutes.pdf", b"%PDF-1.7\n1 0 obj << >> endobj"),
        ("needs.xlsx", b"this is not a zip file at all"),
        ("needs.xlsx", b"PK\x03\x04" + b"\x00" * 200),
        ("needs.csv", bytes(range(256)) * 4),
        ("needs.docx", xlsx_bytes(NEED_HEADER, NEED_ROWS)),
    ],
    ids=["pdf", "xlsx-not-zip", "xlsx-bad-zip", "binary-csv", "wrong-extension"],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(secretariat, name, content):
    response = upload(secretariat, campaign(CampaignKind.NEEDS), name, content)
    assert _file_errors(response) == [str(NOT_A_SPREADSHEET)]
    assert "report" not in response.context


def test_a_file_above_the_size_limit_is_refused(secretariat):
    content = csv_bytes(NEED_HEADER, NEED_ROWS) + b" " * MAX_FILE_SIZE
    response = upload(secretariat, campaign(CampaignKind.NEEDS), "needs.csv", content)
    assert _file_errors(response) == [FILE_TOO_LARGE % {"max": MAX_FILE_SIZE // (1024 * 1024)}]


def test_too_many_rows_and_no_rows_are_refused(secretariat, monkeypatch):
    target = campaign(CampaignKind.NEEDS)
    response = upload(secretariat, target, "needs.csv", csv_bytes(NEED_HEADER, []))
    assert _file_errors(response) == [str(NO_ROWS)]
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    response = upload(secretariat, target, "needs.xlsx", xlsx_bytes(NEED_HEADER, NEED_ROWS))
    assert _file_errors(response) == [TOO_MANY_ROWS % {"max": 2}]


# --- language, permissions, tokens ------------------------------------------------------------

def test_row_errors_are_in_the_users_language(client_as):
    client = client_as("secretariat")
    bad = ["BelGIM", *NEED_ROWS[0][1:]]
    response = upload(client, campaign(CampaignKind.NEEDS), "needs.csv", csv_bytes(NEED_HEADER, [bad]), url="/ru/surveys/import/")
    page = response.content.decode()
    assert "Нельзя загрузить ответы BelGIM в это анкетирование: институт не приглашён к нему." in page
    assert "<strong>Институт:</strong>" in page


def test_a_russian_header_row_is_accepted(client_as):
    header = column_headers(kind=CampaignKind.NEEDS, language="ru")
    assert "Институт" in header and "Приоритет" in header
    # The template's order: institute, country, ..., what exactly, range,
    # ..., priority, working language(s), comment.
    rows = [[r[0], "", *r[1:5], "", *r[5:9], "Русский и английский", r[9]] for r in NEED_ROWS]
    response = upload(client_as("secretariat"), campaign(CampaignKind.NEEDS), "needs.csv", csv_bytes(header, rows, encoding="cp1251", delimiter=";"))
    assert response.context["report"].is_valid


def test_a_respondent_cannot_import(client_as):
    client = client_as("nmi-uz")
    target = campaign(CampaignKind.NEEDS)
    assert client.get(UPLOAD_URL).status_code == 403
    assert upload(client, target, "needs.csv", csv_bytes(NEED_HEADER, NEED_ROWS)).status_code == 403
    assert client.get("/en/surveys/import/template/needs.xlsx").status_code == 403
    assert client.post(f"/en/surveys/import/{'0' * 32}/confirm/").status_code == 403
    assert not Response.objects.filter(campaign=target).exists()


def test_a_token_works_only_for_the_user_who_uploaded_it(client_as, secretariat, user_named):
    from django.test import Client

    target = campaign(CampaignKind.NEEDS)
    token = upload(secretariat, target, "needs.xlsx", xlsx_bytes(NEED_HEADER, NEED_ROWS)).context["token"]
    other = Client()
    colleague = user_named("admin")
    other.force_login(colleague)
    assert other.post(f"/en/surveys/import/{token}/confirm/").status_code == 404
    assert not Need.objects.filter(response__campaign=target).exists()


def test_an_expired_upload_asks_to_upload_again(secretariat, monkeypatch):
    target = campaign(CampaignKind.NEEDS)
    token = upload(secretariat, target, "needs.xlsx", xlsx_bytes(NEED_HEADER, NEED_ROWS)).context["token"]
    monkeypatch.setattr(importing, "UPLOAD_TTL", importing.timedelta(seconds=-1))
    page = secretariat.post(f"/en/surveys/import/{token}/confirm/", follow=True)
    assert str(UPLOAD_EXPIRED) in page.content.decode()
    assert not Need.objects.filter(response__campaign=target).exists()


def test_the_upload_page_offers_the_campaigns_and_templates(secretariat):
    page = secretariat.get(UPLOAD_URL).content.decode()
    assert "/en/surveys/import/template/needs.xlsx" in page
    assert "/en/surveys/import/template/self_classification.xlsx" in page
    form = secretariat.get(UPLOAD_URL).context["form"]
    assert Campaign.Status.DRAFT not in set(form.fields["campaign"].queryset.values_list("status", flat=True))


# --- templates ----------------------------------------------------------------------------------

FILLED = {
    CampaignKind.NEEDS: (None, ["UzNIM", "UZ", "Calibration", "M", "M-MASS", "Calibration of a 1 kg standard", "1 kg", "0.1 mg", date(2027, 1, 1), date(2027, 6, 30), "High", "Russian and English", ""]),
    CampaignKind.OFFERS: (2022, ["VNIIM", "RU", "Internship", "QM", "QM-PH", "Internship in pH", "pH 1–12", 3, date(2027, 1, 1), date(2027, 12, 31), "Russian", "Contract basis", "The recipient (CEEMS NMI)", "Saint Petersburg", ""]),
    CampaignKind.SELF_CLASSIFICATION: (2021, ["SMU", "SK", "no", "A developed metrology system."]),
}


@pytest.mark.parametrize("kind", list(FILLED))
def test_the_template_downloads_and_reimports_once_filled_in(secretariat, kind):
    download = secretariat.get(f"/en/surveys/import/template/{kind}.xlsx")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(download.content))
    sheet, values = workbook.worksheets
    header = [cell.value for cell in sheet[1]]
    assert header == column_headers(kind=kind, language="en")
    assert sheet.max_row == 2  # the example row
    allowed = {cell.value for column in values.iter_cols() for cell in column}
    if kind != CampaignKind.SELF_CLASSIFICATION:
        assert {"Calibration", "M", "M-MASS", "High" if kind == CampaignKind.NEEDS else "Contract basis"} <= allowed
    else:
        assert {"yes", "no"} <= allowed

    year, filled = FILLED[kind]
    for position, value in enumerate(filled, start=1):
        sheet.cell(row=2, column=position, value=value)
    out = io.BytesIO()
    workbook.save(out)
    target = campaign(kind, year)
    response = upload(secretariat, target, "filled.xlsx", out.getvalue())
    report = response.context["report"]
    assert report.is_valid, [texts(r.errors) for r in report.rows]
    assert [r.status for r in report.rows] == [RowStatus.NEW]
    secretariat.post(f"/en/surveys/import/{response.context['token']}/confirm/")
    assert Response.objects.filter(campaign=target, institute__acronym=filled[0]).exists()


def test_the_template_is_in_the_users_language(client_as):
    download = client_as("secretariat").get("/ru/surveys/import/template/needs.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).worksheets[0]
    assert "Что именно" in [cell.value for cell in sheet[1]]
    assert "template-ru" in download["Content-Disposition"]


def test_an_unknown_template_kind_is_404(secretariat):
    assert secretariat.get("/en/surveys/import/template/minutes.xlsx").status_code == 404


# --- queries ------------------------------------------------------------------------------------

def test_the_dry_run_makes_the_same_number_of_queries_for_10_and_200_rows(demo, user_named):
    target = campaign(CampaignKind.NEEDS)
    by = user_named("secretariat")
    by.roles  # noqa: B018 - cached once, as in a request

    def queries(n: int) -> int:
        rows = [
            [("UzNIM", "Kyrgyzstandard", "NIM-AM")[i % 3], "calibration", "M", "M-MASS", f"Item {i}", "", "2027-01-01", "2027-12-31", "high", ""]
            for i in range(n)
        ]
        content = csv_bytes(NEED_HEADER, rows)
        with CaptureQueriesContext(connection) as captured:
            report = dry_run(target, by, "needs.csv", content)
        assert report.is_valid and len(report.rows) == n
        return len(captured)

    assert queries(10) == queries(200) <= 8


def test_confirm_writes_in_batches_not_per_row(demo, user_named):
    target = campaign(CampaignKind.NEEDS)
    by = user_named("secretariat")
    rows = [["UzNIM", "calibration", "M", "M-MASS", f"Item {i}", "", "2027-01-01", "2027-12-31", "high", ""] for i in range(300)]
    with CaptureQueriesContext(connection) as captured:
        report = ResponseImport(campaign=target, by=by, file=SimpleUploadedFile("n.csv", csv_bytes(NEED_HEADER, rows))).run(dry_run=False)
    assert report.applied and Need.objects.filter(response__campaign=target).count() == 300
    assert len(captured) < 30


def test_an_acronym_shared_by_two_institutes_needs_the_country_only_when_both_are_invited(demo, user_named):
    from institutes.models import Institute
    from surveys.importing import INSTITUTE_AMBIGUOUS, INSTITUTE_UNKNOWN_IN_COUNTRY
    from tests.factories import InstituteFactory

    target = campaign(CampaignKind.NEEDS)
    twin = InstituteFactory(acronym="UzNIM")
    by = user_named("secretariat")
    header = ["institute", "country", *NEED_HEADER[1:]]
    rows = [
        ["UzNIM", "", *NEED_ROWS[0][1:]],
        ["UzNIM", twin.country.iso2, *NEED_ROWS[1][1:]],
        ["UzNIM", "KG", *NEED_ROWS[2][1:]],
    ]
    report = dry_run(target, by, "n.csv", csv_bytes(header, rows))
    assert row(report, 2).status == RowStatus.NEW and row(report, 2).institute == "UZ · UzNIM"
    assert texts(row(report, 3).errors) == [INSTITUTE_NOT_ALLOWED % {"value": "UzNIM"}]
    assert texts(row(report, 4).errors) == [INSTITUTE_UNKNOWN_IN_COUNTRY % {"value": "UzNIM", "country": "KG"}]

    Invitation.objects.create(campaign=target, institute=twin)
    report = dry_run(target, by, "n.csv", csv_bytes(header, rows[:1]))
    assert texts(row(report, 2).errors) == [INSTITUTE_AMBIGUOUS % {"value": "UzNIM"}]
    assert Institute.objects.filter(acronym="UzNIM").count() == 2


def test_beat_task_purges_uploads_never_confirmed(secretariat, media_root):
    import os
    import time

    from surveys.tasks import purge_stale_uploads

    upload(secretariat, campaign(CampaignKind.NEEDS), "needs.csv", csv_bytes(NEED_HEADER, NEED_ROWS))
    kept = list((media_root / "imports").iterdir())
    assert len(kept) == 1
    assert purge_stale_uploads() == 0  # a fresh upload stays, for its confirmation
    two_hours_ago = time.time() - 2 * 3600
    os.utime(kept[0], (two_hours_ago, two_hours_ago))
    assert purge_stale_uploads() == 1
    assert not kept[0].exists()
