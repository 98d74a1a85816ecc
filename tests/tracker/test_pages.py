import datetime as dt
import re

import pytest
from django.urls import reverse

from arrivals.models import ArrivalCount
from tests.factories import (
    make_arrival_count,
    make_designation,
    make_jurisdiction,
    make_policy,
    make_source,
    make_state,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def chicago():
    illinois = make_state("IL", "Illinois")
    city = make_jurisdiction(
        name="Chicago", parent=illinois, population=2722389, population_year=2014
    )
    make_arrival_count(
        jurisdiction=city,
        value=50000,
        qualifier=ArrivalCount.Qualifier.MORE_THAN,
        period_start=dt.date(2022, 1, 1),
        period_start_precision="year",
        as_of=dt.date(2024, 11, 1),
        as_of_precision="month",
        reported_by="NewsNation",
        source=make_source(publisher="NewsNation", url="https://www.newsnationnow.com/"),
    )
    make_arrival_count(
        jurisdiction=city,
        measure=ArrivalCount.Measure.BUSED,
        sender="Texas",
        value=31200,
        qualifier=ArrivalCount.Qualifier.AT_LEAST,
        as_of=dt.date(2024, 1, 29),
    )
    make_policy(jurisdiction=city, title="Welcoming City Ordinance")
    make_designation(jurisdiction=city)
    return city


def test_jurisdiction_page_shows_figures_with_qualifier_source_and_as_of(client, chicago):
    response = client.get(chicago.get_absolute_url())

    page = response.content.decode()
    assert response.status_code == 200
    assert "More than 50,000" in page
    assert "since 2022, as of November 2024" in page
    assert 'href="https://www.newsnationnow.com/"' in page
    assert "At least 31,200" in page
    assert "Arrivals bused by a sending state&#x27;s program: sent by Texas" in page
    assert "not added together</a>" in page
    assert "Welcoming City Ordinance" in page
    assert "Sanctuary jurisdiction" in page


def test_readers_never_see_drafts(client, chicago):
    make_policy(jurisdiction=chicago, title="Draft detainer memo", published=False)
    make_arrival_count(jurisdiction=chicago, value=987654, published=False)
    make_designation(jurisdiction=chicago, label="Draft label", published=False)

    for url in (chicago.get_absolute_url(), reverse("tracker:home")):
        page = client.get(url).content.decode()
        assert "Draft detainer memo" not in page
        assert "987,654" not in page
        assert "Draft label" not in page


def test_text_from_the_database_is_escaped(client, chicago):
    make_policy(jurisdiction=chicago, title='<script>alert("x")</script>')
    page = client.get(chicago.get_absolute_url()).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page


def test_unknown_jurisdiction_is_a_404(client):
    assert client.get("/jurisdictions/nowhere/").status_code == 404


def test_home_lists_headline_figures_with_their_sources(client, chicago):
    page = client.get(reverse("tracker:home")).content.decode()
    assert "More than 50,000" in page
    assert "NewsNation" in page
    assert chicago.get_absolute_url() in page


def test_pages_run_a_bounded_number_of_queries(client, chicago, django_assert_max_num_queries):
    for number in range(30):
        place = make_jurisdiction(name=f"Town {number}", parent=chicago.parent)
        make_arrival_count(jurisdiction=place, value=number)
        make_policy(jurisdiction=chicago, title=f"Policy {number}")
    # The place, its policies with their sources, figures, designations and findings; then
    # the rules of the county and state it lies in, with their sources.
    with django_assert_max_num_queries(9):
        client.get(chicago.get_absolute_url())
    with django_assert_max_num_queries(9):
        client.get(chicago.parent.get_absolute_url())
    # The table: count, page of ids, its rows, 287(g) models, sources, designations, latest
    # figures, the states' stances. The home page adds headline figures, agreement totals,
    # the map and the chart.
    with django_assert_max_num_queries(12):
        client.get(reverse("tracker:home"))
    with django_assert_max_num_queries(8):
        client.get(reverse("tracker:jurisdiction-list"), headers={"HX-Request": "true"})


def test_pages_are_not_frameable_and_have_a_strict_csp(client, chicago):
    response = client.get(chicago.get_absolute_url())
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe" not in csp


def test_a_state_page_lists_its_places_with_records_and_a_city_page_none(client, chicago):
    illinois = chicago.parent
    make_jurisdiction(name="Quietville", parent=illinois)  # no records: not listed
    state_page = client.get(illinois.get_absolute_url()).content.decode()
    assert 'id="children-heading"' in state_page
    assert ">Chicago, IL</a>" in state_page and "Quietville" not in state_page
    assert 'id="children-heading"' not in client.get(chicago.get_absolute_url()).content.decode()


def test_a_place_without_figures_offers_no_chart_embed_or_download(client, chicago):
    evanston = make_jurisdiction(name="Evanston", parent=chicago.parent)
    chart_embed = reverse("embed:jurisdiction-chart", args=[evanston.slug])

    empty = client.get(evanston.get_absolute_url()).content.decode()
    charted = client.get(chicago.get_absolute_url()).content.decode()

    assert "No published arrival figures." in empty
    download = reverse("tracker:jurisdiction-figures-download", args=[evanston.slug, "csv"])
    assert chart_embed not in empty and download not in empty
    assert reverse("embed:jurisdiction-chart", args=[chicago.slug]) in charted


def test_a_place_page_opens_with_a_summary_linking_to_each_of_its_sections(client, chicago):
    page = client.get(chicago.get_absolute_url()).content.decode()

    contents = page.split('<nav class="page-contents"', 1)[1].split("</nav>", 1)[0]
    targets = re.findall(r'href="#([\w-]+)"', contents)
    assert targets[:2] == ["timeline-heading", "policies-heading"]
    assert "figures-heading" in targets and targets[-1] == "sources-heading"
    for target in targets:
        assert f'id="{target}"' in page, target
