"""Keyboard-only use: filters, table sorting, the compare picker and the embed dialog."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_arrival_count, make_jurisdiction, make_policy, make_state

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def places():
    illinois = make_state("IL", "Illinois")
    colorado = make_state("CO", "Colorado")
    chicago = make_jurisdiction(name="Chicago", parent=illinois)
    evanston = make_jurisdiction(name="Evanston", parent=illinois)
    denver = make_jurisdiction(name="Denver", state="CO", parent=colorado)
    for place, value in ((chicago, 50000), (denver, 40000), (evanston, 100)):
        make_arrival_count(jurisdiction=place, value=value)
        make_policy(jurisdiction=place, title=f"{place.name} ordinance")
    return {"chicago": chicago, "denver": denver}


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has focus, as a keyboard user would."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} never received focus by Tab")


def test_filters_work_from_the_keyboard(live_server, page, places):
    rows = page.locator("#jurisdiction-table tbody th")
    page.goto(f"{live_server.url}/jurisdictions/")
    expect(rows).to_have_text(["Chicago", "Denver", "Evanston"])

    tab_to(page, "#id_q")
    page.keyboard.type("evan")
    expect(rows).to_have_text(["Evanston"])

    tab_to(page, "#id_state")
    page.keyboard.press("Escape")
    for _ in range(3):  # the next choices after "All states": Alabama, Alaska, Arizona
        page.keyboard.press("ArrowDown")
    expect(page.locator("#id_state")).to_have_value("AZ")
    expect(page.locator("#jurisdiction-table")).to_contain_text("No jurisdiction matches")
    expect(page).to_have_url(re.compile(r"q=evan.*state=AZ|state=AZ.*q=evan"))


def test_table_sorts_from_the_keyboard_and_keeps_focus_on_the_header(live_server, page, places):
    rows = page.locator("#jurisdiction-table tbody th")
    page.goto(f"{live_server.url}/jurisdictions/")

    tab_to(page, "#sort-arrivals")
    page.keyboard.press("Enter")
    expect(page.locator("th[aria-sort=ascending] #sort-arrivals")).to_have_count(1)
    expect(rows).to_have_text(["Evanston", "Denver", "Chicago"])
    expect(page.locator("#sort-arrivals")).to_be_focused()
    # htmx wires up the new links when the swap settles (about 20 ms); a key pressed before
    # that follows the plain link, which loads the same sorted page but moves focus.
    expect(page.locator("#jurisdiction-table")).not_to_have_class(re.compile("htmx-settling"))

    page.keyboard.press("Enter")
    expect(page.locator("th[aria-sort=descending] #sort-arrivals")).to_have_count(1)
    expect(rows).to_have_text(["Chicago", "Denver", "Evanston"])
    expect(page.locator("#sort-arrivals")).to_be_focused()


def test_compare_picker_adds_and_removes_places_from_the_keyboard(live_server, page, places):
    page.goto(f"{live_server.url}/compare/?j=il-chicago")

    tab_to(page, "#add-jurisdiction")
    page.keyboard.type("co-denver")
    page.keyboard.press("Enter")
    expect(page.locator(".chosen li")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"j=il-chicago&j=co-denver"))
    expect(page.locator("[data-chart-ready=true]")).to_have_count(1)

    tab_to(page, "#remove-il-chicago")
    page.keyboard.press("Enter")
    expect(page.locator(".chosen li")).to_have_count(1)
    expect(page.locator(".chosen")).to_contain_text("Denver")


def test_embed_dialog_opens_changes_and_copies_from_the_keyboard(live_server, page, places):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{live_server.url}{places['chicago'].get_absolute_url()}")
    dialog = page.locator("details.embed-control").first
    snippet = dialog.locator("textarea")

    tab_to(page, "details.embed-control >> nth=0 >> summary")
    page.keyboard.press("Enter")
    expect(dialog).to_have_attribute("open", "")

    tab_to(page, "details.embed-control >> nth=0 >> select")
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowDown")  # "Follow the host page" -> "Light"
    expect(snippet).to_have_value(re.compile(r"theme=light"))

    tab_to(page, "details.embed-control >> nth=0 >> button[data-copy]")
    page.keyboard.press("Enter")
    expect(dialog.locator(".copy-status")).to_have_text("Copied.")
    assert "theme=light" in page.evaluate("navigator.clipboard.readText()")
