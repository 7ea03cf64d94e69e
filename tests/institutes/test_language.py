"""The language switch and the preferred language."""
import pytest

pytestmark = pytest.mark.django_db


def test_switch_to_english_redirects_to_english_url_and_remembers_choice(client_as, user_named):
    client = client_as("nmi-kg")
    response = client.post("/language/", {"language": "en", "next": "/ru/institutes/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/institutes/"
    assert user_named("nmi-kg").preferred_language == "en"
    assert "Institutes" in client.get("/en/institutes/").content.decode()


def test_language_switch_refuses_get(client_as):
    assert client_as("nmi-kg").get("/language/?language=en").status_code == 405


def test_unknown_language_changes_nothing(client_as, user_named):
    client_as("nmi-kg").post("/language/", {"language": "de", "next": "/ru/"})
    assert user_named("nmi-kg").preferred_language == "ru"


def test_same_page_reads_russian_and_english(client_as):
    client = client_as("secretariat")
    assert "Страны и CEEMS" in client.get("/ru/institutes/countries/").content.decode()
    assert "Countries and CEEMS" in client.get("/en/institutes/countries/").content.decode()


def test_reference_names_follow_the_language(client_as):
    client = client_as("secretariat")
    assert "Кыргызстан" in client.get("/ru/institutes/countries/").content.decode()
    assert "Kyrgyzstan" in client.get("/en/institutes/countries/").content.decode()


def test_login_lands_in_the_preferred_language(client, user_named):
    user = user_named("committee")
    user.preferred_language = "en"
    user.save()
    response = client.post("/ru/accounts/login/", {"username": "committee", "password": "demo"})
    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert response.cookies["django_language"].value == "en"


def test_profile_change_of_language_moves_to_that_language(client_as, user_named):
    response = client_as("nmi-uz").post(
        "/ru/accounts/profile/",
        {"first_name": "Dilnoza", "last_name": "K.", "email": "dilnoza@example.org", "preferred_language": "en",
         "current_password": "demo"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/profile/"
    user = user_named("nmi-uz")
    assert (user.first_name, user.email, user.preferred_language) == ("Dilnoza", "dilnoza@example.org", "en")


def test_profile_shows_error_next_to_a_bad_email_and_keeps_the_rest(client_as, user_named):
    response = client_as("nmi-uz").post(
        "/en/accounts/profile/",
        {"first_name": "Dilnoza", "last_name": "K.", "email": "not-an-address", "preferred_language": "en"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_email_errors"' in html
    assert "Enter a valid email address." in html
    assert 'value="Dilnoza"' in html
    assert user_named("nmi-uz").email == "nmi-uz@example.org"


def test_the_language_chosen_on_the_login_page_wins_over_the_saved_one(client, user_named):
    user = user_named("committee")
    user.preferred_language = "ru"
    user.save()
    # On the (Russian) login page, the visitor switches to English, then logs in.
    switched = client.post("/language/", {"language": "en", "next": "/ru/accounts/login/"})
    assert switched["Location"] == "/en/accounts/login/"
    response = client.post("/en/accounts/login/", {"username": "committee", "password": "demo"})
    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert response.cookies["django_language"].value == "en"
    # The choice is remembered for the next login and for emails.
    assert user_named("committee").preferred_language == "en"
    assert "Welcome" in client.get("/en/").content.decode()


def test_without_a_choice_on_the_login_page_the_saved_language_is_used_after_a_later_login(client, user_named):
    client.post("/language/", {"language": "en", "next": "/ru/accounts/login/"})
    client.post("/en/accounts/login/", {"username": "committee", "password": "demo"})
    client.post("/en/accounts/logout/")
    user = user_named("committee")
    user.preferred_language = "ru"
    user.save()
    # A later login in the same browser, with no new choice, follows the profile.
    response = client.post("/en/accounts/login/", {"username": "committee", "password": "demo"})
    assert response["Location"] == "/ru/"
