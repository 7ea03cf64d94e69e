"""The Secretariat runs matching on the demo in Chromium, accepts two
proposals, rejects one with a reason, runs it again and sees the decisions
kept."""
import pytest

from programme.models import MatchDecision

from .conftest import login

pytestmark = pytest.mark.e2e


def _open_cards(page):
    return page.locator("[data-testid=proposal]:has([data-testid=accept-form])")


def test_secretariat_runs_accepts_rejects_and_reruns(page, live_server, demo, screenshot):
    login(page, live_server, "secretariat", language="en")
    url = f"{live_server.url}/en/programme/matching/2022/"
    page.goto(url)
    page.click("[data-testid=run-matching]")
    page.get_by_text("Matching proposes").wait_for()

    # Accept the first two open proposals (internships and training events).
    accepted_keys = []
    for _ in range(2):
        card = _open_cards(page).first
        accepted_keys.append(card.get_attribute("data-key"))
        card.locator("[data-testid=accept-toggle]").click()
        card.locator("[data-testid=accept]").click()
        page.get_by_text("Accepted into the draft Programme").wait_for()

    # Reject the next one, first without a reason: the error is next to the field.
    card = _open_cards(page).first
    rejected_key = card.get_attribute("data-key")
    card.locator("[data-testid=reject-toggle]").click()
    card.locator("[data-testid=reject]").click()
    page.locator("[data-testid=reason-error]").wait_for()
    card = page.locator(f"[data-testid=proposal][data-key='{rejected_key}']")
    card.locator("textarea[name=reason]").fill("The recipient prefers a provider inside the customs union")
    card.locator("[data-testid=reject]").click()
    page.get_by_text("will not be proposed again").wait_for()
    screenshot("matching-decided")

    # Run again: the accepted stay accepted, the rejected pair is not proposed.
    page.click("[data-testid=run-matching]")
    page.get_by_text("Matching proposes").wait_for()
    for key in accepted_keys:
        state = page.locator(f"[data-testid=proposal][data-key='{key}'] [data-testid=state]")
        assert state.inner_text() == "Accepted"
    assert page.locator(f"[data-testid=proposal][data-key='{rejected_key}']").count() == 0
    page.get_by_role("link", name="Decisions").click()
    assert "The recipient prefers a provider inside the customs union" in page.locator("[data-testid=decisions]").inner_text()
    assert MatchDecision.objects.filter(verdict="rejected").count() == 1
    screenshot("matching-rerun")
