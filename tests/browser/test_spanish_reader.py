"""Issue #6's reader: opens /es/, filters the table, reads Chicago's page and its sources in
Spanish, and follows the corrections feed."""

import datetime as dt
import re
import xml.etree.ElementTree as ET
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from tests.factories import (
    make_arrival_count,
    make_jurisdiction,
    make_policy,
    make_source,
    make_state,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chicago():
    illinois = make_state("IL", "Illinois")
    colorado = make_state("CO", "Colorado")
    chicago = make_jurisdiction(name="Chicago", parent=illinois)
    make_jurisdiction(name="Denver", state="CO", parent=colorado)
    news = make_source(publisher="NewsNation", accessed_on=dt.date(2025, 1, 10))
    for month, value in ((1, 20000), (6, 36000), (11, 51000)):
        make_arrival_count(
            jurisdiction=chicago,
            value=value,
            qualifier="more_than",
            as_of=dt.date(2024, month, 1),
            source=news,
        )
    policy = make_policy(jurisdiction=chicago, title="Welcoming City Ordinance")
    policy._history_date = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    policy.status = "enjoined"
    policy.ended_on = dt.date(2025, 3, 1)
    policy._change_reason = "Court order of March 1, 2025."
    policy.save()
    return chicago


def test_a_spanish_reader_filters_reads_chicago_and_follows_the_feed(live_server, page, chicago):
    page.goto(f"{live_server.url}/es/")
    expect(page.locator("h1")).to_have_text(
        "Políticas santuario y llegadas de migrantes, lugar por lugar"
    )

    page.select_option("#id_state", "IL")
    expect(page.locator("#jurisdiction-table tbody th")).to_have_text(["Chicago"])
    expect(page).to_have_url(re.compile(r"/es/\?.*state=IL"))
    expect(page.locator("#jurisdiction-table")).to_contain_text("Más de 51\xa0000")
    # The language switch follows the filters htmx pushed into the address bar.
    expect(page.locator("a.language-switch")).to_have_attribute(
        "href", re.compile(r"^/\?.*state=IL")
    )

    page.locator("#jurisdiction-table tbody th a", has_text="Chicago").click()
    expect(page).to_have_url(re.compile(r"/es/jurisdictions/il-chicago/$"))
    expect(page.locator("#policies-heading")).to_have_text("Políticas de Chicago")
    expect(page.locator(".policy-meta")).to_contain_text("Suspendida por un tribunal")
    expect(page.locator(".source-list")).to_contain_text("NewsNation")
    expect(page.locator(".source-list")).to_contain_text("consultada el 10 de enero de 2025")
    chart = page.locator("[data-chart]").first
    expect(chart).to_have_attribute("data-chart-ready", "true")
    ticks = " ".join(page.locator("[data-chart] .xtick text").all_text_contents())
    assert "ene" in ticks and "Jan" not in ticks, ticks

    page.get_by_role("link", name="Actualizaciones y correcciones de los registros").click()
    expect(page.locator("h1")).to_have_text("Actualizaciones y correcciones: Chicago, IL")
    expect(page.locator("main")).to_contain_text("Motivo indicado: Court order of March 1, 2025.")
    expect(page.locator(".update-lines").first).to_contain_text("Vigente")

    feed_url = page.get_by_role("link", name="Seguir estas actualizaciones").get_attribute("href")
    with urlopen(f"{live_server.url}{feed_url}") as response:
        feed = ET.fromstring(response.read())
    titles = [entry.text for entry in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert titles[0] == "Sanctuary Tracker: actualizaciones y correcciones de Chicago, IL"
    assert any(title.startswith("Modificado: Welcoming City Ordinance") for title in titles)
