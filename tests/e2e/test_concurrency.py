"""Text kept in the browser's storage never overwrites a colleague's newer save."""
import pytest
from django.utils import timezone

from surveys import services
from surveys.models import Campaign, CampaignKind, Response

from .conftest import login

pytestmark = pytest.mark.e2e


def test_a_stale_draft_from_the_browser_is_shown_not_restored_over_a_colleagues_save(page, live_server, demo, screenshot):
    from institutes.models import User

    user = User.objects.get(username="nmi-kg")
    campaign = Campaign.objects.get(kind=CampaignKind.NEEDS, year=timezone.localdate().year)
    response = services.response_start(campaign=campaign, institute=user.institute, by=user)
    login(page, live_server, "nmi-kg", language="en")
    page.goto(f"{live_server.url}/en/surveys/responses/{response.pk}/")

    # Typed, never saved: the tab is closed.
    page.fill("textarea[name=response-comment]", "Mine, typed on the old page")
    page.goto("about:blank")

    # Meanwhile a colleague saves the same response.
    loaded_at = Response.objects.get(pk=response.pk).revision
    services.response_save(response=response, revision=loaded_at, by=user, comment="Saved by a colleague")

    page.goto(f"{live_server.url}/en/surveys/responses/{response.pk}/")
    form = page.locator("form[data-draft-key]").first
    assert form.locator("textarea[name=response-comment]").input_value() == "Saved by a colleague"
    stale = form.locator("[data-draft-stale]")
    assert stale.is_visible()
    assert "Mine, typed on the old page" in stale.inner_text()
    assert not form.locator("[data-draft-restored]").is_visible()
    screenshot("survey-stale-draft")

    # Saving now keeps the colleague's text: the form carries the new revision.
    form.locator("[data-testid=save-general]").click()
    page.get_by_text("Draft saved.").wait_for()
    assert Response.objects.get(pk=response.pk).comment == "Saved by a colleague"


def test_a_draft_typed_on_the_current_revision_comes_back(page, live_server, demo):
    from institutes.models import User

    user = User.objects.get(username="nmi-kg")
    campaign = Campaign.objects.get(kind=CampaignKind.NEEDS, year=timezone.localdate().year)
    response = services.response_start(campaign=campaign, institute=user.institute, by=user)
    login(page, live_server, "nmi-kg", language="en")
    page.goto(f"{live_server.url}/en/surveys/responses/{response.pk}/")
    page.fill("textarea[name=response-comment]", "Typed, not saved")
    page.goto("about:blank")
    page.goto(f"{live_server.url}/en/surveys/responses/{response.pk}/")
    form = page.locator("form[data-draft-key]").first
    assert form.locator("textarea[name=response-comment]").input_value() == "Typed, not saved"
    assert form.locator("[data-draft-restored]").is_visible()
    assert not form.locator("[data-draft-stale]").is_visible()


def test_saving_one_item_does_not_let_another_stale_form_overwrite_a_colleagues_save(page, live_server, demo):
    from institutes.models import User

    user = User.objects.get(username="nmi-kg")
    campaign = Campaign.objects.get(kind=CampaignKind.NEEDS, year=timezone.localdate().year)
    response = services.response_start(campaign=campaign, institute=user.institute, by=user)
    services.item_add(response=response, revision=response.revision, by=user)
    login(page, live_server, "nmi-kg", language="en")
    page.goto(f"{live_server.url}/en/surveys/responses/{response.pk}/")

    # A colleague saves the general comment after this page was loaded.
    current = Response.objects.get(pk=response.pk)
    services.response_save(response=current, revision=current.revision, by=user, comment="Saved by a colleague")

    # This user edits and saves the item in place (htmx): a fresh form, a fresh revision.
    page.locator(".survey-item").first.get_by_role("link", name="Edit").click()
    form = page.locator("form[data-draft-key*=item]").last
    form.locator("input[name$=subject]").fill("Pressure gauges")
    form.locator("[data-testid=save-item]").click()
    page.locator(".survey-item").first.get_by_text("Pressure gauges").wait_for()

    # Then saves the general comment the page showed before the colleague's save.
    page.fill("textarea[name=response-comment]", "Mine, on the old page")
    page.click("[data-testid=save-general]")
    page.get_by_text("Somebody else saved this response after you opened it.").wait_for()
    assert Response.objects.get(pk=response.pk).comment == "Saved by a colleague"
