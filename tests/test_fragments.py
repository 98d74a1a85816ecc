"""Parts shared by many addresses (the table's rows) are cached once per data version."""

import datetime as dt
import html
import re
from unittest import mock

import pytest
from django.test import override_settings
from django.urls import reverse

from config import fragments
from policies import views
from policies.models import Jurisdiction
from tests.factories import make_arrival_count, make_jurisdiction, make_policy, make_state

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


@pytest.fixture
def rendered_ids():
    """The ids whose rows were rendered (rather than read from the cache), per request."""
    calls = []
    real = views.comparison_rows

    def spy(*, ids, day):
        calls.append(sorted(ids))
        return real(ids=ids, day=day)

    with mock.patch.object(views, "comparison_rows", spy):
        yield calls


def test_a_new_address_reuses_rows_another_address_rendered(client, places, rendered_ids):
    by_name = client.get(TABLE + "?all=on&sort=name").content.decode()
    assert len(rendered_ids) == 1 and len(rendered_ids[0]) == 3  # Illinois, Chicago, Aurora

    reversed_order = client.get(TABLE + "?all=on&sort=-name").content.decode()
    filtered = client.get(TABLE + "?all=on&state=IL&kind=city").content.decode()
    assert len(rendered_ids) == 1  # no row rendered again
    assert by_name.index("Aurora") < by_name.index("Chicago")
    assert reversed_order.index("Chicago") < reversed_order.index("Aurora")
    assert "More than 50,000" in filtered and "Illinois</a></th>" not in filtered


def test_a_data_change_renders_the_rows_again(client, places):
    assert "More than 50,000" in client.get(TABLE).content.decode()
    make_arrival_count(jurisdiction=places, value=61000, qualifier="about")
    assert "About 61,000" in client.get(TABLE + "?sort=name").content.decode()


def test_rows_are_kept_per_language_and_per_day(client, places):
    english = client.get(TABLE).content.decode()
    spanish = html.unescape(client.get("/es" + TABLE).content.decode())
    assert "More than 50,000" in english and "Limits cooperation</a>" in english
    assert "Más de 50\u00a0000" in spanish and "Limita la cooperación</a>" in spanish

    before_the_ordinance = client.get(TABLE + "?as_of=2005-01-01").content.decode()
    assert "Limits cooperation</a>" not in before_the_ordinance
    assert 'href="/jurisdictions/il-chicago/?as_of=2005-01-01"' in before_the_ordinance


def test_without_the_fragment_cache_the_table_is_the_same(client, places):
    cached = client.get(TABLE + "?sort=name").content
    with override_settings(FRAGMENT_CACHE_SECONDS=0, PAGE_CACHE_SECONDS=0):
        assert client.get(TABLE + "?sort=name").content == cached


def test_a_row_deleted_between_the_page_and_its_rows_is_left_out(client, places):
    aurora = Jurisdiction.objects.get(name="Aurora")
    real = views.comparison_rows

    def deleted_meanwhile(*, ids, day):
        return [row for row in real(ids=ids, day=day) if row.jurisdiction.pk != aurora.pk]

    with mock.patch.object(views, "comparison_rows", deleted_meanwhile):
        page = client.get(reverse("policies:jurisdiction-list") + "?all=on").content.decode()
    assert "Chicago" in page and "Aurora</a></th>" not in page


def test_the_home_overview_is_shared_by_every_filter_of_the_home_table(client, places):
    with mock.patch.object(
        views.selectors, "headline_figures", wraps=views.selectors.headline_figures
    ) as headline:
        first = client.get("/").content.decode()
        filtered = client.get("/?state=IL&sort=name").content.decode()
        assert headline.call_count == 1
        client.get("/?as_of=2024-01-01")  # another day: its own map and chart
        assert headline.call_count == 2
    for page in (first, filtered):
        assert 'id="state-map"' in page and 'id="home-chart-caption"' in page
        assert "More than 50,000" in page


def test_other_orders_and_pages_of_the_same_filters_reuse_the_count(
    client, places, django_assert_num_queries
):
    from config.data_version import data_version

    data_version()
    first = client.get(TABLE + "?all=on&sort=name").content.decode()
    assert "3 jurisdictions" in first
    # Only the page of ids: the rows and their count are remembered (the summaries' freshness
    # is read once per data version).
    with django_assert_num_queries(1) as queries:
        other_order = client.get(TABLE + "?all=on&sort=-name").content.decode()
    assert "OVER ()" not in queries.captured_queries[0]["sql"]
    assert "3 jurisdictions" in other_order
    assert "2 jurisdictions" in client.get(TABLE + "?all=on&kind=city").content.decode()


