import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command

from policies.csv_import import read_csv_rows
from policies.importers.ice_287g import agreements_import_ice_287g, parse_ice_date
from policies.models import Jurisdiction, Policy, Source
from tests.factories import make_jurisdiction, make_state

pytestmark = pytest.mark.django_db

HEADER = "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED,MOA,ADDENDUM,MOA_URL"
COLBERT_TFM = (
    "ALABAMA,Colbert County Sheriff's Office,County,Colbert County,Task Force Model,2025-07-02,"
    "link pending,,"
)
COLBERT_JEM = (
    "ALABAMA,Colbert County Sheriff's Office,County,Colbert County,Jail Enforcement Model,"
    "2025-05-08,link,,https://www.ice.gov/doclib/287gMOA/ColbertJEM.pdf"
)
LEVEL_PLAINS = (
    "ALABAMA,Level Plains Police Department,Municipality,#N/A,Task Force Model,2025-06-18,"
    "link pending,,"
)
STATE_AGENCY = (
    "ALABAMA,Alabama Department of Corrections,State Agency,#N/A,Warrant Service Officer,"
    "2020-07-24,link,,"
)
TYPO_DATE = (
    "ALABAMA,Colbert County Sheriff's Office,County,Colbert County,Warrant Service Officer,"
    "7/72025,link pending,,"
)
UNKNOWN_COUNTY = (
    "ALABAMA,Nowhere County Sheriff's Office,County,Nowhere County,Task Force Model,2025-07-01,"
    "link pending,,"
)


@pytest.fixture
def alabama():
    state = make_state("AL", "Alabama")
    make_jurisdiction(name="Colbert County", state="AL", kind="county", parent=state)
    return state


def sheet(*rows: str) -> list[dict[str, str]]:
    return read_csv_rows("\n".join([HEADER, *rows]) + "\n")


def test_each_row_becomes_an_agreement_of_the_right_jurisdiction(alabama):
    report = agreements_import_ice_287g(
        rows=sheet(COLBERT_TFM, COLBERT_JEM, LEVEL_PLAINS, STATE_AGENCY),
        sheet_date=dt.date(2025, 7, 18),
    )

    assert (report.created, report.problems, report.warnings) == (4, [], [])
    colbert = Jurisdiction.objects.get(name="Colbert County")
    assert sorted(colbert.policies.values_list("agreement_model", flat=True)) == [
        "jail_enforcement",
        "task_force",
    ]
    jem = colbert.policies.get(agreement_model="jail_enforcement")
    assert (jem.signed_on, jem.document_url) == (
        dt.date(2025, 5, 8),
        "https://www.ice.gov/doclib/287gMOA/ColbertJEM.pdf",
    )
    assert jem.direction == Policy.Direction.EXPANDS and jem.published
    assert jem.is_in_effect_on(dt.date(2025, 7, 18))
    [source] = jem.sources.all()
    assert (source.publisher, source.published_on) == (
        "U.S. Immigration and Customs Enforcement",
        dt.date(2025, 7, 18),
    )
    level_plains = Jurisdiction.objects.get(name="Level Plains")
    assert (level_plains.kind, level_plains.parent) == ("city", alabama)
    assert report.places_created == ["Level Plains, AL"]
    assert alabama.policies.get().agency == "Alabama Department of Corrections"


def test_reimporting_the_same_sheet_changes_nothing(alabama):
    rows = sheet(COLBERT_TFM, COLBERT_JEM, LEVEL_PLAINS)
    agreements_import_ice_287g(rows=rows, sheet_date=dt.date(2025, 7, 18))
    snapshot = list(Policy.objects.order_by("pk").values())
    history = Policy.history.count()

    report = agreements_import_ice_287g(rows=rows, sheet_date=dt.date(2025, 7, 18))

    assert (report.created, report.updated, report.unchanged, report.ended) == (0, 0, 3, 0)
    assert list(Policy.objects.order_by("pk").values()) == snapshot
    assert Policy.history.count() == history
    assert Jurisdiction.objects.filter(name="Level Plains").count() == 1
    assert Source.objects.count() == 1


