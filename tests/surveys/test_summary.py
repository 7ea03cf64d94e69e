"""The summary table of needs and offers, the needs-versus-offers matrix and
the table's XLSX and CSV export, on the demo's 2022 surveys (18 needs, 25
offers)."""
import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from institutes.models import Institute, MetrologyArea, Role
from institutes.services import user_set_roles
from surveys.models import Campaign, CampaignKind, Need, Offer, Response
from surveys.summary import summary_items, summary_matrix
from tests.factories import InstituteFactory, UserFactory

pytestmark = pytest.mark.django_db

TABLE = "/en/surveys/summary/2022/"
MATRIX = "/en/surveys/summary/2022/matrix/"
XLSX = "/{lang}/surveys/summary/2022/export.xlsx/"
CSV = "/{lang}/surveys/summary/2022/export.csv/"
NEEDS_2022, OFFERS_2022 = 18, 25


@pytest.fixture
def campaigns_2022(demo):
    return (
        Campaign.objects.get(kind=CampaignKind.NEEDS, year=2022),
        Campaign.objects.get(kind=CampaignKind.OFFERS, year=2022),
    )


@pytest.fixture
def secretariat(client_as):
    return client_as("secretariat")


def _rows(response) -> list[dict]:
    return list(response.context["page_obj"])


def _xlsx(response) -> list[tuple]:
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=True))


def _csv_text(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def _tricky_need(campaigns_2022, subject: str, **fields) -> Need:
    response = Response.objects.get(campaign=campaigns_2022[0], institute__acronym="UzNIM")
    return Need.objects.create(response=response, activity_type="training", subject=subject, position=99, **fields)


# --- The table --------------------------------------------------------------

def test_table_lists_needs_and_offers_together(secretariat):
    response = secretariat.get(TABLE)
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == NEEDS_2022 + OFFERS_2022
    html = response.content.decode()
    assert "Summary table of needs and offers, 2022" in html
    assert 'href="/en/surveys/summary/2022/export.xlsx/"' in html


def test_table_shows_the_comparisons_kyrgyzstan_and_uzbekistan_need(secretariat):
    response = secretariat.get(TABLE, {"kind": "need", "activity_type": "comparison"})
    rows = _rows(response)
    assert {row["institute_acronym"] for row in rows} == {"Kyrgyzstandard", "UzNIM"}
    assert {row["country_iso2"] for row in rows} == {"KG", "UZ"}
    assert len(rows) == 5
    html = response.content.decode()
    assert "Сличение эталонов массы, 1 мг – 20 кг, класс E2" in html
    assert "Сличение плоскопараллельных концевых мер длины, 0,5–100 мм" in html
    assert "5 items" in html


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"country": "KG"}, {("need", "Kyrgyzstandard")}),
        ({"country": "RU", "kind": "need"}, set()),
        ({"institute": "INM"}, {("offer", "INM")}),
        ({"activity_type": "procedure"}, {("need", "NIM-AM"), ("need", "Tajikstandard"), ("offer", "VNIIMS")}),
        ({"activity_type": "prereview", "area": "none"}, {("need", "NIM-AM")}),
        ({"area": "PR"}, {("offer", "NIM")}),
        ({"area": "QM", "kind": "offer"}, {("offer", "VNIIM")}),
    ],
)
def test_filters_narrow_the_table(secretariat, params, expected):
    if "institute" in params:
        params = {**params, "institute": Institute.objects.get(acronym=params["institute"]).pk}
    rows = _rows(secretariat.get(TABLE, params))
    assert {(row["kind"], row["institute_acronym"]) for row in rows} == expected


def test_kind_filter_counts(secretariat):
    assert secretariat.get(TABLE, {"kind": "need"}).context["page_obj"].paginator.count == NEEDS_2022
    assert secretariat.get(TABLE, {"kind": "offer"}).context["page_obj"].paginator.count == OFFERS_2022
    comparisons_in_mass = secretariat.get(TABLE, {"area": "M", "activity_type": "comparison"})
    assert comparisons_in_mass.context["page_obj"].paginator.count == 2 + 3


