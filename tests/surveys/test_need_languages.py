"""A need's working language(s): the default by country, the questionnaire,
"start from last year's answers", the import, the summary's filter and
exports, the demo, and the ISO codes the matching engine reads."""
import csv
import io

import openpyxl
import pytest
from django.utils import timezone, translation

from institutes.models import Institute
from surveys import services
from surveys.columns import NEED_COLUMNS
from surveys.forms import EMPTY_ITEM, NeedForm
from surveys.importing import CHOICE_UNKNOWN, RowStatus, column_headers
from surveys.models import (
    Campaign,
    CampaignKind,
    Invitation,
    Language,
    Need,
    Offer,
    Response,
    default_working_languages,
    language_iso_codes,
)
from surveys.services import response_xlsx
from tests.factories import current_revision

pytestmark = pytest.mark.django_db

ADD = "/en/surveys/responses/{pk}/items/add/"


# --- The one rule, and the engine's codes ---------------------------------------------

@pytest.mark.parametrize(
    "value,codes",
    [("ru", ("ru",)), ("en", ("en",)), ("ru_en", ("en", "ru")), ("", ()), ("klingon", ())],
)
def test_the_portals_answer_becomes_the_engines_iso_codes(value, codes):
    assert language_iso_codes(value) == codes


def test_every_answer_has_iso_codes():
    assert all(language_iso_codes(value) for value in Language.values)


@pytest.mark.parametrize("iso2", ["AM", "KG", "TJ", "UZ", "RU", "BY", "KZ", "kg"])
def test_russian_is_the_default_of_the_russian_speaking_members(iso2):
    assert default_working_languages(iso2) == Language.RU


@pytest.mark.parametrize("iso2", ["CN", "SK", "GE", "", None])
def test_no_default_where_none_is_obvious(iso2):
    assert default_working_languages(iso2) == ""


# --- The questionnaire -----------------------------------------------------------------

def _new_form_html(client, response) -> str:
    return client.get(f"{response.get_absolute_url()}?new=1").content.decode()


def test_a_new_need_starts_with_its_countrys_default(client_as, kg_response):
    html = _new_form_html(client_as("nmi-kg"), kg_response)
    assert '<option value="ru" selected>' in html
    assert "Working language(s)" in html and "Offers in a shared language are preferred." in html


def test_a_new_need_starts_blank_where_no_default_is_obvious(client_as, open_needs, user_named):
    Invitation.objects.create(campaign=open_needs, institute=Institute.objects.get(acronym="SMU"))
    user = user_named("nmi-sk")
    response = services.response_start(campaign=open_needs, institute=user.institute, by=user)
    form = NeedForm(instance=Need(response=response), prefix="new")
    assert form["languages"].value() in (None, "")
    assert '<option value="" selected>' in str(form["languages"])


def test_an_existing_need_keeps_its_own_answer(kg_response):
    need = Need.objects.create(response=kg_response, subject="Barometers", position=1)
    assert NeedForm(instance=need, prefix="item")["languages"].value() == ""


def test_a_new_need_holding_only_the_default_is_empty_and_not_saved(client_as, kg_response):
    result = client_as("nmi-kg").post(
        ADD.format(pk=kg_response.pk), {"revision": current_revision(kg_response), "new-languages": "ru"}
    )
    assert result.status_code == 400
    assert str(EMPTY_ITEM) in result.content.decode()
    assert not Need.objects.filter(response=kg_response).exists()


@pytest.mark.parametrize("posted", ["ru", "ru_en", ""])
def test_the_answer_posted_is_saved(client_as, kg_response, posted):
    client_as("nmi-kg").post(
        ADD.format(pk=kg_response.pk),
        {"revision": current_revision(kg_response), "new-subject": "Barometers", "new-languages": posted},
    )
    assert Need.objects.get(response=kg_response).languages == posted


def test_a_value_that_is_not_a_choice_is_refused_next_to_the_field(client_as, kg_response):
    result = client_as("nmi-kg").post(
        ADD.format(pk=kg_response.pk),
        {"revision": current_revision(kg_response), "new-subject": "Barometers", "new-languages": "klingon"},
    )
    assert result.status_code == 400
    assert 'id="id_new-languages_errors"' in result.content.decode()
    assert not Need.objects.filter(response=kg_response).exists()


def test_the_response_page_shows_the_working_languages(client_as, needs_2022):
    response = Response.objects.get(campaign=needs_2022, institute__acronym="NIM-AM")
    html = client_as("nmi-am").get(response.get_absolute_url()).content.decode()
    assert "Working language(s)" in html and "Russian and English" in html


