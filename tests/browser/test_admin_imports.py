"""A large import runs in a real background worker (`manage.py db_worker`) while the site keeps
answering, and the editor watches its progress in the admin."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from arrivals.models import ArrivalCount
from policies.models import ImportJob
from tests.factories import make_jurisdiction, make_source

ROOT = Path(__file__).resolve().parents[2]
ROWS = 5000
HEADER = (
    "jurisdiction,measure,unit,period_type,period_start,period_end,as_of,value,qualifier,"
    "sender,program,reported_by,source,notes,published\n"
)


@pytest.fixture
def worker(settings, live_server):
    """A database task worker on the test database, as `make run` starts one."""
    if connection.vendor != "postgresql":
        pytest.skip("a worker in another process needs a database server (PostgreSQL)")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            "0.2",
            "--no-reload",
            "--no-startup-delay",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DEBUG": "true"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    yield process
    process.terminate()  # the worker finishes its task first; a failed test need not wait
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def census(source_url: str) -> str:
    first = dt.date(2010, 1, 1)
    rows = (
        f"il-chicago,in_shelter,people,point,,,{first + dt.timedelta(days=day)},{1000 + day},"
        f"exact,,,City of Chicago,{source_url},,true\n"
        for day in range(ROWS)
    )
    return HEADER + "".join(rows)


@pytest.fixture
def staff_context(browser, live_server, admin_user):
    """A browser signed in to the admin (a superuser: the Editors group, made by a data
    migration, does not outlive the flush after another test that commits)."""
    client = Client()
    client.force_login(admin_user)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    yield context
    context.close()


def upload(page, url: str, file: Path) -> None:
    page.goto(url)
    page.set_input_files("input[name=import_file]", str(file))
    page.get_by_role("button", name="Upload and check").click()


def test_a_latin_1_file_is_read_and_a_file_in_another_layout_gets_one_sentence(
    live_server, staff_context, tmp_path
):
    make_jurisdiction(name="Chicago")
    source = make_source(url="https://example.org/oemc")
    latin_1 = tmp_path / "figures.csv"
    latin_1.write_bytes(
        (
            HEADER + "il-chicago,new_arrivals,people,cumulative,2022-08-31,,2023-11-01,20000,"
            f"exact,,,Oficina de Gestión de Emergencias,{source.url},,true\n"
        ).encode("latin-1")
    )
    other_layout = tmp_path / "agencies.csv"
    other_layout.write_text("STATE,AGENCY,SIGNED\nALABAMA,Colbert County,2025-07-02\n")
    page = staff_context.new_page()

    upload(page, f"{live_server.url}/admin/arrivals/arrivalcount/import/", latin_1)
    page.get_by_role("button", name="Confirm and import").click()
    page.get_by_role("heading", name="Imported", exact=True).wait_for()
    assert ArrivalCount.objects.get().reported_by == "Oficina de Gestión de Emergencias"

    upload(page, f"{live_server.url}/admin/policies/policy/import/", other_layout)
    errors = page.locator("ul.errorlist li")
    assert errors.count() == 1
    assert errors.inner_text().startswith(
        "This is not a file of policies: it has the columns STATE, AGENCY, SIGNED, and an "
        "import of policies needs jurisdiction, category, title (missing: jurisdiction, "
        "category, title)."
    )
    assert "Traceback" not in page.content()
    assert page.get_by_role("button", name="Confirm and import").count() == 0


def test_a_5000_row_import_runs_as_a_task_while_the_site_answers_with_progress_shown(
    live_server, staff_context, worker, tmp_path
):
    make_jurisdiction(name="Chicago")
    source = make_source(url="https://example.org/shelter-census")
    file = tmp_path / "census.csv"
    file.write_text(census(source.url))
    context = staff_context
    page = context.new_page()

    upload(page, f"{live_server.url}/admin/arrivals/arrivalcount/import/", file)

    bar = page.locator("#import-progress-bar")
    page.wait_for_function(
        "() => { const bar = document.querySelector('#import-progress-bar');"
        " return bar && bar.value > 0 && bar.value < bar.max; }",
        timeout=120_000,
    )
    assert bar.get_attribute("max") == str(ROWS)
    reader = context.request.get(f"{live_server.url}/jurisdictions/")
    assert reader.status == 200  # the site answers while the worker checks the file
    assert ImportJob.objects.get().status == ImportJob.Status.CHECKING

    confirm = page.get_by_role("button", name="Confirm and import")
    confirm.wait_for(timeout=240_000)
    assert f"{ROWS} new, 0 updated, 0 unchanged rows would be imported." in page.content()
    assert not ArrivalCount.objects.exists()
    confirm.click()

    page.get_by_role("heading", name="Imported", exact=True).wait_for(timeout=240_000)
    assert f"{ROWS} new, 0 updated, 0 unchanged rows were imported." in page.content()
    assert ArrivalCount.objects.count() == ROWS
    assert worker.poll() is None, worker.stderr.read().decode()
