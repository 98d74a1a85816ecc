"""The map: real outlines of states and counties, cities at their points, binned classes with
counts in the legend, any metric on any date, and 400 for a bad address."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from policies import geography
from policies.models import Policy
from tests.factories import make_designation, make_jurisdiction, make_policy, make_state
from tracker import maps

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def agreement(place, model: str, signed_on: dt.date = dt.date(2025, 2, 1)) -> Policy:
    return make_policy(
        jurisdiction=place,
        category=Policy.Category.AGREEMENT_287G,
        direction=Policy.Direction.EXPANDS,
        title=f"287(g) {model}",
        effective_on=None,
        signed_on=signed_on,
        agreement_model=model,
        agency=f"{place.name} Sheriff",
    )


@pytest.fixture
def illinois():
    state = make_state("IL", "Illinois")
    make_state("CO", "Colorado")
    cook = make_jurisdiction(name="Cook County", kind="county", geoid="17031", parent=state)
    chicago = make_jurisdiction(name="Chicago", geoid="1714000", parent=cook)
    make_policy(jurisdiction=state, title="Illinois TRUST Act", effective_on=dt.date(2017, 8, 28))
    make_policy(jurisdiction=cook, title="Cook County detainer ordinance")
    make_policy(jurisdiction=chicago, title="Welcoming City Ordinance")
    counties = {}
    for name, geoid, models in (
        ("DuPage County", "17043", ["jail_enforcement"]),
        ("Lake County", "17097", ["jail_enforcement", "task_force"]),
        ("Kane County", "17089", ["jail_enforcement", "task_force", "warrant_service"]),
    ):
        counties[name] = make_jurisdiction(name=name, kind="county", geoid=geoid, parent=state)
        for model in models:
            agreement(counties[name], model)
    return {"state": state, "cook": cook, "chicago": chicago, **counties}


def test_the_map_draws_state_and_county_outlines_and_city_symbols(client, illinois):
    page = client.get(reverse("tracker:state-map")).content.decode()  # local policy
    assert '<svg class="us-map-svg" viewBox="0 0 975 610"' in page
    # Every state and DC is drawn, linked where it has a page.
    assert page.count('<path d="M') >= 51 + 1
    assert re.search(
        r'<a href="/jurisdictions/illinois/" class="map-limits"><title>Illinois: Limits '
        r'cooperation</title><path d="M\d+ \d+l[-\d ]+',
        page,
    )
    assert (
        '<a href="/jurisdictions/il-cook-county/" class="map-limits" tabindex="-1">'
        '<title>Cook County, IL: Limits cooperation</title><path d="M' in page
    )
    chicago = re.search(
        r'<a href="/jurisdictions/il-chicago/" class="map-limits" tabindex="-1">'
        r"<title>Chicago, IL: Limits cooperation</title>"
        r'<circle cx="([\d.]+)" cy="([\d.]+)" r="4"/>',
        page,
    )
    assert chicago
    # Chicago's symbol lies in Cook County's outline.
    assert inside((float(chicago[1]), float(chicago[2])), geography.atlas().counties["17031"])
    # Places with nothing recorded read as such, never as having no policy.
    assert "<title>Ohio: No policy recorded</title>" in page
    assert "no sanctuary" not in page.lower()


def test_a_county_is_drawn_only_where_it_has_a_record_of_its_own(client, illinois):
    page = client.get(reverse("embed:state-map") + "?metric=detainer").content.decode()
    assert "/jurisdictions/il-cook-county/" not in page  # no detainer rule recorded
    page = client.get(reverse("embed:state-map") + "?metric=agreements").content.decode()
    dupage = 'href="/jurisdictions/il-dupage-county/" class="map-n1" tabindex="-1" target="_blank"'
    assert f"<a {dupage}" in page
    assert "<title>Illinois: 6 agreements in effect in the state</title>" in page


def test_agreement_bins_and_legend_counts(client, illinois):
    response = client.get(reverse("tracker:state-map") + "?metric=agreements", headers=HTMX)
    legend = response.context["map_legend"]
    assert legend == [
        ("n1", "1", 1),
        ("n2", "2", 1),
        ("n3", "3 or more", 1),
        ("none", "None recorded", 0),
    ]
    page = response.content.decode()
    assert '<a href="/jurisdictions/il-lake-county/" class="map-n2" tabindex="-1">' in page
    assert '<a href="/jurisdictions/il-kane-county/" class="map-n3" tabindex="-1">' in page
    assert "<title>Kane County, IL: 3</title>" in page  # the count itself, not its class
    assert '<span class="swatch map-n3"></span> 3 or more' in page
    assert '<span class="legend-count">(1 place)</span>' in page
    row = '<th scope="row"><a href="/jurisdictions/il-kane-county/">Kane County, IL</a></th>'
    assert f"{row}<td>County</td><td>3</td>" in page  # the table beside the map
    # Before the agreements were signed, every class is empty.
    before = client.get(
        reverse("tracker:state-map") + "?metric=agreements&as_of=2024-12-31", headers=HTMX
    )
    assert [count for _key, _label, count in before.context["map_legend"]] == [0, 0, 0, 0]


def test_stance_legend_counts_states_and_local_places(client, illinois):
    response = client.get(reverse("tracker:state-map") + "?metric=local", headers=HTMX)
    legend = {key: count for key, _label, count in response.context["map_legend"]}
    assert legend["limits"] == 3  # Illinois, Cook County and Chicago
    statewide = client.get(reverse("tracker:state-map") + "?metric=state_law", headers=HTMX)
    legend = {key: count for key, _label, count in statewide.context["map_legend"]}
    assert legend["limits"] == 1 and legend["none"] == 1  # Colorado has a row, no record
    assert statewide.context["map_counties"] == [] and statewide.context["map_cities"] == []


def test_the_map_as_of_an_earlier_date(client, illinois):
    response = client.get(reverse("tracker:state-map") + "?metric=local&as_of=2017-01-01")
    # Each has its rule on record, not yet in effect on that day.
    assert {(place.name, place.css) for place in response.context["map_table"]} == {
        ("Illinois", "none_in_effect"),
        ("Cook County, IL", "none_in_effect"),
        ("Chicago, IL", "none_in_effect"),
    }
    assert "<title>Illinois: None in effect then</title>" in response.content.decode()
    assert "<title>Colorado: No policy recorded</title>" in response.content.decode()


@pytest.mark.parametrize("metric", [*maps.MAP_METRICS, "limits"])
def test_every_metric_renders_as_a_page_an_embed_and_a_download(client, illinois, metric):
    for name in ("tracker:state-map", "embed:state-map"):
        response = client.get(reverse(name) + f"?metric={metric}&as_of=2025-06-01")
        assert response.status_code == 200
        assert "<svg" in response.content.decode()
    embed = client.get(reverse("embed:state-map") + f"?metric={metric}")
    assert not embed.has_header("X-Frame-Options")
    assert "frame-ancestors" in embed["Content-Security-Policy"]
    download = client.get(
        reverse("tracker:state-map-download", args=["json"]) + f"?metric={metric}"
    )
    assert download.status_code == 200


def test_the_old_limits_metric_reads_as_local_policy(client, illinois):
    response = client.get(reverse("tracker:state-map") + "?metric=limits", headers=HTMX)
    assert response.context["map_metric"] == "local"


@pytest.mark.parametrize(
    "query",
    ["metric=bogus", "as_of=2020-13-45", "as_of=yesterday", "metric=local&as_of=0000-00-00"],
)
def test_a_bad_parameter_gets_a_400_not_a_500(client, illinois, query):
    for name, args in (
        ("tracker:state-map", []),
        ("embed:state-map", []),
        ("tracker:state-map-download", ["csv"]),
    ):
        assert client.get(reverse(name, args=args) + "?" + query).status_code == 400


def test_the_map_page_runs_a_bounded_number_of_queries(
    client, illinois, django_assert_max_num_queries
):
    client.get(reverse("tracker:state-map"))  # the data version and summaries' freshness
    for query in ("metric=local", "metric=agreements&as_of=2020-01-01", "metric=designations"):
        with django_assert_max_num_queries(6):
            assert client.get(reverse("tracker:state-map") + "?" + query).status_code == 200


def test_the_home_page_leads_with_the_landscape_map(client, illinois):
    page = client.get(reverse("tracker:home")).content.decode()
    assert page.index('class="us-map-svg"') < page.index('id="headline-heading"')
    assert str(maps.MAP_METRICS["local"]) in page


def test_time_control_steps_from_the_first_recorded_year_to_today(client, illinois):
    today = dt.date(2026, 12, 7)
    steps = maps.map_steps(
        first=dt.date(2017, 8, 28), sheets=[dt.date(2025, 7, 18), dt.date(2027, 1, 1)], today=today
    )
    assert steps[0] == dt.date(2017, 12, 31) and steps[-1] == today
    assert dt.date(2025, 7, 18) in steps and dt.date(2027, 1, 1) not in steps
    page = client.get(reverse("tracker:state-map")).content.decode()
    assert 'type="range"' in page and "data-map-play" in page


def test_designations_are_listed_places(client, illinois):
    make_designation(jurisdiction=illinois["chicago"])
    response = client.get(reverse("tracker:state-map") + "?metric=designations", headers=HTMX)
    assert [place.name for place in response.context["map_table"]] == ["Chicago, IL"]
    assert [(key, count) for key, _label, count in response.context["map_legend"]] == [
        ("listed", 1),
        ("none", 0),
    ]


# The geography itself: decoding TopoJSON and projecting points as d3-geo does.


def rings(path: str) -> list[list[tuple[float, float]]]:
    """The absolute points, in pixels, of each ring of one of the atlas's paths."""
    found = []
    for part in re.findall(r"M[^M]*", path):
        numbers = [int(n) for n in re.findall(r"-?\d+", part)]
        x, y, ring = numbers[0], numbers[1], [(numbers[0], numbers[1])]
        for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
            x, y = x + dx, y + dy
            ring.append((x, y))
        found.append([(px / geography.GRID, py / geography.GRID) for px, py in ring])
    return found