def test_a_page_past_the_end_with_a_known_count_is_the_last_page(client, places, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.get(TABLE + "?all=on&sort=name")  # remembers 3 places: two pages
    last = client.get(TABLE + "?all=on&sort=name&page=99").content.decode()
    assert "page 2 of 2" in last
    assert names_in(last) == ["Illinois"]
    assert names_in(client.get(TABLE + "?all=on&sort=-name&page=1").content.decode()) == [
        "Illinois",
        "Chicago",
    ]


def names_in(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]*">([^<]*)</a></th>', page)


def _main(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


@pytest.fixture
def place_reads():
    """How many times a place's records were read (rather than taken from the cache)."""
    real = views.selectors.jurisdiction_with_records
    with mock.patch.object(views.selectors, "jurisdiction_with_records", wraps=real) as read:
        yield read


def test_every_address_of_a_place_shares_one_rendering_of_its_records(client, places, place_reads):
    url = places.get_absolute_url()
    plain = html.unescape(client.get(url).content.decode())
    tracked = html.unescape(client.get(url + "?utm_source=newsletter&fbclid=abc").content.decode())
    assert place_reads.call_count == 1
    assert _main(tracked) == _main(plain)
    assert "<title>Chicago, IL · Sanctuary Tracker</title>" in plain
    assert "Welcoming City" in plain and "More than 50,000" in plain

    client.get(url + "?as_of=2005-01-01")  # another day: its own rendering
    client.get("/es" + url)  # another language
    assert place_reads.call_count == 3


def test_a_data_change_renders_a_place_again(client, places):
    url = places.get_absolute_url()
    assert "More than 50,000" in client.get(url).content.decode()
    make_arrival_count(jurisdiction=places, value=61000, qualifier="about")
    assert "About 61,000" in client.get(url).content.decode()


def test_a_place_rendered_for_one_host_is_not_shown_to_another(client, places, settings):
    settings.ALLOWED_HOSTS = ["testserver", "tracker.example"]
    settings.PAGE_CACHE_SECONDS = 0
    url = places.get_absolute_url()
    assert "http://testserver/embed/" in client.get(url).content.decode()
    other = client.get(url, HTTP_HOST="tracker.example").content.decode()
    assert "http://tracker.example/embed/" in other and "testserver" not in other


def test_without_the_fragment_cache_a_place_page_is_the_same(client, places):
    url = places.get_absolute_url() + "?as_of=2024-01-01"
    cached = client.get(url).content
    with override_settings(FRAGMENT_CACHE_SECONDS=0, PAGE_CACHE_SECONDS=0):
        assert client.get(url).content == cached


def test_an_unknown_place_is_not_remembered(client, places):
    assert client.get("/jurisdictions/il-nowhere/").status_code == 404
    make_jurisdiction(name="Nowhere", parent=places.parent)
    assert client.get("/jurisdictions/il-nowhere/").status_code == 200


def test_every_frame_of_an_embed_shares_one_rendering_of_its_body(client, places, place_reads):
    chart = f"/embed/jurisdictions/{places.slug}/chart/"
    plain = client.get(chart).content.decode()
    dark = client.get(chart + "?theme=dark&header=0&initialWidth=320").content.decode()
    assert place_reads.call_count == 1
    assert 'data-theme="dark"' in dark and "embed-title" not in dark
    for page in (plain, dark):
        assert "More than 50,000" in page and 'class="embed-sources"' in page
    client.get(chart + "?as_of=2024-01-01")  # another day: its own body
    assert place_reads.call_count == 2

    card = f"/embed/jurisdictions/{places.slug}/"
    plain = client.get(card).content.decode()
    dark = client.get(card + "?theme=dark&footer=0").content.decode()
    assert place_reads.call_count == 3
    assert "Welcoming City" in plain and "Welcoming City" in dark
    assert 'class="embed-sources"' in plain and 'class="embed-sources"' not in dark


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("/embed/jurisdictions/il-chicago/chart/?theme=dark", "Chicago"),
        ("/embed/jurisdictions/?state=IL&footer=0", "Chicago"),
        ("/embed/compare/?j=il-chicago&as_of=2024-01-01", "Chicago"),
        ("/embed/jurisdictions/il-chicago/?header=0", "Welcoming City"),
        ("/embed/map/?theme=light", "Illinois"),
    ],
)
def test_without_the_fragment_cache_an_embed_is_the_same(client, places, url, shown):
    cached = client.get(url)
    assert cached.status_code == 200 and shown in cached.content.decode()
    with override_settings(FRAGMENT_CACHE_SECONDS=0, PAGE_CACHE_SECONDS=0):
        assert client.get(url).content == cached.content


