"""Security review, finding 8: what a reader's made-up addresses and headers can do."""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.urls import reverse

from policies.forms import (
    AsOfForm,
    CompareForm,
    ComparisonFilterForm,
    EmbedOptionsForm,
    MapForm,
    UpdatesForm,
)
from policies.models import Source
from tests.factories import make_arrival_count, make_jurisdiction, make_policy, make_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def chicago():
    illinois = make_state("IL", "Illinois")
    city = make_jurisdiction(name="Chicago", parent=illinois)
    make_policy(jurisdiction=city)
    make_arrival_count(jurisdiction=city)
    return city


def cached_keys() -> int:
    cache = caches["default"]
    if isinstance(cache, LocMemCache):
        return len(cache._cache)
    return cache._cache.get_client(write=True).dbsize()  # Redis


def test_made_up_query_parameters_never_fill_the_cache(client, chicago):
    url = reverse("policies:jurisdiction-list")
    client.get(url + "?utm_source=first")
    keys = cached_keys()
    for number in range(30):
        assert client.get(f"{url}?utm_source=x{number}&fbclid={number}").status_code == 200
    assert cached_keys() == keys


def test_every_parameter_a_reader_form_reads_is_cacheable():
    forms = (ComparisonFilterForm, AsOfForm, CompareForm, MapForm, UpdatesForm, EmbedOptionsForm)
    fields = {name for form in forms for name in form.base_fields}
    assert fields | {"page"} <= settings.CACHEABLE_QUERY_PARAMETERS


def test_an_error_answer_carries_no_validators_and_never_revalidates(client, chicago):
    url = reverse("embed:jurisdiction-chart", args=[chicago.slug]) + "?as_of=not-a-date"
    response = client.get(url)
    assert response.status_code == 400
    assert "ETag" not in response and "Last-Modified" not in response
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == 400


@pytest.mark.parametrize("header", ["gzip;q=0", "identity", "*;q=0, deflate", "gzip; q=0.0"])
def test_a_client_refusing_gzip_never_gets_it(client, chicago, header):
    for url in (reverse("policies:home"), reverse("embed:jurisdiction-card", args=["il-chicago"])):
        response = client.get(url, headers={"Accept-Encoding": header})
        assert response.get("Content-Encoding") != "gzip", (url, header)


def test_a_stored_url_with_another_scheme_never_becomes_a_link(client, chicago):
    Source.objects.update(url="javascript:alert(document.domain)")  # past the validators
    for url in (
        chicago.get_absolute_url(),
        reverse("embed:jurisdiction-card", args=["il-chicago"]),
    ):
        page = client.get(url).content.decode()
        assert "javascript:" not in page, url