def test_a_newer_sheet_adds_new_agreements_and_ends_those_no_longer_listed(alabama):
    agreements_import_ice_287g(
        rows=sheet(COLBERT_TFM, COLBERT_JEM), sheet_date=dt.date(2025, 7, 18)
    )

    report = agreements_import_ice_287g(
        rows=sheet(COLBERT_JEM, STATE_AGENCY),
        sheet_date=dt.date(2025, 9, 1),
        confirm_ending=True,  # one of two agreements in force ends
    )

    assert (report.created, report.unchanged, report.ended) == (1, 1, 1)
    assert report.ending == ["Colbert County Sheriff's Office, Colbert County, AL (task force)"]
    ended = Policy.objects.get(agreement_model="task_force")
    assert (ended.status, ended.ended_on) == (Policy.Status.EXPIRED, dt.date(2025, 9, 1))
    assert not ended.is_in_effect_on(dt.date(2025, 9, 2))
    assert ended.is_in_effect_on(dt.date(2025, 8, 31))
    assert ended.sources.count() == 2  # both sheets are cited
    assert ended.history.latest().history_change_reason == "Not on ICE 287(g) sheet of 2025-09-01"


def test_a_sheet_that_would_end_many_agreements_records_nothing_until_confirmed(alabama):
    agreements_import_ice_287g(
        rows=sheet(COLBERT_TFM, COLBERT_JEM, LEVEL_PLAINS, STATE_AGENCY),
        sheet_date=dt.date(2025, 7, 18),
    )
    before = list(Policy.objects.order_by("pk").values())
    partial = sheet(COLBERT_JEM)  # a download cut short, say

    preview = agreements_import_ice_287g(rows=partial, sheet_date=dt.date(2025, 9, 1), dry_run=True)
    refused = agreements_import_ice_287g(rows=partial, sheet_date=dt.date(2025, 9, 1))

    for report in (preview, refused):
        assert report.ended == 3 and len(report.ending) == 3
        assert "Level Plains Police Department, Level Plains, AL (task force)" in report.ending
        assert report.refused.startswith("This sheet would end 3 of the 4 agreements in force")
    assert list(Policy.objects.order_by("pk").values()) == before
    assert Source.objects.count() == 1  # the refused sheet is not cited either

    confirmed = agreements_import_ice_287g(
        rows=partial, sheet_date=dt.date(2025, 9, 1), confirm_ending=True
    )
    assert (confirmed.ended, confirmed.refused) == (3, "")
    assert Policy.objects.filter(status=Policy.Status.IN_EFFECT).count() == 1


def test_an_older_sheet_imported_late_only_adds_history(alabama):
    agreements_import_ice_287g(rows=sheet(COLBERT_TFM), sheet_date=dt.date(2025, 9, 1))
    current = Policy.objects.get()
    report = agreements_import_ice_287g(
        rows=sheet(COLBERT_TFM, COLBERT_JEM), sheet_date=dt.date(2025, 7, 18)
    )
    assert report.ended == 0
    assert "newer and already recorded" in report.warnings[-1].message
    current.refresh_from_db()
    assert (current.status, current.first_listed_on) == (
        Policy.Status.IN_EFFECT,
        dt.date(2025, 7, 18),
    )
    # Listed then, not on the newer sheet: it had ended by that sheet's date.
    older = Policy.objects.get(agreement_model="jail_enforcement")
    assert (older.status, older.ended_on) == (Policy.Status.EXPIRED, dt.date(2025, 9, 1))
    assert older.is_in_effect_on(dt.date(2025, 8, 31))
    assert not older.is_in_effect_on(dt.date(2025, 9, 1))


def test_a_renamed_agency_keeps_its_agreement(alabama):
    agreements_import_ice_287g(rows=sheet(COLBERT_TFM), sheet_date=dt.date(2025, 7, 18))
    agreement = Policy.objects.get()
    renamed = COLBERT_TFM.replace("Colbert County Sheriff's Office", "Colbert County Sheriff")
    report = agreements_import_ice_287g(rows=sheet(renamed), sheet_date=dt.date(2025, 9, 1))

    assert (report.created, report.ended, len(report.renamed)) == (0, 0, 1)
    agreement.refresh_from_db()
    assert agreement.agency == "Colbert County Sheriff"
    assert agreement.status == Policy.Status.IN_EFFECT
    assert agreement.history.latest().history_change_reason.startswith("Renamed on")


def test_ice_typos_are_reported_per_row_without_stopping_the_rest(alabama):
    report = agreements_import_ice_287g(
        rows=sheet(COLBERT_TFM, TYPO_DATE, UNKNOWN_COUNTY, LEVEL_PLAINS),
        sheet_date=dt.date(2025, 7, 18),
    )

    assert report.created == 3
    [warning] = report.warnings
    assert (warning.row, warning.field) == (2, "SIGNED")
    assert "'7/72025' is not a valid date" in warning.message
    [problem] = report.problems
    assert (problem.row, problem.field) == (3, "COUNTY")
    assert str(problem) == "row 3 (line 4), field 'COUNTY': No county 'Nowhere County' in AL."
    assert Policy.objects.get(agreement_model="warrant_service").signed_on is None