def test_starting_from_last_years_answers_copies_the_working_languages(demo, user_named):
    campaign = Campaign.objects.get(kind=CampaignKind.NEEDS, year=timezone.localdate().year)
    user = user_named("nmi-am")
    response = services.response_start(campaign=campaign, institute=user.institute, by=user)
    last_year = Need.objects.filter(response__campaign__year=2022, response__institute=user.institute)
    first = last_year.order_by("position").first()
    first.languages = Language.EN
    first.save()

    services.response_copy_previous(response=response, revision=current_revision(response), by=user)

    copied = dict(Need.objects.filter(response=response).values_list("subject", "languages"))
    assert copied == dict(last_year.values_list("subject", "languages"))
    assert copied[first.subject] == Language.EN and Language.RU_EN in copied.values()


# --- The import ------------------------------------------------------------------------

@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _needs_file(language: str, languages_cell: str) -> bytes:
    """A needs file as the template of `language` lays it out, one row."""
    values = {
        "institute": "UzNIM", "activity_type": "calibration", "area": "M", "subfield": "M-MASS",
        "subject": "Calibration of a 1 kg standard", "period_from": "2027-01-01", "period_to": "2027-12-31",
        "priority": "high", "languages": languages_cell,
    }
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(column_headers(kind=CampaignKind.NEEDS, language=language))
    sheet.append([values.get(column.key, "") for column in NEED_COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(client, language: str, content: bytes):
    target = Campaign.objects.get(kind=CampaignKind.NEEDS, year=timezone.localdate().year)
    return client.post(f"/{language}/surveys/import/", {
        "campaign": target.pk, "file": _file(content),
    })


def _file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("needs.xlsx", content)


def test_the_need_template_has_the_working_languages_column():
    keys = [column.key for column in NEED_COLUMNS]
    assert keys.index("languages") == keys.index("priority") + 1
    assert "Working language(s)" in column_headers(kind=CampaignKind.NEEDS, language="en")


@pytest.mark.parametrize(
    "language,first,second",
    [("en", "Russian", "Russian and English"), ("ru", "Русский", "Русский и английский")],
)
def test_the_working_languages_import_in_either_language_and_update_on_a_second_file(
    client_as, media_root, language, first, second
):
    client = client_as("secretariat")
    dry_run = _upload(client, language, _needs_file(language, first))
    report = dry_run.context["report"]
    assert report.is_valid, [[p.text for p in r.errors] for r in report.rows]
    client.post(f"/{language}/surveys/import/{dry_run.context['token']}/confirm/")
    need = Need.objects.get(subject="Calibration of a 1 kg standard")
    assert need.languages == Language.RU

    again = _upload(client, language, _needs_file(language, first))
    assert [r.status for r in again.context["report"].rows] == [RowStatus.UNCHANGED]

    changed = _upload(client, language, _needs_file(language, second))
    row = changed.context["report"].rows[0]
    assert row.status == RowStatus.UPDATED
    with translation.override(language):
        assert row.changed == [NEED_COLUMNS[[c.key for c in NEED_COLUMNS].index("languages")].label(CampaignKind.NEEDS)]
    client.post(f"/{language}/surveys/import/{changed.context['token']}/confirm/")
    need.refresh_from_db()
    assert need.languages == Language.RU_EN


def test_a_blank_working_languages_cell_imports_as_blank(client_as, media_root):
    client = client_as("secretariat")
    dry_run = _upload(client, "en", _needs_file("en", ""))
    assert dry_run.context["report"].is_valid
    client.post(f"/en/surveys/import/{dry_run.context['token']}/confirm/")
    assert Need.objects.get(subject="Calibration of a 1 kg standard").languages == ""


def test_a_file_without_the_column_leaves_the_stored_languages_alone(client_as, media_root, needs_2022):
    need = Need.objects.get(response__campaign=needs_2022, subject__startswith="Калибровка набора гирь класса E1")
    assert need.languages == Language.RU_EN
    header = ["institute", "activity_type", "area", "subfield", "subject", "period_from", "period_to", "priority"]
    row = ["NIM-AM", "calibration", "M", "M-MASS", need.subject, "2023-01-01", "2023-12-31", "low"]
    workbook = openpyxl.Workbook()
    workbook.active.append(header)
    workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    client = client_as("secretariat")
    page = client.post("/en/surveys/import/", {"campaign": needs_2022.pk, "file": _file(out.getvalue())})
    assert [r.status for r in page.context["report"].rows] == [RowStatus.UPDATED]
    client.post(f"/en/surveys/import/{page.context['token']}/confirm/")
    need.refresh_from_db()
    assert need.priority == "low" and need.languages == Language.RU_EN


@pytest.mark.parametrize(
    "language,message",
    [
        ("en", "“Klingon” is not one of the allowed values (see the “Allowed values” sheet)."),
        ("ru", "«Klingon» — недопустимое значение (см. лист «Допустимые значения»)."),
    ],
)
def test_a_bad_working_language_is_shown_on_its_row_and_nothing_is_written(client_as, media_root, language, message):
    before = Need.objects.count()
    page = _upload(client_as("secretariat"), language, _needs_file(language, "Klingon"))
    report = page.context["report"]
    assert not report.is_valid and page.context["token"] is None
    (problem,) = report.rows[0].errors
    assert problem.column.key == "languages" and problem.text == message
    with translation.override(None):
        assert problem.message == CHOICE_UNKNOWN
    assert message in page.content.decode()
    assert Need.objects.count() == before


# --- The summary: filter, export, the response's own workbook ----------------------------

TABLE = "/en/surveys/summary/2022/"


def _xlsx_rows(content: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_the_demo_needs_have_their_working_languages(needs_2022):
    by_institute = {}
    for acronym, languages in Need.objects.filter(response__campaign=needs_2022).values_list(
        "response__institute__acronym", "languages"
    ):
        by_institute.setdefault(acronym, set()).add(languages)
    assert by_institute == {
        "NIM-AM": {Language.RU_EN}, "Kyrgyzstandard": {Language.RU}, "Tajikstandard": {Language.RU},
        "UzNIM": {Language.RU},
    }


def test_the_summary_export_has_the_needs_working_languages(client_as, needs_2022):
    client = client_as("secretariat")
    rows = _xlsx_rows(client.get("/en/surveys/summary/2022/export.xlsx/", {"kind": "need"}).content)
    header, data = rows[0], rows[1:]
    column = header.index("Language(s)")
    by_institute = {(row[3], row[column]) for row in data}
    assert ("NIM-AM", "Russian and English") in by_institute and ("UzNIM", "Russian") in by_institute
    assert None not in {row[column] for row in data}

    text = b"".join(client.get("/en/surveys/summary/2022/export.csv/", {"kind": "need"}).streaming_content)
    lines = list(csv.reader(io.StringIO(text.decode("utf-8").lstrip("\ufeff"))))
    assert {line[column] for line in lines[1:]} == {"Russian", "Russian and English"}


def test_the_responses_own_workbook_has_the_working_languages(needs_2022, user_named):
    response = Response.objects.get(campaign=needs_2022, institute__acronym="NIM-AM")
    _name, content, _type = response_xlsx(response=response, reader=user_named("nmi-am"))
    rows = _xlsx_rows(content)
    column = rows[0].index("Language(s)")
    assert {row[column] for row in rows[1:]} == {"Russian and English"}


def test_the_table_shows_the_working_languages(client_as, needs_2022):
    html = client_as("secretariat").get(TABLE, {"kind": "need", "institute": Institute.objects.get(acronym="NIM-AM").pk})
    assert "Russian and English" in html.content.decode()


@pytest.mark.parametrize(
    "value,expected",
    [
        # Russian: needs in Russian, and in Russian and English (Armenia's),
        # and the offers in either; English: Armenia's needs and the offers in English.
        ("ru", lambda item: item.languages in ("ru", "ru_en")),
        ("en", lambda item: item.languages in ("en", "ru_en")),
        ("none", lambda item: item.languages == ""),
    ],
)
def test_the_language_filter_finds_what_can_be_done_in_that_language(client_as, needs_2022, settings, value, expected):
    settings.PORTAL_PAGE_SIZE = 100
    offer = Offer.objects.filter(response__campaign__year=2022).first()
    offer.languages = ""
    offer.save()
    page = client_as("secretariat").get(TABLE, {"language": value})
    shown = {(row["kind"], row["item_id"]) for row in page.context["page_obj"]}
    items = [*Need.objects.filter(response__campaign=needs_2022), *Offer.objects.filter(response__campaign__year=2022)]
    wanted = {("need" if isinstance(item, Need) else "offer", item.pk) for item in items if expected(item)}
    assert shown == wanted and shown


def test_a_bad_language_filter_is_reported_and_the_others_still_apply(client_as, needs_2022):
    page = client_as("secretariat").get(TABLE, {"language": "klingon", "kind": "need"})
    assert page.status_code == 200
    assert page.context["form"].errors["language"]
    assert {row["kind"] for row in page.context["page_obj"]} == {"need"}
