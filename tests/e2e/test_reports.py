"""The annual report in a browser: the chair asks for the PDF and watches
its progress until the download link appears; a Committee member finds it
in the list by year and downloads it."""
import re

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e


def test_the_chair_asks_for_the_report_watches_it_and_a_committee_member_downloads_it(
    page, live_server, demo, screenshot, settings, tmp_path, celery_worker_thread
):
    # On the real stack (CI) the job is rendered by a real worker, not in the request.
    settings.MEDIA_ROOT = str(tmp_path / "media")
    login(page, live_server, "chair", language="en")
    page.goto(f"{live_server.url}/en/reports/")
    page.fill("#id_year", "2022")
    page.click("[data-testid=open-year] button")
    page.wait_for_url(re.compile(r"/en/reports/2022/$"))
    page.uncheck("#id_languages_0")  # English only
    screenshot("report-chair-before-en")
    page.click("[data-testid=generate]")
    version = page.locator("[data-testid=version-1]")
    # Queued, rendering, then ready: the table polls until the link is there.
    version.locator("[data-testid=download-1]").wait_for(timeout=120_000)
    assert version.get_attribute("data-state") == "done"
    assert "Ready" in version.inner_text()
    screenshot("report-chair-done-en")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("report-chair-done-phone-en")
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(f"{live_server.url}/ru/reports/2022/")
    screenshot("report-chair-ru")
    page.goto(f"{live_server.url}/ru/reports/2022/preview/?lang=ru")
    screenshot("report-preview-ru")

    page.context.clear_cookies()
    login(page, live_server, "committee", language="en")
    page.goto(f"{live_server.url}/en/reports/")
    assert page.locator("[data-testid=report-2022]").is_visible()
    screenshot("report-committee-list-en")
    with page.expect_download() as download_info:
        page.click("[data-testid=download-2022-1]")
    download = download_info.value
    assert download.suggested_filename == "coomet-ceems-annual-report-2022-v1-en.pdf"
    assert open(download.path(), "rb").read(5) == b"%PDF-"
    page.goto(f"{live_server.url}/en/reports/2022/")
    assert page.locator("[data-testid=generate]").count() == 0
