import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from arrivals.models import ArrivalCount
from tests.factories import (
    make_arrival_count,
    make_jurisdiction,
    make_policy,
    make_source,
    make_state,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def places():
    illinois = make_state("IL", "Illinois")
    colorado = make_state("CO", "Colorado")
    chicago = make_jurisdiction(name="Chicago", state="IL", parent=illinois)
    evanston = make_jurisdiction(name="Evanston", state="IL", parent=illinois)
    denver = make_jurisdiction(name="Denver", state="CO", parent=colorado)
    aurora = make_jurisdiction(name="Aurora", state="CO", parent=colorado)
    source = make_source(publisher="NewsNation", url="https://www.newsnationnow.com/")
    for place, values in ((chicago, (20000, 36000, 50000)), (denver, (3800, 40000))):
        for month, value in enumerate(values, 1):
            make_arrival_count(
                jurisdiction=place,
                value=value,
                qualifier=ArrivalCount.Qualifier.MORE_THAN,
                as_of=dt.date(2024, month, 1),
                source=source,
            )
    for place in (chicago, evanston, denver, aurora):
        make_policy(jurisdiction=place, title=f"{place.name} welcoming ordinance")
    return {"chicago": chicago, "denver": denver, "evanston": evanston}


def table_names(page) -> list[str]:
    return page.locator("#jurisdiction-table tbody th").all_inner_texts()


def test_filter_and_sort_swap_the_table_in_place_and_back_restores(live_server, page, places):
    # Waits use Playwright's retrying assertions: its string predicates would need 'unsafe-eval',
    # which our Content Security Policy refuses.
    rows = page.locator("#jurisdiction-table tbody th")
    page.goto(f"{live_server.url}/jurisdictions/")
    page.evaluate("window.__sameDocument = true")
    expect(rows).to_have_text(["Aurora", "Chicago", "Denver", "Evanston"])

    page.select_option("#id_state", "IL")
    expect(rows).to_have_text(["Chicago", "Evanston"])
    expect(page).to_have_url(re.compile(r"state=IL"))
    assert "sort=" not in page.url  # the default order is not written into the address

    page.click("#sort-arrivals")
    expect(page.locator("th[aria-sort=ascending] #sort-arrivals")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"sort=arrivals"))
    expect(rows).to_have_text(["Chicago", "Evanston"])  # places without figures come last
    page.click("#sort-arrivals")
    expect(page.locator("th[aria-sort=descending] #sort-arrivals")).to_have_count(1)
    expect(page.locator("#sort-arrivals")).to_be_focused()
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
    assert page.watch.document_loads == 1

    def back() -> None:
        # Each step waits for its own history restore, as a reader reading each view would.
        with page.expect_response(lambda r: r.request.headers.get("hx-history-restore-request")):
            page.go_back()

    back()
    expect(page.locator("th[aria-sort=ascending] #sort-arrivals")).to_have_count(1)
    back()
    expect(page).not_to_have_url(re.compile(r"sort=arrivals"))
    expect(rows).to_have_text(["Chicago", "Evanston"])
    expect(page.locator("#id_state")).to_have_value("IL")
    back()
    expect(rows).to_have_text(["Aurora", "Chicago", "Denver", "Evanston"])
    expect(page.locator("#id_state")).to_have_value("")
    assert page.watch.errors == []
    assert page.watch.outside_requests == []


def test_jurisdiction_page_draws_its_chart(live_server, page, places):
    page.goto(f"{live_server.url}{places['chicago'].get_absolute_url()}")
    page.wait_for_selector("[data-chart-ready]", timeout=10000)

    assert page.locator(".chart-canvas svg.main-svg").count() >= 1
    assert page.locator(".chart-canvas .scatterlayer .point").count() == 3
    assert "more than 50,000" in page.locator(".chart-canvas").inner_text()
    assert page.watch.errors == []
    assert page.watch.outside_requests == []


