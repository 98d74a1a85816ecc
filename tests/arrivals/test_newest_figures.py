"""A long series is shown in part on pages, charts and embeds (the last figure of each month of
a daily or weekly count, the newest figures of a count per period); downloads keep all."""

import csv
import datetime as dt
import html
import io
import json

import pytest
from django.urls import reverse

from arrivals.models import ArrivalCount
from arrivals.selectors import NEWEST_FIGURES_SHOWN, figures_shown
from tests.factories import make_jurisdiction, make_source, make_state
from tracker.selectors import jurisdiction_with_figures

pytestmark = pytest.mark.django_db
EXTRA = 5
WEEKS = range(NEWEST_FIGURES_SHOWN + EXTRA)
FIRST_MONDAY = dt.date(2022, 1, 3)


def value(week: int) -> int:
    # Never a round number, so no axis tick of a chart reads like a figure.
    return 50_017 + 1_001 * week


def day(week: int) -> dt.date:
    return FIRST_MONDAY + dt.timedelta(weeks=week)


# The last week of each month: what a page shows of the weekly series.
MONTH_ENDS = sorted({(day(w).year, day(w).month): w for w in WEEKS}.values())


@pytest.fixture
def weekly_place():
    """A place with five more weekly counts of people in shelter than a page shows whole."""
    place = make_jurisdiction(name="Weeklyville", parent=make_state("IL", "Illinois"))
    source = make_source(publisher="Weeklyville Office of Emergency Management")
    ArrivalCount.objects.bulk_create(
        ArrivalCount(
            jurisdiction=place,
            measure=ArrivalCount.Measure.IN_SHELTER,
            period_type=ArrivalCount.PeriodType.POINT,
            as_of=day(week),
            value=value(week),
            qualifier=ArrivalCount.Qualifier.EXACT,
            source=source,
            published=True,
        )
        for week in WEEKS
    )
    return place


def shown_weeks(html: str) -> list[int]:
    return [week for week in WEEKS if f"{value(week):,}" in html]


def chart_values(page: str) -> list[int]:
    chart = json.loads(
        page.split('id="jurisdiction-chart-data" type="application/json">')[1].split("</script>")[0]
    )
    return [point for trace in chart["data"] for point in trace["y"]]


def test_a_long_daily_or_weekly_series_is_charted_at_the_end_of_each_month(client, weekly_place):
    page = client.get(weekly_place.get_absolute_url()).content.decode()

    assert chart_values(page) == [value(week) for week in MONTH_ENDS]
    assert day(MONTH_ENDS[0]) == dt.date(2022, 1, 31)  # the whole period, from its first month
    assert MONTH_ENDS[-1] == WEEKS[-1]  # to its newest figure
    assert shown_weeks(page) == MONTH_ENDS
    omitted = len(WEEKS) - len(MONTH_ENDS)
    note = "Long series are shown as the last figure of each month, or as their newest "
    assert page.count(note) == 1  # under the chart; the list sums the series up
    assert f"; {omitted} more figures are in the CSV and JSON downloads." in page
    assert f"The latest of {len(WEEKS)} figures recorded" in page


def test_only_the_figures_shown_are_read_from_the_database(weekly_place):
    figures = jurisdiction_with_figures(slug=weekly_place.slug).published_figures

    assert [figure.value for figure in figures] == [value(week) for week in MONTH_ENDS]
    assert figures_shown(figures) == (figures, len(WEEKS) - len(MONTH_ENDS))


def test_a_long_series_of_counts_per_month_shows_its_newest(client, weekly_place):
    ArrivalCount.objects.update(
        period_type=ArrivalCount.PeriodType.MONTH, measure=ArrivalCount.Measure.NEW_ARRIVALS
    )
    figures = jurisdiction_with_figures(slug=weekly_place.slug).published_figures

    assert [figure.value for figure in figures] == [
        value(week) for week in WEEKS[EXTRA:]
    ]  # counts per period add up: never thinned out, only cut to the newest
    assert figures_shown(figures) == (figures, EXTRA)


def test_the_chart_embed_says_what_it_leaves_out_in_either_language(client, weekly_place):
    url = reverse("embed:jurisdiction-chart", args=[weekly_place.slug])
    omitted = len(WEEKS) - len(MONTH_ENDS)
    english = client.get(url).content.decode()
    assert shown_weeks(english) == MONTH_ENDS
    assert f"{omitted} more figures are in the CSV and JSON downloads" in english
    spanish = html.unescape(client.get(url + "?lang=es").content.decode())
    assert f"{omitted} cifras más están en las descargas CSV y JSON" in spanish


def test_the_downloads_keep_every_figure(client, weekly_place):
    url = reverse("tracker:jurisdiction-figures-download", args=[weekly_place.slug, "csv"])
    rows = list(csv.DictReader(io.StringIO(client.get(url).content.decode())))
    assert len(rows) == len(WEEKS)


def test_a_series_short_enough_is_shown_whole_without_a_note(client, weekly_place):
    ArrivalCount.objects.filter(value__lt=value(EXTRA)).delete()
    page = client.get(weekly_place.get_absolute_url()).content.decode()
    assert "Long series" not in page
    assert shown_weeks(page) == list(WEEKS[EXTRA:])
