"""Imports in the admin: an upload becomes an ImportJob, checked by a background task, shown with
its errors or preview, and imported by a second task once staff confirm (tasks run at once in
these tests, see conftest)."""

import datetime as dt
import hashlib
import html
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from arrivals.models import ArrivalCount
from policies.import_jobs import confirm_import, rows_read
from policies.models import ImportJob, Jurisdiction, Policy, PublicChange
from policies.tasks import progress_key, run_import
from tests.factories import make_arrival_count, make_jurisdiction, make_source, make_state
from tests.policies.test_ice_287g_import import (
    COLBERT_JEM,
    COLBERT_TFM,
    HEADER,
    LEVEL_PLAINS,
    STATE_AGENCY,
)

pytestmark = pytest.mark.django_db

FIGURE_HEADER = (
    "jurisdiction,measure,unit,period_type,period_start,period_end,as_of,value,qualifier,"
    "sender,program,reported_by,source,notes,published\n"
)
FIGURES_URL = "admin:arrivals_arrivalcount_import"


def upload(client, url_name: str, content: bytes | str, name: str = "figures.csv", **data):
    if isinstance(content, str):
        content = content.encode()
    file = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(reverse(url_name), {"import_file": file, **data}, follow=True)


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def confirm(client, job: ImportJob, **data):
    return client.post(reverse("admin:policies_importjob_change", args=[job.pk]), data, follow=True)


@pytest.fixture
def chicago_source():
    make_jurisdiction(name="Chicago")
    return make_source(url="https://example.org/oemc")


def figure_job(**fields) -> ImportJob:
    """An import job of arrival figures, as an upload makes one (a 5,000-row census unless
    `fields` say otherwise), without running its tasks."""
    return ImportJob.objects.create(
        **{
            "importer": "policies.csv_import.import_with_resource",
            "options": {"resource": "arrivals.resources.ArrivalCountResource"},
            "model": "arrivals.arrivalcount",
            "subject": "arrival counts",
            "file_name": "census.csv",
            "checksum": "0" * 64,
            "text": FIGURE_HEADER,
            "row_count": 5000,
            **fields,
        }
    )


def one_figure(source) -> str:
    return FIGURE_HEADER + figure_row(source, "2023-11-01", "1")


def figure_row(source, as_of: str, value: str, notes: str = "") -> str:
    return (
        f"il-chicago,new_arrivals,people,cumulative,2022-08-31,,{as_of},{value},exact,,,,"
        f"{source.url},{notes},true\n"
    )


def test_an_upload_is_checked_and_previewed_and_imported_only_once_confirmed(
    editor_client, editor, chicago_source
):
    text = FIGURE_HEADER + figure_row(chicago_source, "2023-11-01", "20000")

    checked = upload(editor_client, FIGURES_URL, text)

    job = ImportJob.objects.get()
    assert checked.redirect_chain[-1][0] == reverse(
        "admin:policies_importjob_change", args=[job.pk]
    )
    assert job.status == ImportJob.Status.CHECKED
    assert (job.row_count, job.created, job.uploaded_by) == (1, 1, editor)
    assert job.checksum == hashlib.sha256(text.encode()).hexdigest()
    page = page_text(checked)
    assert "1 new, 0 updated, 0 unchanged rows would be imported." in page
    assert "Row 1: new, Chicago" in page
    assert "Confirm and import" in page
    assert not ArrivalCount.objects.exists()

    imported = confirm(editor_client, job)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED and job.confirmed_by == editor
    assert ArrivalCount.objects.get().value == 20000
    assert "1 new, 0 updated, 0 unchanged rows were imported." in page_text(imported)
    assert "Confirm and import" not in page_text(imported)


