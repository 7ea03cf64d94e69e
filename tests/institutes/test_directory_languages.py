"""The directory speaks the reader's language: cities as well as names."""
import pytest

from institutes.models import Institute

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "city", "other"), [("ru", "Бишкек", "Bishkek"), ("en", "Bishkek", "Бишкек")])
def test_an_institutes_city_is_in_the_readers_language(client_as, language, city, other):
    kyrgyzstandard = Institute.objects.get(acronym="Kyrgyzstandard")
    html = client_as("nmi-kg").get(f"/{language}/institutes/{kyrgyzstandard.pk}/").content.decode()
    assert city in html and other not in html


@pytest.mark.parametrize("search", ["Бишкек", "bishkek"])
def test_the_directory_finds_a_city_in_either_language(client_as, search):
    html = client_as("secretariat").get("/ru/institutes/", {"q": search}).content.decode()
    assert "Kyrgyzstandard" in html and "UzNIM" not in html
