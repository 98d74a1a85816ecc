"""Random and hostile query strings never make a public page fail with a 500."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories import (
    delete_every_record,
    make_arrival_count,
    make_jurisdiction,
    make_policy,
    make_state,
)

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
        delete_every_record()


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


HEADER_VALUES = st.sampled_from(["true", "true", "false", "TRUE", "", "true, true"])
hostile_headers = st.fixed_dictionaries(
    {},
    optional={
        "HX-Request": HEADER_VALUES,
        "HX-History-Restore-Request": HEADER_VALUES,
        "HX-Boosted": HEADER_VALUES,
        "HX-Target": st.sampled_from(["jurisdiction-table", "body", "x"]),
        "Accept-Language": st.sampled_from(["es", "fr;q=0.9", "*", "es-MX,es;q=0.8"]),
        "Cookie": st.sampled_from(["sessionid=forged", "django_language=es", "csrftoken=x"]),
        "X-Forwarded-Host": st.sampled_from(["evil.example", "tracker.example.org"]),
        "X-Forwarded-Proto": st.sampled_from(["https", "http", "gopher"]),
        "X-Forwarded-For": st.sampled_from(["203.0.113.9", "1.1.1.1, 2.2.2.2"]),
        "Accept-Encoding": st.sampled_from(["gzip", "gzip;q=0", "br", "identity", "*"]),
        "If-None-Match": st.sampled_from(["*", '"x"', 'W/"1"']),
    },
)
extra_params = st.lists(
    st.tuples(st.sampled_from(["utm_source", "fbclid", "x", *KEYS]), values), max_size=3
)


@pytest.mark.django_db
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(PUBLIC_PATHS), headers=hostile_headers, params=extra_params)
@example(
    path="/jurisdictions/",
    headers={"HX-Request": "true", "HX-History-Restore-Request": "false"},
    params=[],
)
def test_no_reader_can_change_what_another_reader_gets(seeded, path, headers, params):
    """Security review: an answer a shared cache may store is the one any reader sending the
    same address and the same values of the headers it varies on would get. A shared cache
    (deploy/nginx.conf) keys on scheme, host and address, and sets X-Forwarded-Proto from the
    scheme itself."""
    hostile = Client(raise_request_exception=False).get(path, params, headers=headers)
    assert hostile.status_code < 500, (path, headers, params)
    control = hostile.get("Cache-Control", "")
    if hostile.status_code != 200 or "public" not in control:
        return
    varied = {name.strip().lower() for name in hostile.get("Vary", "").split(",")}
    reader = {
        name: value
        for name, value in headers.items()
        if name.lower() in varied or name == "X-Forwarded-Proto"
    }
    plain = Client(raise_request_exception=False).get(path, params, headers=reader)
    assert plain.status_code == hostile.status_code, (path, headers, params)
    assert plain.content == hostile.content, (path, headers, params)
    for name in ("Content-Type", "Content-Language", "Cache-Control", "Vary", "ETag"):
        assert plain.get(name) == hostile.get(name), (name, path, headers, params)