def inside(point: tuple[float, float], path: str) -> bool:
    x, y = point
    crossings = 0
    for ring in rings(path):
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                crossings += 1
    return crossings % 2 == 1


@pytest.mark.parametrize(
    ("county", "lon", "lat"),
    [
        ("17031", -87.65, 41.85),  # Chicago, Cook County
        ("53033", -122.33, 47.61),  # Seattle, King County
        ("12086", -80.19, 25.77),  # Miami, Miami-Dade County
        ("23019", -68.77, 44.80),  # Bangor, Penobscot County
        ("02020", -149.90, 61.22),  # Anchorage, in the Alaska inset
        ("15003", -157.86, 21.31),  # Honolulu, in the Hawaii inset
    ],
)
def test_albers_usa_puts_a_point_inside_its_county_as_us_atlas_draws_it(county, lon, lat):
    assert inside(geography.albers_usa(lon, lat), geography.atlas().counties[county])


def test_albers_usa_leaves_points_off_the_map():
    assert geography.albers_usa(2.35, 48.86) is None  # Paris


def test_topojson_arcs_are_decoded_and_reversed():
    topology = {
        "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
        "arcs": [[[0, 0], [2, 0], [0, 2]], [[2, 2], [-2, -2]]],
    }
    arcs = geography._decoded_arcs(topology)
    g = geography.GRID  # points are whole fractions of a pixel
    assert arcs == [
        [(10 * g, 20 * g), (11 * g, 20 * g), (11 * g, 21 * g)],
        [(11 * g, 21 * g), (10 * g, 20 * g)],
    ]
    square = {"type": "Polygon", "arcs": [[0, 1]]}
    assert geography._path(arcs, square) == f"M{10 * g} {20 * g}l{g} 0 0 {g}-{g}-{g}z"
    assert geography._ring(arcs, [~1]) == [(10 * g, 20 * g), (11 * g, 21 * g)]


