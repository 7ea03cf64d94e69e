"""A respondent fills in a needs questionnaire in Chromium; the Secretariat sees it."""
import re

import pytest
from django.utils import timezone

from .conftest import login

pytestmark = pytest.mark.e2e


def test_respondent_fills_saves_reloads_submits_and_secretariat_sees_it(page, live_server, demo, screenshot):
    year = timezone.localdate().year
    login(page, live_server, "nmi-kg", language="en")
    page.goto(f"{live_server.url}/en/surveys/")
    page.get_by_role("link", name=f"CEEMS needs {year}").click()
    page.click("[data-testid=start-response]")
    page.wait_for_url(re.compile(r"/surveys/responses/\d+/$"))

    # Add a need in place (htmx) and save it as a draft with only some fields.
    page.click("[data-testid=add-item]")
    form = page.locator("form[data-draft-key]").last
    form.locator("select[name$=activity_type]").select_option("comparison")
    form.locator("input[name$=subject]").fill("Comparison of pressure gauges, 0–6 MPa")
    form.locator("[data-testid=save-item]").click()
    item = page.locator(".survey-item").first
    item.get_by_text("Comparison of pressure gauges, 0–6 MPa").wait_for()
    assert page.locator("form[data-draft-key] [data-testid=save-item]").count() == 0

    # Reload: the draft is still there.
    page.reload()
    assert "Comparison of pressure gauges, 0–6 MPa" in page.locator("#items").inner_text()
    screenshot("survey-draft")

    # Typing without saving, then closing the tab: the text comes back.
    page.locator(".survey-item").first.get_by_role("link", name="Edit").click()
    form = page.locator("form[data-draft-key]").last
    form.locator("input[name$=target_uncertainty]").fill("0.05 %")
    edit_url = page.url
    item_id = form.get_attribute("data-draft-key").split("item-")[1]
    page.goto("about:blank")  # the tab is gone, and with it the unsaved form
    page.goto(f"{edit_url.split('?')[0].split('#')[0]}?edit={item_id}")
    form = page.locator("form[data-draft-key]").last
    assert form.locator("input[name$=target_uncertainty]").input_value() == "0.05 %"
    assert form.locator("[data-draft-restored]").is_visible()

    # Submitting now shows what is missing, next to the fields.
    page.click("[data-testid=submit-response]")
    assert page.locator(".invalid-feedback").count() >= 3
    screenshot("survey-submit-errors")

    form = page.locator("form[data-draft-key]").last
    form.locator("select[name$=-area]").select_option(label="M — Mass and related quantities")
    form.locator("select[name$=subfield]").select_option(label="Pressure and vacuum")
    form.locator("input[name$=period_from]").fill(f"{year + 1}-01-01")
    form.locator("input[name$=period_to]").fill(f"{year + 1}-12-31")
    form.locator("select[name$=priority]").select_option("high")
    form.locator("[data-testid=save-item]").click()
    page.locator("form[data-draft-key] [data-testid=save-item]").wait_for(state="detached")
    page.click("[data-testid=submit-response]")
    page.get_by_text("the response has been submitted").wait_for()
    assert "Submitted" in page.content()
    screenshot("survey-submitted")

    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")
    login(page, live_server, "secretariat", language="en")
    page.goto(f"{live_server.url}/en/surveys/summary/{year}/")
    assert "Comparison of pressure gauges, 0–6 MPa" in page.content()
    assert "Kyrgyzstandard" in page.content()
    screenshot("summary-secretariat")
