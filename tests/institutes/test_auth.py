"""Log in, throttling, password reset by email through Celery."""
import re

import pytest

pytestmark = pytest.mark.django_db


def _attempt(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/en/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_demo_user_logs_in_with_demo_password(client, demo):
    response = _attempt(client, "secretariat", "demo")
    assert response.status_code == 302
    assert client.get("/ru/").status_code == 200


def test_wrong_password_shows_error_on_the_form(client, demo):
    response = _attempt(client, "secretariat", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_failed_logins_lock_that_username_from_that_address_only(client, demo, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "nmi-kg", "wrong")
    locked = _attempt(client, "nmi-kg", "demo")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    # The same person from another address, and a colleague from the same one, still get in.
    assert _attempt(client, "nmi-kg", "demo", ip="10.0.0.2").status_code == 302
    client.logout()
    assert _attempt(client, "nmi-tj", "demo").status_code == 302


def test_lockout_cools_off(client, demo, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "nmi-kg", "wrong")
    assert _attempt(client, "nmi-kg", "demo").status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert _attempt(client, "nmi-kg", "demo").status_code == 302


def test_logout_is_a_post(client_as):
    client = client_as("nmi-kg")
    assert client.get("/en/accounts/logout/").status_code == 405
    response = client.post("/en/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/en/").status_code == 302


def test_password_change(client_as):
    client = client_as("nmi-kg")
    response = client.post(
        "/en/accounts/password_change/",
        {"old_password": "demo", "new_password1": "Metrology-2026!", "new_password2": "Metrology-2026!"},
    )
    assert response.status_code == 302
    client.logout()
    assert _attempt(client, "nmi-kg", "Metrology-2026!").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_password_reset_email_goes_through_celery_in_the_users_language(client, demo, user_named, sent_mail):
    user = user_named("nmi-tj")
    client.post("/en/accounts/password_reset/", {"email": user.email})
    outbox = sent_mail(1)
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == [user.email]
    # Tajikistan's respondent prefers Russian: the email and its link are Russian.
    assert message.subject == "Портал CEEMS: смена пароля"
    link = re.search(r"http://\S+/ru/accounts/reset/\S+/", message.body).group(0)
    path = link.split("testserver", 1)[1]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "Pamir-Peaks-7495", "new_password2": "Pamir-Peaks-7495"})
    assert done.status_code == 302
    assert _attempt(client, "nmi-tj", "Pamir-Peaks-7495").status_code == 302


@pytest.mark.django_db
def test_the_user_of_a_request_is_read_with_their_roles_in_one_query(user_named, django_assert_num_queries):
    from institutes.backends import PortalModelBackend

    chair = user_named("nmi-am")  # a respondent who is also in the task group
    with django_assert_num_queries(1):
        user = PortalModelBackend().get_user(chair.pk)
        roles = user.roles
    assert roles == {"respondent", "taskgroup"}
    assert [getattr(user, f.attname) for f in user._meta.concrete_fields] == [
        getattr(chair, f.attname) for f in chair._meta.concrete_fields
    ]
    assert user.last_login == chair.last_login and user.date_joined == chair.date_joined


@pytest.mark.django_db
def test_a_deactivated_user_or_an_unknown_id_is_nobody(user_named):
    from institutes.backends import PortalModelBackend

    user = user_named("nmi-kg")
    user.is_active = False
    user.save()
    assert PortalModelBackend().get_user(user.pk) is None
    assert PortalModelBackend().get_user(10**9) is None
    assert PortalModelBackend().get_user("not a number") is None


@pytest.mark.django_db
def test_a_role_taken_away_is_gone_on_the_next_page(client, user_named):
    from institutes.services import user_set_roles

    secretariat = user_named("secretariat")
    client.force_login(secretariat)
    assert client.get("/en/institutes/contacts/").status_code == 200
    user_set_roles(user=secretariat, roles={"taskgroup"})
    assert client.get("/en/institutes/contacts/").status_code == 403


@pytest.mark.django_db
def test_after_logout_the_old_session_cookie_opens_nothing(client, user_named):
    client.force_login(user_named("secretariat"))
    cookie = client.cookies["sessionid"].value
    client.post("/en/accounts/logout/")
    client.cookies["sessionid"] = cookie
    assert client.get("/en/institutes/contacts/").status_code == 302


@pytest.mark.django_db
def test_a_page_reads_the_session_and_its_user_in_one_statement(client, user_named):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from institutes.models import Session

    user = user_named("secretariat")
    client.force_login(user)
    assert Session.objects.get().user_id == user.pk
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/accounts/profile/")
    assert response.status_code == 200 and user.username in response.content.decode()
    sqls = [query["sql"] for query in queries.captured_queries]
    # One statement read the session: the joined SELECT, or on PostgreSQL the
    # prepared statement (prepared on the connection's first use).
    reads = [sql for sql in sqls if ("institutes_session" in sql or "portal_session_read" in sql) and not sql.startswith("PREPARE")]
    assert len(reads) == 1 and sqls[0] in reads + [sql for sql in sqls if sql.startswith("PREPARE")][:1]
    assert "institutes_user" in reads[0] or reads[0].startswith("EXECUTE")
    # The user was not read again on its own.
    assert not any(
        'FROM "institutes_user" u WHERE' in sql or 'FROM "institutes_user" WHERE' in sql for sql in sqls[1:]
    ), sqls


@pytest.mark.django_db
def test_on_postgresql_the_session_read_is_prepared_once_per_connection(client, user_named):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    client.force_login(user_named("secretariat"))
    client.get("/en/accounts/profile/")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert client.get("/en/accounts/profile/").status_code == 200
    sqls = [query["sql"] for query in queries.captured_queries]
    assert not any(sql.startswith("PREPARE") for sql in sqls)
    assert sum(sql.startswith("EXECUTE portal_session_read") for sql in sqls) == 3


@pytest.mark.django_db
def test_the_session_data_not_its_user_column_says_who_is_logged_in(client, user_named):
    from institutes.models import Session

    secretariat, kg = user_named("secretariat"), user_named("nmi-kg")
    client.force_login(kg)
    Session.objects.update(user=secretariat)  # a column out of step with the data
    page = client.get("/en/accounts/profile/").content.decode()
    assert kg.email in page and secretariat.email not in page


@pytest.mark.django_db
def test_a_deactivated_or_deleted_user_is_logged_out_at_the_next_page(client, user_named):
    from institutes.models import Session

    user = user_named("nmi-kg")
    client.force_login(user)
    user.is_active = False
    user.save()
    assert client.get("/en/accounts/profile/").status_code == 302
    user.is_active = True
    user.save()
    client.force_login(user)
    user.delete()
    assert not Session.objects.exists()
    assert client.get("/en/accounts/profile/").status_code == 302


@pytest.mark.django_db
def test_a_password_changed_elsewhere_ends_the_other_sessions(client, user_named):
    user = user_named("nmi-kg")
    client.force_login(user)
    assert client.get("/en/accounts/profile/").status_code == 200
    user.set_password("a new long passphrase")
    user.save()
    assert client.get("/en/accounts/profile/").status_code == 302