def test_every_state_and_county_of_the_atlas_has_an_outline():
    atlas = geography.atlas()
    assert len(atlas.states) == 51 and len(atlas.counties) > 3000
    assert set(atlas.states) == set(geography.STATE_CODES_BY_FIPS)
    assert all(path.startswith("M") for path in atlas.counties.values())


def test_each_city_point_is_projected_onto_the_map():
    points = geography.place_points()
    assert len(points) > 850
    x, y = points[("NY", "New York City")]
    assert 0 < x < geography.MAP_WIDTH and 0 < y < geography.MAP_HEIGHT


def test_a_state_without_agreements_recorded_is_never_said_to_have_none(client, illinois):
    page = client.get(
        reverse("tracker:state-map") + "?metric=agreements", headers=HTMX
    ).content.decode()
    assert "<title>Illinois: 6 agreements in effect in the state</title>" in page
    assert "<title>Colorado: None recorded</title>" in page
    assert "0 agreements" not in page


def test_the_map_embeds_links_open_outside_its_frame(client, illinois):
    page = client.get(reverse("embed:state-map") + "?metric=local").content.decode()
    links = re.findall(r"<a [^>]*>", page.split('class="us-map"')[1].split("</details>")[0])
    assert len(links) > 5
    assert all('target="_blank" rel="noopener"' in link for link in links), links
    # On the site's own map page they open in place.
    own = client.get(reverse("tracker:state-map") + "?metric=local").content.decode()
    assert 'target="_blank"' not in own.split('class="us-map"')[1].split("</details>")[0]


def test_names_on_the_map_and_in_its_table_are_escaped(client, illinois):
    hostile = make_jurisdiction(
        name='<script>alert("x")</script> & Co', kind="county", geoid="17019", state="IL",
        parent=illinois["state"],
    )  # fmt: skip
    make_policy(jurisdiction=hostile, title="An ordinance")

    page = client.get(reverse("embed:state-map")).content.decode()

    assert "<script>alert" not in page
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co, IL"
    assert f"<title>{escaped}: Limits cooperation</title><path d=" in page
    assert f'target="_blank" rel="noopener">{escaped}</a></th><td>County</td>' in page


def test_the_spanish_map_is_drawn_at_the_same_scale(client, illinois):
    """In Spanish, numbers in the page are written with a decimal comma: the map's scale was
    written "scale(0,1)", which SVG reads as a scale of 0 by 1, and the map disappeared."""
    page = client.get("/es/map/").content.decode()

    assert f'<g transform="scale({1 / geography.GRID})">' in page
    assert '<svg class="us-map-svg" viewBox="0 0 975 610"' in page
    assert re.search(r'<circle cx="\d+\.\d" cy="\d+\.\d" r="4"/>', page)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plans")
def test_the_time_control_reads_the_earliest_start_from_an_index(client, illinois):
    """It read every published policy: 30 ms at 10× the bench data, 90 ms at 30×. With
    sequential scans priced out, the plan shows that the index matches the query's expression
    and condition (on a table this small PostgreSQL would scan it anyway)."""
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("tracker:state-map"))
    (earliest,) = [query["sql"] for query in queries if "MIN(COALESCE" in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {earliest}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "policy_published_start" in plan
