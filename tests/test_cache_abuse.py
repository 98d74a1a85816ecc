"""Security review, finding 8: what a reader's made-up addresses and headers can do."""

import pytest
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

pytestmark = pytest.mark.django_db


def test_made_up_query_parameters_are_answered_but_never_stored_by_shared_caches(client, chicago):
    url = reverse("policies:jurisdiction-list")
    for query in ("?utm_source=x1&fbclid=1", "?state=IL&cachebuster=2"):
        response = client.get(url + query)
        assert response.status_code == 200
        assert "private" in response["Cache-Control"], query
        assert "public" not in response["Cache-Control"], query


@pytest.mark.parametrize(
    ("url_name", "args", "form"),
    [
        ("policies:jurisdiction-list", [], ComparisonFilterForm),
        ("policies:jurisdiction-detail", ["il-chicago"], AsOfForm),
        ("policies:compare", [], CompareForm),
        ("policies:state-map", [], MapForm),
        ("policies:update-list", [], UpdatesForm),
        ("embed:jurisdiction-card", ["il-chicago"], EmbedOptionsForm),
    ],
)
def test_every_parameter_a_reader_form_reads_is_cacheable(client, chicago, url_name, args, form):
    url = reverse(url_name, args=args)
    for name in [*form.base_fields, "page"]:
        response = client.get(url, {name: ""})
        if response.status_code == 200:  # an empty "j" is refused
            assert "public" in response["Cache-Control"], (url, name)


def test_an_error_answer_carries_no_validators_and_never_revalidates(client, chicago):
    url = reverse("embed:jurisdiction-chart", args=[chicago.slug]) + "?as_of=not-a-date"
    response = client.get(url)
    assert response.status_code == 400
    assert "ETag" not in response and "Last-Modified" not in response
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == 400


def test_a_stored_url_with_another_scheme_never_becomes_a_link(client, chicago):
    Source.objects.update(url="javascript:alert(document.domain)")  # past the validators
    for url in (
        chicago.get_absolute_url(),
        reverse("embed:jurisdiction-card", args=["il-chicago"]),
    ):
        page = client.get(url).content.decode()
        assert "javascript:" not in page, url
