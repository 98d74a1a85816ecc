import csv
import datetime as dt
import html
import io
import json
import re

import pytest
from django.urls import reverse

from arrivals.models import ArrivalCount
from policies.models import Policy
from tests.factories import (
    make_arrival_count,
    make_designation,
    make_jurisdiction,
    make_policy,
    make_source,
    make_state,
)
from tracker.views.pages import HOME_PAGE_SIZE

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def places():
    illinois = make_state("IL", "Illinois")
    colorado = make_state("CO", "Colorado")
    chicago = make_jurisdiction(name="Chicago", parent=illinois)
    denver = make_jurisdiction(name="Denver", state="CO", parent=colorado)
    cook = make_jurisdiction(name="Cook County", kind="county", parent=illinois)
    source = make_source(publisher="NewsNation", url="https://www.newsnationnow.com/")
    make_arrival_count(jurisdiction=chicago, value=50000, qualifier="more_than", source=source)
    make_arrival_count(
        jurisdiction=denver, measure="bused", sender="Texas", value=16000, qualifier="at_least"
    )
    make_policy(
        jurisdiction=chicago,
        title="Welcoming City Ordinance",
        effective_on=dt.date(2006, 3, 1),
        sources=[source],
    )
    make_policy(
        jurisdiction=denver,
        category=Policy.Category.DETAINER,
        title="Detainer rule",
        detainer_rule=Policy.DetainerRule.JUDICIAL_WARRANT,
        effective_on=dt.date(2017, 8, 1),
    )
    make_policy(
        jurisdiction=cook,
        category=Policy.Category.AGREEMENT_287G,
        direction=Policy.Direction.EXPANDS,
        title="287(g)",
        effective_on=None,
        signed_on=dt.date(2025, 2, 1),
        agreement_model=Policy.AgreementModel.TASK_FORCE,
        agency="Cook County Sheriff",
    )
    make_designation(jurisdiction=cook, disputed=True, dispute_note="Says it is an error.")
    return {"chicago": chicago, "denver": denver, "cook": cook}


ROW_HEADER = re.compile(r'<th scope="row"><a href="[^"]*">([^<]*)</a></th>')


def names(response) -> list[str]:
    """The places in the comparison table's rows, in order."""
    return [row.jurisdiction.name for row in response.context["page"].object_list]


def test_full_page_has_html_and_the_table_and_htmx_gets_only_the_table(client, places):
    url = reverse("tracker:jurisdiction-list")
    full = client.get(url)
    fragment = client.get(url, headers=HTMX)

    assert "<html" in full.content.decode() and 'id="jurisdiction-table"' in full.content.decode()
    body = fragment.content.decode()
    assert "<html" not in body and body.lstrip().startswith('<div id="jurisdiction-table"')
    assert "HX-Request" in full["Vary"] and "HX-Request" in fragment["Vary"]


def test_history_restore_requests_get_the_full_page(client, places):
    response = client.get(
        reverse("tracker:jurisdiction-list"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=IL", ["Chicago", "Cook County"]),
        ("kind=county", ["Cook County"]),
        ("direction=expands", ["Cook County"]),
        ("detainer=judicial_warrant", ["Denver"]),
        ("model=task_force", ["Cook County"]),
        ("model=none", ["Chicago", "Denver"]),
        ("figures=yes", ["Chicago", "Denver"]),
        ("q=cook", ["Cook County"]),
        ("sort=-arrivals", ["Chicago", "Denver", "Cook County"]),
        ("sort=-sanctuary", ["Chicago", "Denver", "Cook County"]),
        ("as_of=2010-01-01&direction=limits", ["Chicago"]),
        ("as_of=2025-01-01&model=task_force", []),
    ],
)
def test_filters_and_sorts(client, places, query, expected):
    response = client.get(f"{reverse('tracker:jurisdiction-list')}?{query}", headers=HTMX)
    assert response.status_code == 200
    assert names(response) == expected


def test_a_state_with_no_records_is_hidden_unless_asked_for(client, places):
    url = reverse("tracker:jurisdiction-list")
    assert "Illinois" not in names(client.get(url, headers=HTMX))
    assert "Illinois" in names(client.get(f"{url}?all=on", headers=HTMX))


