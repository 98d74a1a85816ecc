"""Cached HTML is keyed by release, so a deploy never serves what the old code wrote."""

import shutil
from pathlib import Path

from django.conf import settings

from config.release import source_digest

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


def test_every_cache_key_carries_the_release():
    assert settings.CACHES["default"]["KEY_PREFIX"] == settings.RELEASE
    assert settings.RELEASE
