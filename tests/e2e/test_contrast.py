"""Text contrast of the pages each role uses, checked by axe-core in Chromium:
no colour-contrast violation at all (WCAG AA, 4.5:1 for normal text), in
Russian and in English."""
from pathlib import Path

import pytest
from django.utils import timezone

from institutes.models import Institute
from surveys.models import Campaign, CampaignKind, Response

from .conftest import login

pytestmark = pytest.mark.e2e

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture
def axe_page(browser, live_server):
    # axe is injected by the test, which the portal's CSP rightly refuses.
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ru-RU", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def contrast_violations(page) -> list[str]:
    page.add_script_tag(content=AXE)
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'rule', values: ['color-contrast']}})).violations"
    )
    return [
        f"{node['target']}: {node['failureSummary'].splitlines()[-1].strip()}"
        for violation in result
        for node in violation["nodes"]
    ]


def _pages(username: str) -> list[str]:
    year = timezone.localdate().year
    needs_2022 = Campaign.objects.get(kind=CampaignKind.NEEDS, year=2022)
    armenia = Institute.objects.get(acronym="NIM-AM")
    if username == "secretariat":
        return [
            "/", "/institutes/countries/", f"/institutes/{armenia.pk}/",
            f"/surveys/campaigns/{needs_2022.pk}/", "/surveys/summary/2022/", "/surveys/summary/2022/matrix/",
            f"/surveys/summary/{year}/matrix/",
        ]
    response = Response.objects.filter(institute__acronym="Kyrgyzstandard").order_by("-campaign__year").first()
    return ["/", "/surveys/", f"/surveys/responses/{response.pk}/"]


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("username", ["secretariat", "nmi-kg"])
def test_every_text_reaches_the_contrast_of_wcag_aa(axe_page, live_server, demo, username, language):
    login(axe_page, live_server, username, language=language)
    found = []
    for path in _pages(username):
        axe_page.goto(f"{live_server.url}/{language}{path}")
        found += [f"{path} {violation}" for violation in contrast_violations(axe_page)]
    assert not found, "\n".join(found)
