"""Cached HTML is keyed by release, so a deploy never serves what the old code wrote."""

import shutil
from pathlib import Path
from unittest import mock

import pytest
from django.test import override_settings
from django.urls import reverse

from config.release import source_digest
from policies import views
from tests.factories import make_arrival_count, make_jurisdiction, make_state

ROOT = Path(__file__).resolve().parent.parent


def copy_of_project(tmp_path: Path) -> Path:
    for name in ("templates", "static", "config"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("vendor"))
    return tmp_path


def test_a_changed_template_or_stylesheet_is_a_new_release(tmp_path):
    project = copy_of_project(tmp_path)
    before = source_digest(project)
    assert source_digest(project) == before

    template = project / "templates" / "base.html"
    template.write_text(template.read_text().replace("<main", "<main data-new"))
    after_template = source_digest(project)
    assert after_template != before

    stylesheet = project / "static" / "css" / "site.css"
    stylesheet.write_text(stylesheet.read_text() + "\n.new { color: inherit; }\n")
    assert source_digest(project) != after_template


def test_compiled_and_generated_files_do_not_change_the_release(tmp_path):
    project = copy_of_project(tmp_path)
    before = source_digest(project)
    (project / "config" / "__pycache__").mkdir(exist_ok=True)
    (project / "config" / "__pycache__" / "settings.cpython-313.pyc").write_bytes(b"\0")
    (project / "static" / "vendor").mkdir(exist_ok=True)
    (project / "static" / "vendor" / "htmx.min.js").write_text("// copied at set-up")
    assert source_digest(project) == before


@pytest.fixture
def chicago():
    city = make_jurisdiction(name="Chicago", parent=make_state("IL", "Illinois"))
    make_arrival_count(jurisdiction=city, value=50000, qualifier="more_than")
    return city


@pytest.mark.django_db
def test_a_new_release_does_not_serve_pages_cached_by_the_old_one(
    client, chicago, django_assert_num_queries
):
    url = reverse("policies:jurisdiction-list")
    with override_settings(RELEASE="old"):
        client.get(url)
        with django_assert_num_queries(0):
            client.get(url)  # cached for the old release
    with override_settings(RELEASE="new"):
        with mock.patch("policies.views.render", wraps=views.render) as rendered:
            client.get(url)
        assert rendered.called


@pytest.mark.django_db
def test_an_edit_saved_by_the_old_release_reaches_the_new_one(client, chicago):
    # During a rolling deploy both releases serve, sharing one cache and one data version.
    url = chicago.get_absolute_url()
    with override_settings(RELEASE="new"):
        assert "More than 50,000" in client.get(url).content.decode()
    with override_settings(RELEASE="old"):
        make_arrival_count(jurisdiction=chicago, value=61000, qualifier="about")
    with override_settings(RELEASE="new"):
        assert "About 61,000" in client.get(url).content.decode()
