"""The Programme's year in Chromium: the Secretariat edits an activity
inline and opens the consultation, a respondent comments, the Secretariat
answers, the chair approves, the Secretariat publishes, and a Committee
member reads the published version and its timeline."""
import pytest

from .conftest import login

pytestmark = pytest.mark.e2e


def _as(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    login(page, live_server, username, language="en")
    return context, page


def test_secretariat_consults_approves_and_publishes_and_the_committee_reads_it(browser, live_server, demo):
    from programme.models import ProgrammeVersion

    version = ProgrammeVersion.objects.get(status="consultation")
    url = f"{live_server.url}/en/programme/versions/{version.pk}/"

    context, page = _as(browser, live_server, "secretariat")
    page.goto(url)
    page.click("[data-testid=close-consultation]")
    page.wait_for_selector("[data-testid=open-consultation]")
    page.locator("[data-testid=edit-activity]").first.click()
    page.wait_for_selector("[data-testid=activity-edit-row]")
    page.locator("[data-testid=activity-edit-row] textarea[name=notes]").fill("Agreed at the online meeting")
    page.locator("[data-testid=activity-edit-row] [data-testid=save-activity]").click()
    page.wait_for_selector("[data-testid=activity-edit-row]", state="detached")
    page.click("[data-testid=open-consultation]")
    page.wait_for_selector("[data-testid=close-consultation]")
    page.screenshot(path="tests/e2e/screenshots/programme-version-secretariat.png", full_page=True)
    context.close()

    context, page = _as(browser, live_server, "nmi-kg")
    page.goto(url)
    page.locator("[data-testid=activity-row] a").first.click()
    page.check("input[name=stance][value=change]")
    page.fill("textarea[name=text]", "Please move it to the third quarter.")
    page.click("[data-testid=send-comment]")
    page.wait_for_selector("text=Please move it to the third quarter.")
    context.close()

    context, page = _as(browser, live_server, "secretariat")
    page.goto(url + "comments/")
    form = page.locator("[data-testid=comment]", has_text="third quarter").locator("form")
    form.locator("textarea").fill("Moved to Q3.")
    form.locator("button").click()
    page.wait_for_selector("[data-testid=answer] >> text=Moved to Q3.")
    page.goto(url)
    page.click("[data-testid=close-consultation]")
    page.wait_for_selector("[data-testid=open-consultation]")
    context.close()

    context, page = _as(browser, live_server, "chair")
    page.goto(url)
    page.click("[data-testid=approve]")
    page.wait_for_selector("[data-testid=version-status] >> text=Approved")
    context.close()

    context, page = _as(browser, live_server, "secretariat")
    page.goto(url)
    page.click("[data-testid=publish]")
    page.wait_for_selector("[data-testid=version-status] >> text=Published")
    context.close()

    context, page = _as(browser, live_server, "committee")
    page.goto(url)
    assert "Published" in page.locator("[data-testid=version-status]").inner_text()
    assert "Approved by" in page.locator("[data-testid=version-stamps]").inner_text()
    page.click("[data-testid=timeline-link]")
    page.wait_for_selector("[data-testid=tl-bar]")
    page.screenshot(path="tests/e2e/screenshots/programme-timeline-committee.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="tests/e2e/screenshots/programme-timeline-phone.png", full_page=True)
    context.close()
