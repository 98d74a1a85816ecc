"""The seed loader: real, cited records from the project's reference files, loaded idempotently.

Loading takes a while, so the module loads once (twice, to prove idempotence) and the tests
read the result; the records are removed afterwards.
"""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from arrivals.models import ArrivalCount
from policies.models import (
    Designation,
    Jurisdiction,
    NoPolicyFinding,
    Policy,
    Source,
    Stance,
)
from tests.factories import delete_every_record
from tracker import selectors
from tracker.comparison import comparison_rows, state_stances

SEEDED_MODELS = (ArrivalCount, Designation, Policy, NoPolicyFinding, Jurisdiction, Source)


def snapshot() -> dict[str, list[dict]]:
    return {
        model.__name__: list(model.objects.order_by("pk").values()) for model in SEEDED_MODELS
    } | {"policy_sources": list(Policy.sources.through.objects.order_by("pk").values())}


@pytest.fixture(scope="module")
def seed_loads(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_seed", stdout=io.StringIO())
        first = snapshot()
        call_command("load_seed", stdout=io.StringIO())
        second = snapshot()
    yield first, second
    with django_db_blocker.unblock():
        delete_every_record()


@pytest.fixture
def seeded(seed_loads, db):
    return seed_loads


def test_loading_the_seed_twice_gives_the_same_rows(seeded):
    first, second = seeded
    assert first == second
    assert len(first["Jurisdiction"]) > 3900  # states, counties, cities
    assert len(first["Policy"]) > 800


def test_every_policy_figure_and_designation_cites_a_source(seeded):
    assert not Policy.objects.filter(sources=None).exists()
    assert ArrivalCount.objects.filter(source=None).count() == 0
    assert Designation.objects.filter(source=None).count() == 0


def test_the_article_records_are_present_with_their_qualifiers(seeded):
    chicago = Jurisdiction.objects.get(slug="il-chicago")
    figure = chicago.arrival_counts.get(reported_by="NewsNation")
    assert figure.display_value == "more than 50,000"
    assert figure.period_display == "since 2022, as of November 2024"
    assert figure.source.publisher == "NewsNation"

    nyc = Jurisdiction.objects.get(slug="ny-new-york-city")
    assert nyc.name == "New York City"
    detainer_laws = nyc.policies.filter(category=Policy.Category.DETAINER, published=True)
    local_law_58 = detainer_laws.get(title__contains="Local Law 58 of 2014")
    assert local_law_58.detainer_rule and local_law_58.starts_on.year == 2014
    assert nyc.arrival_counts.get(reported_by="NewsNation").display_value == "more than 200,000"

    los_angeles = Jurisdiction.objects.get(slug="ca-los-angeles")
    ordinance = los_angeles.policies.get(title="Sanctuary City Ordinance")
    assert ordinance.adopted_on is not None and ordinance.adopted_on.year == 2024
    assert los_angeles.policies.filter(title="LAPD Special Order 40").exists()
    california = Jurisdiction.objects.get(slug="california")
    assert california.arrival_counts.get().display_value == "an estimated 1,800,000"
    la_county = Jurisdiction.objects.get(slug="ca-los-angeles-county")
    assert la_county.arrival_counts.get().display_value == "nearly 1,000,000"
    for slug in ("illinois", "colorado", "new-york", "co-aurora", "co-denver"):
        assert Jurisdiction.objects.filter(slug=slug).exists()


def test_sources_that_disagree_about_denver_are_all_kept(seeded):
    denver = Jurisdiction.objects.get(slug="co-denver")
    bused = {f.reported_by: f for f in denver.arrival_counts.filter(measure="bused")}
    assert bused["NewsNation"].display_value == "about 45,000"
    texas = denver.arrival_counts.get(measure="bused", as_of=dt.date(2024, 1, 29))
    assert (texas.display_value, texas.sender) == ("at least 16,000", "Texas")
    served = denver.arrival_counts.get(measure="new_arrivals", value=40000)
    assert served.display_value == "nearly 40,000"
    assert texas in bused["NewsNation"].overlapping_figures()


def test_massachusetts_shelter_totals_count_everyone_and_its_latest_figure_is_a_migrant_one(
    seeded,
):
    massachusetts = Jurisdiction.objects.get(slug="massachusetts")
    shelter = massachusetts.arrival_counts.filter(measure="in_shelter")
    everyone = shelter.filter(population=ArrivalCount.Population.EVERYONE_IN_SHELTER)
    assert sorted(everyone.values_list("value", flat=True)) == [5000, 5600, 7000, 7517]
    migrants = shelter.get(population=ArrivalCount.Population.MIGRANTS)
    assert (migrants.value, migrants.facility) == (3525, "Emergency Assistance shelters")
    # The 2025 total of everyone in EA shelters is newer, but never the state's latest figure.
    [row] = comparison_rows(ids=[massachusetts.pk], day=dt.date.today())
    assert row.latest_figure == migrants
    herrcs = ArrivalCount.objects.filter(
        source__url="https://github.com/anesta95/nyc_shelter_count"
    )
    assert herrcs.exists() and set(herrcs.values_list("population", "facility")) == {
        (ArrivalCount.Population.MIGRANTS, "HERRCs")
    }


def test_reference_files_become_designations_and_agreements(seeded):
    assert Designation.objects.count() == 35
    baltimore = Designation.objects.get(jurisdiction__slug="md-baltimore-county")
    assert baltimore.disputed and "error" in baltimore.dispute_note
    assert Designation.objects.filter(jurisdiction__name="East Lansing").exists()
    agreements = Policy.objects.filter(category=Policy.Category.AGREEMENT_287G)
    # ICE's sheet: 832 rows, one whose county cannot be identified; the 287g-watch archive
    # adds the agreements that had left ICE's list by July 18, 2025.
    assert agreements.filter(status=Policy.Status.IN_EFFECT).count() == 831
    left = agreements.exclude(status=Policy.Status.IN_EFFECT)
    assert left.count() == 32 and not left.filter(ended_on=None).exists()
    assert not agreements.filter(first_listed_on=None).exists()
    grundy = agreements.get(jurisdiction__slug="tn-grundy-county")
    assert grundy.signed_on is None  # ICE's sheet says 5025-07-07


def test_all_destination_totals_and_undated_rows_are_not_stored(seeded):
    texas_figures = ArrivalCount.objects.filter(sender="Texas", reported_by__contains="Governor")
    assert texas_figures.count() == 25
    assert not texas_figures.filter(value__in=[10000, 15900, 36000, 40710, 50000, 102000]).exists()


def test_every_published_record_cites_sources_whose_kind_is_recorded(seeded):
    policies = Policy.objects.published()
    findings = NoPolicyFinding.objects.published()
    assert not policies.filter(sources=None).exists()
    assert not findings.filter(sources=None).exists()
    assert not Source.objects.filter(kind="").exists()
    assert not ArrivalCount.objects.published().filter(source__kind="").exists()
    assert policies.exclude(category=Policy.Category.AGREEMENT_287G).count() >= 150


def test_every_state_has_a_statewide_classification(seeded):
    stances = state_stances(day=dt.date.today())
    assert len(stances) == 51  # the 50 states and DC
    assert not [state for state, stance in stances.items() if stance is None]
    assert stances["CA"] == stances["IL"] == Stance.LIMITS
    assert stances["TX"] == stances["FL"] == Stance.EXPANDS
    assert stances["PA"] == Stance.NONE_FOUND


def test_every_place_readers_ask_about_has_a_local_policy_or_a_finding(seeded):
    largest = Jurisdiction.objects.filter(kind="city", population__isnull=False)
    largest = largest.order_by("-population")[:50]
    listed = Jurisdiction.objects.filter(designations__isnull=False)
    article = ["ca-los-angeles", "il-chicago", "co-denver", "co-aurora", "ny-new-york-city"]
    places = {*largest, *listed, *Jurisdiction.objects.filter(slug__in=article)}
    assert len(places) > 70
    unresearched = [
        place.slug
        for place in places
        if not place.policies.published().exclude(category=Policy.Category.AGREEMENT_287G).exists()
        and not place.no_policy_findings.published().exists()
    ]
    assert unresearched == []


def test_chicago_shows_its_ordinance_its_county_rule_and_the_state_law_with_dates(seeded):
    chicago = selectors.jurisdiction_with_records(slug="il-chicago")
    assert [place.slug for place in chicago.ancestors] == ["il-cook-county", "illinois"]
    inherited = selectors.inherited_rules(jurisdiction=chicago)
    timeline = selectors.jurisdiction_timeline(jurisdiction=chicago, inherited=inherited)
    dated = {(event.place, event.record) for event in timeline if event.day and event.sources}
    assert ("", "Welcoming City Ordinance") in dated
    assert ("Cook County, IL", "Policy for Responding to ICE Detainers") in dated
    assert ("Illinois", "Illinois TRUST Act") in dated


def test_california_shows_the_california_values_act(seeded, client):
    page = client.get("/jurisdictions/california/").content.decode()
    assert "California Values Act" in page and "SB 54" in page


def test_no_headline_figure_rests_on_a_blog(seeded):
    figures = selectors.headline_figures()
    assert figures
    assert not [figure for figure in figures if figure.source.is_weak]


def test_exporting_then_reimporting_every_model_changes_nothing(seeded):
    """What staff download from the admin and upload again unchanged is a no-op: every row
    matches its record by its key, sources shared by several dated sheets included."""
    from arrivals.resources import ArrivalCountResource
    from policies.csv_import import csv_import
    from policies.resources import (
        DesignationResource,
        JurisdictionResource,
        NoPolicyFindingResource,
        PolicyResource,
        SourceResource,
    )

    before = snapshot()
    for resource_class in (
        SourceResource,
        JurisdictionResource,
        PolicyResource,
        NoPolicyFindingResource,
        DesignationResource,
        ArrivalCountResource,
    ):
        exported = resource_class().export().csv
        report = csv_import(resource=resource_class(), text=exported)
        assert report.ok, (resource_class.__name__, [str(e) for e in report.errors[:3]])
        assert (report.created, report.updated) == (0, 0), resource_class.__name__

    assert snapshot() == before
