"""Every page type and embed, in English and Spanish, light and dark, audited by axe-core in
Chromium.

axe-core comes from the npm registry at set-up (package.json); the audit fails on any
violation axe rates serious or critical, which includes WCAG AA colour contrast.
"""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from arrivals.models import ArrivalCount
from tests.factories import (
    make_arrival_count,
    make_designation,
    make_jurisdiction,
    make_policy,
    make_source,
    make_state,
)

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(settings.BASE_DIR, "node_modules", "axe-core", "axe.min.js")
BLOCKING = {"serious", "critical"}

PAGES = {
    "home": "/",
    "comparison table": "/jurisdictions/?state=IL&sort=-arrivals",
    "jurisdiction page": "/jurisdictions/il-chicago/",
    "side by side": "/compare/?j=il-chicago&j=co-denver",
    "map": "/map/?metric=agreements",
    "methodology": "/methodology/",
    "updates and corrections": "/updates/",
    "embed code": "/embed-code/?path=/embed/map/&title=Map",
    "not found": "/no-such-page/",
    "bad request": "/jurisdictions/?as_of=not-a-date",
    "embed: chart": "/embed/jurisdictions/il-chicago/chart/",
    "embed: compare chart": "/embed/compare/?j=il-chicago&j=co-denver",
    "embed: table": "/embed/jurisdictions/?state=IL",
    "embed: card": "/embed/jurisdictions/il-chicago/",
    "embed: timeline": "/embed/jurisdictions/il-chicago/timeline/",
    "embed: map": "/embed/map/",
    "map of detainer rules": "/map/?metric=detainer",
    "embed: card, dark": "/embed/jurisdictions/il-chicago/?theme=dark",
}


@pytest.fixture
def records():
    illinois = make_state("IL", "Illinois")
    colorado = make_state("CO", "Colorado")
    chicago = make_jurisdiction(
        name="Chicago", parent=illinois, population=2_664_452, population_year=2024
    )
    denver = make_jurisdiction(name="Denver", state="CO", parent=colorado)
    # With its Census code, so the map draws its outline and the audit reads its link.
    county = make_jurisdiction(name="Cook County", kind="county", geoid="17031", parent=illinois)
    news = make_source(publisher="NewsNation", url="https://www.newsnationnow.com/")
    for month, value in enumerate((20000, 36000, 50000), 1):
        make_arrival_count(
            jurisdiction=chicago,
            value=value,
            qualifier=ArrivalCount.Qualifier.MORE_THAN,
            as_of=dt.date(2024, month, 1),
            source=news,
        )
    make_arrival_count(
        jurisdiction=denver, measure="bused", sender="Texas", value=16000, qualifier="about"
    )
    policy = make_policy(jurisdiction=chicago, title="Welcoming City Ordinance")
    make_policy(
        jurisdiction=county,
        category="detainer",
        title="Detainer ordinance",
        direction="limits",
        detainer_rule="never",
    )
    make_policy(
        jurisdiction=county,
        category="287g",
        title="287(g) agreement",
        direction="expands",
        agreement_model="warrant_service",
        agency="Cook County Sheriff",
        signed_on=dt.date(2025, 4, 1),
        effective_on=None,
    )
    make_designation(jurisdiction=chicago, disputed=True, dispute_note="The city disputes it.")
    policy._history_date = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    policy.summary = "Amended summary."
    policy._change_reason = "Corrected the summary to match the ordinance text."
    policy.save()


def audit(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.evaluate(AXE.read_text())
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "where": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violations(
    live_server, page, records, name, language, scheme
):
    prefix = "" if language == "en" else f"/{language}"
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live_server.url}{prefix}{PAGES[name]}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    charts = page.locator("[data-chart]")
    for index in range(charts.count()):
        expect(charts.nth(index)).to_have_attribute("data-chart-ready", "true")

    violations = audit(page)

    assert not violations, json.dumps(violations, indent=1, ensure_ascii=False)


def test_the_audit_reports_what_it_should(live_server, page, records):
    page.goto(f"{live_server.url}/methodology/")
    # Light grey on white (contrast about 1.5:1) and an image button with no name.
    page.evaluate(
        """() => {
            const note = document.createElement("p");
            note.textContent = "Hard to read";
            note.style.color = "#cccccc";
            document.querySelector("main").append(note);
            const button = document.createElement("button");
            button.innerHTML = "<svg width='10' height='10'></svg>";
            document.querySelector("main").append(button);
        }"""
    )

    rules = {violation["rule"] for violation in audit(page)}

    assert {"color-contrast", "button-name"} <= rules
