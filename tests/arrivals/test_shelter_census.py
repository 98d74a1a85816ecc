"""A city's shelter census (date, facility, count): each shelter's count kept unpublished, each
day's total over the listed shelters published and noted as a sum; a bad file saves nothing."""

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from arrivals.importers.shelter_census import figures_import_shelter_census
from arrivals.models import ArrivalCount
from policies.models import ImportJob
from tests.factories import make_jurisdiction, make_source

pytestmark = pytest.mark.django_db

CENSUS = (
    "date,facility,count,capacity\n"
    "2024-01-10,Shelter A,500,600\n"
    "2024-01-10,Shelter B,700,800\n"
    "2024-01-10,Shelter C,1,10\n"
    "2024-01-11,Shelter A,520,600\n"
    "2024-01-11,Shelter B,690,800\n"
)


@pytest.fixture
def chicago():
    return make_jurisdiction(name="Chicago")


@pytest.fixture
def census_source():
    return make_source(publisher="City of Chicago", url="https://example.org/shelter-census")


def test_each_shelter_is_kept_and_each_days_total_is_published_as_a_sum(chicago, census_source):
    report = figures_import_shelter_census(text=CENSUS, place=chicago, source=census_source)

    assert (report.created, report.refused) == (7, [])
    totals = ArrivalCount.objects.filter(facility="").order_by("as_of")
    assert [(str(t.as_of), t.value, t.published) for t in totals] == [
        ("2024-01-10", 1201, True),
        ("2024-01-11", 1210, True),
    ]
    assert totals[0].notes.startswith("Sum of the counts of the 3 shelters the census lists")
    assert totals[0].measure == ArrivalCount.Measure.IN_SHELTER
    assert totals[0].reported_by == "City of Chicago"
    shelters = ArrivalCount.objects.exclude(facility="")
    assert shelters.count() == 5 and not shelters.filter(published=True).exists()
    assert shelters.get(facility="Shelter B", as_of="2024-01-11").value == 690

    again = figures_import_shelter_census(text=CENSUS, place=chicago, source=census_source)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ("2024-01-11,Shelter C,many", "row 6 (line 7), field 'count': 'many' is not a whole"),
        ("2024-01,Shelter C,5", "row 6 (line 7), field 'date': '2024-01' is not a day"),
        ("2024-01-11,,5", "row 6 (line 7), field 'facility': The facility is empty."),
        ("2024-01-11,Shelter A,7", "row 6 (line 7): row 4 has the same place, measure"),
    ],
)
def test_a_bad_row_refuses_the_whole_census(chicago, census_source, bad_row, message):
    report = figures_import_shelter_census(
        text=CENSUS + bad_row + "\n", place=chicago, source=census_source
    )

    assert any(str(problem).startswith(message) for problem in report.refused), report.refused
    assert report.created == 0
    assert not ArrivalCount.objects.exists()


def test_one_shelter_named_in_another_case_on_one_day_is_refused_not_counted_twice(
    chicago, census_source
):
    report = figures_import_shelter_census(
        text=CENSUS + "2024-01-11,SHELTER  a,520,600\n", place=chicago, source=census_source
    )

    assert str(report).startswith("nothing was imported: row 6 (line 7): row 4 has the same")
    assert not ArrivalCount.objects.exists()


def test_a_shelter_keeps_one_name_whatever_its_case_and_spacing(chicago, census_source):
    figures_import_shelter_census(text=CENSUS, place=chicago, source=census_source)
    later = "date,facility,count\n2024-01-12,shelter a ,530\n2024-01-12, SHELTER B,700\n"

    report = figures_import_shelter_census(text=later, place=chicago, source=census_source)

    assert (report.created, report.refused) == (3, [])  # two shelters and the day's total
    facilities = ArrivalCount.objects.exclude(facility="").values_list("facility", flat=True)
    assert sorted(set(facilities)) == ["Shelter A", "Shelter B", "Shelter C"]
    assert ArrivalCount.objects.get(facility="", as_of="2024-01-12").value == 1230


def test_the_spelling_recorded_first_is_kept(chicago, census_source):
    figures_import_shelter_census(text=CENSUS, place=chicago, source=census_source)
    ArrivalCount.objects.filter(facility="Shelter B").update(facility="SHELTER A")  # newer
    later = "date,facility,count\n2024-01-10,shelter a,505\n"

    figures_import_shelter_census(text=later, place=chicago, source=census_source)

    assert ArrivalCount.objects.get(facility="Shelter A", as_of="2024-01-10").value == 505


def test_a_file_that_is_not_a_census_gets_one_sentence(chicago, census_source):
    report = figures_import_shelter_census(
        text="agency,month,people\nDHS,2024-01,85901\n", place=chicago, source=census_source
    )

    assert [str(problem) for problem in report.refused] == [
        "This is not a shelter census: it has the columns agency, month, people and a census "
        "needs date, facility, count (missing: date, facility, count)."
    ]


def test_the_command_checks_then_records(chicago, census_source, tmp_path):
    file = tmp_path / "census.csv"
    file.write_text(CENSUS)
    out = io.StringIO()
    arguments = ["import_shelter_census", str(file), "--place", chicago.slug]

    call_command(*arguments, "--source", census_source.url, "--dry-run", stdout=out)
    assert not ArrivalCount.objects.exists()
    call_command(*arguments, "--source", census_source.url, stdout=out)
    assert ArrivalCount.objects.count() == 7
    with pytest.raises(CommandError, match="No source with URL"):
        call_command(*arguments, "--source", "https://example.org/unknown", stdout=out)


def test_staff_upload_a_census_in_the_admin_and_confirm_it(editor_client, chicago, census_source):
    response = editor_client.post(
        reverse("admin:arrivals_arrivalcount_import_shelter_census"),
        {
            "import_file": SimpleUploadedFile("census.csv", CENSUS.encode(), "text/csv"),
            "place": chicago.slug,
            "source": census_source.url,
            "population": "everyone_in_shelter",
        },
        follow=True,
    )

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CHECKED and job.model == "arrivals.arrivalcount"
    assert "7 new, 0 updated, 0 unchanged figures would be recorded" in html.unescape(
        response.content.decode()
    )
    assert not ArrivalCount.objects.exists()

    editor_client.post(reverse("admin:policies_importjob_change", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    assert set(ArrivalCount.objects.values_list("population", flat=True)) == {"everyone_in_shelter"}
