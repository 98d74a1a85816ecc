import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from arrivals.models import ArrivalCount
from policies.models import PublicChange
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
