"""Reader pages run a fixed number of queries on a dataset of realistic size."""

import datetime as dt
import random

import pytest
from django.urls import reverse

from arrivals.models import ArrivalCount
from policies.data_version import data_version
from policies.models import Jurisdiction, Policy, Source
from tracker.summaries import refresh_summaries

pytestmark = pytest.mark.django_db

JURISDICTIONS = 3500
ARRIVAL_COUNTS = 50_000


@pytest.fixture
def large_dataset():
    rng = random.Random(7)
    states = ["IL", "CO", "NY", "CA", "TX", "FL", "AZ", "WA", "PA", "GA"]
    places = Jurisdiction.objects.bulk_create(
        Jurisdiction(
            name=f"Place {number}",
            kind=rng.choice(["city", "county"]),
            state=states[number % len(states)],
            slug=f"place-{number}",
        )
        for number in range(JURISDICTIONS)
    )
    sources = Source.objects.bulk_create(
        Source(publisher=f"Publisher {n}", url=f"https://example.org/{n}") for n in range(200)
    )
    policies = Policy.objects.bulk_create(
        Policy(
            jurisdiction=place,
            category=rng.choice(["sanctuary", "cooperation"]),
            title=f"Policy {index}",
            summary="A generated policy.",
            direction=rng.choice(["limits", "expands", "neither"]),
            status="in_effect",
            effective_on=dt.date(2010 + index % 15, 1, 1),
            published=True,
        )
        for index, place in enumerate(places[:2500])
    )
    Policy.sources.through.objects.bulk_create(
        Policy.sources.through(policy=policy, source=rng.choice(sources)) for policy in policies
    )
    ArrivalCount.objects.bulk_create(
        (
            ArrivalCount(
                jurisdiction=places[index % 1200],
                measure="new_arrivals",
                period_type="point",
                as_of=dt.date(2020, 1, 1) + dt.timedelta(days=index % 1800),
                value=index,
                source=sources[index % len(sources)],
                published=True,
            )
            for index in range(ARRIVAL_COUNTS)
        ),
        batch_size=5000,
    )
    refresh_summaries()  # as every bulk load does
    return places


def test_reader_pages_run_a_bounded_number_of_queries_at_scale(
    client, large_dataset, django_assert_max_num_queries
):
    busy_place = large_dataset[0]
    fragment = {"HX-Request": "true"}
    data_version()  # as in production, the data version is already cached
    cases = [
        # Freshness of the summaries (once per data version), the count, the page of ids, the
        # rows with their summaries and latest figures, the states' stances (the "State law"
        # column).
        (reverse("tracker:jurisdiction-list"), {}, 5),
        (reverse("tracker:jurisdiction-list") + "?sort=-arrivals&page=3", fragment, 5),
        (reverse("tracker:jurisdiction-list") + "?sort=sources&state=IL", fragment, 5),
        # As of another day the columns come from the records: three more queries.
        (reverse("tracker:jurisdiction-list") + "?as_of=2020-06-01&direction=limits", {}, 8),
        # The table, then the headline figures, the statewide-law map, the ICE sheets and
        # agreement totals, the chart.
        (reverse("tracker:home"), {}, 9),
        # The place with its county and state, their policies and the policies' sources, their
        # findings, the place's figures and designations; for a county or state, the places
        # in it.
        (busy_place.get_absolute_url(), {}, 7),
        (reverse("embed:jurisdiction-card", args=[busy_place.slug]), {}, 6),
        # The place and its figures.
        (reverse("embed:jurisdiction-chart", args=[busy_place.slug]), {}, 2),
        # The places named and their records; the picker's suggestions, the same for every
        # comparison, were drawn by the comparison asked for first.
        (reverse("tracker:compare") + f"?j={busy_place.slug}&j=place-1", {}, 6),
        # Every place's value (the summaries' freshness is known already), the ICE sheets
        # recorded (what agreement counts rest on); on the full page, the time control's
        # dates: the sheets again and the first recorded policy. As of another day the values
        # come from the records, in the same one query.
        (reverse("tracker:state-map") + "?metric=limits", fragment, 2),
        (reverse("tracker:state-map") + "?metric=agreements", {}, 4),
        (reverse("tracker:state-map") + "?metric=detainer&as_of=2020-06-01", {}, 4),
        (reverse("embed:state-map") + "?metric=designations", {}, 2),
    ]
    client.get(reverse("tracker:compare") + "?j=place-1&j=place-2")
    for url, headers, budget in cases:
        with django_assert_max_num_queries(budget):
            response = client.get(url, headers=headers)
        assert response.status_code == 200, url
