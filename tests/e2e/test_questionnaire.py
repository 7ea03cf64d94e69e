"""The questionnaire in Chromium: a new need that is cancelled leaves nothing,
the count follows every change in place, and the sub-field list follows the
area."""
import re

import pytest

from institutes.models import MetrologyArea, SubField
from surveys.models import Need

from .conftest import login

pytestmark = pytest.mark.e2e


def _kg_needs():
    from django.utils import timezone

    return Need.objects.filter(
        response__institute__acronym="Kyrgyzstandard", response__campaign__year=timezone.localdate().year
    )


def _open_response(page, live_server):
    from django.utils import timezone

    year = timezone.localdate().year
    login(page, live_server, "nmi-kg", language="en")
    page.goto(f"{live_server.url}/en/surveys/")
    page.get_by_role("link", name=f"CEEMS needs {year}").click()
    page.click("[data-testid=start-response]")
    page.wait_for_url(re.compile(r"/surveys/responses/\d+/$"))


def test_add_then_cancel_leaves_nothing_and_the_count_follows_in_place(page, live_server, demo, screenshot):
    _open_response(page, live_server)
    count = page.locator("#item-count")
    assert count.inner_text() == "0"

    page.click("[data-testid=add-item]")
    page.locator("input[name=new-subject]").wait_for()
    screenshot("questionnaire-new-need")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("questionnaire-new-need-phone")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.locator("input[name=new-subject]").fill("Typed, then cancelled")
    page.click("[data-testid=cancel-new-item]")
    page.locator("input[name=new-subject]").wait_for(state="detached")
    assert not _kg_needs().exists()
    page.reload()
    assert page.locator(".survey-item").count() == 0 and count.inner_text() == "0"

    # Added and saved: the count moves without a reload. What was typed
    # before "Cancel" is not put back: cancelling discards it.
    page.click("[data-testid=add-item]")
    assert page.locator("input[name=new-subject]").input_value() == ""
    page.locator("input[name=new-subject]").fill("Comparison of manometers")
    page.locator(".survey-item-new [data-testid=save-item]").click()
    page.locator(".survey-item").get_by_text("Comparison of manometers").wait_for()
    assert count.inner_text() == "1"
    assert page.locator("input[name=new-subject]").count() == 0
    assert page.locator("#no-items").count() == 0
    # The next new form starts empty: the saved one's kept text was dropped.
    page.click("[data-testid=add-item]")
    assert page.locator("input[name=new-subject]").input_value() == ""
    assert page.locator(".survey-item-new [data-draft-restored]").is_hidden()
    page.click("[data-testid=cancel-new-item]")
    page.locator("input[name=new-subject]").wait_for(state="detached")

    # Removed: the count goes back down in place.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".survey-item").get_by_role("button", name="Remove").click()
    page.locator(".survey-item").wait_for(state="detached")
    assert count.inner_text() == "0"

    # Submitting an empty list says one thing, not five per phantom item.
    page.click("[data-testid=submit-response]")
    page.wait_for_url(re.compile(r"\?check=1$"))
    assert "Add at least one item before submitting." in page.content()
    assert page.locator(".invalid-feedback").count() == 0


def test_the_sub_field_list_follows_the_area(page, live_server, demo, screenshot):
    _open_response(page, live_server)
    page.click("[data-testid=add-item]")
    area = page.locator("select[name=new-area]")
    area.wait_for()
    mass = MetrologyArea.objects.get(code="M")
    area.select_option(str(mass.pk))
    subfield = page.locator("select[name=new-subfield]")
    expected = sorted(SubField.objects.filter(area=mass).values_list("name", flat=True))
    page.wait_for_function(
        "n => document.querySelectorAll('select[name=new-subfield] option[value]:not([value=\"\"])').length === n",
        arg=len(expected),
    )
    offered = sorted(t.strip() for t in subfield.locator("option:not([value=''])").all_inner_texts())
    assert offered == expected
    subfield.select_option(label="Pressure and vacuum")
    screenshot("questionnaire-subfields-by-area")

    thermometry = MetrologyArea.objects.get(code="T")
    area.select_option(str(thermometry.pk))
    page.wait_for_function(
        "n => document.querySelectorAll('select[name=new-subfield] option[value]:not([value=\"\"])').length === n",
        arg=SubField.objects.filter(area=thermometry).count(),
    )
    page.locator("input[name=new-subject]").fill("Thermometers")
    page.locator(".survey-item-new [data-testid=save-item]").click()
    page.locator(".survey-item").get_by_text("Thermometers").wait_for()
    need = _kg_needs().get()
    assert need.area == thermometry and need.subfield is None
