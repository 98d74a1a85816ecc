"""Where a place stands, the rules that apply to it from its county and state, records with no
known start date, unconfirmed records and honest as-of dates."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from policies.importers.ice_287g import agreements_import_ice_287g
from policies.models import NoPolicyFinding, Policy, Stance
from tests.factories import (
    make_arrival_count,
    make_jurisdiction,
    make_policy,
    make_source,
    make_state,
)
from tracker import selectors

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def illinois_places():
    illinois = make_state("IL", "Illinois")
    cook = make_jurisdiction(name="Cook County", kind="county", parent=illinois)
    chicago = make_jurisdiction(name="Chicago", parent=cook)
    make_policy(
        jurisdiction=illinois, title="Illinois TRUST Act", effective_on=dt.date(2017, 8, 28)
    )
    make_policy(
        jurisdiction=cook,
        category=Policy.Category.DETAINER,
        title="Detainer ordinance",
        detainer_rule=Policy.DetainerRule.NEVER,
        effective_on=dt.date(2011, 9, 7),
    )
    make_policy(jurisdiction=chicago, title="Welcoming City Ordinance", effective_on=None)
    return {"illinois": illinois, "cook": cook, "chicago": chicago}


def finding(jurisdiction, **overrides) -> NoPolicyFinding:
    record = NoPolicyFinding.objects.create(
        jurisdiction=jurisdiction,
        checked_on=overrides.get("checked_on", dt.date(2026, 11, 30)),
        summary="No statewide law found in the legislature's records.",
        published=True,
    )
    record.sources.set([make_source()])
    return record


def test_a_policy_without_a_start_date_counts_from_today_and_is_labelled(illinois_places):
    ordinance = Policy.objects.get(title="Welcoming City Ordinance")
    assert ordinance.is_in_effect_on(TODAY)
    assert not ordinance.is_in_effect_on(dt.date(2015, 1, 1))
    assert Policy.objects.in_effect_on(TODAY).filter(pk=ordinance.pk).exists()
    assert not Policy.objects.in_effect_on(dt.date(2015, 1, 1)).filter(pk=ordinance.pk).exists()

    page = selectors.jurisdiction_with_records(slug=illinois_places["chicago"].slug)
    events = selectors.jurisdiction_timeline(jurisdiction=page)
    assert [(event.day, event.shown) for event in events] == [(None, "Date not recorded")]


def test_an_ended_status_without_an_end_date_never_counts_as_in_effect():
    policy = make_policy(status=Policy.Status.REPEALED, effective_on=dt.date(2010, 1, 1))
    assert not policy.is_in_effect_on(TODAY)
    assert not Policy.objects.in_effect_on(TODAY).filter(pk=policy.pk).exists()


def test_stances_from_rules_in_effect_and_from_findings(illinois_places):
    texas = make_state("TX", "Texas")
    make_policy(jurisdiction=texas, title="SB 4", direction=Policy.Direction.EXPANDS)
    pennsylvania = make_state("PA", "Pennsylvania")
    finding(pennsylvania)
    make_state("OH", "Ohio")
    arizona = make_state("AZ", "Arizona")
    make_policy(jurisdiction=arizona, title="SB 1070", direction=Policy.Direction.EXPANDS)
    make_policy(jurisdiction=arizona, title="Court rule", direction=Policy.Direction.LIMITS)

    from tracker.comparison import state_stances

    for day in (TODAY, dt.date(2020, 6, 1)):  # from the summaries, and from the records
        stances = state_stances(day=day)
        assert stances["TX"] == Stance.EXPANDS and stances["AZ"] == Stance.MIXED
        assert stances["PA"] == Stance.NONE_FOUND and stances["OH"] is None
    # Before the TRUST Act Illinois was researched and had none in effect: not "unresearched".
    assert state_stances(day=dt.date(2016, 1, 1))["IL"] == Stance.NONE_IN_EFFECT


def test_the_table_shows_each_place_beside_its_state_law(client, illinois_places):
    pennsylvania = make_state("PA", "Pennsylvania")
    finding(pennsylvania)
    philadelphia = make_jurisdiction(name="Philadelphia", state="PA", parent=pennsylvania)
    make_policy(jurisdiction=philadelphia, title="Executive Order 5-16")

    body = client.get(reverse("tracker:jurisdiction-list"), headers={"HX-Request": "true"})
    rows = dict(
        re.findall(
            r'<th scope="row"><a href="[^"]*">([^<]*)</a></th>(.*?)</tr>',
            body.content.decode(),
            re.S,
        )
    )
    assert "Limits cooperation" in rows["Philadelphia"]
    assert "No statewide law found" in rows["Philadelphia"]
    assert rows["Pennsylvania"].count("No statewide law found") == 2  # its own, and its law
    assert rows["Pennsylvania"].rstrip().endswith('<td data-label="Sources">1</td>')  # its finding

    then = client.get(
        reverse("tracker:jurisdiction-list") + "?as_of=2016-01-01&q=Chicago",
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "None in effect then" in then and "Not yet researched" not in then


def test_a_city_page_shows_its_county_and_state_rules_labelled_and_in_its_timeline(
    client, illinois_places
):
    page = client.get(illinois_places["chicago"].get_absolute_url()).content.decode()
    assert "County rules that apply here: Cook County" in page
    assert "State law that applies here: Illinois" in page
    assert "Cook County, IL: Detainer ordinance" in page and "Illinois: Illinois TRUST Act" in page
    assert "Date not recorded" in page

    past = client.get(illinois_places["chicago"].get_absolute_url() + "?as_of=2015-01-01")
    assert (
        "Start date not recorded: it may not have applied on Jan. 1, 2015" in past.content.decode()
    )


def test_records_resting_only_on_blogs_are_unconfirmed_and_never_headline(client):
    blog = make_source(publisher="A blog", kind="blog", url="https://blog.example/post")
    city = make_jurisdiction(name="Blogtown")
    make_policy(jurisdiction=city, title="Rumoured order", sources=[blog])
    figure = make_arrival_count(jurisdiction=city, value=99999, source=blog)
    confirmed = make_arrival_count(value=100)

    assert figure not in selectors.headline_figures()
    assert confirmed in selectors.headline_figures()
    page = client.get(city.get_absolute_url()).content.decode()
    assert "Unconfirmed: cited only by blogs or aggregators" in page
    assert "(Blog or aggregator)" in page


def test_the_home_page_dates_agreements_by_ice_sheet_not_by_today(client):
    florida = make_state("FL", "Florida")
    make_jurisdiction(name="Broward County", kind="county", state="FL", parent=florida)
    row = {
        "STATE": "FLORIDA",
        "LAW ENFORCEMENT AGENCY": "Broward County Sheriff's Office",
        "TYPE": "COUNTY",
        "COUNTY": "Broward",
        "SUPPORT TYPE": "Task Force Model",
        "SIGNED": "2/20/2025",
    }
    report = agreements_import_ice_287g(rows=[row], sheet_date=dt.date(2025, 7, 18))
    assert report.created == 1, report.problems

    page = client.get(reverse("tracker:home")).content.decode()
    assert "participating-agencies sheet of July 18, 2025, the newest recorded" in page
    assert "in effect on" not in page


def test_every_page_advertises_the_updates_feed(client):
    page = client.get(reverse("tracker:methodology")).content.decode()
    feed = r'<link rel="alternate" type="application/atom\+xml"[^>]*href="/updates/feed/"'
    assert re.search(feed, page)


def test_the_map_shows_each_states_law_and_its_download_says_so(client, illinois_places):
    texas = make_state("TX", "Texas")
    make_policy(jurisdiction=texas, title="SB 4", direction=Policy.Direction.EXPANDS)

    page = client.get(reverse("tracker:state-map")).content.decode()  # the default metric
    assert 'class="map-limits"><title>Illinois: Limits cooperation</title><path d="M' in page
    assert "<title>Texas: Requires cooperation</title>" in page
    assert "<title>Ohio: No policy recorded</title>" in page
    home = client.get(reverse("tracker:home")).content.decode()
    assert "Local policies on cooperation, over statewide laws" in home

    url = reverse("tracker:state-map-download", args=["csv"]) + "?metric=state_law"
    rows = client.get(url).content.decode()
    assert "Illinois,state,IL,Limits cooperation,limits,state_law," in rows
    assert "Texas,state,TX,Requires cooperation,expands,state_law," in rows


def test_the_embed_card_gives_the_places_own_policy_and_the_rules_it_inherits(
    client, illinois_places
):
    card = client.get(reverse("embed:jurisdiction-card", args=["il-chicago"])).content.decode()
    assert "Own policy" in card and "Limits cooperation" in card
    assert "County rules (Cook County)" in card and "State law (Illinois)" in card
    assert "Illinois TRUST Act" in card
