"""The summary table is kept per version of the data: a second reader of
the same page costs one query, and any committed change, however it was
written (a bulk write, a plain UPDATE), shows at the next request."""
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from institutes.models import Country
from surveys.models import Campaign, CampaignKind, Need, Response, SummaryStamp

TABLE = "/en/surveys/summary/2022/"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # A flushed database starts its versions again; the cache must too.
    SummaryStamp.objects.get_or_create(pk=1)
    cache.clear()
    yield
    cache.clear()


def _get(client, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(TABLE, params)
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def test_a_second_reader_gets_the_kept_table_and_a_change_shows_at_once(client_as):
    client = client_as("secretariat")
    first, queries_first = _get(client, kind="need")
    again, queries_again = _get(client, kind="need")
    def rows(html):
        return html.split('id="summary-results"', 1)[1].split("</main>", 1)[0]

    assert rows(again) == rows(first) and "18 items" in first
    assert queries_again <= queries_first - 3  # the version instead of the count, the rows and the choices

    # A bulk write (no model signal) by anyone, committed: the next request counts it.
    response = Response.objects.get(campaign__kind=CampaignKind.NEEDS, campaign__year=2022, institute__acronym="UzNIM")
    Need.objects.bulk_create([Need(response=response, subject="Kept-table probe", activity_type="training")])
    html, _queries = _get(client, kind="need")
    assert "19 items" in html

    # A plain UPDATE of a name the table shows.
    Country.objects.filter(iso2="UZ").update(name_en="Uzbekistan (renamed)")
    html, _queries = _get(client, kind="need", sort="-country")
    assert "Uzbekistan (renamed)" in html


def test_readers_who_may_read_less_never_get_the_secretariats_table(client_as):
    Response.objects.filter(campaign__year=2022, institute__acronym="VNIIM",
                            campaign__kind=CampaignKind.OFFERS).update(status=Response.Status.DRAFT)
    secretariat_html, _q = _get(client_as("secretariat"), kind="offer")
    committee_html, _q = _get(client_as("committee"), kind="offer")
    assert "25 items" in secretariat_html
    assert "19 items" in committee_html


def test_with_htmx_the_kept_rows_come_alone(client_as):
    client = client_as("secretariat")
    client.get(TABLE, {"area": "M"})
    response = client.get(TABLE, {"area": "M"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'id="filter-institute" hx-swap-oob="true"' in html
    assert Campaign.objects.filter(year=2022).count() == 2


def test_the_matrix_is_kept_too_and_follows_a_change(client_as):
    client = client_as("secretariat")
    matrix = "/en/surveys/summary/2022/matrix/"
    with CaptureQueriesContext(connection) as first:
        html = client.get(matrix).content.decode()
    with CaptureQueriesContext(connection) as again:
        assert client.get(matrix).content.decode().count("18 / 25") == html.count("18 / 25") > 0
    assert len(again) < len(first)

    Response.objects.filter(campaign__year=2022, campaign__kind=CampaignKind.OFFERS,
                            institute__acronym="VNIIM").update(status=Response.Status.DRAFT)
    assert "18 / 19" in client.get(matrix, {"status": "submitted"}).content.decode()
    assert "18 / 25" in client.get(matrix).content.decode()
