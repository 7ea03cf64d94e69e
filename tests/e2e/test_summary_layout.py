"""The summary table and the needs-versus-offers matrix fit a 1,366 px
screen in Russian (the longest labels), and a phone, with nothing of a row
behind a horizontal scrollbar; the filter drop-downs show their labels."""
import pytest

from .conftest import login

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# Everything the table's scroll box holds must fit in it: the widest the
# table gets is the width of its container.
FITS = """(selector) => {
  const box = document.querySelector(selector).parentElement;
  return {scroll: box.scrollWidth, client: box.clientWidth};
}"""
# A visible element lies inside the viewport horizontally.
IN_VIEW = """(element) => {
  const r = element.getBoundingClientRect();
  return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth + 0.5;
}"""
# A <select> shows its chosen option whole: the text is not wider than the box.
SELECT_CUT = """() => Array.from(document.querySelectorAll('#summary-filters select')).filter((select) => {
  const probe = document.createElement('span');
  const style = getComputedStyle(select);
  probe.style.font = style.font;
  probe.style.position = 'absolute';
  probe.style.whiteSpace = 'nowrap';
  probe.textContent = select.options[select.selectedIndex].text;
  document.body.appendChild(probe);
  const text = probe.getBoundingClientRect().width;
  probe.remove();
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return text > room + 0.5;
}).map((select) => select.name + ':' + select.clientWidth + ':' + select.options[select.selectedIndex].text)"""


@pytest.fixture
def secretariat_page(page, live_server, demo):
    login(page, live_server, "secretariat", language="ru")
    return page


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "phone"])
def test_summary_table_fits_the_screen_in_russian(secretariat_page, live_server, screenshot, viewport):
    page = secretariat_page
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/ru/surveys/summary/2022/")
    screenshot(f"summary-ru-{viewport['width']}")

    size = page.evaluate(FITS, ".summary-table")
    assert size["scroll"] <= size["client"], size
    # What a reader looks for in a row, all on screen without scrolling sideways.
    row = page.locator(".summary-table tbody tr").first
    for cell in ("subject", "period", "priority", "status"):
        assert row.locator(f"[data-col={cell}]").evaluate(IN_VIEW), cell
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_matrix_shows_its_last_column_and_totals_in_russian(secretariat_page, live_server, screenshot):
    page = secretariat_page
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/ru/surveys/summary/2022/matrix/")
    screenshot("matrix-ru-1366")

    size = page.evaluate(FITS, "[data-testid=matrix]")
    assert size["scroll"] <= size["client"], size
    matrix = page.locator("[data-testid=matrix]")
    assert matrix.locator("thead th").last.evaluate(IN_VIEW)  # the totals' column
    assert matrix.locator("thead th[data-activity=information]").evaluate(IN_VIEW)  # "Information support"
    assert matrix.locator("tfoot td").last.evaluate(IN_VIEW)  # the grand total
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_on_a_phone_the_matrix_is_a_list_with_every_total(secretariat_page, live_server, screenshot):
    page = secretariat_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/ru/surveys/summary/2022/matrix/")
    screenshot("matrix-ru-390")

    totals = page.locator("[data-testid=matrix-list-totals]")
    assert totals.locator("[data-activity=information]").evaluate(IN_VIEW)
    assert "18 / 25" in totals.locator("h2").inner_text()
    mass = page.locator("[data-testid=matrix-list] [data-area=M]")
    assert "Сличение" in mass.inner_text() and "2 / 3" in mass.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_filter_drop_downs_show_their_labels_whole(secretariat_page, live_server, screenshot):
    page = secretariat_page
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/ru/surveys/summary/2022/")
    assert page.evaluate(SELECT_CUT) == []
    # The longest choices, chosen.
    page.select_option("#id_activity_type", "procedure")
    page.select_option("#id_area", "EM")
    page.wait_for_url("**area=EM**")
    page.select_option("#id_offers", "valid")
    page.wait_for_url("**offers=valid**")
    page.wait_for_load_state("networkidle")
    screenshot("summary-ru-filters-chosen")
    assert page.evaluate(SELECT_CUT) == []
