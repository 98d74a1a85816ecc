"""A figure records the population it counts: migrants and asylum seekers, or everyone a
shelter system houses. Populations are part of a figure's identity, never share a series or a
chart's line, and only migrant figures are a place's headline or latest figure."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from arrivals.importers.city_reports import figures_import_city_reports
from arrivals.models import ArrivalCount
from arrivals.resources import ArrivalCountResource
from arrivals.selectors import arrival_chart
from policies.csv_import import csv_import
from tests.factories import make_arrival_count, make_jurisdiction, make_source, make_state
from tracker.comparison import comparison_rows
from tracker.selectors import figure_groups, headline_figures
from tracker.summaries import refresh_summaries

pytestmark = pytest.mark.django_db

EVERYONE = ArrivalCount.Population.EVERYONE_IN_SHELTER
MIGRANTS = ArrivalCount.Population.MIGRANTS
CENSUS_URL = "https://example.org/nyc-shelter-census"


@pytest.fixture
def new_york_city():
    return make_jurisdiction(
        name="New York City", state="NY", geoid="3651000", parent=make_state("NY", "New York")
    )


def in_shelter(place, *, population=MIGRANTS, as_of=dt.date(2024, 1, 7), value=63015, **more):
    """A count of people in shelter on one date."""
    return make_arrival_count(
        jurisdiction=place,
        measure=ArrivalCount.Measure.IN_SHELTER,
        period_type=ArrivalCount.PeriodType.POINT,
        period_start=None,
        as_of=as_of,
        value=value,
        population=population,
        **more,
    )


# Identity: importing both populations of one date and source keeps two figures.


def test_the_admin_import_keeps_everyone_and_asylum_seekers_of_one_date_as_two_figures(
    new_york_city,
):
    make_source(url=CENSUS_URL)
    header = (
        "jurisdiction,measure,unit,population,facility,sender,period_type,period_start,"
        "period_end,as_of,value,qualifier,source"
    )
    place = new_york_city.slug
    text = "\n".join(
        [
            header,
            f"{place},in_shelter,people,everyone_in_shelter,,,point,,,2024-01-07,85901,exact,"
            f"{CENSUS_URL}",
            f"{place},in_shelter,people,migrants,,,point,,,2024-01-07,63015,exact,{CENSUS_URL}",
        ]
    )

    report = csv_import(resource=ArrivalCountResource(), text=text)

    assert report.ok, [str(error) for error in report.errors]
    assert report.created == 2
    assert dict(ArrivalCount.objects.values_list("population", "value")) == {
        EVERYONE: 85901,
        MIGRANTS: 63015,
    }


def test_a_file_without_population_columns_still_imports_as_migrants(new_york_city):
    make_source(url=CENSUS_URL)
    text = (
        "jurisdiction,measure,unit,sender,period_type,period_start,period_end,as_of,value,"
        "qualifier,source\n"
        f"{new_york_city.slug},in_shelter,people,,point,,,2024-01-07,63015,exact,{CENSUS_URL}\n"
    )

    report = csv_import(resource=ArrivalCountResource(), text=text)

    assert report.ok and report.created == 1, [str(error) for error in report.errors]
    figure = ArrivalCount.objects.get()
    assert (figure.population, figure.facility) == (MIGRANTS, "")


def test_two_rows_of_one_population_facility_and_date_are_still_refused(new_york_city):
    make_source(url=CENSUS_URL)
    place = new_york_city.slug
    row = f"{place},in_shelter,people,migrants,HERRCs,,point,,,2024-01-07,5565,exact,{CENSUS_URL}"
    text = (
        "jurisdiction,measure,unit,population,facility,sender,period_type,period_start,"
        "period_end,as_of,value,qualifier,source\n"
    )
    text += f"{row}\n{row.replace('5565', '5600')}\n"

    report = csv_import(resource=ArrivalCountResource(), text=text)

    assert not report.ok
    assert "population, facility" in str(report.errors[0])
    assert not ArrivalCount.objects.exists()


def test_the_city_figures_importer_keeps_both_populations_of_one_date_and_source(new_york_city):
    make_source(url=CENSUS_URL)
    header = (
        "jurisdiction,as_of,metric,population,facility,value,counting_since,reported_by,"
        "source_url,note"
    )
    text = "\n".join(
        [
            header,
            f'"New York City, NY",2024-01-07,in_shelter,everyone_in_shelter,DHS shelters,85901,,'
            f"NYC DHS,{CENSUS_URL},everyone in DHS shelters",
            f'"New York City, NY",2024-01-07,asylum_seekers_in_shelter,migrants,,63015,,'
            f"NYC,{CENSUS_URL},asylum seekers in all agencies' shelters",
        ]
    )

    report = figures_import_city_reports(text=text)

    assert (report.created, report.refused, report.skipped) == (2, [], [])
    everyone = ArrivalCount.objects.get(population=EVERYONE)
    assert (everyone.value, everyone.facility) == (85901, "DHS shelters")
    assert ArrivalCount.objects.get(population=MIGRANTS).value == 63015


def test_the_city_figures_importer_refuses_a_population_it_does_not_know(new_york_city):
    make_source(url=CENSUS_URL)
    text = (
        "jurisdiction,as_of,metric,population,facility,value,counting_since,reported_by,"
        f'source_url,note\n"New York City, NY",2024-01-07,in_shelter,homeless,,85901,,NYC,'
        f"{CENSUS_URL},\n"
    )

    report = figures_import_city_reports(text=text)

    [skipped] = report.skipped
    assert skipped.field == "population" and "homeless" in skipped.message
    assert not ArrivalCount.objects.exists()


# Overlap: figures of different populations never describe the same people.


def test_figures_of_different_populations_are_not_overlapping_duplicates(new_york_city):
    everyone = in_shelter(new_york_city, population=EVERYONE, value=85901)
    migrants = in_shelter(new_york_city, value=63015)
    herrcs = in_shelter(new_york_city, value=5565, facility="HERRCs")
    dhs_migrants = in_shelter(new_york_city, value=31316, facility="DHS shelters")

    assert set(everyone.overlapping_figures()) == set()
    # The city's count of all migrants includes each facility's; two facilities do not overlap.
    assert set(migrants.overlapping_figures()) == {herrcs, dhs_migrants}
    assert set(herrcs.overlapping_figures()) == {migrants}


def test_an_import_flags_overlaps_by_the_same_rules(new_york_city):
    """The bulk import's file-wide overlap check (arrivals.services.FigureOverlaps) agrees with
    the admin form's: different populations and two facilities are not overlaps."""
    source = make_source(url=CENSUS_URL)
    in_shelter(new_york_city, population=EVERYONE, value=85901, source=source)
    in_shelter(new_york_city, value=5565, facility="HERRCs", source=source)
    header = (
        "jurisdiction,measure,unit,population,facility,sender,period_type,period_start,"
        "period_end,as_of,value,qualifier,source\n"
    )
    row = "ny-new-york-city,in_shelter,people,{},{},,point,,,2024-01-07,{},exact," + CENSUS_URL
    row += "\n"

    report = csv_import(
        resource=ArrivalCountResource(),
        text=header
        + row.format("migrants", "DHS shelters", 31316)  # another facility: no overlap
        + row.format("migrants", "", 63015),  # the whole city: overlaps both facilities
    )

    assert report.ok, report.errors
    assert len(report.warnings) == 1 and report.warnings[0].startswith("Row 2:")
    assert "overlaps 2 other figure(s)" in report.warnings[0]


