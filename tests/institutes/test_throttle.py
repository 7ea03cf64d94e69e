"""Login throttling behind the TLS proxy, and across usernames from one address."""
import pytest

pytestmark = pytest.mark.django_db

PROXY = "172.18.0.2"  # every request reaches gunicorn from the proxy's address


def _through_proxy(client, username, password, client_ip):
    # The proxy appends the address it got the request from.
    return client.post(
        "/en/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=client_ip,
    )


def test_behind_the_proxy_each_client_is_locked_on_its_own(client, demo, settings):
    settings.PORTAL_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _through_proxy(client, "secretariat", "wrong", "203.0.113.5")
    assert _through_proxy(client, "secretariat", "demo", "203.0.113.5").status_code == 429
    # The real Secretariat, at another address behind the same proxy, gets in.
    assert _through_proxy(client, "secretariat", "demo", "198.51.100.7").status_code == 302


def test_a_client_cannot_escape_its_lock_by_forging_x_forwarded_for(client, demo, settings):
    settings.PORTAL_PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The attacker writes an address of its own choice; the proxy appends the real one.
        _through_proxy(client, "secretariat", "wrong", f"10.9.9.{n}, 203.0.113.5")
    assert _through_proxy(client, "secretariat", "demo", "10.9.9.99, 203.0.113.5").status_code == 429


def test_the_proxy_count_comes_from_the_environment():
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = "import django; django.setup(); from django.conf import settings; print(settings.PORTAL_PROXY_COUNT)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ceems_portal.settings", "AXES_PROXY_COUNT": "2"}
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2], env=env,
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "2"


def test_docker_compose_runs_the_portal_behind_one_proxy():
    from pathlib import Path

    compose = (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()
    assert "AXES_PROXY_COUNT: ${AXES_PROXY_COUNT:-1}" in compose


def test_many_usernames_from_one_address_are_locked(client, demo, settings):
    for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT - 1):
        response = client.post("/en/accounts/login/", {"username": f"guess{n}", "password": "x"}, REMOTE_ADDR="10.7.7.7")
        assert response.status_code == 200  # each name alone is far from its limit
    # The attempt that reaches the address's limit is the last one heard.
    last = client.post("/en/accounts/login/", {"username": "guess-last", "password": "x"}, REMOTE_ADDR="10.7.7.7")
    assert last.status_code == 429
    # The address is now locked, for every username, even with a right password.
    locked = client.post("/en/accounts/login/", {"username": "nmi-kg", "password": "demo"}, REMOTE_ADDR="10.7.7.7")
    assert locked.status_code == 429
    # Another address is not affected.
    assert client.post("/en/accounts/login/", {"username": "nmi-kg", "password": "demo"}, REMOTE_ADDR="10.7.7.8").status_code == 302


def test_a_few_mistakes_of_colleagues_behind_one_address_lock_nobody_else(client, demo, settings):
    # An institute behind one NAT address: three people mistype twice each.
    for username in ("nmi-kg", "nmi-tj", "nmi-uz"):
        for _ in range(2):
            client.post("/en/accounts/login/", {"username": username, "password": "x"}, REMOTE_ADDR="10.6.6.6")
    assert client.post("/en/accounts/login/", {"username": "nmi-am", "password": "demo"}, REMOTE_ADDR="10.6.6.6").status_code == 302


def test_logging_in_with_one_valid_account_does_not_reset_the_address_count(client, demo, settings):
    for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT - 1):
        client.post("/en/accounts/login/", {"username": f"guess{n}", "password": "x"}, REMOTE_ADDR="10.5.5.5")
    assert client.post("/en/accounts/login/", {"username": "nmi-kg", "password": "demo"}, REMOTE_ADDR="10.5.5.5").status_code == 302
    client.logout()
    client.post("/en/accounts/login/", {"username": "guess-last", "password": "x"}, REMOTE_ADDR="10.5.5.5")
    assert client.post("/en/accounts/login/", {"username": "nmi-kg", "password": "demo"}, REMOTE_ADDR="10.5.5.5").status_code == 429
