"""Every page checks role on the server, whatever the header shows."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["nmi-kg", "chair", "committee", "secretariat"])
def test_only_administrators_reach_the_admin(client_as, username):
    response = client_as(username).get("/ru/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_administrator_reaches_the_admin(client_as):
    assert client_as("admin").get("/ru/admin/").status_code == 200


@pytest.mark.parametrize("username", ["nmi-kg", "chair", "committee"])
def test_other_roles_cannot_open_the_secretariat_contacts(client_as, username):
    response = client_as(username).get(reverse("institutes:contacts"))
    assert response.status_code == 403
    assert "You do not have access" in response.content.decode() or "нет доступа" in response.content.decode()


def test_secretariat_sees_respondents_in_contacts(client_as):
    response = client_as("secretariat").get("/en/institutes/contacts/")
    assert response.status_code == 200
    assert "nmi-kg@example.org" in response.content.decode()


def test_anonymous_visitor_is_sent_to_login(client):
    for url in ["/ru/", "/ru/institutes/", "/ru/institutes/contacts/", "/ru/accounts/profile/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/ru/accounts/login/")


def test_header_shows_contacts_only_to_the_secretariat(client_as, client):
    assert "/en/institutes/contacts/" in client_as("secretariat").get("/en/").content.decode()
    client.logout()
    assert "/en/institutes/contacts/" not in client_as("nmi-kg").get("/en/").content.decode()


def test_respondent_sees_colleagues_of_own_institute_only(client_as, user_named):
    kg = user_named("nmi-kg").institute
    uz = user_named("nmi-uz").institute
    client = client_as("nmi-kg")
    assert "nmi-kg@example.org" in client.get(f"/en/institutes/{kg.pk}/").content.decode()
    other = client.get(f"/en/institutes/{uz.pk}/").content.decode()
    assert "nmi-uz@example.org" not in other
    assert uz.acronym in other


def test_unknown_institute_gives_404(client_as):
    assert client_as("secretariat").get("/en/institutes/999999/").status_code == 404


def test_inactive_user_holds_no_role(user_named):
    user = user_named("secretariat")
    user.is_active = False
    assert not user.has_role("secretariat")
