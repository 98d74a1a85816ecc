"""The seed loader: real, cited records from the project's reference files, loaded idempotently.

Loading takes a while, so the module loads once (twice, to prove idempotence) and the tests
read the result; the records are removed afterwards.
"""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from arrivals.models import ArrivalCount
from policies.models import Designation, Jurisdiction, Policy, Source
from policies.summaries import summaries_deferred

SEEDED_MODELS = (ArrivalCount, Designation, Policy, Jurisdiction, Source)


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
    with django_db_blocker.unblock(), summaries_deferred():
        for model in (ArrivalCount, Designation, Policy):
            model.objects.all().delete()
        # Parents are protected: remove places from the bottom up.
        for kinds in (["city", "other"], ["county"], ["state"]):
            Jurisdiction.objects.filter(kind__in=kinds).delete()
        Source.objects.all().delete()
        for model in SEEDED_MODELS:
            model.history.all().delete()


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
    detainer = nyc.policies.get(category=Policy.Category.DETAINER)
    assert detainer.detainer_rule == Policy.DetainerRule.SERIOUS_OFFENSES
    assert "170 serious offenses" in detainer.detainer_exceptions
    assert detainer.effective_precision == "year" and detainer.effective_on.year == 2014
    assert nyc.arrival_counts.get(reported_by="NewsNation").display_value == "more than 200,000"

    los_angeles = Jurisdiction.objects.get(slug="ca-los-angeles")
    ordinance = los_angeles.policies.get(category=Policy.Category.SANCTUARY)
    assert (ordinance.adopted_on, ordinance.adopted_precision) == (dt.date(2024, 11, 1), "month")
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


def test_reference_files_become_designations_and_agreements(seeded):
    assert Designation.objects.count() == 35
    baltimore = Designation.objects.get(jurisdiction__slug="md-baltimore-county")
    assert baltimore.disputed and "error" in baltimore.dispute_note
    assert Designation.objects.filter(jurisdiction__name="East Lansing").exists()
    agreements = Policy.objects.filter(category=Policy.Category.AGREEMENT_287G)
    assert agreements.count() == 831  # 832 rows, one whose county cannot be identified
    grundy = agreements.get(jurisdiction__slug="tn-grundy-county")
    assert grundy.signed_on is None  # ICE's sheet says 5025-07-07


def test_all_destination_totals_and_undated_rows_are_not_stored(seeded):
    texas_figures = ArrivalCount.objects.filter(sender="Texas", reported_by__contains="Governor")
    assert texas_figures.count() == 25
    assert not texas_figures.filter(value__in=[10000, 15900, 36000, 40710, 50000, 102000]).exists()
