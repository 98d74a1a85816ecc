"""The arrival-figure importers (NYC's shelter reports, Texas's busing totals, city pages):
a file with two rows for one figure is refused whole."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrivals.importers.nyc_shelter import NYC_ASYLUM_AGENCY, figures_import_nyc_shelter
from arrivals.models import ArrivalCount
from tests.factories import make_jurisdiction, make_source, make_state

pytestmark = pytest.mark.django_db

HEADER = "agency_abb,date,count,table,root"


@pytest.fixture
def new_york_city():
    return make_jurisdiction(
        name="New York", state="NY", geoid="3651000", parent=make_state("NY", "New York")
    )


def census(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def test_two_rows_for_one_month_are_refused_and_nothing_is_saved(new_york_city):
    text = census(
        f"{NYC_ASYLUM_AGENCY},2024-02-01,58000,number of unduplicated individuals,ll37 historical",
        f"{NYC_ASYLUM_AGENCY},2024-03-01,60000,number of unduplicated individuals,ll37 historical",
        "dhs,2024-03-01,100000,number of unduplicated individuals,ll37 historical",
        f"{NYC_ASYLUM_AGENCY},2024-03-01,61234,number of unduplicated individuals,ll79 new report",
    )

    report = figures_import_nyc_shelter(text=text)

    [refused] = report.refused
    assert refused.row == 4 and "row 2 has the same place, measure" in refused.message
    assert str(report).startswith("nothing was imported: row 4 (line 5): row 2 has the same")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert not ArrivalCount.objects.exists()


def test_a_file_without_repeated_rows_is_imported(new_york_city):
    text = census(
        f"{NYC_ASYLUM_AGENCY},2024-02-01,58000,number of unduplicated individuals,ll37 historical",
        f"{NYC_ASYLUM_AGENCY},2024-03-01,60000,number of unduplicated individuals,ll37 historical",
    )

    report = figures_import_nyc_shelter(text=text)

    assert (report.created, report.refused) == (2, [])
    assert sorted(ArrivalCount.objects.values_list("value", flat=True)) == [58000, 60000]


def test_the_import_csv_command_saves_a_good_file_and_nothing_of_a_bad_one(tmp_path):
    make_jurisdiction(name="Chicago")
    source = make_source(url="https://example.org/oemc")
    header = (
        "jurisdiction,measure,unit,period_type,period_start,period_end,as_of,value,qualifier,"
        "sender,program,reported_by,source,notes,published\n"
    )
    row = "il-chicago,new_arrivals,people,cumulative,2022-08-31,,{},{},exact,,,,{},,true\n"
    good = tmp_path / "good.csv"
    good.write_text(header + row.format("2023-11-01", "20000", source.url))
    bad = tmp_path / "bad.csv"
    bad.write_text(
        header
        + row.format("2024-01-01", "30000", source.url)
        + row.format("2024-03-12", "many", source.url)
    )
    out = io.StringIO()

    call_command("import_csv", "figures", str(good), stdout=out)
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_csv", "figures", str(bad), stdout=out)

    assert "1 new, 0 updated, 0 unchanged rows were imported." in out.getvalue()
    assert "row 2 (line 3), field 'value': 'many' is not a whole number." in out.getvalue()
    assert list(ArrivalCount.objects.values_list("value", flat=True)) == [20000]
