"""ICE's list of pending 287(g) agreements: recorded as proposed agreements, never as in
force; ended when a newer list drops them or the participating sheet lists them as signed."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from policies.csv_import import read_csv_rows
from policies.importers.ice_287g import ICE_287G_URL, agreements_import_ice_287g
from policies.importers.ice_287g_pending import agreements_import_ice_287g_pending
from policies.models import ImportJob, Jurisdiction, Policy
from policies.summaries import refresh_summaries
from tests.factories import make_jurisdiction, make_state
from tests.policies.test_ice_287g_import import HEADER as PARTICIPATING_HEADER
from tests.policies.test_import_jobs import confirm, page_text, upload

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"
PENDING_LIST = REFERENCE / "ice_287g_pending_2025-05-15.csv"
ARCHIVE_URL = (
    "https://github.com/appelson/Tracking_287g/blob/9a0dbc36a6c42dddfc55808436eaba2e19a85c88/"
    "results/results_20250517_041611/pendingAgencies05152025am.csv"
)
MAY_15 = dt.date(2025, 5, 15)


@pytest.fixture
def alabama():
    state = make_state("AL", "Alabama")
    for county in ("Houston County", "Limestone County"):
        make_jurisdiction(name=county, state="AL", kind=Jurisdiction.Kind.COUNTY, parent=state)
    return state


def alabama_rows() -> list[dict[str, str]]:
    """The real list's Alabama rows: two sheriffs and a city's police."""
    return [row for row in read_csv_rows(PENDING_LIST.read_text()) if row["STATE"] == "ALABAMA"]


def import_pending(rows, sheet_date=MAY_15, **options):
    return agreements_import_ice_287g_pending(
        rows=rows, sheet_date=sheet_date, source_url=ARCHIVE_URL, **options
    )


def test_the_list_is_recorded_as_proposed_agreements_that_are_not_in_force(alabama):
    report = import_pending(alabama_rows())

    assert (report.created, report.problems, report.refused) == (3, [], "")
    pending = Policy.objects.get(agency="Houston County Sheriff's Office")
    assert pending.status == Policy.Status.PROPOSED
    assert pending.jurisdiction.name == "Houston County"
    assert pending.agreement_model == Policy.AgreementModel.JAIL_ENFORCEMENT
    model = "jail enforcement model"
    assert pending.title == f"Pending 287(g) agreement, {model}: Houston County Sheriff's Office"
    assert "not signed and not in force" in pending.summary
    assert pending.sources.get().url == ARCHIVE_URL
    assert Jurisdiction.objects.get(name="Level Plains").kind == Jurisdiction.Kind.CITY
    refresh_summaries()
    assert pending.jurisdiction.summary.agreement_models == ","  # no agreement in force

    again = import_pending(alabama_rows())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_newer_list_ends_the_pending_agreements_it_no_longer_names(alabama):
    import_pending(alabama_rows())
    newer = [row for row in alabama_rows() if "Houston" not in row["LAW ENFORCEMENT AGENCY"]]

    report = import_pending(newer, sheet_date=dt.date(2025, 6, 1))

    assert report.ending == ["Houston County Sheriff's Office, Houston County, AL"]
    houston = Policy.objects.get(agency="Houston County Sheriff's Office")
    assert (houston.status, houston.ended_on) == (Policy.Status.EXPIRED, dt.date(2025, 6, 1))
    assert Policy.objects.filter(status=Policy.Status.PROPOSED).count() == 2


def test_the_participating_sheet_ends_a_pending_agreement_once_it_is_signed(alabama):
    import_pending(alabama_rows())
    signed = read_csv_rows(
        f"{PARTICIPATING_HEADER}\n"
        "ALABAMA,Level Plains Police Department,Municipality,#N/A,Task Force Model,2025-06-18,"
        "link pending,,\n"
    )

    report = agreements_import_ice_287g(rows=signed, sheet_date=dt.date(2025, 7, 18))

    assert report.pending_signed == ["Level Plains Police Department, Level Plains, AL"]
    level_plains = Policy.objects.filter(agency="Level Plains Police Department")
    assert sorted(level_plains.values_list("status", "ended_on")) == [
        (Policy.Status.IN_EFFECT, None),
        (Policy.Status.SUPERSEDED, dt.date(2025, 7, 18)),
    ]


@pytest.mark.parametrize(
    ("text", "source_url", "message"),
    [
        (
            f"{PARTICIPATING_HEADER}\nALABAMA,Houston County Sheriff's Office,County,Houston "
            "County,Task Force Model,2025-06-18,,,\n",
            ARCHIVE_URL,
            "This sheet has a SIGNED column: it is ICE's sheet of participating agencies",
        ),
        ("agency,model\nHouston,JEM\n", ARCHIVE_URL, "This is not ICE's list of pending 287(g)"),
        (PENDING_LIST.read_text(), ICE_287G_URL, "where ICE's participating sheets are cited"),
    ],
)
def test_a_file_that_is_not_a_pending_list_records_nothing(alabama, text, source_url, message):
    report = agreements_import_ice_287g_pending(
        rows=read_csv_rows(text), sheet_date=MAY_15, source_url=source_url
    )

    assert report.refused.startswith(message) or message in report.refused
    assert not Policy.objects.exists()


def test_an_older_list_than_one_recorded_is_refused(alabama):
    import_pending(alabama_rows(), sheet_date=dt.date(2025, 6, 1))

    report = import_pending(alabama_rows())

    assert report.refused.startswith("ICE's pending sheet of 2025-06-01 is newer")
    assert not Policy.objects.filter(sources__published_on=MAY_15).exists()


def test_the_participating_importer_still_refuses_the_real_pending_list(alabama):
    report = agreements_import_ice_287g(
        rows=read_csv_rows(PENDING_LIST.read_text()), sheet_date=MAY_15
    )

    assert "may be ICE's list of pending agreements" in str(report.problems[0])
    assert not Policy.objects.exists()


def test_the_command_checks_then_records(alabama, tmp_path):
    arguments = ["import_ice_287g_pending", str(PENDING_LIST), "--sheet-date", "2025-05-15"]
    out = io.StringIO()

    with pytest.raises(CommandError, match="where ICE's participating sheets are cited"):
        call_command(*arguments, "--source-url", ICE_287G_URL, stdout=out)
    call_command(*arguments, "--source-url", ARCHIVE_URL, "--dry-run", stdout=out)
    assert not Policy.objects.exists()
    call_command(*arguments, "--source-url", ARCHIVE_URL, stdout=out)

    # Only Alabama's places exist here: the other states' rows are skipped and reported.
    assert Policy.objects.filter(status=Policy.Status.PROPOSED).count() == 3
    assert "3 new" in out.getvalue()
    assert "row 4 (line 5), field 'STATE': Arizona is not recorded; load the Census" in (
        out.getvalue()
    )


def test_staff_upload_the_list_in_the_admin_and_confirm_it(editor_client, alabama):
    text = "\n".join(PENDING_LIST.read_text().splitlines()[:4]) + "\n"

    checked = upload(
        editor_client,
        "admin:policies_policy_import_ice_287g_pending",
        text,
        name="pendingAgencies.csv",
        sheet_date="2025-05-15",
        source_url=ARCHIVE_URL,
    )

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CHECKED
    assert "3 new" in page_text(checked)
    assert not Policy.objects.exists()
    confirm(editor_client, job)
    assert Policy.objects.filter(status=Policy.Status.PROPOSED).count() == 3
