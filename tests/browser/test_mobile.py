"""The site on a phone (390 px wide): nothing scrolls sideways, the comparison table's rows
become labelled cards and its filters start folded."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_reader_pages import places  # noqa: F401 (a fixture)
from tests.factories import make_policy

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = (
    "/",
    "/jurisdictions/",
    "/jurisdictions/il-chicago/",
    "/compare/?j=il-chicago&j=co-denver",
    "/map/",
    "/methodology/",
    "/updates/",
    "/es/jurisdictions/",
)


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    yield context.new_page()
    context.close()


def test_no_page_scrolls_sideways_on_a_phone(live_server, phone, places):  # noqa: F811
    for path in PAGES:
        phone.goto(f"{live_server.url}{path}")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide"


def test_the_table_is_cards_with_labels_and_the_filters_start_folded(
    live_server,
    phone,
    places,  # noqa: F811
):
    phone.goto(f"{live_server.url}/jurisdictions/")

    filters = phone.locator("details.filter-panel")
    expect(filters).not_to_have_attribute("open", "")
    assert not phone.locator("#id_state").is_visible()
    table = phone.locator(".table-scroll")
    assert table.evaluate("box => box.scrollWidth <= box.clientWidth")  # nothing hidden sideways
    card = phone.locator("#jurisdiction-table tbody tr").first
    assert card.evaluate("row => getComputedStyle(row).display") == "block"
    state = card.locator("td").first
    assert state.get_attribute("data-label") == "State"
    assert state.evaluate("cell => getComputedStyle(cell, '::before').content") == '"State: "'

    phone.get_by_text("Filters", exact=True).click()
    phone.select_option("#id_state", "IL")
    expect(phone.locator("#jurisdiction-table tbody th")).to_have_text(["Chicago", "Evanston"])


def test_a_places_long_sections_start_folded_on_a_phone_and_open_elsewhere(
    live_server,
    phone,
    browser,
    places,  # noqa: F811
):
    make_policy(jurisdiction=places["chicago"].parent, title="Illinois TRUST Act")
    url = f"{live_server.url}{places['chicago'].get_absolute_url()}"
    phone.goto(url)
    folds = phone.locator("details.section-fold")
    expect(folds).to_have_count(3)  # the timeline, the state's law, the sources
    assert folds.evaluate_all("all => all.map(d => d.open)") == [False, False, False]
    expect(phone.locator("summary", has_text="1 policy")).to_be_visible()
    expect(phone.locator("h3", has_text="Illinois TRUST Act")).to_have_count(1)
    expect(phone.locator("h3", has_text="Illinois TRUST Act")).to_be_hidden()
    folded = phone.evaluate("document.documentElement.scrollHeight")

    phone.locator("summary", has_text="1 policy").click()  # a reader unfolds one

    expect(phone.locator("h3", has_text="Illinois TRUST Act")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollHeight") > folded
    desktop = browser.new_page(viewport={"width": 1280, "height": 900})
    desktop.goto(url)
    assert desktop.locator("details.section-fold").evaluate_all("all => all.map(d => d.open)") == [
        True,
        True,
        True,
    ]
    desktop.close()
