"""Changing one's email address needs the current password."""
import pytest

pytestmark = pytest.mark.django_db


def _post(client, **changes):
    data = {"first_name": "Aigul", "last_name": "T.", "email": "nmi-kg@example.org", "preferred_language": "en"}
    return client.post("/en/accounts/profile/", {**data, **changes})


def test_the_profile_page_says_the_password_is_needed_to_change_the_email(client_as):
    html = client_as("nmi-kg").get("/en/accounts/profile/").content.decode()
    assert 'name="current_password"' in html
    assert "Needed only to change your email address" in html


def test_email_cannot_be_changed_to_another_persons_address_without_the_password(client_as, user_named):
    response = _post(client_as("nmi-kg"), email="secretariat@example.org", first_name="Changed")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_current_password_errors"' in html
    assert "Enter your current password to change your email address." in html
    user = user_named("nmi-kg")
    # Nothing of the form was saved, and what was typed is still on the page.
    assert user.email == "nmi-kg@example.org"
    assert user.first_name != "Changed"
    assert 'value="secretariat@example.org"' in html


def test_a_wrong_password_changes_nothing(client_as, user_named):
    response = _post(client_as("nmi-kg"), email="new@example.org", current_password="guess")
    assert "This is not your current password" in response.content.decode()
    assert user_named("nmi-kg").email == "nmi-kg@example.org"


def test_with_the_current_password_the_email_changes(client_as, user_named):
    response = _post(client_as("nmi-kg"), email="new@example.org", current_password="demo")
    assert response.status_code == 302
    assert user_named("nmi-kg").email == "new@example.org"


def test_the_rest_of_the_profile_is_saved_without_a_password(client_as, user_named):
    response = _post(client_as("nmi-kg"), first_name="Aida")
    assert response.status_code == 302
    assert user_named("nmi-kg").first_name == "Aida"
