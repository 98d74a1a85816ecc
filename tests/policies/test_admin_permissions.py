"""A staff member who may only view data can change nothing through the admin (security review,
finding 2: the history "revert" form saved on POST for view-only users)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, reverse

from tests.factories import make_arrival_count, make_designation, make_policy

pytestmark = pytest.mark.django_db

WRITING_VIEWS = (
    "_add",
    "_change",
    "_delete",
    "_simple_history",
    "_import",
    "_process_import",
    "_import_ice_287g",
)
DATA_APPS = ("policies", "arrivals")


@pytest.fixture
def viewer_client(client, django_user_model):
    user = django_user_model.objects.create_user(
        username="viewer", password="a-long-test-password", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=DATA_APPS, codename__startswith="view_"
        )
    )
    client.force_login(user)
    return client


def writing_url_names() -> list[str]:
    """Every admin URL name of the data apps that writes, from the URLconf itself."""
    names = []

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                app = pattern.name.split("_", 1)[0]
                if app in DATA_APPS and pattern.name.endswith(WRITING_VIEWS):
                    names.append(pattern.name)

    walk(admin.site.get_urls())
    return sorted(set(names))


def test_a_view_only_user_gets_403_from_every_admin_url_that_writes(viewer_client):
    figure = make_arrival_count()
    policy = make_policy(jurisdiction=figure.jurisdiction, title="Published title")
    designation = make_designation(jurisdiction=figure.jurisdiction)
    records = {
        "jurisdiction": figure.jurisdiction,
        "source": figure.source,
        "policy": policy,
        "designation": designation,
        "arrivalcount": figure,
    }
    names = writing_url_names()
    assert "policies_policy_simple_history" in names and "policies_policy_change" in names

    checked = 0
    for name in names:
        model = name.split("_")[1]
        record = records.get(model)
        if name.endswith("_simple_history"):
            if record is None:
                continue
            args = [record.pk, record.history.earliest().history_id]
        elif name.endswith(("_change", "_delete")):
            if record is None:
                continue
            args = [record.pk]
        else:
            args = []
        response = viewer_client.post(
            reverse(f"admin:{name}", args=args), {"title": "Changed by a viewer", "post": "yes"}
        )
        assert response.status_code == 403, name
        checked += 1
    assert checked >= 20
    policy.refresh_from_db()
    assert policy.title == "Published title"


def test_a_view_only_user_can_still_read_a_records_history(viewer_client):
    policy = make_policy()
    version = policy.history.earliest().history_id
    url = reverse("admin:policies_policy_simple_history", args=[policy.pk, version])
    assert viewer_client.get(url).status_code == 200