def test_a_bad_row_is_shown_with_row_and_field_and_nothing_can_be_confirmed(
    editor_client, chicago_source
):
    text = (
        FIGURE_HEADER
        + figure_row(chicago_source, "2023-11-01", "20000")
        + figure_row(chicago_source, "2024-03-12", "many")
    )

    response = upload(editor_client, FIGURES_URL, text)

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REFUSED
    page = page_text(response)
    assert "Errors: nothing was imported" in page
    assert "row 2 (line 3), field 'value': 'many' is not a whole number." in page
    assert "Confirm and import" not in page
    assert confirm(editor_client, job).status_code == 200
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REFUSED
    assert not ArrivalCount.objects.exists()


def test_two_rows_with_one_key_are_refused_naming_both(editor_client, chicago_source):
    row = (
        "il-chicago,in_shelter,people,point,,,2024-01-10,{},exact,,,,"
        f"{chicago_source.url},{{}},true\n"
    )
    text = FIGURE_HEADER + row.format(500, "Shelter A") + row.format(700, "Shelter B")

    page = page_text(upload(editor_client, FIGURES_URL, text, name="shelters.csv"))

    assert "row 2 (line 3): Row 1 has the same jurisdiction, measure, unit" in page
    assert ImportJob.objects.get().status == ImportJob.Status.REFUSED
    assert not ArrivalCount.objects.exists()


def test_a_windows_1252_file_is_read_as_such(editor_client, chicago_source):
    text = FIGURE_HEADER + (
        "il-chicago,new_arrivals,people,cumulative,2022-08-31,,2023-11-01,20000,exact,,,"
        f"Oficina de Gestión de Emergencias,{chicago_source.url},,true\n"
    )

    page = page_text(upload(editor_client, FIGURES_URL, text.encode("cp1252")))

    assert "UnicodeDecodeError" not in page and "Errors" not in page
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CHECKED
    confirm(editor_client, job)
    assert ArrivalCount.objects.get().reported_by == "Oficina de Gestión de Emergencias"


def test_an_upload_over_the_limit_is_refused_at_once_with_the_limit_stated(editor_client):
    large = FIGURE_HEADER.encode() + b"x" * (6 * 1024 * 1024)

    page = page_text(upload(editor_client, FIGURES_URL, large, name="large.csv"))

    assert "This file is 6.0 MB; files of at most 5 MB can be imported." in page
    assert not ImportJob.objects.exists()
    assert "A CSV file of at most 5 MB" in page_text(editor_client.get(reverse(FIGURES_URL)))


def test_a_file_in_another_layout_gets_one_plain_sentence_and_no_traceback(editor_client):
    content = b"STATE,AGENCY,SIGNED\nALABAMA,Colbert County,2025-07-02\n"

    page = page_text(upload(editor_client, "admin:policies_policy_import", content, "agencies.csv"))

    assert (
        "This is not a file of policies: it has the columns STATE, AGENCY, SIGNED, and an "
        "import of policies needs jurisdiction, category, title (missing: jurisdiction, "
        "category, title)."
    ) in page
    assert "Traceback" not in page and "import_id_fields" not in page
    assert not Policy.objects.exists()


def test_an_imported_figure_that_overlaps_a_recorded_one_is_flagged_before_confirming(
    editor_client, chicago_source
):
    chicago = Jurisdiction.objects.get(name="Chicago")
    make_arrival_count(jurisdiction=chicago, value=20000, source=chicago_source)
    text = FIGURE_HEADER + (
        "il-chicago,new_arrivals,people,cumulative,2023-01-01,,2024-03-12,30000,about,,,"
        f"Another office,{chicago_source.url},,true\n"
    )

    page = page_text(upload(editor_client, FIGURES_URL, text))

    assert "To check before confirming" in page
    assert "Row 1: Chicago" in page and "overlaps 1 other figure(s)" in page
    assert "Confirm and import" in page  # flagged, not refused
    assert ArrivalCount.objects.count() == 1


def test_a_file_is_confirmed_once_however_often_the_button_is_pressed(
    editor_client, editor, chicago_source
):
    upload(
        editor_client, FIGURES_URL, FIGURE_HEADER + figure_row(chicago_source, "2023-11-01", "1")
    )
    job = ImportJob.objects.get()

    confirm(editor_client, job)
    again = confirm(editor_client, job)

    assert "This file is not waiting for confirmation." in page_text(again)
    assert not confirm_import(job=job, user=editor)
    assert ArrivalCount.objects.count() == 1