def test_plotly_is_fetched_only_after_the_first_frame_shows_the_server_drawn_chart(
    live_server, page, places
):
    for path in (places["chicago"].get_absolute_url(), "/embed/jurisdictions/il-chicago/chart/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("[data-chart]")).to_have_attribute("data-chart-ready", "true")
        first_paint = page.evaluate(
            "performance.getEntriesByName('first-contentful-paint')[0].startTime"
        )
        plotly_requested = page.evaluate(
            "performance.getEntriesByType('resource')"
            ".find(entry => entry.name.includes('plotly-basic')).startTime"
        )
        assert first_paint < plotly_requested, path
    assert page.watch.errors == []


def test_compare_page_plots_the_chosen_places(live_server, page, places):
    page.goto(f"{live_server.url}/compare/?j=il-chicago&j=co-denver")
    page.wait_for_selector("[data-chart-ready]", timeout=10000)
    chart = page.locator(".chart-canvas").text_content()
    assert "Chicago, IL: more than 50,000" in chart and "Denver, CO: more than 40,000" in chart
    assert page.watch.errors == []
    assert page.watch.outside_requests == []


# Every text of a chart (panel titles, ticks, labels, legend) as boxes, and the pairs that
# overlap by more than a pixel.
OVERLAPS = """(chart) => {
  const boxes = [...chart.querySelectorAll("text")]
    .filter((text) => text.textContent.trim())
    .map((text) => [text.textContent.trim(), text.getBoundingClientRect()])
    .filter(([, box]) => box.width > 0 && box.height > 0);
  const overlaps = [];
  boxes.forEach(([a, one], i) => boxes.slice(i + 1).forEach(([b, other]) => {
    if (one.left < other.right - 1 && other.left < one.right - 1
        && one.top < other.bottom - 1 && other.top < one.bottom - 1) overlaps.push([a, b]);
  }));
  return {texts: boxes.length, overlaps};
}"""


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_no_text_overlaps_in_a_chart_on_a_desktop_or_a_phone(
    live_server, browser, places, width, theme
):
    evanston = places["evanston"]
    for value, month in ((36500, 1), (37000, 2)):  # close to Chicago's: labels must move apart
        make_arrival_count(
            jurisdiction=evanston, value=value, as_of=dt.date(2024, month, 1), source=None
        )
    make_arrival_count(
        jurisdiction=places["denver"],
        measure=ArrivalCount.Measure.IN_SHELTER,
        period_type=ArrivalCount.PeriodType.POINT,
        period_start=None,
        value=1200,
        as_of=dt.date(2024, 3, 1),
    )
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=theme)
    try:
        for path in (
            "/",
            "/compare/?j=il-chicago&j=co-denver&j=il-evanston",
            "/embed/compare/?j=il-chicago&j=co-denver&j=il-evanston",
            places["chicago"].get_absolute_url(),
            f"/embed/jurisdictions/il-chicago/chart/?theme={theme}",
        ):
            page.goto(f"{live_server.url}{path}")
            chart = page.locator("[data-chart-ready]")
            expect(chart).to_have_count(1)
            found = chart.evaluate(OVERLAPS)
            assert found["texts"] > 10 and found["overlaps"] == [], (path, found)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            assert page.locator("figure .source, .embed-sources").count(), path  # its sources
        assert page.locator(".chart-canvas .legend").count() == 0  # one place: no legend
    finally:
        page.close()


def test_the_table_works_without_javascript(live_server, no_js_page, places):
    page = no_js_page
    page.goto(f"{live_server.url}/jurisdictions/")
    page.select_option("#id_state", "CO")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "state=CO" in url)
    assert set(table_names(page)) == {"Aurora", "Denver"}
    assert "sort=" not in page.url  # the default order is not written into the address

    page.click("#sort-name")
    page.wait_for_url(lambda url: "sort=-name" in url)
    assert table_names(page) == ["Denver", "Aurora"]
    assert "state=CO" in page.url

    page.select_option("#id_kind", "city")  # filtering again keeps the order chosen
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "kind=city" in url)
    assert "sort=-name" in page.url and table_names(page) == ["Denver", "Aurora"]


