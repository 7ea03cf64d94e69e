"""List pages make the same number of queries for a few rows and for many."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from institutes.models import CeemsStatus, Institute, Role
from institutes.services import user_set_roles
from tests.factories import CountryFactory, InstituteFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/en/",
    "/en/institutes/",
    "/en/institutes/?q=a&country=KG",
    "/en/institutes/countries/",
    "/en/institutes/areas/",
    "/en/institutes/contacts/",
    # The last pages, read from the end of the list (core.paging).
    "/en/institutes/?page=999",
    "/en/institutes/countries/?page=999",
    "/en/institutes/contacts/?page=999",
]


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow():
    for n in range(30):
        country = CountryFactory()
        CeemsStatus.objects.create(country=country, year=2021 + n % 3)
        for _ in range(2):
            institute = InstituteFactory(country=country)
            for _ in range(2):
                user = UserFactory(institute=institute)
                user_set_roles(user=user, roles={Role.RESPONDENT})


@pytest.mark.parametrize("url", PAGES)
def test_list_page_queries_do_not_grow_with_data(client_as, url):
    client = client_as("secretariat")
    small = _queries(client, url)
    _grow()
    assert Institute.objects.count() > 60
    assert _queries(client, url) == small
