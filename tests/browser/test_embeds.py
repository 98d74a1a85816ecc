"""Embeds in a page of another origin: sized to their content, cited, light, framed safely."""

import datetime as dt
import functools
import http.server
import re
import threading

import pytest
from django.core.management import call_command
from django.test.utils import override_settings
from playwright.sync_api import expect

from arrivals.models import ArrivalCount
from tests.browser.live import unstarted_live_server
from tests.factories import (
    make_arrival_count,
    make_designation,
    make_jurisdiction,
    make_policy,
    make_source,
    make_state,
)

pytestmark = pytest.mark.django_db(transaction=True)

KB = 1000


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """Static files collected and compressed (gzip and brotli) as in production."""
    root = tmp_path_factory.mktemp("staticfiles")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root, storages


@pytest.fixture
def production_server(collected_static, transactional_db):
    """The app served as in production: WhiteNoise serves the compressed, hashed files."""
    root, storages = collected_static
    with override_settings(STATIC_ROOT=root, STORAGES=storages, DEBUG=False):
        server = unstarted_live_server("127.0.0.1")
        server.thread.static_handler = lambda handler: handler  # let WhiteNoise answer
        server._live_server_modified_settings.enable()
        server.start()
        yield server
        server.stop()
        server._live_server_modified_settings.disable()


@pytest.fixture
def host_site(tmp_path):
    """A plain page on another origin (another port), as a newsroom's article would be."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()

    def publish(name: str, body: str) -> str:
        (tmp_path / name).write_text(
            "<!doctype html><html><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<link rel='icon' href='data:,'><title>Article</title></head>"
            "<body style='margin:0 16px;font-family:serif'>"
            f"<h1>An article</h1><p>Before.</p>{body}<p>After.</p></body></html>"
        )
        return f"http://127.0.0.1:{httpd.server_address[1]}/{name}"

    yield publish
    httpd.shutdown()


@pytest.fixture
def records():
    illinois = make_state("IL", "Illinois")
    chicago = make_jurisdiction(
        name="Chicago", parent=illinois, population=2722389, population_year=2014
    )
    evanston = make_jurisdiction(name="Evanston", parent=illinois)
    source = make_source(publisher="NewsNation", url="https://www.newsnationnow.com/")
    for month, value in enumerate((20000, 36000, 50000), 1):
        make_arrival_count(
            jurisdiction=chicago,
            value=value,
            qualifier=ArrivalCount.Qualifier.MORE_THAN,
            as_of=dt.date(2024, month, 1),
            source=source,
        )
    make_policy(jurisdiction=chicago, title="Welcoming City Ordinance")
    make_policy(jurisdiction=evanston, title="Evanston welcoming ordinance")
    make_designation(jurisdiction=chicago)
    return chicago


def snippet_for(client, path: str) -> str:
    response = client.get("/embed-code/", {"path": path, "title": "An embed"})
    assert response.status_code == 200
    return response.context["snippet"]


def frame_heights(page, selector: str) -> tuple[float, float]:
    """(the iframe's height on the host page, its content's height inside the frame)."""
    iframe = page.locator(selector)
    outer = iframe.bounding_box()["height"]
    inner = iframe.content_frame.locator("#embed").bounding_box()["height"]
    return outer, inner


def expect_sized(page, selector: str) -> None:
    for _ in range(50):
        outer, inner = frame_heights(page, selector)
        if abs(outer - inner) <= 2:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{selector}: frame {outer}px, content {inner}px")


class Traffic:
    """Bytes over the wire per URL, from Chromium's DevTools protocol (headers included)."""

    def __init__(self, context, page) -> None:
        self.cdp = context.new_cdp_session(page)
        self.urls: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.send("Network.enable")

    def _sent(self, event) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _finished(self, event) -> None:
        self.sizes[event["requestId"]] = event["encodedDataLength"]

    def reset(self) -> None:
        self.urls.clear()
        self.sizes.clear()

    def of(self, origin: str) -> dict[str, int]:
        return {
            url: self.sizes.get(rid, 0) for rid, url in self.urls.items() if url.startswith(origin)
        }


def test_embeds_size_themselves_on_another_origin(
    production_server, host_site, browser, records, client
):
    chart_path = f"/embed/jurisdictions/{records.slug}/chart/"
    table_path = "/embed/jurisdictions/?state=IL"
    snippets = [
        snippet_for(client, path).replace("http://testserver", production_server.url)
        for path in (chart_path, table_path)
    ]
    url = host_site("article.html", snippets[0] + "<p>Between.</p>" + snippets[1])

    context = browser.new_context(viewport={"width": 900, "height": 900})
    page = context.new_page()
    from tests.browser.conftest import PageWatch

    watch = PageWatch(page)
    page.goto(url)
    chart_frame = "iframe[src*='/chart/']"
    table_frame = "iframe[src*='state=IL']"
    chart = page.frame_locator(chart_frame)
    expect(chart.locator("[data-chart-ready]")).to_have_count(1, timeout=15000)
    expect(chart.locator(".embed-footer")).to_contain_text("NewsNation")
    expect(chart.locator(".embed-footer")).to_contain_text("Data as of")
    table = page.frame_locator(table_frame)
    expect(table.locator("tbody tr")).to_have_count(2)
    expect_sized(page, chart_frame)
    expect_sized(page, table_frame)

    # Narrow to a phone: the frames follow, and nothing scrolls sideways.
    page.set_viewport_size({"width": 320, "height": 800})
    expect_sized(page, chart_frame)
    expect_sized(page, table_frame)
    for selector in (chart_frame, table_frame):
        html = page.locator(selector).content_frame.locator("html")
        expect(html).to_have_js_property("scrollWidth", html.evaluate("e => e.clientWidth"))

    # The content grows and shrinks back: open and close the chart's data table.
    before, _ = frame_heights(page, chart_frame)
    chart.locator("summary").click()
    expect_sized(page, chart_frame)
    opened, _ = frame_heights(page, chart_frame)
    chart.locator("summary").click()
    expect_sized(page, chart_frame)
    closed, _ = frame_heights(page, chart_frame)
    assert opened > before + 50 and abs(closed - before) <= 2

    assert watch.errors == []
    assert watch.outside_requests == []
    context.close()