def test_status_filter_and_drafts(secretariat, campaigns_2022):
    Response.objects.filter(campaign=campaigns_2022[0], institute__acronym="Tajikstandard").update(
        status=Response.Status.REOPENED
    )
    rows = _rows(secretariat.get(TABLE, {"status": "reopened"}))
    assert {row["institute_acronym"] for row in rows} == {"Tajikstandard"} and len(rows) == 4
    assert all(row["status_label"] == "Reopened" for row in rows)
    submitted = secretariat.get(TABLE, {"status": "submitted"}).context["page_obj"].paginator.count
    assert submitted == NEEDS_2022 + OFFERS_2022 - 4


def test_the_filters_are_a_django_filter_filterset(secretariat):
    import django_filters

    response = secretariat.get(TABLE, {"kind": "offer", "country": "RU"})
    filterset = response.context["filter"]
    assert isinstance(filterset, django_filters.FilterSet)
    assert filterset.cleaned_filters() == {"kind": "offer", "country": "RU"}
    assert {row["institute_acronym"] for row in _rows(response)} == {"VNIIM", "VNIIMS", "VNIIFTRI"}


def test_a_bad_filter_value_is_reported_and_the_others_still_apply(secretariat):
    response = secretariat.get(TABLE, {"country": "ZZ", "kind": "need"})
    assert response.status_code == 200
    assert response.context["form"].errors["country"]
    assert 'id="id_country_errors"' in response.content.decode()
    assert response.context["page_obj"].paginator.count == NEEDS_2022


@pytest.mark.parametrize(
    "sort, first, last",
    [
        ("country", "Armenia", "Uzbekistan"),
        ("-country", "Uzbekistan", "Armenia"),
        ("institute", "BelGIM", "VNIIMS"),
        ("-institute", "VNIIMS", "BelGIM"),
    ],
)
def test_sorting_by_country_and_institute(secretariat, settings, sort, first, last):
    settings.PORTAL_PAGE_SIZE = 100
    rows = _rows(secretariat.get(TABLE, {"sort": sort}))
    key = "country_name" if "country" in sort else "institute_acronym"
    assert rows[0][key] == first and rows[-1][key] == last


def test_sorting_by_kind_activity_area_and_period(secretariat, settings):
    settings.PORTAL_PAGE_SIZE = 100
    kinds = [row["kind"] for row in _rows(secretariat.get(TABLE, {"sort": "kind"}))]
    assert kinds == ["need"] * NEEDS_2022 + ["offer"] * OFFERS_2022
    kinds = [row["kind"] for row in _rows(secretariat.get(TABLE, {"sort": "-kind"}))]
    assert kinds == ["offer"] * OFFERS_2022 + ["need"] * NEEDS_2022
    activities = [row["activity"] for row in _rows(secretariat.get(TABLE, {"sort": "activity_type"}))]
    assert activities[0] == "comparison" and activities[-1] == "prereview"  # the order of the list, not A-Z
    areas = [row["area_code"] for row in _rows(secretariat.get(TABLE, {"sort": "area"}))]
    order = list(MetrologyArea.objects.order_by("position", "code").values_list("code", flat=True)) + [None]
    assert areas == sorted(areas, key=order.index)
    starts = [row["period_from_"] for row in _rows(secretariat.get(TABLE, {"sort": "-period"}))]
    assert starts == sorted(starts, reverse=True) and starts[0] == date(2024, 1, 1)


