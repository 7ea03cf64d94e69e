"""Long lists page at the same cost at both ends (core.paging), and the
directory's search is served by trigram indexes on PostgreSQL."""
import re

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from institutes.models import Country, Institute
from institutes.selectors import institutes_for_directory, respondents_by_institute
from tests.factories import CountryFactory, InstituteFactory

pytestmark = pytest.mark.django_db

PAGE_SIZE = 5


def _grow(n: int = 40):
    countries = [CountryFactory() for _ in range(12)]
    for i in range(n):
        InstituteFactory(country=countries[i % 12], acronym=f"Z{(i * 7) % n:03d}", city="Novosibirsk" if i % 3 else "")


def _page_rows(client, url, page) -> tuple[list[str], list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{url}{'&' if '?' in url else '?'}page={page}")
    assert response.status_code == 200
    return [str(item.pk) for item in response.context["page_obj"]], [q["sql"] for q in captured]


@pytest.mark.parametrize(
    "url, queryset",
    [
        ("/en/institutes/", lambda: institutes_for_directory()),
        ("/en/institutes/contacts/", lambda: respondents_by_institute()),
        ("/en/institutes/countries/", lambda: Country.objects.order_by("iso2")),
    ],
    ids=["directory", "contacts", "countries"],
)
def test_every_page_holds_the_rows_of_plain_offset_paging(client_as, settings, url, queryset):
    settings.PORTAL_PAGE_SIZE = PAGE_SIZE
    _grow()
    client = client_as("secretariat")
    expected = Paginator(queryset(), PAGE_SIZE)
    assert expected.num_pages >= 5
    for number in expected.page_range:
        rows, _sql = _page_rows(client, url, number)
        assert rows == [str(item.pk) for item in expected.page(number)], number


@pytest.mark.parametrize("url", ["/en/institutes/", "/en/institutes/contacts/", "/en/institutes/?q=novosibirsk"])
def test_the_last_page_is_read_from_the_end_without_a_deep_offset(client_as, settings, url):
    settings.PORTAL_PAGE_SIZE = PAGE_SIZE
    _grow()
    client = client_as("secretariat")
    pages = client.get(url).context["page_obj"].paginator.num_pages
    assert pages >= 5
    _rows, statements = _page_rows(client, url, pages)
    listed = [sql for sql in statements if 'FROM "institutes_institute"' in sql and "ORDER BY" in sql]
    assert listed, statements
    offsets = [int(n) for sql in listed for n in re.findall(r"OFFSET (\d+)", sql)]
    assert all(offset < PAGE_SIZE for offset in offsets), listed


def test_the_search_still_finds_acronyms_names_and_cities(client_as):
    in_novosibirsk = Institute.objects.filter(city__icontains="novosib").count()
    _grow()
    client = client_as("secretariat")
    assert client.get("/en/institutes/", {"q": "z00"}).context["page_obj"].paginator.count == 10
    assert client.get("/en/institutes/", {"q": "NOVOSIB"}).context["page_obj"].paginator.count == 26 + in_novosibirsk
    assert client.get("/en/institutes/", {"q": "Институт Z03"}).context["page_obj"].paginator.count == 10


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
def test_the_search_reads_the_trigram_indexes_on_postgresql():
    _grow(400)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE institutes_institute")
        sql, params = institutes_for_directory(search="novosib").query.sql_with_params()
        # A table this small would be read whole anyway; ask for the plan an index can give.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for column in ("acronym", "name_ru", "name_en", "city_ru", "city_en"):
        assert f"institutes_institute_{column}_trgm" in plan, plan
