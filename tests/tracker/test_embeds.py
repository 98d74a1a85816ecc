import datetime as dt
import html
import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from tests.factories import (
    make_arrival_count,
    make_jurisdiction,
    make_policy,
    make_source,
    make_state,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def embed_urls(chicago) -> list[str]:
    return [
        reverse("embed:jurisdiction-chart", args=[chicago.slug]),
        reverse("embed:jurisdiction-card", args=[chicago.slug]),
        reverse("embed:jurisdiction-timeline", args=[chicago.slug]),
        reverse("embed:jurisdiction-table") + "?state=IL",
        reverse("embed:compare-chart") + f"?j={chicago.slug}",
        reverse("embed:state-map") + "?as_of=2020-01-01",
    ]


def test_embeds_are_frameable_by_any_site_and_cacheable(client, chicago):
    for url in embed_urls(chicago):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "X-Frame-Options" not in response, url
        assert "frame-ancestors *" in response["Content-Security-Policy"]
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
        assert response["ETag"] and response["Last-Modified"]
        assert not response.cookies, url
        assert "csrfmiddlewaretoken" not in response.content.decode()


def test_every_other_page_stays_unframeable(client, chicago):
    for url in ("/", chicago.get_absolute_url(), "/compare/", "/map/", "/admin/login/"):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url


@override_settings(EMBED_ALLOWED_ORIGINS=["https://news.example.org"])
def test_an_operator_can_narrow_who_may_frame_embeds(client, chicago):
    response = client.get(reverse("embed:jurisdiction-chart", args=[chicago.slug]))
    assert "frame-ancestors https://news.example.org" in response["Content-Security-Policy"]


def test_revalidation_gets_a_304_with_the_same_framing_headers_and_no_query(
    client, chicago, django_assert_num_queries
):
    url = reverse("embed:jurisdiction-chart", args=[chicago.slug])
    first = client.get(url)
    with django_assert_num_queries(0):
        again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert "X-Frame-Options" not in again
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert again["Cache-Control"] == first["Cache-Control"]
    since = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304


def test_revalidation_follows_http_rules_for_conditional_requests(client, chicago):
    url = reverse("embed:jurisdiction-chart", args=[chicago.slug])
    first = client.get(url)
    etag, last_modified = first["ETag"], first["Last-Modified"]

    def status(**headers) -> int:
        return client.get(url, headers=headers).status_code

    assert status(**{"If-None-Match": f"W/{etag}"}) == 304  # weak comparison
    assert status(**{"If-None-Match": f'"other", {etag}'}) == 304  # any of a list
    assert status(**{"If-None-Match": "*"}) == 304
    # A sent If-None-Match decides alone, even with a matching If-Modified-Since.
    assert status(**{"If-None-Match": '"other"', "If-Modified-Since": last_modified}) == 200
    assert status(**{"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}) == 200
    assert status(**{"If-Modified-Since": "not a date"}) == 200


def test_a_data_change_changes_the_etag(client, chicago):
    url = reverse("embed:jurisdiction-chart", args=[chicago.slug])
    before = client.get(url)["ETag"]
    make_arrival_count(jurisdiction=chicago, value=60000, as_of=dt.date(2024, 12, 1))
    after = client.get(url, headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after["ETag"] != before
    assert "60,000" in after.content.decode()


def test_embed_shows_title_sources_updated_date_full_view_and_data_links(client, chicago):
    page = client.get(reverse("embed:jurisdiction-chart", args=[chicago.slug])).content.decode()
    assert "Arrival figures: Chicago, IL" in page
    assert "Sources:" in page and "Data as of" in page
    assert 'href="http://testserver/jurisdictions/il-chicago/" target="_blank"' in page
    assert "/jurisdictions/il-chicago/figures.csv" in page
    assert "/jurisdictions/il-chicago/figures.json" in page


def test_embed_footer_gives_the_newest_record_date_not_the_load_date(client, chicago):
    from django.utils import translation
    from django.utils.formats import date_format

    def as_of(url: str) -> str:
        page = client.get(url).content.decode()
        return re.search(r'Data as of <time datetime="([^"]+)">', page).group(1)

    chart = reverse("embed:jurisdiction-chart", args=[chicago.slug])
    card = reverse("embed:jurisdiction-card", args=[chicago.slug])
    newest = max(chicago.arrival_counts.values_list("as_of", flat=True))
    assert as_of(chart) == newest.isoformat()
    assert dt.date.fromisoformat(as_of(card)) <= dt.date.today()

    make_arrival_count(jurisdiction=chicago, value=60000, as_of=dt.date(2024, 12, 1))
    assert as_of(chart) == max(newest, dt.date(2024, 12, 1)).isoformat()

    make_arrival_count(
        jurisdiction=chicago, value=61000, as_of=dt.date(2025, 2, 1), as_of_precision="month"
    )
    page = client.get(chart).content.decode()
    assert 'Data as of <time datetime="2025-02-01">February 2025</time>' in page

    newest = dt.date.fromisoformat(as_of(chart))  # a request leaves its language active
    with translation.override("es"):
        in_spanish = date_format(newest, "YEAR_MONTH_FORMAT")
    assert f">{in_spanish}</time>" in client.get("/es" + chart).content.decode()


def test_header_and_footer_can_be_hidden_but_the_full_view_link_stays(client, chicago):
    url = reverse("embed:jurisdiction-card", args=[chicago.slug]) + "?header=0&footer=0&theme=dark"
    page = client.get(url).content.decode()
    assert 'class="embed-title"' not in page
    assert "Updated" not in page
    assert "full interactive view" in page
    assert 'data-theme="dark"' in page


def test_table_embed_keeps_the_filters_in_its_downloads(client, chicago):
    page = client.get(reverse("embed:jurisdiction-table") + "?state=IL&theme=dark").content.decode()
    assert "/jurisdictions.csv?state=IL" in page
    assert "theme=dark" not in page.split("jurisdictions.csv")[1][:40]


def test_pym_parameters_are_accepted(client, chicago):
    url = reverse("embed:jurisdiction-chart", args=[chicago.slug])
    response = client.get(
        f"{url}?initialWidth=320&childId=chart-1&parentTitle=x&parentUrl=http://a"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/embed/jurisdictions/?state=ZZ",
        "/embed/map/?metric=bogus",
        "/embed/compare/",
        "/embed/compare/?j=il-nowhere",
        "/embed/jurisdictions/il-chicago/chart/?as_of=2020-02-30",
        "/embed/jurisdictions/il-chicago/timeline/?as_of=tomorrow",
    ],
)
def test_bad_embed_parameters_get_a_400(client, chicago, url):
    assert client.get(url).status_code == 400


def test_embed_code_generator_builds_the_snippet(client, chicago):
    path = reverse("embed:jurisdiction-chart", args=[chicago.slug])
    response = client.get("/embed-code/", {"path": path, "title": "Chicago arrivals"})
    snippet = response.context["snippet"]
    assert 'src="http://testserver/embed/jurisdictions/il-chicago/chart/"' in snippet
    assert 'title="Chicago arrivals (Sanctuary Tracker)"' in snippet
    assert 'loading="lazy"' in snippet and "data-sanctuary-tracker" in snippet
    assert '<script src="http://testserver/static/js/embed.js" async></script>' in snippet

    fixed = client.get(
        "/embed-code/",
        {"path": path, "title": "t", "theme": "dark", "header": "0", "height": "640"},
        headers={"HX-Request": "true"},
    )
    snippet = fixed.context["snippet"]
    assert "?theme=dark&amp;header=0" in snippet
    assert 'height="640"' in snippet and "<script" not in snippet
    assert "<html" not in fixed.content.decode()


@pytest.mark.parametrize(
    "path", ["https://evil.example/embed/", "/admin/", "/embed//evil.example/"]
)
def test_embed_code_generator_refuses_other_addresses(client, path):
    assert client.get("/embed-code/", {"path": path, "title": "t"}).status_code == 400


def test_reader_pages_offer_the_embed_control(client, chicago):
    page = client.get(chicago.get_absolute_url()).content.decode()
    assert "Embed this chart" in page and "Embed this summary card" in page
    table = client.get(reverse("tracker:jurisdiction-list") + "?state=IL").content.decode()
    assert "Embed this table" in table
    assert "/embed/jurisdictions/?state=IL" in table


def test_an_embeds_links_keep_its_data_parameters_and_language(client, chicago):
    """Links out of an embed keep what it shows (as_of), not how it is framed (theme, the
    host's parentUrl), in the embed's language."""
    chart = reverse("embed:jurisdiction-chart", args=[chicago.slug])
    query = "?theme=dark&as_of=2025-01-01&parentUrl=https%3A%2F%2Fnews.example.org%2Fstory"

    def links(url: str) -> list[str]:
        page = client.get(url).content.decode()
        return [html.unescape(link) for link in re.findall(r'<a href="([^"]+)"', page)[-3:]]

    assert links(chart + query) == [
        "/jurisdictions/il-chicago/figures.csv?as_of=2025-01-01",
        "/jurisdictions/il-chicago/figures.json?as_of=2025-01-01",
        "http://testserver/jurisdictions/il-chicago/?as_of=2025-01-01",
    ]
    assert links("/es" + chart + query)[-1] == (
        "http://testserver/es/jurisdictions/il-chicago/?as_of=2025-01-01"
    )
    assert links(chart)[-1] == "http://testserver/jurisdictions/il-chicago/"


def test_the_embedded_tables_pages_keep_the_frames_options(client):
    illinois = make_state("IL", "Illinois")
    for number in range(12):
        make_jurisdiction(name=f"Town {number:02}", parent=illinois)
    url = reverse("embed:jurisdiction-table") + "?all=on&state=IL&theme=dark"

    first = client.get(url).content.decode()
    assert "1 / 2" in first and "Town 08" in first and "Town 09" not in first
    next_link = html.unescape(re.search(r'<a href="([^"]*)" rel="next">', first).group(1))
    assert next_link == "?all=on&state=IL&theme=dark&page=2"

    second = client.get(reverse("embed:jurisdiction-table") + next_link).content.decode()
    assert "2 / 2" in second and 'data-theme="dark"' in second
    assert "Town 09" in second and "Town 11" in second and "Town 08" not in second
    past_the_end = client.get(url + "&page=99").content.decode()
    assert "2 / 2" in past_the_end and "Town 11" in past_the_end


def test_the_home_chart_and_each_headline_figure_can_be_embedded(client, chicago):
    home = html.unescape(client.get("/").content.decode())

    assert 'name="path" value="/embed/compare/?j=il-chicago"' in home  # the home chart
    card_code = re.search(r'href="(/embed-code/\?path=/embed/jurisdictions/il-chicago/[^"]*)', home)
    assert card_code, "no embed link beside the headline figure"
    page = client.get(card_code.group(1))
    assert page.status_code == 200
    assert 'class="embed-preview" src="http://testserver/embed/jurisdictions/il-chicago/"' in (
        page.content.decode()
    )
    assert client.get("/embed/compare/?j=il-chicago").status_code == 200


def test_a_home_page_without_figures_offers_no_chart_embed(client):
    make_jurisdiction(name="Chicago")

    home = client.get("/").content.decode()

    assert "/embed/compare/" not in home


def test_a_places_timeline_embeds_with_its_events_oldest_first_and_their_sources(
    client, chicago, django_assert_max_num_queries
):
    state_law = make_policy(
        jurisdiction=chicago.parent,
        title="Illinois TRUST Act",
        adopted_on=dt.date(2017, 8, 28),
        sources=[make_source(publisher="Illinois General Assembly")],
    )
    url = reverse("embed:jurisdiction-timeline", args=[chicago.slug])

    with django_assert_max_num_queries(12):
        response = client.get(url)

    page = html.unescape(response.content.decode())
    assert '<h1 class="embed-title">Timeline: Chicago, IL</h1>' in page
    events = re.findall(r'<time datetime="([\d-]+)">', page)
    assert events == sorted(events) and "2017-08-28" in events
    assert "Illinois: Illinois TRUST Act" in page and "(Illinois General Assembly)" in page
    assert state_law.sources.get().href in page  # the footer's source list links each source
    assert "Data as of" in page and "/embed/" not in re.findall(r'href="([^"]+)"', page)[-1]

    page = client.get(chicago.get_absolute_url()).content.decode()
    assert "Embed this timeline" in page and url in page


def test_a_place_without_dated_events_offers_no_timeline_embed(client):
    quiet = make_jurisdiction(name="Quietville", state="OH", parent=make_state("OH", "Ohio"))

    page = client.get(quiet.get_absolute_url()).content.decode()

    assert "No dated events recorded." in page and "Embed this timeline" not in page
    embed = client.get(reverse("embed:jurisdiction-timeline", args=[quiet.slug]))
    assert embed.status_code == 200 and "No dated events recorded." in embed.content.decode()


def test_a_timeline_embed_as_of_a_date_says_its_data_is_as_of_that_date_at_most(client, chicago):
    make_policy(jurisdiction=chicago, title="Later repeal", adopted_on=dt.date(2024, 6, 3))
    url = reverse("embed:jurisdiction-timeline", args=[chicago.slug])

    page = client.get(url + "?as_of=2022-01-01").content.decode()

    found = re.search(r'Data as of <time datetime="([\d-]+)">', page)
    assert found and found.group(1) <= "2022-01-01"
