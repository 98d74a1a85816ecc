"""A place's pages, charts and embeds show each series' newest figures; downloads keep all."""

import csv
import datetime as dt
import html
import io
import json

import pytest
from django.urls import reverse

from arrivals.models import ArrivalCount
from arrivals.selectors import NEWEST_FIGURES_SHOWN, newest_figures
from policies.selectors import jurisdiction_with_figures
from tests.factories import make_jurisdiction, make_source, make_state

pytestmark = pytest.mark.django_db
EXTRA = 5


def value(week: int) -> int:
    # Never a round number, so no axis tick of a chart reads like a figure.
    return 50_017 + 1_001 * week


@pytest.fixture
def weekly_place():
    """A place with five more weekly figures than a page shows."""
    place = make_jurisdiction(name="Weeklyville", parent=make_state("IL", "Illinois"))
    source = make_source(publisher="Weeklyville Office of Emergency Management")
    ArrivalCount.objects.bulk_create(
        ArrivalCount(
            jurisdiction=place,
            measure=ArrivalCount.Measure.IN_SHELTER,
            period_type=ArrivalCount.PeriodType.POINT,
            as_of=dt.date(2022, 1, 3) + dt.timedelta(weeks=week),
            value=value(week),
            qualifier=ArrivalCount.Qualifier.EXACT,
            source=source,
            published=True,
        )
        for week in range(NEWEST_FIGURES_SHOWN + EXTRA)
    )
    return place


def shown_weeks(html: str) -> set[int]:
    return {week for week in range(NEWEST_FIGURES_SHOWN + EXTRA) if f"{value(week):,}" in html}


def test_the_place_page_lists_and_charts_the_newest_figures_and_says_so(client, weekly_place):
    page = client.get(weekly_place.get_absolute_url()).content.decode()
    newest = set(range(EXTRA, EXTRA + NEWEST_FIGURES_SHOWN))
    assert shown_weeks(page) == newest
    note = f"Only the newest {NEWEST_FIGURES_SHOWN} figures of each series are shown; {EXTRA} "
    assert page.count(note) == 1  # under the chart; the list sums the series up
    assert f"The latest of {NEWEST_FIGURES_SHOWN + EXTRA} figures recorded" in page

    chart = json.loads(
        page.split('id="jurisdiction-chart-data" type="application/json">')[1].split("</script>")[0]
    )
    assert [point for trace in chart["data"] for point in trace["y"]] == [
        value(week) for week in sorted(newest)
    ]


def test_only_the_newest_figures_are_read_from_the_database(weekly_place):
    figures = jurisdiction_with_figures(slug=weekly_place.slug).published_figures

    assert [figure.value for figure in figures] == [
        value(week) for week in range(EXTRA, EXTRA + NEWEST_FIGURES_SHOWN)
    ]
    assert newest_figures(figures) == (figures, EXTRA)


def test_the_chart_embed_shows_the_newest_figures_in_either_language(client, weekly_place):
    url = reverse("embed:jurisdiction-chart", args=[weekly_place.slug])
    english = client.get(url).content.decode()
    assert min(shown_weeks(english)) == EXTRA
    assert f"{EXTRA} older figures are in the CSV and JSON downloads" in english
    spanish = html.unescape(client.get(url + "?lang=es").content.decode())
    assert f"{EXTRA} cifras más antiguas están en las descargas CSV y JSON" in spanish


def test_the_downloads_keep_every_figure(client, weekly_place):
    url = reverse("policies:jurisdiction-figures-download", args=[weekly_place.slug, "csv"])
    rows = list(csv.DictReader(io.StringIO(client.get(url).content.decode())))
    assert len(rows) == NEWEST_FIGURES_SHOWN + EXTRA


def test_a_place_with_few_figures_has_no_note(client, weekly_place):
    ArrivalCount.objects.filter(value__lt=value(EXTRA)).delete()
    page = client.get(weekly_place.get_absolute_url()).content.decode()
    assert "Only the newest" not in page
    assert len(shown_weeks(page)) == NEWEST_FIGURES_SHOWN
