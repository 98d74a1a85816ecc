"""A record whose text holds markup renders as inert text on every page and embed."""

import pytest

from tests.factories import (
    make_arrival_count,
    make_designation,
    make_jurisdiction,
    make_policy,
    make_source,
    make_state,
)

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = '<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2">'


@pytest.fixture
def hostile_place():
    place = make_jurisdiction(name=f"Chicago {HOSTILE}", parent=make_state("IL", "Illinois"))
    source = make_source(publisher=f"Publisher {HOSTILE}", url="https://example.org/x")
    make_arrival_count(jurisdiction=place, notes=HOSTILE, reported_by=HOSTILE, source=source)
    make_policy(jurisdiction=place, title=f"Policy {HOSTILE}", summary=HOSTILE, sources=[source])
    make_designation(jurisdiction=place, label=f"Label {HOSTILE}", source=source)
    return place


def test_markup_in_records_stays_text_everywhere(live_server, page, hostile_place):
    slug = hostile_place.slug
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    paths = [
        "/",
        "/jurisdictions/",
        f"/jurisdictions/{slug}/",
        f"/compare/?j={slug}&j=illinois",
        "/map/?metric=designations",
        f"/embed/jurisdictions/{slug}/chart/",
        f"/embed/jurisdictions/{slug}/",
        "/embed/jurisdictions/?state=IL",
        f"/embed/compare/?j={slug}",
        f"/updates/?j={slug}",
        f"/es/jurisdictions/{slug}/",
        f"/es/embed/jurisdictions/{slug}/chart/",
    ]
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        assert page.evaluate("window.__xss") is None, path
        assert page.locator("img[src=x]").count() == 0, path
    page.goto(f"{live_server.url}/jurisdictions/{slug}/")
    assert HOSTILE in page.locator("h1").inner_text()
    page.goto(f"{live_server.url}/updates/?j={slug}")
    assert f"Policy {HOSTILE}" in page.locator("main").inner_text()
    assert dialogs == []
    assert page.watch.errors == []