@pytest.mark.parametrize(
    "query",
    [
        "state=ZZ",
        "kind=galaxy",
        "as_of=2020-13-45",
        "as_of=1800-01-01",
        "sort=price",
        "detainer=%3Cscript%3E",
        "q=" + "x" * 101,
    ],
)
def test_bad_parameters_get_a_400_with_a_message(client, places, query):
    response = client.get(f"{reverse('tracker:jurisdiction-list')}?{query}")
    assert response.status_code == 400
    assert "cannot show" in response.content.decode()
    assert "<script>" not in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-1", "10000000000000", "1e999"])
def test_odd_page_numbers_are_ignored(client, places, page):
    response = client.get(f"{reverse('tracker:jurisdiction-list')}?page={page}")
    assert response.status_code == 200


def test_csv_download_has_the_same_rows_with_sources_and_as_of(client, places):
    response = client.get(reverse("tracker:jurisdiction-list-download", args=["csv"]) + "?state=IL")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))

    assert response["Content-Type"].startswith("text/csv")
    assert [row["jurisdiction"] for row in rows] == ["Chicago, IL", "Cook County, IL"]
    chicago = rows[0]
    assert chicago["latest_figure_as_stated"] == "more than 50,000"
    assert chicago["latest_figure_source_url"] == "https://www.newsnationnow.com/"
    assert chicago["table_as_of"] == str(dt.date.today())
    assert "disputed" in rows[1]["designations"]


def test_json_download_matches_the_table(client, places):
    response = client.get(
        reverse("tracker:jurisdiction-list-download", args=["json"]) + "?sort=-arrivals"
    )
    payload = json.loads(response.content)
    assert [row["jurisdiction"] for row in payload["rows"]] == [
        "Chicago, IL",
        "Denver, CO",
        "Cook County, IL",
    ]
    assert payload["rows"][1]["latest_figure"]["figure_as_stated"] == "at least 16,000"
    assert payload["rows"][1]["detainer_rule"] == "judicial_warrant"


def test_csv_cells_that_look_like_formulas_are_neutralised(client, places):
    make_policy(jurisdiction=places["chicago"], title="x")
    places["chicago"].name = "=HYPERLINK(1)"
    places["chicago"].save()
    response = client.get(reverse("tracker:jurisdiction-list-download", args=["csv"]))
    assert "'=HYPERLINK(1)" in response.content.decode()


def test_unknown_download_format_is_a_404(client, places):
    assert client.get("/jurisdictions.xml").status_code == 404


def test_jurisdiction_page_as_of_a_date_marks_policies_and_hides_later_figures(client, places):
    url = places["chicago"].get_absolute_url()
    today = client.get(url).content.decode()
    assert "In effect on" in today and "More than 50,000" in today

    earlier = client.get(f"{url}?as_of=2005-01-01").content.decode()
    assert "Welcoming City Ordinance" not in earlier
    assert "More than 50,000" not in earlier

    assert client.get(f"{url}?as_of=yesterday").status_code == 400


def test_jurisdiction_figures_download(client, places):
    url = reverse("tracker:jurisdiction-figures-download", args=["il-chicago", "csv"])
    rows = list(csv.DictReader(io.StringIO(client.get(url).content.decode())))
    assert rows[0]["figure_as_stated"] == "more than 50,000"
    assert rows[0]["source_publisher"] == "NewsNation"


def test_compare_shows_places_side_by_side_with_a_chart_and_downloads(client, places):
    response = client.get(reverse("tracker:compare") + "?j=il-chicago&j=co-denver")
    page = response.content.decode()
    assert response.status_code == 200
    assert "More than 50,000" in page and "At least 16,000" in page
    assert 'id="compare-chart-data"' in page
    assert "/compare.csv?j=il-chicago&amp;j=co-denver" in page

    download = client.get(
        reverse("tracker:compare-download", args=["csv"]) + "?j=il-chicago&j=co-denver"
    )
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert {row["jurisdiction"] for row in rows} == {"Chicago, IL", "Denver, CO"}


@pytest.mark.parametrize(
    "query",
    ["j=il-nowhere&j=il-chicago", "&".join(f"j=x{n}" for n in range(7))],
)
def test_compare_refuses_unknown_places_and_more_than_six(client, places, query):
    assert client.get(reverse("tracker:compare") + "?" + query).status_code == 400


def test_compare_with_one_place_asks_for_another(client, places):
    page = client.get(reverse("tracker:compare") + "?j=il-chicago").content.decode()
    assert "Choose at least 2" in page


