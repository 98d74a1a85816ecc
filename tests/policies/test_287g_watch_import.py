"""The 287g-watch archive of ICE's older sheets, imported behind ICE's newer sheet."""

import datetime as dt

import pytest

from policies.csv_import import read_csv_rows
from policies.importers.ice_287g import agreements_import_ice_287g
from policies.importers.watch_287g import agreements_import_287g_watch
from policies.models import Policy
from tests.factories import make_jurisdiction, make_state
from tracker.selectors import agreement_totals, ice_sheet_dates

pytestmark = pytest.mark.django_db

ICE_SHEET = """STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED
ALABAMA,Colbert County Sheriff's Office,County,Colbert County,Task Force Model,2025-07-02
ALABAMA,Colbert County Sheriff's Office,County,Colbert County,Jail Enforcement Model,
"""
HEADER = (
    "date,state,county,zip,agency,agency_id,ori,type,population_policed,operating_budget,"
    "agency_type"
)


def archived(when: str, agency: str, model: str) -> str:
    return f"{when},ALABAMA,Colbert County,1,{agency},1,AL0200000,{model},1,1,(001) Sheriff"


ARCHIVE = "\n".join(
    [
        HEADER,
        # The jail model under its archived (lowercased, shorter) name, from May 16.
        archived("2025-05-16 am", "colbert county sheriff", "Jail Enforcement Model"),
        archived("2025-06-04 am", "colbert county sheriff", "Jail Enforcement Model"),
        # The same agency under an older name, known by its ORI.
        archived("2025-05-16 am", "colbert co sheriffs dept", "Warrant Service Officer"),
        archived("2025-06-04 pm", "colbert county sheriff", "Warrant Service Officer"),
        "",
    ]
)


@pytest.fixture
def colbert():
    state = make_state("AL", "Alabama")
    return make_jurisdiction(name="Colbert County", state="AL", kind="county", parent=state)


def test_the_archive_adds_history_behind_the_newer_ice_sheet(colbert):
    agreements_import_ice_287g(rows=read_csv_rows(ICE_SHEET), sheet_date=dt.date(2025, 7, 18))
    report = agreements_import_287g_watch(text=ARCHIVE)
    assert report.problems == []

    jail = Policy.objects.get(agreement_model="jail_enforcement")
    assert jail.agency == "Colbert County Sheriff's Office"  # ICE's spelling is kept
    assert (jail.first_listed_on, jail.agency_ori) == (dt.date(2025, 5, 16), "AL0200000")
    assert jail.is_in_effect_on(dt.date(2025, 5, 16))  # no signing date: listed then

    # One agreement under two names, no longer on ICE's newer sheet: ended by its date.
    [warrant] = Policy.objects.filter(agreement_model="warrant_service")
    assert (warrant.status, warrant.first_listed_on) == ("expired", dt.date(2025, 5, 16))
    assert warrant.ended_on == dt.date(2025, 7, 18)
    assert not warrant.is_in_effect_on(dt.date(2025, 7, 18))

    assert ice_sheet_dates() == [dt.date(2025, 5, 16), dt.date(2025, 6, 4), dt.date(2025, 7, 18)]
    assert agreement_totals(day=dt.date(2025, 5, 1))["total"] == 0
    assert agreement_totals(day=dt.date(2025, 6, 4))["total"] == 2
    assert agreement_totals(day=dt.date(2025, 7, 18))["total"] == 2  # task force and jail

    again = agreements_import_287g_watch(text=ARCHIVE)
    assert (again.updated, again.added) == (0, 0)


def test_an_unreadable_archive_records_nothing(colbert):
    report = agreements_import_287g_watch(text="date,state\n2025-05-16 am,ALABAMA\n")
    assert "missing columns" in report.problems[0].message
    assert not Policy.objects.exists()


def test_the_archive_then_ices_newer_sheet_give_the_same_history(colbert):
    agreements_import_287g_watch(text=ARCHIVE)
    report = agreements_import_ice_287g(
        rows=read_csv_rows(ICE_SHEET),
        sheet_date=dt.date(2025, 7, 18),
        confirm_ending=True,  # one of the two agreements in force ends
    )
    # The jail model continues under ICE's spelling; the warrant-service one had ended.
    assert len(report.renamed) == 1 and report.ended == 1
    jail = Policy.objects.get(agreement_model="jail_enforcement")
    assert jail.agency == "Colbert County Sheriff's Office"
    assert jail.first_listed_on == dt.date(2025, 5, 16)
    [warrant] = Policy.objects.filter(agreement_model="warrant_service")
    assert (warrant.status, warrant.ended_on) == ("expired", dt.date(2025, 7, 18))
    assert agreement_totals(day=dt.date(2025, 7, 18))["total"] == 2
