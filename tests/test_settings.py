"""Production settings refuse to start half-configured and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 64 + "-production-like-test-key",
    "ALLOWED_HOSTS": "tracker.example.org",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests allow sync ORM calls beside Playwright's event loop; production must not.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in inherited.items() if k not in PRODUCTION} | env
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key_and_hosts():
    result = manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY, ALLOWED_HOSTS" in result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_postgresql_sessions_run_without_jit_and_with_the_statement_timeout_asked_for():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("PostgreSQL only")
    shown = (
        "from django.db import connection; cursor = connection.cursor(); "
        "print([cursor.execute(f'SHOW {name}').fetchone()[0] "
        "for name in ('jit', 'statement_timeout')])"
    )
    result = manage("shell", "-c", shown, DB_STATEMENT_TIMEOUT="5s")
    assert result.returncode == 0, result.stderr
    assert "['off', '5s']" in result.stdout
