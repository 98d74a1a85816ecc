"""The map in Chromium: readable at 1280 and 390 px in both themes, reachable by keyboard, its
time control plays, and its embed stays light on a cold load."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from policies.geography import atlas
from policies.models import Jurisdiction, Policy
from tests.browser.test_embeds import (  # noqa: F401 (fixtures)
    KB,
    Traffic,
    collected_static,
    expect_sized,
    host_site,
    production_server,
    snippet_for,
)
from tests.factories import make_designation, make_jurisdiction, make_policy, make_state
from tracker import maps

pytestmark = pytest.mark.django_db(transaction=True)

# Text fragments (one box per line of each text node) that overlap another by more than a pixel.
OVERLAPS = """(root) => {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const boxes = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim() || node.parentElement.closest("svg, .visually-hidden")) continue;
    if (!node.parentElement.checkVisibility()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const box of range.getClientRects()) {
      if (box.width > 0 && box.height > 0) boxes.push([node.textContent.trim().slice(0, 40), box]);
    }
  }
  const overlaps = [];
  boxes.forEach(([a, one], i) => boxes.slice(i + 1).forEach(([b, other]) => {
    if (one.left < other.right - 1 && other.left < one.right - 1
        && one.top < other.bottom - 1 && other.top < one.bottom - 1) overlaps.push([a, b]);
  }));
  return {texts: boxes.length, overlaps};
}"""


@pytest.fixture
def landscape():
    """States, counties and cities with records of each kind the map shows."""
    illinois = make_state("IL", "Illinois")
    texas = make_state("TX", "Texas")
    make_state("CO", "Colorado")
    cook = make_jurisdiction(name="Cook County", kind="county", geoid="17031", parent=illinois)
    chicago = make_jurisdiction(name="Chicago", geoid="1714000", parent=cook)
    denver = make_jurisdiction(name="Denver", state="CO", geoid="0820000")
    harris = make_jurisdiction(name="Harris County", kind="county", state="TX", geoid="48201")
    make_policy(
        jurisdiction=illinois, title="Illinois TRUST Act", effective_on=dt.date(2017, 8, 28)
    )
    make_policy(jurisdiction=texas, title="SB 4", direction=Policy.Direction.EXPANDS)
    make_policy(jurisdiction=cook, title="Cook County ordinance", effective_on=dt.date(2011, 9, 7))
    make_policy(jurisdiction=chicago, title="Welcoming City Ordinance")
    make_policy(
        jurisdiction=denver,
        category=Policy.Category.DETAINER,
        title="Detainer rule",
        detainer_rule=Policy.DetainerRule.JUDICIAL_WARRANT,
    )
    make_policy(
        jurisdiction=harris,
        category=Policy.Category.AGREEMENT_287G,
        direction=Policy.Direction.EXPANDS,
        title="287(g)",
        effective_on=None,
        signed_on=dt.date(2025, 2, 1),
        agreement_model=Policy.AgreementModel.TASK_FORCE,
        agency="Harris County Sheriff",
    )
    make_designation(jurisdiction=chicago)
    return {"chicago": chicago}


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_map_page_has_no_overlapping_text_and_no_sideways_scroll(
    live_server, browser, landscape, width, theme
):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=theme, is_mobile=width < 600
    )
    page = context.new_page()
    for metric in maps.MAP_METRICS:
        page.goto(f"{live_server.url}/map/?metric={metric}")
        page.locator("details.map-table summary").click()  # the table too
        result = page.locator("#state-map").evaluate(OVERLAPS)
        assert result["texts"] > 10 and result["overlaps"] == [], (metric, result)
        width_now = page.evaluate("document.documentElement.scrollWidth")
        assert width_now <= width, (metric, width_now)
        svg = page.locator(".us-map-svg").bounding_box()
        assert svg["width"] <= width and svg["height"] > svg["width"] / 2
    context.close()


def test_places_show_their_name_on_hover_and_keyboard_focus(live_server, page, landscape):
    page.goto(f"{live_server.url}/map/?metric=local")
    cook = page.locator('.us-map-svg a[href="/jurisdictions/il-cook-county/"]')
    expect(cook.locator("title")).to_have_text("Cook County, IL: Limits cooperation")
    chicago = page.locator('.us-map-svg a[href="/jurisdictions/il-chicago/"]')
    expect(chicago.locator("circle")).to_have_count(1)
    chicago.focus()
    assert (
        page.evaluate("document.activeElement.getAttribute('href')") == "/jurisdictions/il-chicago/"
    )
    # A keyboard reader reaches the map's links from the form.
    page.locator("#id_as_of").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('svg')"):
            break
    assert page.evaluate("!!document.activeElement.closest('svg')")
    chicago.click()
    expect(page).to_have_url(f"{live_server.url}/jurisdictions/il-chicago/")
    assert page.watch.errors == []


def test_the_time_control_swaps_the_map_and_plays_to_today(live_server, page, landscape):
    page.goto(f"{live_server.url}/map/?metric=local&as_of=2015-06-01")
    page.evaluate("window.__sameDocument = true")
    expect(page.locator(".map-time")).to_be_visible()
    chicago_limits = page.locator('.us-map-svg a.map-limits[href="/jurisdictions/il-chicago/"]')
    expect(chicago_limits).to_have_count(0)  # its ordinance took effect in 2020

    slider = page.locator("#map-step")
    steps = slider.get_attribute("data-steps").split()
    assert steps[0] == "2011-12-31" and steps[-1] == dt.date.today().isoformat()
    slider.fill(str(len(steps) - 3))
    expect(page.locator(".map-caption")).to_contain_text(str(dt.date.fromisoformat(steps[-3]).year))
    page.get_by_role("button", name="Play").click()
    expect(page.locator("[data-map-play]")).to_have_text("Play", timeout=15000)
    assert page.locator("#id_as_of").input_value() == steps[-1]
    expect(chicago_limits).to_have_count(1)
    assert page.evaluate("window.__sameDocument") is True
    assert page.watch.errors == []


@pytest.fixture
def many_counties():
    """About as many counties and cities with a 287(g) agreement as ICE's 2025 sheets list."""
    make_state("FL", "Florida")
    fips = sorted(atlas().counties)[::7]  # 449 counties across the country
    counties = Jurisdiction.objects.bulk_create(
        Jurisdiction(
            name=f"County {geoid}", kind="county", state="FL", geoid=geoid, slug=f"c-{geoid}"
        )
        for geoid in fips
    )
    Policy.objects.bulk_create(
        Policy(
            jurisdiction=county,
            category=Policy.Category.AGREEMENT_287G,
            title="287(g) agreement",
            summary="",
            direction=Policy.Direction.EXPANDS,
            status=Policy.Status.IN_EFFECT,
            signed_on=dt.date(2025, 2, 1),
            agreement_model=Policy.AgreementModel.TASK_FORCE,
            agency=county.name,
            published=True,
        )
        for county in counties
    )
    return counties


