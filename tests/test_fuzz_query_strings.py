"""Random and hostile query strings never make a public page fail with a 500."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_arrival_count, make_jurisdiction, make_policy, make_state

PUBLIC_PATHS = [
    "/",
    "/jurisdictions/",
    "/jurisdictions.csv",
    "/jurisdictions.json",
    "/jurisdictions/search/",
    "/jurisdictions/il-chicago/",
    "/jurisdictions/il-chicago/figures.csv",
    "/compare/",
    "/compare.json",
    "/map/",
    "/map.csv",
    "/methodology/",
    "/embed/jurisdictions/",
    "/embed/jurisdictions/il-chicago/",
    "/embed/jurisdictions/il-chicago/chart/",
    "/embed/compare/",
    "/embed/map/",
    "/embed-code/",
]
KEYS = [
    "q", "state", "kind", "direction", "detainer", "model", "figures", "all", "as_of", "sort",
    "page", "j", "metric", "theme", "header", "footer", "path", "title", "height", "childId",
]  # fmt: skip
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "10" * 500,
    "1e999",
    "-1",
    "0",
    "9999-99-99",
    "2020-02-30",
    "\x00",
    "%00",
    "a\x00b",
    "../../etc/passwd",
    "/embed//evil.example",
    "il-chicago",
    "IL",
    "x" * 5000,
]
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60))
query = st.lists(st.tuples(st.sampled_from(KEYS), values), max_size=6)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        chicago = make_jurisdiction(name="Chicago", parent=make_state("IL", "Illinois"))
        make_arrival_count(jurisdiction=chicago)
        make_policy(jurisdiction=chicago)
    yield
    with django_db_blocker.unblock():
        from policies.models import Jurisdiction

        chicago.arrival_counts.all().delete()
        chicago.policies.all().delete()
        Jurisdiction.objects.filter(kind="city").delete()
        Jurisdiction.objects.all().delete()


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(PUBLIC_PATHS), params=query, htmx=st.booleans())
def test_no_query_string_makes_a_public_page_fail(seeded, path, params, htmx):
    client = Client(raise_request_exception=False)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(path, params, headers=headers)
    assert response.status_code < 500, (path, params, response.status_code)
