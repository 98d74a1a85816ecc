"""The precomputed table columns agree with the records, and follow every change at once."""

import datetime as dt
import random
from unittest import mock

import pytest
from django.utils import timezone

from arrivals.models import ArrivalCount
from policies.bulk import bulk_write
from policies.models import Designation, Jurisdiction, Policy, Source
from tests.factories import (
    make_arrival_count,
    make_designation,
    make_jurisdiction,
    make_policy,
    make_source,
)
from tracker import comparison, maps, selectors
from tracker.comparison import ComparisonFilters, comparison_ids, comparison_rows
from tracker.models import JurisdictionSummary
from tracker.summaries import refresh_summaries, summaries_current_on

pytestmark = pytest.mark.django_db


def _mixed_records(rng: random.Random) -> None:
    """Places with every kind of record, drafts, ended and future policies (no signals)."""
    today = timezone.localdate()
    places = Jurisdiction.objects.bulk_create(
        Jurisdiction(name=f"Place {n}", kind="city", state=rng.choice(["IL", "TX"]), slug=f"p-{n}")
        for n in range(40)
    )
    sources = Source.objects.bulk_create(
        Source(publisher=f"Publisher {n}", url=f"https://example.org/{n}") for n in range(8)
    )
    policies = []
    for n in range(120):
        category = rng.choice(Policy.Category.values)
        policies.append(
            Policy(
                jurisdiction=rng.choice(places),
                category=category,
                title=f"Policy {n}",
                direction=rng.choice(Policy.Direction.values),
                status=rng.choice(Policy.Status.values),
                effective_on=today + dt.timedelta(days=rng.randrange(-4000, 60)),
                ended_on=rng.choice([None, None, today - dt.timedelta(days=rng.randrange(1, 900))]),
                detainer_rule=rng.choice(Policy.DetainerRule.values)
                if category == "detainer"
                else "",
                agreement_model=(
                    rng.choice(Policy.AgreementModel.values) if category == "287g" else ""
                ),
                published=rng.random() > 0.15,
            )
        )
    Policy.objects.bulk_create(policies)
    Policy.sources.through.objects.bulk_create(
        Policy.sources.through(policy=policy, source=source)
        for policy in policies
        for source in rng.sample(sources, rng.randrange(1, 3))
    )
    ArrivalCount.objects.bulk_create(
        ArrivalCount(
            jurisdiction=rng.choice(places),
            measure="new_arrivals",
            period_type="point",
            as_of=today + dt.timedelta(days=rng.randrange(-2000, 30)),
            value=rng.randrange(10, 90000),
            source=rng.choice(sources),
            published=rng.random() > 0.15,
        )
        for _ in range(150)
    )
    Designation.objects.bulk_create(
        Designation(
            jurisdiction=place,
            designated_by="U.S. Department of Justice",
            label="Sanctuary jurisdiction",
            designated_on=today - dt.timedelta(days=rng.randrange(-10, 400)),
            source=rng.choice(sources),
            published=rng.random() > 0.2,
        )
        for place in rng.sample(places, 12)
    )


def _table(filters: ComparisonFilters) -> list[tuple]:
    rows = comparison_rows(ids=list(comparison_ids(filters=filters)), day=filters.day)
    return [
        (
            row.jurisdiction.pk,
            row.jurisdiction.sanctuary_status_then,
            row.detainer_label,
            row.jurisdiction.agreement_total,
            tuple(row.agreement_models),
            row.jurisdiction.designation_total,
            tuple(row.designations),
            row.latest_figure and row.latest_figure.pk,
            row.latest_figure and row.latest_figure.source.publisher,
            row.jurisdiction.source_total,
        )
        for row in rows
    ]