def test_compare_picker_adds_places_in_place_and_keeps_them_in_the_url(live_server, page, places):
    page.goto(f"{live_server.url}/compare/?j=il-chicago")
    page.evaluate("window.__sameDocument = true")
    expect(page.locator("#comparison")).to_contain_text("Choose at least 2")

    page.fill("#add-jurisdiction", "Denv")
    expect(page.locator("#jurisdiction-options option[value='co-denver']")).to_have_count(1)
    # The suggestions must not change the address (they once inherited the form's push-url).
    expect(page).to_have_url(re.compile(r"/compare/\?j=il-chicago$"))
    page.fill("#add-jurisdiction", "co-denver")
    page.click("#compare-add")

    expect(page).to_have_url(re.compile(r"j=il-chicago&j=co-denver"))
    expect(page.locator("#compare-chart[data-chart-ready], [data-chart-ready]")).to_have_count(1)
    expect(page.locator("#comparison .side-by-side h2")).to_have_text(["Chicago, IL", "Denver, CO"])
    page.click("#remove-co-denver")
    expect(page.locator("#comparison")).to_contain_text("Choose at least 2")
    assert page.evaluate("window.__sameDocument") is True
    assert page.watch.errors == []
    assert page.watch.outside_requests == []


def test_map_time_control_swaps_the_map(live_server, page, places):
    page.goto(f"{live_server.url}/map/?metric=limits")
    page.evaluate("window.__sameDocument = true")
    limiting = page.locator(".map-cities a.map-limits")
    expect(limiting).to_have_count(4)  # Chicago, Evanston, Denver and Aurora

    page.fill("#id_as_of", "2019-06-01")
    page.dispatch_event("#id_as_of", "change")
    expect(page.locator(".map-caption")).to_contain_text("June 1, 2019")
    expect(limiting).to_have_count(0)  # their ordinances took effect in 2020
    expect(page).to_have_url(re.compile(r"as_of=2019-06-01"))
    assert page.evaluate("window.__sameDocument") is True
    assert page.watch.errors == []


def test_charts_are_drawn_by_the_server_first_and_by_plotly_after(
    live_server, page, no_js_page, places
):
    url = f"{live_server.url}{places['chicago'].get_absolute_url()}"

    no_js_page.goto(url)
    expect(no_js_page.locator("[data-chart] svg.chart-svg circle")).to_have_count(3)
    expect(no_js_page.locator("[data-chart] .point-label")).to_have_text("more than 50,000")

    page.goto(url)
    expect(page.locator("[data-chart]")).to_have_attribute("data-chart-ready", "true")
    expect(page.locator("[data-chart] svg.chart-svg")).to_have_count(0)
    expect(page.locator("[data-chart] .main-svg").first).to_be_visible()


def background(page) -> str:
    return page.evaluate("getComputedStyle(document.documentElement).backgroundColor")


def chart_text_colour(page) -> str:
    return page.evaluate(
        "getComputedStyle(document.querySelector('[data-chart-ready] .xtick text')).fill"
    )


DARK, LIGHT = "rgb(22, 24, 29)", "rgb(255, 255, 255)"


def test_the_site_follows_the_system_theme_and_keeps_a_readers_choice_without_cookies(
    live_server, browser, places
):
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    url = f"{live_server.url}{places['chicago'].get_absolute_url()}"

    page.goto(url)
    expect(page.locator("[data-chart-ready]").first).to_be_visible()
    assert background(page) == DARK
    assert chart_text_colour(page) == "rgb(236, 236, 236)"  # the dark theme's ink

    page.select_option("#theme-picker", "light")
    assert background(page) == LIGHT
    expect(page.locator("[data-chart-ready] .xtick text").first).to_have_css(
        "fill", "rgb(27, 27, 27)"
    )
    page.reload()
    assert background(page) == LIGHT
    assert page.locator("#theme-picker").input_value() == "light"
    assert context.cookies() == []  # the choice is this browser's: every page stays cacheable

    page.select_option("#theme-picker", "auto")
    assert background(page) == DARK
    context.close()


@pytest.mark.parametrize("image_format", ["png", "svg"])
def test_a_chart_downloads_as_an_image_with_its_title_and_sources(
    live_server, page, places, image_format
):
    page.goto(f"{live_server.url}{places['chicago'].get_absolute_url()}")
    button = page.locator(f"button[data-export={image_format}]").first
    expect(button).to_be_visible()  # shown once plotly has drawn the chart

    with page.expect_download() as download:
        button.click()
    assert not page.watch.errors, page.watch.errors

    content = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename.endswith(f".{image_format}")
    if image_format == "png":
        assert content.startswith(b"\x89PNG") and len(content) > 20_000
    else:
        svg = content.decode()
        assert "Arrival figures" in svg  # the title
        assert "Sources: NewsNation. Chart: Sanctuary Tracker" in svg