def test_a_figure_file_in_another_layout_gets_one_sentence_only(new_york_city):
    report = csv_import(
        resource=ArrivalCountResource(), text="agency,month,people\nDHS,2024-01,85901\n"
    )

    assert [error.row for error in report.errors] == [0]
    assert str(report.errors[0]).startswith("This is not a file of arrival counts")


# Headline and latest figures: migrants only.


def test_the_latest_figure_of_a_place_is_never_an_everyone_in_shelter_figure(new_york_city):
    migrants = in_shelter(new_york_city, as_of=dt.date(2024, 1, 7), value=63015)
    in_shelter(new_york_city, population=EVERYONE, as_of=dt.date(2024, 2, 1), value=85901)
    today = timezone.localdate()

    live = comparison_rows(ids=[new_york_city.pk], day=today - dt.timedelta(days=1))
    refresh_summaries()
    summarised = comparison_rows(ids=[new_york_city.pk], day=today)

    assert [row.latest_figure for row in live] == [migrants]
    assert [row.latest_figure for row in summarised] == [migrants]


def test_a_place_whose_only_figures_count_everyone_has_no_latest_figure(new_york_city, client):
    in_shelter(new_york_city, population=EVERYONE, value=85901)
    refresh_summaries()

    [row] = comparison_rows(ids=[new_york_city.pk], day=timezone.localdate())
    assert row.latest_figure is None
    table = client.get(reverse("tracker:jurisdiction-list"), {"figures": "yes"})
    assert "New York City" not in table.content.decode()


def test_headline_figures_are_never_everyone_in_shelter_figures(new_york_city):
    migrants = make_arrival_count(jurisdiction=new_york_city, value=200000)
    make_arrival_count(
        jurisdiction=new_york_city, population=EVERYONE, value=900000, as_of=dt.date(2024, 1, 1)
    )

    assert headline_figures() == [migrants]


