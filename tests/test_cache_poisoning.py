"""No request header from one reader changes what another reader receives for the same
address (security review, finding 1: HX headers with other values than "true")."""

import pytest
from django.urls import reverse

from tests.factories import make_arrival_count, make_jurisdiction, make_policy, make_state

pytestmark = pytest.mark.django_db

POISONS = (
    {"HX-Request": "true", "HX-History-Restore-Request": "false"},
    {"HX-Request": "false"},
    {"HX-Request": "TRUE"},
    {"HX-Request": "true", "HX-History-Restore-Request": ""},
)


@pytest.fixture
def pages():
    illinois = make_state("IL", "Illinois")
    chicago = make_jurisdiction(name="Chicago", parent=illinois)
    make_policy(jurisdiction=chicago)
    make_arrival_count(jurisdiction=chicago)
    return [
        reverse("tracker:home"),
        reverse("tracker:jurisdiction-list"),
        reverse("tracker:state-map"),
        reverse("tracker:compare") + "?j=il-chicago&j=illinois",
    ]


@pytest.mark.parametrize("poison", POISONS)
def test_odd_htmx_headers_never_change_the_page_others_get(client, pages, poison):
    for url in pages:
        first = client.get(url, headers=poison)
        is_fragment = "<html" not in first.content.decode()
        # django-htmx treats only "true" as an htmx request.
        expected_fragment = poison.get("HX-Request") == "true" and (
            poison.get("HX-History-Restore-Request") != "true"
        )
        assert is_fragment == expected_fragment, (url, poison)

        plain = client.get(url).content.decode()
        assert "<html" in plain, (url, poison)
        swap = client.get(url, headers={"HX-Request": "true"}).content.decode()
        assert "<html" not in swap, (url, poison)


def test_the_swap_and_the_page_are_two_answers_for_shared_caches(client, pages):
    for url in pages:
        page = client.get(url)
        swap = client.get(url, headers={"HX-Request": "true"})
        for response in (page, swap):
            assert {"HX-Request", "HX-History-Restore-Request"} <= {
                name.strip() for name in response["Vary"].split(",")
            }, url
        assert page["ETag"] != swap["ETag"], url