FILTERS = [
    {},
    {"include_all": True},
    {"sort": "-arrivals"},
    {"sort": "sources"},
    {"sort": "-agreements", "state": "TX"},
    {"sort": "sanctuary"},
    {"sort": "-designations"},
    {"detainer": "never"},
    {"detainer": "none", "sort": "detainer"},
    {"model": "task_force"},
    {"model": "none", "figures": "yes"},
    {"figures": "no", "include_all": True},
    {"direction": "expands", "sort": "-sources"},
]


@pytest.mark.parametrize("seed", [1, 2])
def test_summaries_give_the_same_table_as_the_records(seed):
    _mixed_records(random.Random(seed))
    refresh_summaries()
    for options in FILTERS:
        filters = ComparisonFilters(**options)
        assert summaries_current_on(filters.day), "the summaries should be used"
        from_summaries = _table(filters)
        with mock.patch.object(comparison, "summaries_current_on", return_value=False):
            from_records = _table(filters)
        assert from_summaries == from_records, options


def _row(place: Jurisdiction) -> JurisdictionSummary:
    return JurisdictionSummary.objects.get(jurisdiction=place)


def test_every_kind_of_change_reaches_the_summary_at_once():
    chicago, denver = make_jurisdiction(name="Chicago"), make_jurisdiction(name="Denver")
    assert not _row(chicago).has_records

    figure = make_arrival_count(jurisdiction=chicago, value=50000)
    assert _row(chicago).latest_figure_value == 50000 and _row(chicago).has_records

    figure.jurisdiction = denver  # moved: both places change
    figure.save()
    assert _row(chicago).latest_figure_id is None
    assert _row(denver).latest_figure_id == figure.pk

    agreement = make_policy(
        jurisdiction=chicago,
        category=Policy.Category.AGREEMENT_287G,
        agreement_model=Policy.AgreementModel.TASK_FORCE,
        agency="Sheriff",
        signed_on=dt.date(2025, 3, 1),
        effective_on=None,
        direction=Policy.Direction.EXPANDS,
    )
    assert _row(chicago).agreement_models == ",task_force,"
    assert _row(chicago).source_total == 1
    agreement.sources.add(make_source())
    assert _row(chicago).source_total == 2

    make_designation(jurisdiction=chicago)
    assert _row(chicago).designation_total == 1

    agreement.delete()
    assert _row(chicago).agreement_total == 0


def test_a_draft_changes_nothing_readers_see():
    place = make_jurisdiction()
    make_arrival_count(jurisdiction=place, value=1234, published=False)
    assert _row(place).latest_figure_id is None and not _row(place).has_records


def test_summaries_of_another_day_are_not_used():
    place = make_jurisdiction()
    make_policy(jurisdiction=place)
    filters = ComparisonFilters()
    assert summaries_current_on(filters.day)
    JurisdictionSummary.objects.update(day=filters.day - dt.timedelta(days=1))
    make_source()  # any change moves the data version, which the check is cached under
    assert not summaries_current_on(filters.day)
    assert [row[0] for row in _table(filters)] == [place.pk]


def test_bulk_writes_rebuild_every_summary_once_at_the_end():
    with bulk_write():
        place = make_jurisdiction()
        make_arrival_count(jurisdiction=place, value=321)
        assert not JurisdictionSummary.objects.filter(jurisdiction=place).exists()
    assert _row(place).latest_figure_value == 321


def test_summaries_give_the_same_agreement_totals_and_map_as_the_records():
    _mixed_records(random.Random(3))
    refresh_summaries()
    day = timezone.localdate()

    def shown() -> tuple:
        return (
            selectors.agreement_totals(day=day),
            *(maps.map_context(day=day, metric=metric)["map_table"] for metric in maps.MAP_METRICS),
        )

    from_summaries = shown()
    with (
        mock.patch.object(selectors, "summaries_current_on", return_value=False),
        mock.patch.object(maps, "summaries_current_on", return_value=False),
    ):
        from_records = shown()
    assert from_summaries == from_records
    assert from_summaries[0]["total"] > 0