def test_sort_headers_link_to_the_other_direction_and_say_the_current_one(secretariat):
    html = secretariat.get(TABLE, {"sort": "country", "kind": "need"}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert 'href="/en/surveys/summary/2022/?sort=-country&amp;kind=need"' in html
    assert 'href="/en/surveys/summary/2022/?sort=period&amp;kind=need"' in html


def test_an_unknown_sort_falls_back_to_the_default(secretariat):
    response = secretariat.get(TABLE, {"sort": "subject; drop table"})
    assert response.status_code == 200
    assert _rows(response)[0]["country_name"] == "Armenia"


def test_pagination_runs_across_both_kinds(secretariat, settings):
    settings.PORTAL_PAGE_SIZE = 10
    seen = []
    for page in (1, 2, 3, 4, 5):
        response = secretariat.get(TABLE, {"sort": "kind", "page": page})
        seen += [(row["kind"], row["item_id"]) for row in _rows(response)]
    assert len(seen) == len(set(seen)) == NEEDS_2022 + OFFERS_2022
    assert [kind for kind, _id in seen] == ["need"] * NEEDS_2022 + ["offer"] * OFFERS_2022
    html = secretariat.get(TABLE, {"sort": "kind", "page": 2}).content.decode()
    assert "Page 2 of 5" in html
    assert 'href="?sort=kind&amp;page=3"' in html


def test_htmx_gets_only_the_table(secretariat):
    response = secretariat.get(TABLE, {"country": "UZ"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "<table" in html
    assert 'hx-swap-oob="innerHTML"' in html
    assert response["Vary"] and "HX-Request" in response["Vary"]
    full = secretariat.get(TABLE, {"country": "UZ"}).content.decode()
    assert "<html" in full and 'id="summary-filters"' in full


def test_year_switcher_lists_the_years_of_needs_and_offers_campaigns(secretariat):
    response = secretariat.get(TABLE)
    assert 2022 in response.context["years"]
    assert 2021 not in response.context["years"]  # self-classification only
    empty = secretariat.get("/en/surveys/summary/1999/")
    assert empty.status_code == 200
    assert "There is no needs or offers survey in 1999." in empty.content.decode()


def test_summary_opens_on_the_latest_year_with_items(secretariat, campaigns_2022):
    response = secretariat.get("/en/surveys/summary/")
    # The current year's campaign is open but has no answer yet.
    assert response.status_code == 302 and response["Location"] == TABLE


# --- Who may read it --------------------------------------------------------

@pytest.mark.parametrize(
    "url",
    ["/en/surveys/summary/", TABLE, MATRIX, XLSX.format(lang="en"), CSV.format(lang="ru")],
)
def test_a_respondent_gets_403(client_as, url):
    assert client_as("nmi-kg").get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, demo):
    response = client.get(TABLE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("username", ["chair", "committee", "secretariat", "admin"])
@pytest.mark.parametrize("url", [TABLE, MATRIX, XLSX.format(lang="en"), CSV.format(lang="en")])
def test_the_task_group_and_committee_read_the_summary(client_as, username, url):
    assert client_as(username).get(url).status_code == 200


def test_task_group_and_committee_read_only_submitted_answers(client_as, campaigns_2022):
    Response.objects.filter(campaign=campaigns_2022[0], institute__acronym="UzNIM").update(status=Response.Status.DRAFT)
    committee = client_as("committee").get(TABLE).context["page_obj"].paginator.count
    secretariat = client_as("secretariat").get(TABLE).context["page_obj"].paginator.count
    assert secretariat == NEEDS_2022 + OFFERS_2022
    assert committee == secretariat - 5
    rows = _xlsx(client_as("chair").get(XLSX.format(lang="en")))
    assert "UzNIM" not in {row[3] for row in rows}


def test_navigation_shows_the_summary_to_its_readers_only(client_as):
    assert "Summary table" in client_as("committee").get("/en/").content.decode()
    assert 'href="/en/surveys/summary/"' in client_as("chair").get("/en/").content.decode()
    assert 'href="/en/surveys/summary/"' not in client_as("nmi-kg").get("/en/").content.decode()


# --- The matrix -------------------------------------------------------------

def test_matrix_cell_counts_needs_and_offers_and_links_to_the_table(secretariat):
    response = secretariat.get(MATRIX)
    matrix = response.context["matrix"]
    mass = next(row for row in matrix.rows if row.code == "M")
    cell = next(cell for cell in mass.cells if cell.activity_type == "comparison")
    assert (cell.needs, cell.offers) == (2, 3)  # Kyrgyzstan: mass, pressure; piloted by BY, MD, RU
    assert cell.state == "matched"
    assert cell.url == "/en/surveys/summary/2022/?area=M&activity_type=comparison&offers=valid"
    html = response.content.decode()
    assert 'href="/en/surveys/summary/2022/?area=M&amp;activity_type=comparison&amp;offers=valid"' in html
    table = secretariat.get(cell.url)
    assert {(row["kind"], row["area_code"], row["activity"]) for row in _rows(table)} == {
        ("need", "M", "comparison"), ("offer", "M", "comparison")
    }
    assert table.context["page_obj"].paginator.count == 5
    assert (matrix.needs, matrix.offers) == (NEEDS_2022, OFFERS_2022)


def test_matrix_colours_gaps_and_unrequested_offers(secretariat):
    html = secretariat.get(MATRIX).content.decode()
    rows = {row.code: row for row in secretariat.get(MATRIX).context["matrix"].rows}
    procedure_in_qm = next(c for c in rows["QM"].cells if c.activity_type == "procedure")
    assert procedure_in_qm.state == "gap"  # Armenia's pH-meter procedure: nobody offers it
    comparison_in_pr = next(c for c in rows["PR"].cells if c.activity_type == "comparison")
    assert comparison_in_pr.state == "surplus"  # China's photometry comparison: nobody asked
    assert "bg-danger-subtle" in html and "bg-info-subtle" in html and "bg-success-subtle" in html
    assert 'data-testid="matrix-legend"' in html
    assert "style=" not in html.split('<main', 1)[1]  # the CSP forbids inline styles
    prereview = next(c for c in rows["none"].cells if c.activity_type == "prereview")
    assert (prereview.needs, prereview.offers) == (1, 0)
    assert prereview.url.endswith("?area=none&activity_type=prereview&offers=valid")


def test_matrix_status_filter_is_kept_in_its_links(secretariat, campaigns_2022):
    Response.objects.filter(campaign=campaigns_2022[0], institute__acronym="Kyrgyzstandard").update(
        status=Response.Status.DRAFT
    )
    response = secretariat.get(MATRIX, {"status": "submitted"})
    mass = next(row for row in response.context["matrix"].rows if row.code == "M")
    cell = next(cell for cell in mass.cells if cell.activity_type == "comparison")
    assert (cell.needs, cell.offers) == (0, 3)  # both are Kyrgyzstan's, now a draft
    assert cell.state == "surplus"
    assert cell.url.endswith("?area=M&activity_type=comparison&status=submitted&offers=valid")


def test_matrix_function_reads_what_the_user_may_read(user_named, campaigns_2022):
    Response.objects.filter(campaign=campaigns_2022[1], institute__acronym="VNIIM").update(status=Response.Status.DRAFT)
    assert summary_matrix(year=2022, user=user_named("committee")).offers == OFFERS_2022 - 6
    assert summary_matrix(year=2022, user=user_named("secretariat")).offers == OFFERS_2022


def _needs_campaign_2026(campaigns_2022) -> Response:
    """A 2026 needs survey in which Kyrgyzstan needs a mass comparison: the
    2022 offers of mass comparisons (BY, MD, RU) run until 31.12.2026."""
    needs_2022 = campaigns_2022[0]
    campaign = Campaign.objects.filter(kind=CampaignKind.NEEDS, year=2026).first() or Campaign.objects.create(
        kind=CampaignKind.NEEDS, year=2026, questionnaire=needs_2022.questionnaire,
        opens_on=date(2026, 1, 10), closes_on=date(2026, 3, 1), status=Campaign.Status.CLOSED,
    )
    response, _created = Response.objects.get_or_create(
        campaign=campaign, institute=Institute.objects.get(acronym="Kyrgyzstandard"),
        defaults={"status": Response.Status.SUBMITTED},
    )
    Need.objects.create(response=response, activity_type="comparison", area=MetrologyArea.objects.get(code="M"),
                        subject="Comparison of mass standards, 2026", period_from=date(2026, 5, 1),
                        period_to=date(2026, 10, 31))
    return response


def test_matrix_counts_earlier_offers_whose_period_covers_the_year(secretariat, campaigns_2022):
    _needs_campaign_2026(campaigns_2022)
    assert set(Offer.objects.filter(response__campaign=campaigns_2022[1]).values_list("period_to", flat=True)) == {
        date(2026, 12, 31)
    }

    response = secretariat.get("/en/surveys/summary/2026/matrix/")

    mass = next(row for row in response.context["matrix"].rows if row.code == "M")
    cell = next(cell for cell in mass.cells if cell.activity_type == "comparison")
    assert (cell.needs, cell.offers) == (1, 3)
    assert cell.state == "matched"  # not a gap: the 2022 offers cover 2026
    assert response.context["matrix"].offers == OFFERS_2022
    # The cell opens the table on the same items: the need of 2026 and the 2022 offers.
    table = secretariat.get(cell.url)
    assert {(row["kind"], row["institute_acronym"]) for row in _rows(table)} == {
        ("need", "Kyrgyzstandard"), ("offer", "BelGIM"), ("offer", "INM"), ("offer", "VNIIM")
    }
    # The table's default is still the year's own surveys; the filter says what it adds.
    assert secretariat.get("/en/surveys/summary/2026/", {"kind": "offer"}).context["page_obj"].paginator.count == 0
    assert "Also earlier ones still valid" in table.content.decode()


def test_offers_whose_period_ended_before_the_year_are_not_counted(secretariat, campaigns_2022):
    _needs_campaign_2026(campaigns_2022)
    Offer.objects.filter(response__campaign=campaigns_2022[1]).update(period_to=date(2025, 12, 31))
    Offer.objects.filter(response__campaign=campaigns_2022[1], response__institute__acronym="INM").update(
        period_from=date(2027, 1, 1), period_to=date(2028, 12, 31)
    )

    matrix = secretariat.get("/en/surveys/summary/2026/matrix/").context["matrix"]

    assert matrix.offers == 0
    mass = next(row for row in matrix.rows if row.code == "M")
    assert next(cell for cell in mass.cells if cell.activity_type == "comparison").state == "gap"


# --- The export -------------------------------------------------------------

def test_xlsx_export_in_english(secretariat):
    response = secretariat.get(XLSX.format(lang="en"))
    assert response["Content-Disposition"] == 'attachment; filename="ceems-summary-2022.xlsx"'
    rows = _xlsx(response)
    header, data = rows[0], rows[1:]
    assert header[:4] == ("Need or offer", "Country", "ISO code", "Institute")
    assert len(data) == NEEDS_2022 + OFFERS_2022
    kg = [row for row in data if row[2] == "KG"]
    assert {row[1] for row in kg} == {"Kyrgyzstan"} and {row[4] for row in kg} == {"Comparison", "Internship"}
    assert {row[6] for row in kg} >= {"Mass and related quantities"}


def test_xlsx_export_in_russian(secretariat):
    rows = _xlsx(secretariat.get(XLSX.format(lang="ru")))
    header, data = rows[0], rows[1:]
    assert header[1] == "Страна" and header[3] == "Институт"
    assert len(data) == NEEDS_2022 + OFFERS_2022
    kg = [row for row in data if row[2] == "KG"]
    assert {row[1] for row in kg} == {"Кыргызстан"}
    assert "Масса и связанные величины" in {row[6] for row in kg}


def test_export_has_exactly_the_filtered_rows_in_the_tables_order(secretariat, settings):
    settings.PORTAL_PAGE_SIZE = 100
    params = {"kind": "offer", "area": "M", "sort": "-institute"}
    table = _rows(secretariat.get(TABLE, params))
    rows = _xlsx(secretariat.get(XLSX.format(lang="en"), params))[1:]
    assert [row[3] for row in rows] == [row["institute_acronym"] for row in table]
    assert [row[8] for row in rows] == [row["what"] for row in table]
    assert {row[0] for row in rows} == {"Offer"}
    lines = list(csv.reader(io.StringIO(_csv_text(secretariat.get(CSV.format(lang="en"), params)))))
    assert [line[8] for line in lines[1:]] == [row["what"] for row in table]


def test_xlsx_keeps_numbers_and_dates(secretariat):
    rows = _xlsx(secretariat.get(XLSX.format(lang="en"), {"kind": "offer", "sort": "institute"}))
    header = list(rows[0])
    belgim = [row for row in rows[1:] if row[header.index("Institute")] == "BelGIM"]
    capacities = [row[header.index("Capacity per year")] for row in belgim]
    assert capacities == [6, 5, 3, 15]
    assert all(isinstance(value, int) for value in capacities)
    start = belgim[0][header.index("From")]
    assert isinstance(start, datetime) and start.date() == date(2023, 1, 1)


def test_export_escapes_formula_cells_on_both_paths(secretariat, campaigns_2022):
    _tricky_need(campaigns_2022, '=HYPERLINK("http://evil.example","click")', comment="@SUM(A1:A2)")
    _tricky_need(campaigns_2022, "+7 495 781-86-00 (call to agree)", target_uncertainty="-1+2")
    params = {"country": "UZ", "activity_type": "training"}

    text = _csv_text(secretariat.get(CSV.format(lang="en"), params))
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    subjects = {line[8] for line in lines[1:]}
    assert subjects == {'\'=HYPERLINK("http://evil.example","click")', "'+7 495 781-86-00 (call to agree)"}
    header = lines[0]
    assert "'@SUM(A1:A2)" in {line[header.index("Comment")] for line in lines[1:]}
    assert "'-1+2" in {line[header.index("Target uncertainty")] for line in lines[1:]}

    rows = _xlsx(secretariat.get(XLSX.format(lang="en"), params))
    assert {row[8] for row in rows[1:]} == subjects
    workbook = openpyxl.load_workbook(io.BytesIO(secretariat.get(XLSX.format(lang="en"), params).content))
    assert all(cell.data_type != "f" for row in workbook.active.iter_rows() for cell in row)


def test_csv_export_in_russian_has_a_bom_and_cyrillic(secretariat):
    response = secretariat.get(CSV.format(lang="ru"), {"country": "TJ"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ceems-summary-2022.csv"'
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    # Separated by ";", as Excel with Russian regional settings reads a CSV.
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][1] == "Страна"
    assert len(lines) == 1 + 4 and {line[1] for line in lines[1:]} == {"Таджикистан"}


@pytest.mark.parametrize("fmt", ["pdf", "xls", "json"])
def test_other_export_formats_are_not_found(secretariat, fmt):
    assert secretariat.get(f"/en/surveys/summary/2022/export.{fmt}/").status_code == 404


# --- Constant queries -------------------------------------------------------

def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured)


def _grow(campaigns_2022, *, institutes: int = 15, per_institute: int = 10):
    """~300 more items: new institutes answering both 2022 surveys."""
    needs, offers = campaigns_2022
    mass = MetrologyArea.objects.get(code="M")
    for n in range(institutes):
        institute = InstituteFactory()
        respondent = UserFactory(institute=institute)
        user_set_roles(user=respondent, roles={Role.RESPONDENT})
        need_response = Response.objects.create(campaign=needs, institute=institute, status=Response.Status.SUBMITTED)
        offer_response = Response.objects.create(
            campaign=offers, institute=institute, status=Response.Status.DRAFT if n % 3 else Response.Status.SUBMITTED
        )
        Need.objects.bulk_create(
            Need(response=need_response, activity_type="comparison", area=mass, subject=f"Need {n}.{i}", position=i)
            for i in range(per_institute)
        )
        Offer.objects.bulk_create(
            Offer(response=offer_response, activity_type="calibration", capacity=i, subject=f"Offer {n}.{i}", position=i)
            for i in range(per_institute)
        )


@pytest.mark.parametrize("username", ["secretariat", "committee"])
@pytest.mark.parametrize(
    "url, params",
    [
        (TABLE, {}),
        (TABLE, {"country": "KG", "kind": "need", "sort": "-period", "page": 2}),
        (TABLE, {"institute": "1", "area": "M", "status": "submitted"}),
        (MATRIX, {}),
        (MATRIX, {"status": "draft"}),
        (XLSX.format(lang="ru"), {}),
        (CSV.format(lang="en"), {"activity_type": "comparison"}),
    ],
)
def test_queries_do_not_grow_with_the_number_of_items(client_as, campaigns_2022, username, url, params):
    client = client_as(username)
    small = _queries(client, url, params)
    _grow(campaigns_2022)
    assert Need.objects.count() + Offer.objects.count() >= NEEDS_2022 + OFFERS_2022 + 300
    assert _queries(client, url, params) == small


def test_selector_counts_and_pages_with_two_queries(user_named, campaigns_2022):
    _grow(campaigns_2022)
    items = summary_items(year=2022, filters={}, user=user_named("secretariat"), sort="-area")
    with CaptureQueriesContext(connection) as captured:
        assert items.count() == NEEDS_2022 + OFFERS_2022 + 300
        assert len(list(items[100:125])) == 25
    assert len(captured) == 2


def test_with_too_many_institutes_the_institute_filter_waits_for_a_country(secretariat, monkeypatch):
    from surveys import filters

    monkeypatch.setattr(filters, "INSTITUTE_CHOICES_LIMIT", 3)
    html = secretariat.get(TABLE).content.decode()
    assert "Choose a country to filter by one of its institutes." in html
    assert "BelGIM (BY)" not in html
    # Once a country is chosen, its institutes are offered; with htmx the
    # institute filter comes back out of band, next to the new rows.
    html = secretariat.get(TABLE, {"country": "RU"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="filter-institute" hx-swap-oob="true"' in html
    assert "VNIIM (RU)" in html and "BelGIM (BY)" not in html


def test_all_institutes_are_offered_when_they_fit(secretariat):
    html = secretariat.get(TABLE).content.decode()
    assert "BelGIM (BY)" in html and "VNIIM (RU)" in html
    assert "Choose a country to filter by one of its institutes." not in html


def test_control_characters_do_not_break_the_exports(secretariat, campaigns_2022):
    _tricky_need(campaigns_2022, "Mass\x01 comparison\x0b, 1 kg", comment="=1+1\x07")
    params = {"country": "UZ", "activity_type": "training"}

    rows = _xlsx(secretariat.get(XLSX.format(lang="en"), params))  # opens: no IllegalCharacterError
    header = rows[0]
    [row] = [row for row in rows[1:] if row[8] and row[8].startswith("Mass")]
    assert row[8] == "Mass comparison, 1 kg"
    assert row[header.index("Comment")] == "'=1+1"

    lines = list(csv.reader(io.StringIO(_csv_text(secretariat.get(CSV.format(lang="en"), params)).lstrip("\ufeff"))))
    assert "Mass comparison, 1 kg" in {line[8] for line in lines[1:]}


def test_the_respondents_own_export_is_escaped_too(client_as, campaigns_2022):
    _tricky_need(campaigns_2022, "=HYPERLINK(\"http://evil.example\")\x01")
    response = Response.objects.get(campaign=campaigns_2022[0], institute__acronym="UzNIM")

    download = client_as("nmi-uz").get(f"/en/surveys/responses/{response.pk}/export.xlsx/")

    assert download.status_code == 200
    assert "'=HYPERLINK(\"http://evil.example\")" in {row[8] for row in _xlsx(download)[1:]}


def test_the_table_names_its_columns_from_the_list_the_export_and_the_import_use(secretariat):
    """surveys.columns is the one list: the table's headers are its columns'
    own (renaming one there renames it on screen, in the export and in the
    import template alike)."""
    import re

    from surveys import columns

    html = secretariat.get(TABLE).content.decode()
    assert re.findall(r'<th scope="col" data-col="([a-z_]+)"', html) == [c.key for c in columns.TABLE_COLUMNS]
    shown = {"kind": "item_kind", "country": "country_name", "institute": "institute", "activity_type": "activity_type",
             "area": "area_name", "subject": "subject", "status": "response_status"}
    for column in columns.TABLE_COLUMNS:
        if column.key in shown:
            assert column.header is columns.COLUMNS[shown[column.key]].header
        assert str(column.header) in html
