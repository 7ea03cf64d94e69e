"""The task group in a browser: the secretary circulates a draft agenda, a
member comments and approves, the secretary sees the review and finalises."""
from datetime import timedelta

import pytest
from django.utils import timezone

from .conftest import login

pytestmark = pytest.mark.e2e


def _logout(page, live_server):
    page.context.clear_cookies()


def test_secretary_circulates_member_comments_and_approves_secretary_finalises(page, live_server, demo, screenshot):
    from institutes.models import User
    from taskgroup import services
    from taskgroup.models import AgendaReview, Meeting
    from taskgroup.selectors import current_members
    from tests.taskgroup.conftest import aware

    day = timezone.localdate() + timedelta(days=90)
    meeting = services.meeting_save(
        title_ru="Третье заседание", title_en="Third meeting", starts_at=aware(day, 10), ends_at=aware(day, 12),
        time_zone="Asia/Almaty", format="online", link="https://meet.example.org/3",
        invitees=list(current_members()), by=User.objects.get(username="nmi-by"),
    )
    services.agenda_item_save(meeting=meeting, title_ru="Программа", title_en="The Programme",
                              presenter="KazStandart", revision=meeting.revision, by=None)
    url = f"{live_server.url}/en/taskgroup/meetings/{meeting.pk}/"

    login(page, live_server, "nmi-by", language="en")
    page.goto(url)
    page.click("[data-testid=circulate]")
    page.wait_for_load_state()
    assert "Circulated for review" in page.locator("[data-testid=agenda-status]").inner_text()
    screenshot("taskgroup-circulated")
    _logout(page, live_server)

    login(page, live_server, "nmi-cn", language="en")
    page.goto(url)
    item = page.locator("[data-testid=agenda-item]").nth(1)
    item.locator("textarea[name=text]").fill("Please add the comparisons NIM offers.")
    item.locator("[data-testid=comment-form] button").click()
    page.wait_for_load_state()
    assert "Please add the comparisons NIM offers." in page.locator("[data-testid=agenda-item]").nth(1).inner_text()
    page.check("input[name=verdict][value=approved]")
    page.click("[data-testid=review-submit]")
    page.wait_for_load_state()
    assert "You answered: Approved." in page.locator("[data-testid=own-review]").inner_text()
    _logout(page, live_server)

    login(page, live_server, "nmi-by", language="en")
    page.goto(url)
    overview = page.locator("[data-testid=review-overview]").inner_text()
    assert "Approved" in overview and "not yet" in overview
    page.click("[data-testid=finalise]")
    page.wait_for_load_state()
    assert "Final" in page.locator("[data-testid=agenda-status]").inner_text()
    screenshot("taskgroup-final")
    assert Meeting.objects.get(pk=meeting.pk).agenda_status == Meeting.AgendaStatus.FINAL
    assert AgendaReview.objects.filter(meeting=meeting, verdict="approved").count() == 1


@pytest.mark.parametrize("language, width", [("en", 1366), ("ru", 1366), ("ru", 390)])
def test_taskgroup_pages_look_right(page, live_server, demo, screenshot, language, width):
    from taskgroup.models import Meeting

    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "nmi-by", language=language)
    held = Meeting.objects.order_by("starts_at").first()
    for name, path in (("meeting", f"/taskgroup/meetings/{held.pk}/"), ("overview", "/taskgroup/"),
                       ("members", "/taskgroup/members/")):
        page.goto(f"{live_server.url}/{language}{path}")
        assert page.locator("h1").count() >= 1
        screenshot(f"taskgroup-{name}-{language}-{width}")