def test_an_embedded_table_shares_its_rows_between_frames_until_the_data_changes(client, places):
    from policies import embed_views

    with mock.patch.object(embed_views, "comparison_rows", wraps=views.comparison_rows) as rows:
        first = client.get("/embed/jurisdictions/?state=IL").content.decode()
        client.get("/embed/jurisdictions/?state=IL&theme=light&parentUrl=https://a.example/")
        assert rows.call_count == 1
        make_arrival_count(jurisdiction=places, value=61000, qualifier="about")
        changed = client.get("/embed/jurisdictions/?state=IL").content.decode()
        assert rows.call_count == 2
    assert "More than 50,000" in first and "About 61,000" in changed


def _hrefs(page: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]*\?[^"]*)"', page)]


def test_the_tables_links_are_built_from_its_filters_not_from_the_readers_address(client, places):
    page = client.get(
        TABLE + "?utm_source=newsletter&q=&kind=&state=IL&all=on&sort=-name&page=1"
    ).content.decode()
    table_links = [href for href in _hrefs(page) if "/es/" not in href]  # language switch aside
    assert table_links and not any("utm_source" in href or "kind=" in href for href in table_links)
    assert "/jurisdictions/?state=IL&all=on" in table_links  # back to the default order
    assert "/jurisdictions/?state=IL&all=on&sort=state" in table_links
    assert "/jurisdictions.csv?state=IL&all=on&sort=-name" in table_links
    assert "/embed/jurisdictions/?state=IL&all=on&sort=-name" in html.unescape(page)


def test_the_home_tables_downloads_and_embed_keep_its_order(client, places):
    page = client.get("/?state=IL").content.decode()
    assert "/jurisdictions.csv?state=IL&sort=-arrivals" in _hrefs(page)
    assert "/?state=IL&sort=name" in _hrefs(page)


def test_addresses_asking_for_the_same_table_share_one_rendering(
    client, places, django_assert_num_queries
):
    first = client.get(TABLE + "?state=IL&sort=-name").content.decode()
    with django_assert_num_queries(0):
        again = client.get(TABLE + "?sort=-name&fbclid=xyz&q=&state=IL").content.decode()
        swapped = client.get(TABLE + "?state=IL&sort=-name&x=1", headers={"HX-Request": "true"})
    assert _main(first) == _main(again)
    assert swapped.content.decode().strip() in first


def test_the_filter_form_shows_the_filters_as_understood(client, places):
    page = client.get(TABLE + "?q=%20Chi%20&state=IL").content.decode()
    assert 'name="q" value="Chi"' in page
    assert '<option value="IL" selected>Illinois</option>' in page


def test_a_table_rendered_for_plain_http_is_not_shown_over_https(client, places, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the shared table itself, not the page around it
    assert "http://testserver/embed/jurisdictions/" in client.get(TABLE).content.decode()
    secure = client.get(TABLE, secure=True).content.decode()
    assert "https://testserver/embed/jurisdictions/" in secure
    assert "http://testserver/embed/" not in secure


def test_a_process_keeps_the_parts_it_used_in_front_of_the_shared_cache(client, places, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the parts, not the page around them
    settings.DATA_VERSION_MEMO_SECONDS = 60
    url = places.get_absolute_url()
    first = client.get(url).content.decode()
    with mock.patch.object(
        fragments.cache, "get_many", side_effect=AssertionError("asked the shared cache")
    ):
        assert _main(client.get(url + "?utm_source=x").content.decode()) == _main(first)

    make_arrival_count(jurisdiction=places, value=61000, qualifier="about")  # a data change
    assert "About 61,000" in client.get(url).content.decode()


def test_the_parts_a_process_keeps_are_bounded():
    recent = fragments.RecentValues(size=2)
    recent.put_many("v1", {"a": 1, "b": 2})
    recent.get_many("v1", ["a"])  # now the newest
    recent.put_many("v1", {"c": 3})
    assert recent.get_many("v1", ["a", "b", "c"]) == {"a": 1, "c": 3}
    assert recent.get_many("v2", ["a", "c"]) == {}  # another data version: nothing kept


def test_the_home_overview_rendered_for_plain_http_is_not_shown_over_https(
    client, places, settings
):
    # Its map's embed code names the site; every shared part is kept per scheme and host.
    settings.PAGE_CACHE_SECONDS = 0
    assert "http://testserver/embed/map/" in client.get("/").content.decode()
    secure = client.get("/", secure=True).content.decode()
    assert "https://testserver/embed/map/" in secure and "http://testserver/" not in secure