def test_misspelled_counties_are_matched_to_the_closest_name_with_a_warning():
    state = make_state("MI", "Michigan")
    make_jurisdiction(name="Berrien County", state="MI", kind="county", parent=state)
    row = (
        "MICHIGAN,Berrian County Sheriff's Office,County,Berrian County,Warrant Service Officer,"
        "2025-05-06,link,,"
    )
    report = agreements_import_ice_287g(rows=sheet(row), sheet_date=dt.date(2025, 7, 18))
    assert report.created == 1
    assert "'Berrian County' read as Berrien County" in report.warnings[0].message


def test_a_file_that_is_not_an_ice_sheet_is_refused_whole(alabama):
    rows = read_csv_rows("name,value\nChicago,5\n")
    report = agreements_import_ice_287g(rows=rows, sheet_date=dt.date(2025, 7, 18))
    assert report.created == 0
    assert "missing columns STATE" in report.problems[0].message


def test_dry_run_saves_nothing(alabama):
    report = agreements_import_ice_287g(
        rows=sheet(COLBERT_TFM, LEVEL_PLAINS), sheet_date=dt.date(2025, 7, 18), dry_run=True
    )
    assert report.created == 2
    assert Policy.objects.count() == 0
    assert not Jurisdiction.objects.filter(name="Level Plains").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2025-07-02", dt.date(2025, 7, 2)), ("7/2/2025", dt.date(2025, 7, 2))],
)
def test_ice_dates_in_iso_and_us_form_are_read(text, expected):
    assert parse_ice_date(text) == expected


@pytest.mark.parametrize("text", ["5025-07-07", "7/72025", "05/082025", "", "link"])
def test_ice_date_typos_are_refused(text):
    with pytest.raises(ValueError):
        parse_ice_date(text)


def test_management_command_imports_a_sheet_file(alabama, tmp_path, capsys):
    path = tmp_path / "sheet.csv"
    path.write_text("\n".join([HEADER, COLBERT_TFM, TYPO_DATE]) + "\n")

    call_command("import_ice_287g", str(path), "--sheet-date", "2025-07-18")

    out = capsys.readouterr().out
    assert "2 new" in out
    assert "row 2 (line 3), field 'SIGNED'" in out
    assert Policy.objects.count() == 2


def test_a_corrected_sheet_of_the_same_date_that_drops_an_agency_is_recorded(alabama):
    """Its source is already cited by the agreement it ends: the link stays, as add() left it
    (the bulk write raised an IntegrityError)."""
    day = dt.date(2025, 7, 18)
    agreements_import_ice_287g(rows=sheet(COLBERT_TFM, COLBERT_JEM), sheet_date=day)

    corrected = sheet(COLBERT_JEM)
    report = agreements_import_ice_287g(rows=corrected, sheet_date=day, confirm_ending=True)

    assert report.ended == 1
    ended = Policy.objects.get(agreement_model="task_force")
    assert ended.status == Policy.Status.EXPIRED and ended.sources.count() == 1


def test_the_sheet_reports_each_row_it_reads(alabama):
    """The import job's progress bar follows an ICE sheet too."""
    read = []

    agreements_import_ice_287g(
        rows=sheet(COLBERT_TFM, COLBERT_JEM, UNKNOWN_COUNTY),
        sheet_date=dt.date(2025, 7, 18),
        dry_run=True,
        progress=read.append,
    )

    assert read == [1, 2, 3]


def test_a_row_of_a_state_not_loaded_is_reported_not_raised(alabama):
    georgia = "GEORGIA,Floyd County Sheriff's Office,County,Floyd County,Jail Enforcement Model,"
    report = agreements_import_ice_287g(
        rows=sheet(COLBERT_TFM, georgia + "2020-06-10,link,,"), sheet_date=dt.date(2025, 7, 18)
    )

    assert report.created == 1
    [problem] = report.problems
    assert str(problem) == (
        "row 2 (line 3), field 'STATE': Georgia is not recorded; load the Census places first."
    )


def test_ices_real_pending_list_is_refused_as_such(alabama):
    pending = Path(__file__).resolve().parents[2] / "data/reference/ice_287g_pending_2025-05-15.csv"

    report = agreements_import_ice_287g(
        rows=read_csv_rows(pending.read_text(encoding="utf-8")), sheet_date=dt.date(2025, 5, 15)
    )

    assert "it may be ICE's list of pending agreements" in str(report.problems[0])
    assert not Policy.objects.exists()
