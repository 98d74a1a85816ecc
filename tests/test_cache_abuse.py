"""Security review, finding 8: what a reader's made-up addresses and headers can do."""

import pytest
from django.urls import reverse

from policies.models import Source
from tests.factories import make_jurisdiction
from tracker.forms import (
    AsOfForm,
    CompareForm,
    ComparisonFilterForm,
    EmbedOptionsForm,
    MapForm,
    UpdatesForm,
)

pytestmark = pytest.mark.django_db


def test_made_up_parameters_are_sent_to_the_address_without_them(client, chicago):
    """Review of #17: answered in place, a link shared with ?fbclid=... was rendered anew for
    every click (each is a new address to a shared cache)."""
    url = reverse("tracker:jurisdiction-list")
    for query, canonical in (
        ("?utm_source=x1&fbclid=1", url),
        ("?state=IL&cachebuster=2", url + "?state=IL"),
    ):
        response = client.get(url + query)
        assert response.status_code == 301, query
        assert response["Location"] == canonical
        assert "private" in response["Cache-Control"], query
    embed = reverse("embed:jurisdiction-card", args=["il-chicago"])
    response = client.get(embed + "?theme=dark&ref=homepage")
    assert response["Location"] == embed + "?theme=dark"


@pytest.mark.parametrize(
    ("url_name", "args", "form"),
    [
        ("tracker:jurisdiction-list", [], ComparisonFilterForm),
        ("tracker:jurisdiction-detail", ["il-chicago"], AsOfForm),
        ("tracker:compare", [], CompareForm),
        ("tracker:state-map", [], MapForm),
        ("tracker:update-list", [], UpdatesForm),
        ("embed:jurisdiction-card", ["il-chicago"], EmbedOptionsForm),
    ],
)
def test_every_parameter_a_reader_form_reads_is_cacheable(client, chicago, url_name, args, form):
    url = reverse(url_name, args=args)
    for name in [*form.base_fields, "page"]:
        response = client.get(url, {name: ""})
        assert response.status_code in (200, 400), (url, name)  # an empty "j" is refused
        if response.status_code == 200:
            assert "public" in response["Cache-Control"], (url, name)


def test_an_error_answer_carries_no_validators_and_never_revalidates(client, chicago):
    url = reverse("embed:jurisdiction-chart", args=[chicago.slug]) + "?as_of=not-a-date"
    response = client.get(url)
    assert response.status_code == 400
    assert "ETag" not in response and "Last-Modified" not in response
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == 400


def test_a_revalidation_with_the_current_etag_needs_no_query(
    client, chicago, django_assert_num_queries
):
    """#17: the compare page's 304 looked its places up in the database (to refuse an
    unknown one with a 400) before it could answer, half the rate of the other pages."""
    denver = make_jurisdiction(name="Denver", state="CO")
    url = reverse("tracker:compare") + f"?j={chicago.slug}&j={denver.slug}"
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(0):
        assert client.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 304


def test_an_etag_is_good_only_for_the_address_it_was_sent_for(client, chicago):
    """A page's current ETag, sent with an address that names an unknown place, is refused:
    the query is checked, and the answer is its 400."""
    denver = make_jurisdiction(name="Denver", state="CO")
    compare = reverse("tracker:compare")
    etag = client.get(f"{compare}?j={chicago.slug}&j={denver.slug}")["ETag"]
    assert etag != client.get(f"{compare}?j={denver.slug}&j={chicago.slug}")["ETag"]
    made_up = client.get(f"{compare}?j={chicago.slug}&j=nowhere", headers={"If-None-Match": etag})
    assert made_up.status_code == 400
    table = reverse("tracker:jurisdiction-list")
    etag = client.get(table)["ETag"]
    made_up = client.get(f"{table}?state=ZZ", headers={"If-None-Match": etag})
    assert made_up.status_code == 400


def test_another_places_etag_never_revalidates_an_unknown_place(client, chicago):
    """Before ETags were signed for their address, Chicago's ETag got a 304 at the address of
    a place that does not exist, whose answer is a 404."""
    etag = client.get(chicago.get_absolute_url())["ETag"]
    response = client.get("/jurisdictions/nowhere/", headers={"If-None-Match": etag})
    assert response.status_code == 404


def test_the_swap_and_the_page_each_revalidate_with_their_own_etag(client, chicago):
    url = reverse("tracker:jurisdiction-list") + "?state=IL"
    swap = {"HX-Request": "true"}
    page_etag = client.get(url)["ETag"]
    swap_etag = client.get(url, headers=swap)["ETag"]
    assert client.get(url, headers={**swap, "If-None-Match": page_etag}).status_code == 200
    assert client.get(url, headers={"If-None-Match": swap_etag}).status_code == 200
    assert client.head(url, headers={"If-None-Match": page_etag}).status_code == 304


def test_a_stored_url_with_another_scheme_never_becomes_a_link(client, chicago):
    Source.objects.update(url="javascript:alert(document.domain)")  # past the validators
    for url in (
        chicago.get_absolute_url(),
        reverse("embed:jurisdiction-card", args=["il-chicago"]),
    ):
        page = client.get(url).content.decode()
        assert "javascript:" not in page, url


def test_a_view_that_says_how_to_keep_its_answer_is_not_overruled(rf, chicago):
    """Review of #17: patch_cache_control(public=True) dropped a view's own `private`, so a
    staff-only element on a reader page would have reached shared caches."""
    from django.http import HttpResponse

    from tracker.views.shared import reader_page

    @reader_page()
    def staff_view(request):
        return HttpResponse("for one reader", headers={"Cache-Control": "private"})

    response = staff_view(rf.get("/methodology/"))
    assert response["Cache-Control"] == "private"


def test_a_signed_in_member_of_staff_gets_a_copy_no_shared_cache_keeps(editor_client, chicago):
    response = editor_client.get(chicago.get_absolute_url())
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