def test_embeds_stay_within_their_weight_budget(
    production_server, host_site, browser, records, client
):
    ours = production_server.url
    chart = snippet_for(client, f"/embed/jurisdictions/{records.slug}/chart/")
    card = snippet_for(client, f"/embed/jurisdictions/{records.slug}/")
    other_card = snippet_for(client, "/embed/jurisdictions/il-evanston/")
    table = snippet_for(client, "/embed/jurisdictions/?state=IL")
    chart, card, other_card, table = (
        s.replace("http://testserver", ours) for s in (chart, card, other_card, table)
    )
    # Tall enough that no embed waits below the fold (they load lazily).
    context = browser.new_context(viewport={"width": 900, "height": 3000})
    page = context.new_page()
    traffic = Traffic(context, page)

    def load(name: str, body: str, ready: str) -> dict[str, int]:
        traffic.reset()
        page.goto(host_site(name, body))
        page.locator(ready).first.content_frame.locator("#embed").wait_for()
        page.wait_for_load_state("networkidle")
        return traffic.of(ours)

    traffic.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cold_table = load("table.html", table, "iframe")
    cold_card = load("card.html", card, "iframe")
    cold_chart = load("chart.html", chart, "iframe")
    page.frame_locator("iframe").locator("[data-chart-ready]").wait_for()
    traffic.cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    load("chart-again.html", chart, "iframe")  # fills the cache
    # A second, different embed in the same article: only its own page should travel.
    second = load("two.html", chart + other_card, "iframe:not([src*='chart'])")

    report = {
        "table": sum(cold_table.values()),
        "card": sum(cold_card.values()),
        "chart": sum(cold_chart.values()),
        "chart requests (host script aside)": len([u for u in cold_chart if "/js/embed." not in u]),
        "second embed": sum(size for url, size in second.items() if "/chart/" not in url),
    }
    print("embed weight, bytes:", report)
    assert report["table"] < 50 * KB
    assert report["card"] < 50 * KB
    assert report["chart"] < 400 * KB
    assert report["chart requests (host script aside)"] <= 4
    assert 0 < report["second embed"] < 10 * KB
    context.close()


def test_every_embed_follows_the_host_page_narrowing_and_widening(
    production_server, host_site, browser, records, client
):
    paths = {
        "chart": f"/embed/jurisdictions/{records.slug}/chart/",
        "card": f"/embed/jurisdictions/{records.slug}/",
        "timeline": f"/embed/jurisdictions/{records.slug}/timeline/",
        "table": "/embed/jurisdictions/?state=IL",
        "compare": f"/embed/compare/?j={records.slug}&j=il-evanston",
        "map": "/embed/map/",
    }
    snippets = [
        snippet_for(client, path).replace("http://testserver", production_server.url)
        for path in paths.values()
    ]
    url = host_site("all.html", "<p>Between.</p>".join(snippets))
    context = browser.new_context(viewport={"width": 900, "height": 900})
    page = context.new_page()
    page.goto(url)
    frames = [f"iframe[src='{production_server.url}{path}']" for path in paths.values()]
    for selector in frames:
        page.locator(selector).content_frame.locator("#embed").wait_for()

    for width in (900, 320, 1200, 480):
        page.set_viewport_size({"width": width, "height": 900})
        for selector in frames:
            # Chromium pauses drawing in frames from another site while they are off screen;
            # a reader's frame resizes as it scrolls into view, and so does this one.
            page.locator(selector).scroll_into_view_if_needed()
            try:
                expect_sized(page, selector)
            except AssertionError as error:
                raise AssertionError(f"at {width}px: {error}") from None
    context.close()


def test_the_embed_dialog_previews_the_embed_as_its_options_change(live_server, page, records):
    page.goto(f"{live_server.url}{records.get_absolute_url()}")
    dialog = page.locator("details.embed-control", has_text="Embed this chart").first
    dialog.locator("summary").click()
    preview = "details.embed-control[open] iframe.embed-preview"
    frame = page.frame_locator(preview).first
    expect(frame.locator("[data-chart-ready]")).to_have_count(1, timeout=15000)
    expect_sized(page, f"{preview} >> nth=0")

    dialog.locator("select[name=theme]").select_option("dark")

    expect(page.locator(preview).first).to_have_attribute("src", re.compile(r"theme=dark"))
    expect(frame.locator("html")).to_have_attribute("data-theme", "dark")
    assert page.watch.errors == []