def test_type_ahead_suggests_jurisdictions(client, places):
    response = client.get(reverse("tracker:jurisdiction-search") + "?q=chic")
    assert '<option value="il-chicago">Chicago, IL</option>' in response.content.decode()
    assert client.get(reverse("tracker:jurisdiction-search") + "?q=c").content.strip() == b""


def test_map_counts_as_of_a_date(client, places):
    url = reverse("tracker:state-map")
    today = client.get(f"{url}?metric=agreements", headers=HTMX)
    assert {place.name: place.value for place in today.context["map_table"]} == {
        "Cook County, IL": "1"
    }
    assert "<html" not in today.content.decode()

    in_2020 = client.get(f"{url}?metric=agreements&as_of=2020-01-01")
    assert in_2020.context["map_table"] == []
    assert client.get(f"{url}?metric=bogus").status_code == 400


def test_chart_json_escapes_markup_from_the_database(client, places):
    places["chicago"].name = "</script><script>alert(1)</script>"
    places["chicago"].save()
    page = client.get(places["chicago"].get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in page
    assert "\\u003C/script\\u003E" in page


def test_methodology_defines_every_category_and_measure(client):
    page = client.get(reverse("tracker:methodology")).content.decode()
    for value in [*Policy.Category.values, *ArrivalCount.Measure.values]:
        assert f'id="category-{value}"' in page or f'id="measure-{value}"' in page
    assert "never added" in page.lower() or "never summed" in page.lower()


def test_reader_pages_refuse_post(client, places):
    assert client.post(reverse("tracker:jurisdiction-list")).status_code == 405


def test_map_download_has_the_counts_shown(client, places):
    url = reverse("tracker:state-map-download", args=["csv"]) + "?metric=agreements"
    rows = {
        row["name"]: row for row in csv.DictReader(io.StringIO(client.get(url).content.decode()))
    }
    assert list(rows) == ["Cook County, IL"]
    cook = rows["Cook County, IL"]
    assert (cook["value"], cook["class"], cook["kind"]) == ("1", "n1", "county")
    assert cook["as_of"] == str(dt.date.today())
    assert (
        client.get(reverse("tracker:state-map-download", args=["json"]) + "?metric=x").status_code
        == 400
    )


def test_home_chart_offers_downloads_of_its_figures(client, places):
    page = client.get(reverse("tracker:home")).content.decode()
    assert "/compare.csv?j=" in page and "/compare.json?j=" in page


@pytest.mark.parametrize(
    "url",
    ["/jurisdictions/?q=a%00b", "/jurisdictions/search/?q=ab%00", "/compare/?j=a%00b"],
)
def test_nul_characters_in_parameters_are_not_a_server_error(client, places, url):
    # PostgreSQL refuses NUL in text: these were 500s before the parameters were cleaned.
    assert client.get(url).status_code in (200, 400)


def test_every_figure_and_policy_shows_when_its_sources_were_last_verified(client):
    chicago = make_jurisdiction(name="Chicago")
    older = make_source(accessed_on=dt.date(2024, 3, 1))
    newer = make_source(accessed_on=dt.date(2025, 6, 9))
    make_policy(jurisdiction=chicago, sources=[older, newer])
    make_arrival_count(jurisdiction=chicago, source=make_source(accessed_on=dt.date(2024, 7, 4)))
    make_designation(jurisdiction=chicago, source=make_source(accessed_on=dt.date(2025, 8, 6)))

    pages = {
        "jurisdiction page": client.get(chicago.get_absolute_url()),
        "comparison table": client.get(reverse("tracker:jurisdiction-list")),
        "card embed": client.get(reverse("embed:jurisdiction-card", args=[chicago.slug])),
        "chart embed": client.get(reverse("embed:jurisdiction-chart", args=[chicago.slug])),
        "table embed": client.get(reverse("embed:jurisdiction-table")),
    }

    verified = 'last verified <time datetime="{}">'
    policy_day, figure_day, designation_day = "2025-06-09", "2024-07-04", "2025-08-06"
    detail = pages["jurisdiction page"].content.decode()
    assert verified.format(policy_day) in detail  # the newest of the policy's two sources
    assert verified.format("2024-03-01") not in detail
    assert verified.format(figure_day) in detail and verified.format(designation_day) in detail
    for name in ("comparison table", "chart embed", "table embed"):
        assert verified.format(figure_day) in pages[name].content.decode(), name
    card = pages["card embed"].content.decode()
    assert verified.format(policy_day) in card and verified.format(figure_day) in card


def test_a_record_whose_sources_were_never_dated_says_so_instead_of_guessing(client):
    chicago = make_jurisdiction(name="Chicago")
    make_policy(jurisdiction=chicago, sources=[make_source(accessed_on=None)])

    page = client.get(chicago.get_absolute_url()).content.decode()

    assert "last verified: not recorded" in page
    assert "last verified <time" not in page


def test_a_disputed_designation_reads_once_as_disputed_in_the_table(client, places):
    page = client.get(f"{reverse('tracker:jurisdiction-list')}?state=IL").content.decode()
    assert "(U.S. Department of Justice, 2025), disputed</td>" in page


def test_the_filtered_tables_download_links_keep_its_filters(client, places):
    page = client.get(reverse("tracker:jurisdiction-list") + "?state=CO&sort=name").content
    link = re.search(r'href="(/jurisdictions\.csv[^"]*)"', page.decode()).group(1)
    rows = list(csv.DictReader(io.StringIO(client.get(html.unescape(link)).content.decode())))
    assert [row["jurisdiction"] for row in rows] == ["Denver, CO"]


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        (reverse("tracker:jurisdiction-list"), None),
        (reverse("tracker:jurisdiction-list") + "?sort=-arrivals", "-arrivals"),
        (reverse("tracker:home"), None),  # the home page's own default, largest figure first
        (reverse("tracker:home") + "?sort=name", "name"),
    ],
)
def test_the_filter_form_keeps_a_chosen_order_and_leaves_the_default_out(client, places, url, kept):
    page = client.get(url).content.decode()
    orders = re.findall(r'<input type="hidden" name="sort" value="([^"]*)"', page)
    assert orders == ([kept] if kept else [])