def test_confirming_needs_the_permission_to_add_what_the_file_holds(
    client, django_user_model, chicago_source, editor_client
):
    upload(
        editor_client, FIGURES_URL, FIGURE_HEADER + figure_row(chicago_source, "2023-11-01", "1")
    )
    job = ImportJob.objects.get()
    viewer = django_user_model.objects.create_user(username="viewer", password="x", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_arrivalcount"))
    client.force_login(viewer)

    page = client.get(reverse("admin:policies_importjob_change", args=[job.pk]))
    refused = client.post(reverse("admin:policies_importjob_change", args=[job.pk]))

    assert "Confirm and import" not in page_text(page)
    assert refused.status_code == 403
    assert not ArrivalCount.objects.exists()


def test_a_running_job_shows_its_progress_and_the_page_follows_it(editor_client, editor):
    job = figure_job(uploaded_by=editor, status=ImportJob.Status.IMPORTING)
    cache.set(progress_key(job.pk), 1250)
    url = reverse("admin:policies_importjob_change", args=[job.pk])

    full = page_text(editor_client.get(url))
    fragment = page_text(editor_client.get(url, headers={"HX-Request": "true"}))

    assert rows_read(job) == 1250
    assert 'hx-trigger="load delay:500ms"' in full and "vendor/htmx.min.js" in full
    assert '<progress id="import-progress-bar" max="5000" value="1250">' in fragment
    assert "Imported 1250 of 5000 rows" in fragment
    assert "<html" not in fragment


def test_ice_sheet_upload_is_checked_then_recorded_once_confirmed(editor_client):
    make_state("TN", "Tennessee")
    make_jurisdiction(name="Grundy County", state="TN", kind=Jurisdiction.Kind.COUNTY)
    sheet = (
        "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED,MOA,ADDENDUM,MOA_URL\n"
        "TENNESSEE,Grundy County Sheriff's Office,County,Grundy County,Warrant Service Officer,"
        "5025-07-07,link pending,,\n"
    )

    checked = upload(
        editor_client,
        "admin:policies_policy_import_ice_287g",
        sheet,
        name="ice.csv",
        sheet_date="2025-07-18",
    )

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CHECKED
    assert "'5025-07-07' is not a valid date" in page_text(checked)
    assert not Policy.objects.exists()

    confirm(editor_client, job)

    agreement = Policy.objects.get()
    assert agreement.agreement_model == Policy.AgreementModel.WARRANT_SERVICE
    assert agreement.signed_on is None
    assert agreement.history.latest().history_change_reason == "ICE 287(g) sheet of 2025-07-18"


def test_a_file_that_is_not_an_ice_sheet_is_refused(editor_client):
    response = upload(
        editor_client,
        "admin:policies_policy_import_ice_287g",
        "name,value\nChicago,5\n",
        name="not-ice.csv",
        sheet_date="2025-07-18",
    )

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REFUSED
    page = page_text(response)
    assert "The sheet was refused:" in page and "missing columns" in page
    assert "Confirm and import" not in page
    assert not Policy.objects.exists()


def test_a_sheet_that_would_end_many_agreements_lists_them_and_needs_the_ending_confirmed(
    editor_client,
):
    alabama = make_state("AL", "Alabama")
    make_jurisdiction(name="Colbert County", state="AL", kind="county", parent=alabama)

    def sheet_job(rows: list[str], sheet_date: str) -> ImportJob:
        upload(
            editor_client,
            "admin:policies_policy_import_ice_287g",
            "\n".join([HEADER, *rows]) + "\n",
            name=f"ice-{sheet_date}.csv",
            sheet_date=sheet_date,
        )
        return ImportJob.objects.latest("pk")

    confirm(
        editor_client,
        sheet_job([COLBERT_TFM, COLBERT_JEM, LEVEL_PLAINS, STATE_AGENCY], "2025-07-18"),
    )
    partial = sheet_job([COLBERT_JEM], "2025-09-01")  # a download cut short, say
    page = page_text(
        editor_client.get(reverse("admin:policies_importjob_change", args=[partial.pk]))
    )

    assert partial.status == ImportJob.Status.CHECKED
    assert "This sheet would end 3 of the 4 agreements in force" in page
    assert "Agreements this sheet would end (3)" in page
    assert "Level Plains Police Department, Level Plains, AL (task force)" in page
    assert 'name="confirmed"' in page

    unticked = confirm(editor_client, partial)

    assert "Tick the box “I have checked the list of the 3 agreements this sheet would end" in (
        page_text(unticked)
    )
    assert Policy.objects.filter(status=Policy.Status.IN_EFFECT).count() == 4

    confirm(editor_client, partial, confirmed="1")

    partial.refresh_from_db()
    assert partial.status == ImportJob.Status.IMPORTED
    assert Policy.objects.filter(status=Policy.Status.IN_EFFECT).count() == 1


def dump() -> str:
    """Every record and its history, except the import records themselves."""
    out = io.StringIO()
    call_command("dumpdata", "policies", "arrivals", exclude=["policies.importjob"], stdout=out)
    return out.getvalue()


def test_refused_or_unconfirmed_files_leave_the_database_byte_identical(
    editor_client, chicago_source
):
    alabama = make_state("AL", "Alabama")
    make_jurisdiction(name="Colbert County", state="AL", kind="county", parent=alabama)
    ice_rows = [COLBERT_TFM, COLBERT_JEM, LEVEL_PLAINS, STATE_AGENCY]
    ice_url = "admin:policies_policy_import_ice_287g"
    upload(editor_client, ice_url, "\n".join([HEADER, *ice_rows]), sheet_date="2025-07-18")
    confirm(editor_client, ImportJob.objects.get())
    upload(
        editor_client, FIGURES_URL, FIGURE_HEADER + figure_row(chicago_source, "2023-11-01", "1")
    )
    confirm(editor_client, ImportJob.objects.latest("pk"))
    before = dump()
    duplicate = figure_row(chicago_source, "2024-01-10", "500")

    upload(editor_client, FIGURES_URL, FIGURE_HEADER + duplicate + duplicate.replace("500", "7"))
    upload(editor_client, ice_url, f"{HEADER}\n{COLBERT_JEM}\n", sheet_date="2025-09-01")
    one_row = ImportJob.objects.latest("pk")
    confirm(editor_client, one_row)  # the ending of 3 of 4 agreements is not confirmed
    older = page_text(
        upload(editor_client, ice_url, "\n".join([HEADER, *ice_rows]), sheet_date="2025-06-01")
    )  # checked: it would add history only, and waits for confirmation

    statuses = list(ImportJob.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["imported", "imported", "refused", "checked", "checked"]
    assert "ICE's sheet of 2025-07-18 is newer and already recorded" in older
    assert dump() == before


def test_an_unexpected_error_in_the_worker_fails_the_job_plainly(
    editor_client, chicago_source, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("policies.csv_import.csv_import", broken)

    page = page_text(
        upload(
            editor_client,
            FIGURES_URL,
            FIGURE_HEADER + figure_row(chicago_source, "2023-11-01", "1"),
        )
    )

    assert ImportJob.objects.get().status == ImportJob.Status.FAILED
    assert "The import stopped on an unexpected error and nothing was saved" in page
    assert "database went away" not in page and "Confirm and import" not in page


def test_a_sheet_without_signing_dates_is_refused_as_a_possible_pending_list(editor_client):
    before = dump()
    pending = "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE\n" + ",".join(
        COLBERT_TFM.split(",")[:5]
    )

    page = page_text(
        upload(
            editor_client,
            "admin:policies_policy_import_ice_287g",
            pending + "\n",
            name="pending.csv",
            sheet_date="2025-09-01",
        )
    )

    assert ImportJob.objects.get().status == ImportJob.Status.REFUSED
    assert "it may be ICE's list of pending agreements, which are not in force" in page
    assert "Confirm and import" not in page
    assert dump() == before


def test_an_import_is_recorded_in_history_as_made_by_who_confirmed_it(editor, chicago_source):
    """A worker has no request for django-simple-history to take the user from."""
    job = figure_job(
        file_name="figures.csv",
        text=one_figure(chicago_source),
        row_count=1,
        status=ImportJob.Status.IMPORTING,
        confirmed_by=editor,
    )

    run_import(job.pk, dry_run=False)  # as the worker does, outside any request

    figure = ArrivalCount.objects.get()
    assert figure.history.get().history_user == editor
    entry = PublicChange.objects.get(record_id=figure.pk, history_id=figure.history.get().pk)
    assert entry.history_user_id == editor.pk  # which keeps two editors' imports apart


def test_a_confirmation_the_check_did_not_ask_for_is_ignored(editor_client, chicago_source):
    upload(editor_client, FIGURES_URL, one_figure(chicago_source))
    job = ImportJob.objects.get()

    confirm(editor_client, job, confirmed="1")

    job.refresh_from_db()
    assert job.options["confirmed"] is False


def test_only_staff_who_may_view_the_records_see_their_imports(
    client, django_user_model, editor_client, chicago_source
):
    upload(editor_client, FIGURES_URL, one_figure(chicago_source))
    job = ImportJob.objects.get()
    staff = django_user_model.objects.create_user(username="other", password="x", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename="view_policy"))
    client.force_login(staff)

    # Not found, as for any record outside what a user may view.
    assert client.get(reverse("admin:policies_importjob_change", args=[job.pk])).status_code == 404
    listing = client.get(reverse("admin:policies_importjob_changelist"))
    assert "figures.csv" not in listing.content.decode()
    assert client.get("/admin/policies/importjob/not-a-number/change/").status_code == 404


def test_a_confirmed_ending_holds_only_for_the_agreements_that_were_listed(editor_client):
    alabama = make_state("AL", "Alabama")
    make_jurisdiction(name="Colbert County", state="AL", kind="county", parent=alabama)
    ice_url = "admin:policies_policy_import_ice_287g"
    everything = "\n".join([HEADER, COLBERT_TFM, COLBERT_JEM, LEVEL_PLAINS, STATE_AGENCY])
    upload(editor_client, ice_url, everything, sheet_date="2025-07-18")
    confirm(editor_client, ImportJob.objects.get())
    upload(editor_client, ice_url, f"{HEADER}\n{COLBERT_JEM}\n", sheet_date="2025-09-01")
    partial = ImportJob.objects.latest("pk")  # checked: would end 3 agreements
    assert "the 3 agreements this sheet would end" in partial.options["confirmation"]
    # Before it is confirmed, another sheet of the same day lists one agreement more.
    upload(editor_client, ice_url, f"{HEADER}\n{COLBERT_JEM}\n{LEVEL_PLAINS}\n", "b.csv",
           sheet_date="2025-09-01")  # fmt: skip
    confirm(editor_client, ImportJob.objects.latest("pk"), confirmed="1")

    page = page_text(confirm(editor_client, partial, confirmed="1"))

    partial.refresh_from_db()
    assert partial.status == ImportJob.Status.FAILED
    assert "would now end 1 agreements, not the 3 listed" in page


def test_a_job_whose_worker_stopped_can_be_marked_as_stopped(editor_client, editor):
    job = figure_job(uploaded_by=editor)
    url = reverse("admin:policies_importjob_change", args=[job.pk])
    assert "Mark as stopped" not in page_text(editor_client.get(url))  # still young
    editor_client.post(url, {"stopped": "1"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKING

    ImportJob.objects.filter(pk=job.pk).update(
        uploaded_at=timezone.now() - ImportJob.STALLED_AFTER - dt.timedelta(minutes=1)
    )
    assert "Mark as stopped" in page_text(editor_client.get(url))
    page = page_text(editor_client.post(url, {"stopped": "1"}, follow=True))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "Marked as stopped by editor" in page and "hx-get" not in page