# Series and charts: one population per series, per line and per panel.


def test_a_chart_never_puts_two_populations_on_one_line(new_york_city):
    counts = [(dt.date(2024, 1, 7), 85901, 63015), (dt.date(2024, 2, 4), 86500, 64100)]
    for day, everyone, migrants in counts:
        in_shelter(new_york_city, population=EVERYONE, as_of=day, value=everyone)
        in_shelter(new_york_city, as_of=day, value=migrants)

    chart = arrival_chart(jurisdictions=[new_york_city], day=None, title="NYC")

    assert len(chart["series"]) == 2
    traces = chart["figure"]["data"]
    assert sorted(list(trace["y"]) for trace in traces) == [[63015, 64100], [85901, 86500]]
    assert len({trace["yaxis"] for trace in traces}) == 2  # nor on one axis
    notes = chart["figure"]["layout"]["annotations"]
    titles = [note["text"] for note in notes if note["name"] == "panel-title"]
    assert titles == [
        "In shelter — Everyone in shelter",
        "In shelter — Migrants and asylum seekers",
    ]


def test_a_place_page_shows_each_population_as_its_own_group_with_its_label(new_york_city, client):
    in_shelter(new_york_city, population=EVERYONE, value=85901, facility="DHS shelters")
    in_shelter(new_york_city, value=63015)

    groups = figure_groups(figures=list(ArrivalCount.objects.order_by("as_of")))
    address = new_york_city.get_absolute_url()
    page = client.get(address).content.decode()
    spanish = client.get(f"/es{address}").content.decode()

    assert sorted((g.population, g.latest.value) for g in groups) == [
        ("Everyone in shelter, DHS shelters", 85901),
        ("Migrants and asylum seekers", 63015),
    ]
    assert "Everyone in shelter, DHS shelters" in page
    assert "Migrants and asylum seekers" in page
    with translation.override("es"):
        assert str(ArrivalCount.Population.EVERYONE_IN_SHELTER.label) in spanish
        assert str(ArrivalCount.Population.MIGRANTS.label) in spanish


def test_the_summary_card_shows_only_migrant_figures(new_york_city, client):
    in_shelter(new_york_city, population=EVERYONE, value=85901)
    in_shelter(new_york_city, value=63015)

    card = client.get(reverse("embed:jurisdiction-card", args=[new_york_city.slug]))

    assert "63,015" in card.content.decode()
    assert "85,901" not in card.content.decode()


def test_downloads_say_which_population_each_figure_counts(new_york_city, client):
    in_shelter(new_york_city, population=EVERYONE, value=85901, facility="DHS shelters")
    in_shelter(new_york_city, value=63015)

    response = client.get(
        reverse("tracker:jurisdiction-figures-download", args=[new_york_city.slug, "csv"])
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))

    assert sorted((r["population"], r["facility"], r["value"]) for r in rows) == [
        ("everyone_in_shelter", "DHS shelters", "85901"),
        ("migrants", "", "63015"),
    ]


def test_the_admin_export_has_population_and_facility_and_reimports_unchanged(new_york_city):
    in_shelter(new_york_city, population=EVERYONE, value=85901, facility="DHS shelters")
    in_shelter(new_york_city, value=63015)

    exported = ArrivalCountResource().export().csv
    report = csv_import(resource=ArrivalCountResource(), text=exported)

    assert "population" in exported.splitlines()[0] and "facility" in exported.splitlines()[0]
    assert report.ok and (report.created, report.updated) == (0, 0)
    assert ArrivalCount.objects.count() == 2


def test_an_import_reads_only_the_recorded_figures_its_rows_name(new_york_city):
    """The whole-file key lookup once matched every dated figure of each place in the file
    (an `as_of IS NOT NULL` clause): at 50,000 rows it read 800,000 figures."""
    from django.db.models.signals import post_init

    source = make_source(url=CENSUS_URL)
    for day in range(1, 29):
        in_shelter(new_york_city, as_of=dt.date(2023, 2, day), value=day, source=source)
    header = (
        "jurisdiction,measure,unit,sender,period_type,period_start,period_end,as_of,value,"
        "qualifier,source\n"
    )
    text = header + f"ny-new-york-city,in_shelter,people,,point,,,2023-02-03,3,exact,{CENSUS_URL}\n"
    read = []

    def count(sender, instance, **kwargs):
        read.append(instance)

    post_init.connect(count, sender=ArrivalCount)
    try:
        report = csv_import(resource=ArrivalCountResource(), text=text, dry_run=True)
    finally:
        post_init.disconnect(count, sender=ArrivalCount)

    assert report.ok and report.created == 0  # the row is its recorded figure
    assert len(read) <= 3, f"{len(read)} figures read for a one-row file"