def test_the_map_embed_cold_loads_in_four_requests_and_under_400_kb(
    production_server,  # noqa: F811
    host_site,  # noqa: F811
    browser,
    landscape,
    many_counties,
    client,
):
    context = browser.new_context(viewport={"width": 900, "height": 3000})
    page = context.new_page()
    traffic = Traffic(context, page)
    traffic.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    report = {}
    for metric in maps.MAP_METRICS:
        snippet = snippet_for(client, f"/embed/map/?metric={metric}")
        snippet = snippet.replace("http://testserver", production_server.url)
        traffic.reset()
        page.goto(host_site(f"{metric}.html", snippet))
        frame = page.frame_locator("iframe")
        frame.locator(".us-map-svg").wait_for()
        page.wait_for_load_state("networkidle")
        loaded = {
            url: size
            for url, size in traffic.of(production_server.url).items()
            if "/js/embed." not in url  # the host page's script, shared by every embed
        }
        report[metric] = (len(loaded), sum(loaded.values()))
        expect_sized(page, "iframe")  # the frame follows its content's height
    # Narrowed to a phone and widened again after it loaded, the frame follows its map.
    for width in (390, 900):
        page.set_viewport_size({"width": width, "height": 3000})
        expect_sized(page, "iframe")
    print("map embed (requests, bytes):", report)
    for metric, (requests, size) in report.items():
        assert requests <= 4, (metric, requests)
        assert size < 400 * KB, (metric, size)
    assert report["agreements"][1] > report["state_law"][1]  # the counties travel
    context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_map_downloads_as_an_image_with_its_title_legend_and_source(
    live_server, browser, landscape, theme
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, color_scheme=theme, accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/map/?metric=local&as_of=2025-06-01")
    export = page.locator("[data-map-export]")
    expect(export).to_be_visible()

    with page.expect_download() as svg_download:
        export.get_by_role("button", name="SVG").click()
    assert svg_download.value.suggested_filename == "map-local-2025-06-01.svg"
    svg = svg_download.value.path().read_text()
    assert "Local policies on cooperation, over statewide laws, as of June 1, 2025" in svg
    assert "Limits cooperation" in svg  # the legend
    assert "Outlines: U.S. Census Bureau (us-atlas)." in svg  # the source line
    assert f'fill="{"#16181d" if theme == "dark" else "#ffffff"}"' in svg  # the page's background
    limits = page.evaluate(
        "getComputedStyle(document.querySelector('.us-map-svg a.map-limits path')).fill"
    )
    assert f'fill="{limits}"' in svg  # each shape keeps its colour without the stylesheet
    assert 'vector-effect="non-scaling-stroke"' in svg  # and its outline's width

    with page.expect_download() as png_download:
        export.get_by_role("button", name="PNG").click()
    assert png_download.value.suggested_filename == "map-local-2025-06-01.png"
    png = png_download.value.path().read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    context.close()