def test_the_compare_pickers_suggestions_are_places_with_records_most_populous_first(client):
    illinois = make_state("IL", "Illinois")
    small = make_jurisdiction(
        name="Evanston", parent=illinois, population=75000, population_year=2014
    )
    large = make_jurisdiction(
        name="Chicago", parent=illinois, population=2700000, population_year=2014
    )
    make_jurisdiction(
        name="Skokie", parent=illinois, population=67000, population_year=2014
    )  # no records
    for place in (small, large):
        make_arrival_count(jurisdiction=place)
    page = client.get(reverse("tracker:compare")).content.decode()
    options = page.split('<datalist id="jurisdiction-options">')[1].split("</datalist>")[0]
    assert re.findall(r'<option value="([\w-]+)"', options) == [large.slug, small.slug]


def test_the_home_page_lists_fewer_places_a_page_than_the_full_table(client):
    illinois = make_state("IL", "Illinois")
    for number in range(HOME_PAGE_SIZE + 5):
        make_policy(jurisdiction=make_jurisdiction(name=f"Town {number:02}", parent=illinois))

    def table_of(response) -> str:  # the comparison table, not the map's table of places
        return response.content.decode().split('id="jurisdiction-table"')[1]

    home = table_of(client.get("/"))
    table = table_of(client.get("/jurisdictions/"))

    assert home.count('<th scope="row"') == HOME_PAGE_SIZE
    assert table.count('<th scope="row"') == HOME_PAGE_SIZE + 5
    assert "page 1 of 2" in home
    second = client.get("/?page=2", headers={"HX-Request": "true"}).content.decode()
    assert second.count('<th scope="row"') == 5 and "<html" not in second


def test_every_text_in_the_comparison_table_is_escaped(client):
    place = make_jurisdiction(name='<i>"Evil" & Co</i>', state="IL")
    make_policy(jurisdiction=place)
    make_designation(jurisdiction=place, label="<b>Listed</b>", disputed=True)
    make_arrival_count(
        jurisdiction=place,
        measure=ArrivalCount.Measure.BUSED,
        sender="<img src=x onerror=alert(1)>",
        source=make_source(publisher="<u>Publisher</u>"),
    )

    page = client.get(reverse("tracker:jurisdiction-list")).content.decode()

    for raw in ("<i>", "<b>Listed", "<img src=x", "<u>Publisher"):
        assert raw not in page
    assert "&lt;i&gt;&quot;Evil&quot; &amp; Co&lt;/i&gt;</a></th>" in page
    assert "&lt;b&gt;Listed&lt;/b&gt; (U.S. Department of Justice, 2025), disputed" in page
    assert "by &lt;img src=x onerror=alert(1)&gt;" in page
    assert 'rel="noopener">&lt;u&gt;Publisher&lt;/u&gt;</a>' in page
