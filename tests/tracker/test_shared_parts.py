"""The comparison table's canonical links, and the parts pages share through Django's cache
(the home overview, the filter form, a chart's drawing): keyed by everything they show."""

import datetime as dt
import html
import re
from unittest import mock

import pytest

from tests.factories import make_arrival_count, make_jurisdiction, make_policy, make_state
from tracker import maps
from tracker.views import pages

pytestmark = pytest.mark.django_db
TABLE = "/jurisdictions/"


@pytest.fixture
def places():
    illinois = make_state("IL", "Illinois")
    chicago = make_jurisdiction(name="Chicago", parent=illinois)
    make_arrival_count(jurisdiction=chicago, value=50000, qualifier="more_than")
    make_policy(jurisdiction=chicago, title="Welcoming City", effective_on=dt.date(2006, 3, 1))
    make_jurisdiction(name="Aurora", parent=illinois)
    return chicago


def _hrefs(page: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]*\?[^"]*)"', page)]


def test_the_tables_links_are_built_from_its_filters_not_from_the_readers_address(client, places):
    page = client.get(TABLE + "?q=&kind=&state=IL&all=on&sort=-name&page=1").content.decode()
    table_links = [href for href in _hrefs(page) if "/es/" not in href]  # language switch aside
    assert table_links and not any("kind=" in href or "q=" in href for href in table_links)
    assert "/jurisdictions/?state=IL&all=on" in table_links  # back to the default order
    assert "/jurisdictions/?state=IL&all=on&sort=state" in table_links
    assert "/jurisdictions.csv?state=IL&all=on&sort=-name" in table_links
    assert "/embed/jurisdictions/?state=IL&all=on&sort=-name" in html.unescape(page)


def test_the_home_tables_downloads_and_embed_keep_its_order(client, places):
    page = client.get("/?state=IL").content.decode()
    assert "/jurisdictions.csv?state=IL&sort=-arrivals" in _hrefs(page)
    assert "/?state=IL&sort=name" in _hrefs(page)


def test_the_filter_form_shows_the_filters_as_understood(client, places):
    for query in ("?q=%20Chi%20&state=IL", "?q=Chi&state=IL"):  # one fragment for both
        page = client.get(TABLE + query).content.decode()
        assert 'name="q" value="Chi"' in page, query
        assert '<option value="IL" selected>Illinois</option>' in page, query


def test_the_home_overview_is_shared_by_every_filter_of_the_home_table(client, places):
    with mock.patch.object(
        pages.selectors, "headline_figures", wraps=pages.selectors.headline_figures
    ) as headline:
        first = client.get("/").content.decode()
        filtered = client.get("/?state=IL&sort=name").content.decode()
        assert headline.call_count == 1
        client.get("/?as_of=2024-01-01")  # another day: its own map and chart
        assert headline.call_count == 2
    for page in (first, filtered):
        assert 'id="state-map"' in page and 'id="home-chart-caption"' in page
        assert "More than 50,000" in page


def test_parts_are_kept_per_language(client, places):
    for _ in range(2):  # drawn, then read from the cache
        english = client.get("/").content.decode()
        spanish = html.unescape(client.get("/es/").content.decode())
        assert "More than 50,000" in english and "Más de 50\u00a0000" not in english
        assert "Más de 50\u00a0000" in spanish and "More than 50,000" not in spanish
        assert 'name="q"' in spanish and "Buscar por nombre" in spanish


def test_the_home_overview_rendered_for_plain_http_is_not_shown_over_https(client, places):
    # Its map's embed code names the site; every shared part is kept per scheme and host.
    assert "http://testserver/embed/map/" in client.get("/").content.decode()
    secure = client.get("/", secure=True).content.decode()
    assert "https://testserver/embed/map/" in secure and "http://testserver/" not in secure


def test_a_chart_is_drawn_again_when_a_figure_it_shows_is_corrected(client, places):
    url = places.get_absolute_url()
    assert "more than 50,000" in client.get(url).content.decode()
    figure = places.arrival_counts.get()
    figure.value, figure.qualifier = 52000, "about"
    figure.save()
    page = client.get(url).content.decode()
    chart = re.search(r'id="jurisdiction-chart-data" type="application/json">(.*?)</script>', page)
    assert "about 52,000" in chart.group(1) and "more than 50,000" not in chart.group(1)


def test_the_map_is_drawn_once_for_its_page_its_swaps_and_the_home_page(client, places):
    with mock.patch.object(maps, "map_context", wraps=maps.map_context) as drawn:
        page = client.get("/map/").content.decode()
        swap = client.get("/map/?metric=local", headers={"HX-Request": "true"}).content.decode()
        home = client.get("/").content.decode()
        assert drawn.call_count == 1
        embed = client.get("/embed/map/?theme=dark").content.decode()  # links leave the frame
        client.get("/embed/map/?theme=light&header=0")
        assert drawn.call_count == 2
        client.get("/map/?metric=detainer")  # another map
        client.get("/map/?as_of=2020-01-01")
        assert drawn.call_count == 4
        spanish = client.get("/es/map/").content.decode()
        assert drawn.call_count == 5
    assert "<title>Chicago, IL: Limita la cooperación</title>" in spanish
    shape = 'href="/jurisdictions/il-chicago/" class="map-limits" tabindex="-1"'
    for drawing in (page, swap, home):
        assert f"<a {shape}><title>Chicago, IL: Limits cooperation</title>" in drawing
    assert f'<a {shape} target="_blank" rel="noopener"><title>Chicago, IL' in embed
    assert 'id="map-heading"' in page and 'id="map-heading"' in swap
