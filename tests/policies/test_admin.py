import datetime as dt
import html
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from arrivals.models import ArrivalCount
from policies.models import Jurisdiction, Policy, PublicChange
from tests.factories import (
    make_arrival_count,
    make_designation,
    make_jurisdiction,
    make_policy,
    make_source,
    make_state,
)

pytestmark = pytest.mark.django_db

MODELS = [
    ("policies", "jurisdiction"),
    ("policies", "source"),
    ("policies", "policy"),
    ("policies", "designation"),
    ("arrivals", "arrivalcount"),
]


@pytest.fixture
def records():
    figure = make_arrival_count()
    policy = make_policy(jurisdiction=figure.jurisdiction)
    designation = make_designation(jurisdiction=figure.jurisdiction)
    return {
        "jurisdiction": figure.jurisdiction,
        "source": figure.source,
        "policy": policy,
        "designation": designation,
        "arrivalcount": figure,
    }


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_editor_can_open_changelist_change_form_history_and_import(
    editor_client, records, app, model
):
    obj = records[model]
    for name, args in (
        ("changelist", []),
        ("change", [obj.pk]),
        ("history", [obj.pk]),
        ("import", []),
        ("export", []),
        ("add", []),
    ):
        response = editor_client.get(reverse(f"admin:{app}_{model}_{name}", args=args))
        assert response.status_code == 200, (name, response.status_code)


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, records, app, model):
    for name, args in (("changelist", []), ("change", [records[model].pk]), ("import", [])):
        response = client.get(reverse(f"admin:{app}_{model}_{name}", args=args))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_editors_cannot_manage_users_or_groups(editor_client, editor):
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    editors = Group.objects.get(name="Editors")
    assert not editors.permissions.filter(content_type__app_label="auth").exists()
    assert editor.has_perm("policies.change_policy")
    assert editor.has_perm("arrivals.add_arrivalcount")


def test_staff_without_the_editors_group_cannot_edit_data(client, records):
    staff = User.objects.create_user("intern", password="a-long-test-password", is_staff=True)
    client.force_login(staff)
    response = client.get(reverse("admin:policies_policy_changelist"))
    assert response.status_code == 403


