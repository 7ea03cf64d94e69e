"""Reads of reference data."""
import pytest

from institutes import selectors
from institutes.models import Country, Institute, User
from tests.factories import CountryFactory, InstituteFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_countries_page_counts_every_institute_of_a_country(demo):
    russia = Country.objects.get(iso2="RU")
    assert Institute.objects.filter(country=russia).count() == 7

    [counted] = selectors.with_institute_counts([russia])

    assert counted.institute_count == 7


def test_countries_page_shows_the_count_of_each_country(demo, client_as):
    response = client_as("secretariat").get("/en/institutes/countries/")
    russia = next(c for c in response.context["page_obj"] if c.iso2 == "RU")
    assert russia.institute_count == 7


def test_member_counts_count_every_active_member():
    institute = InstituteFactory()
    UserFactory.create_batch(3, institute=institute)
    UserFactory(institute=institute, is_active=False)

    [counted] = selectors.with_member_counts([institute])

    assert counted.member_count == 3