def test_admin_edit_records_history_with_its_author_and_reason(editor_client, editor):
    illinois = make_state("IL", "Illinois")
    city = make_jurisdiction(name="Evanston", parent=illinois)
    url = reverse("admin:policies_jurisdiction_change", args=[city.pk])
    form = {
        "name": "Evanston",
        "kind": "city",
        "state": "IL",
        "geoid": "1724582",
        "parent": illinois.pk,
        "population": "",
        "population_year": "",
        "slug": city.slug,
        "change_reason": "Added the Census GEOID",
    }
    for prefix in ("policies", "no_policy_findings", "arrival_counts", "designations"):
        form |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    response = editor_client.post(url, form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = city.history.latest()
    assert latest.history_user == editor
    assert latest.history_change_reason == "Added the Census GEOID"
    assert latest.geoid == "1724582"
    assert latest.prev_record.geoid is None


def test_revert_from_history_restores_the_earlier_version(editor_client):
    policy = make_policy(title="Original title")
    policy.title = "Mistaken title"
    policy.save()
    original = policy.history.earliest()
    url = reverse("admin:policies_policy_simple_history", args=[policy.pk, original.pk])

    assert editor_client.get(url).status_code == 200
    form = {
        "jurisdiction": policy.jurisdiction_id,
        "category": policy.category,
        "title": original.title,
        "summary": policy.summary,
        "direction": policy.direction,
        "status": policy.status,
        "effective_on": "2020-01-01",
        "adopted_precision": "day",
        "effective_precision": "day",
        "sources": [s.pk for s in policy.sources.all()],
        "published": "on",
    }
    response = editor_client.post(url, form)

    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.title == "Original title"


def test_saving_an_overlapping_figure_warns_the_editor(editor_client):
    chicago = make_jurisdiction(name="Chicago")
    make_arrival_count(jurisdiction=chicago, value=20000, as_of=dt.date(2023, 11, 1))
    source = make_source()
    form = {
        "jurisdiction": chicago.pk,
        "measure": "new_arrivals",
        "unit": "people",
        "population": "migrants",
        "value": "36000",
        "qualifier": "about",
        "period_type": "cumulative",
        "period_start": "2022-08-01",
        "period_start_precision": "month",
        "as_of": "2024-03-12",
        "as_of_precision": "day",
        "source": source.pk,
        "published": "on",
    }
    response = editor_client.post(reverse("admin:arrivals_arrivalcount_add"), form, follow=True)

    assert ArrivalCount.objects.count() == 2
    messages = [str(m) for m in response.context["messages"]]
    assert any("overlaps 1 other figure(s)" in m and "20,000" in m for m in messages), messages


def test_admin_csv_import_with_a_bad_row_shows_row_and_field_and_saves_nothing(editor_client):
    make_jurisdiction(name="Chicago")
    source = make_source(url="https://example.org/oemc")
    text = (
        "jurisdiction,measure,unit,period_type,period_start,period_end,as_of,value,qualifier,"
        "sender,program,reported_by,source,notes,published\n"
        f"il-chicago,new_arrivals,people,cumulative,2022-08-31,,2023-11-01,20000,exact,,,,"
        f"{source.url},,true\n"
        f"il-chicago,new_arrivals,people,cumulative,2022-08-31,,2024-03-12,many,exact,,,,"
        f"{source.url},,true\n"
    )
    upload = SimpleUploadedFile("figures.csv", text.encode(), content_type="text/csv")

    response = editor_client.post(
        reverse("admin:arrivals_arrivalcount_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Some rows failed to validate" in page
    assert re.search(r"<td[^>]*>\s*2\s*</td>", page), "the bad row's number is shown"
    assert "&#x27;many&#x27; is not a whole number." in page
    assert 'name="import_file_name"' not in page  # no confirm form is offered
    assert ArrivalCount.objects.count() == 0


def test_admin_import_preview_refuses_two_rows_with_one_key(editor_client):
    make_jurisdiction(name="Chicago")
    source = make_source(url="https://example.org/oemc")
    row = f"il-chicago,in_shelter,people,point,,,2024-01-10,{{}},exact,,,,{source.url},{{}},true\n"
    text = (
        "jurisdiction,measure,unit,period_type,period_start,period_end,as_of,value,qualifier,"
        "sender,program,reported_by,source,notes,published\n"
        + row.format(500, "Shelter A")
        + row.format(700, "Shelter B")
    )
    upload = SimpleUploadedFile("shelters.csv", text.encode(), content_type="text/csv")

    response = editor_client.post(
        reverse("admin:arrivals_arrivalcount_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )

    page = response.content.decode()
    assert "Some rows failed to validate" in page
    assert "Row 1 has the same jurisdiction, measure, unit" in page
    assert 'name="import_file_name"' not in page  # no confirm form is offered
    assert ArrivalCount.objects.count() == 0


FIGURE_HEADER = (
    "jurisdiction,measure,unit,period_type,period_start,period_end,as_of,value,qualifier,"
    "sender,program,reported_by,source,notes,published\n"
)


def test_a_windows_1252_file_is_read_as_such(editor_client):
    make_jurisdiction(name="Chicago")
    source = make_source(url="https://example.org/oemc")
    text = FIGURE_HEADER + (
        "il-chicago,new_arrivals,people,cumulative,2022-08-31,,2023-11-01,20000,exact,,,"
        f"Oficina de Gestión de Emergencias,{source.url},,true\n"
    )
    upload = SimpleUploadedFile("figures.csv", text.encode("cp1252"), content_type="text/csv")

    response = editor_client.post(
        reverse("admin:arrivals_arrivalcount_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )

    page = response.content.decode()
    assert "UnicodeDecodeError" not in page and "Errors" not in page
    assert 'name="import_file_name"' in page  # the preview offers to confirm
    assert "Oficina de Gestión de Emergencias" in page


def test_an_upload_over_the_limit_is_refused_with_the_limit_stated(editor_client):
    upload = SimpleUploadedFile(
        "large.csv", FIGURE_HEADER.encode() + b"x" * (6 * 1024 * 1024), content_type="text/csv"
    )

    response = editor_client.post(
        reverse("admin:arrivals_arrivalcount_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )

    page = response.content.decode()
    assert "This file is 6.0 MB; files of at most 5 MB can be imported." in page
    assert (
        "At most 5 MB."
        in editor_client.get(reverse("admin:arrivals_arrivalcount_import")).content.decode()
    )


def test_a_file_in_another_layout_gets_one_plain_sentence_and_no_traceback(editor_client):
    upload = SimpleUploadedFile(
        "agencies.csv", b"STATE,AGENCY,SIGNED\nALABAMA,Colbert County,2025-07-02\n", "text/csv"
    )

    response = editor_client.post(
        reverse("admin:policies_policy_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )

    page = html.unescape(response.content.decode())
    assert (
        "This is not a file of policies: it has the columns STATE, AGENCY, SIGNED, and an "
        "import of policies needs jurisdiction, category, title (missing: jurisdiction, "
        "category, title)."
    ) in page
    assert "Traceback" not in page and "import_id_fields" not in page
    assert not Policy.objects.exists()


def test_an_imported_figure_that_overlaps_a_recorded_one_is_flagged_in_the_preview(
    editor_client,
):
    chicago = make_jurisdiction(name="Chicago")
    source = make_source(url="https://example.org/oemc")
    make_arrival_count(jurisdiction=chicago, value=20000, source=source)  # since Aug. 31, 2022
    text = FIGURE_HEADER + (
        "il-chicago,new_arrivals,people,cumulative,2023-01-01,,2024-03-12,30000,about,,,"
        f"Another office,{source.url},,true\n"
    )
    upload = SimpleUploadedFile("figures.csv", text.encode(), content_type="text/csv")

    response = editor_client.post(
        reverse("admin:arrivals_arrivalcount_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )

    page = html.unescape(response.content.decode())
    assert "To check before confirming" in page
    assert "Row 1: Chicago" in page and "overlaps 1 other figure(s)" in page
    assert 'name="import_file_name"' in page  # flagged, not refused
    assert ArrivalCount.objects.count() == 1


def test_ice_sheet_upload_previews_then_records(editor_client):
    make_state("TN", "Tennessee")
    make_jurisdiction(name="Grundy County", state="TN", kind=Jurisdiction.Kind.COUNTY)
    sheet = (
        "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED,MOA,ADDENDUM,MOA_URL\n"
        "TENNESSEE,Grundy County Sheriff's Office,County,Grundy County,Warrant Service Officer,"
        "5025-07-07,link pending,,\n"
    )
    url = reverse("admin:policies_policy_import_ice_287g")

    def upload(preview: bool):
        data = {
            "sheet": SimpleUploadedFile("ice.csv", sheet.encode()),
            "sheet_date": "2025-07-18",
        }
        if preview:
            data["preview"] = "on"
        return editor_client.post(url, data)

    preview = upload(preview=True)
    assert preview.status_code == 200
    assert "Preview: nothing saved" in preview.content.decode()
    assert "&#x27;5025-07-07&#x27; is not a valid date" in preview.content.decode()
    assert Policy.objects.count() == 0

    recorded = upload(preview=False)
    assert re.search(r'name="preview"[^>]* checked', recorded.content.decode())  # previews next
    agreement = Policy.objects.get()
    assert agreement.agreement_model == Policy.AgreementModel.WARRANT_SERVICE
    assert agreement.signed_on is None
    assert agreement.history.latest().history_change_reason == "ICE 287(g) sheet of 2025-07-18"


def test_a_refused_ice_sheet_is_an_error_not_a_recording(editor_client):
    response = editor_client.post(
        reverse("admin:policies_policy_import_ice_287g"),
        {
            "sheet": SimpleUploadedFile("not-ice.csv", b"name,value\nChicago,5\n"),
            "sheet_date": "2025-07-18",
        },
        follow=True,
    )

    [message] = response.context["messages"]
    assert message.level_tag == "error"
    assert str(message).startswith("The sheet was refused:") and "missing columns" in str(message)
    assert Policy.objects.count() == 0


def test_admin_login_locks_after_repeated_failures(client, editor):
    url = reverse("admin:login")
    for _ in range(4):
        response = client.post(url, {"username": "editor", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    fifth = client.post(url, {"username": "editor", "password": "wrong"})
    assert fifth.status_code == 429
    locked = client.post(url, {"username": "editor", "password": "a-long-test-password"})
    assert locked.status_code == 429
    assert not locked.wsgi_request.user.is_authenticated


def test_editors_can_read_the_public_updates_log_but_not_edit_it(editor_client):
    policy = make_policy(title="Welcoming City Ordinance")
    entry = PublicChange.objects.get(record_id=policy.pk, record_type="policy")

    listing = editor_client.get(reverse("admin:policies_publicchange_changelist"))
    detail = editor_client.get(reverse("admin:policies_publicchange_change", args=[entry.pk]))
    add = editor_client.get(reverse("admin:policies_publicchange_add"))

    assert listing.status_code == 200 and "Welcoming City Ordinance" in listing.content.decode()
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert add.status_code == 403


@pytest.mark.parametrize("proxies", [1])
def test_behind_a_proxy_a_lockout_is_per_client_not_for_everyone(client, editor, settings, proxies):
    """Security review finding 6: the lockout keyed on the proxy's address."""
    settings.TRUSTED_PROXY_COUNT = proxies
    url = reverse("admin:login")
    attacker = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    colleague = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.4"}
    for _ in range(5):
        client.post(url, {"username": "editor", "password": "wrong"}, **attacker)
    locked = client.post(
        url, {"username": "editor", "password": "a-long-test-password"}, **attacker
    )
    assert locked.status_code == 429

    ok = client.post(url, {"username": "editor", "password": "a-long-test-password"}, **colleague)
    assert ok.status_code == 302 and ok.wsgi_request.user.is_authenticated


def test_trying_many_usernames_from_one_address_is_limited(client, editor):
    url = reverse("admin:login")
    for number in range(5):
        client.post(url, {"username": f"guess-{number}", "password": "wrong"})
    sprayed = client.post(url, {"username": "editor", "password": "a-long-test-password"})
    assert sprayed.status_code == 429
