"""The processes the bench measures: gunicorn, nginx, Datasette, and a staff editor.

Every server is pinned to core 0 and wrk to core 1, so the servers share one core whatever
else the machine runs. Each is started as a context manager and stopped (SIGTERM, then
SIGKILL after 10 s) when its phase ends; its output goes to bench/.run/<name>.log.
"""

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from load import fetch

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / "bench" / ".run"
PYTHON = ROOT / ".venv" / "bin" / "python"
STATIC_ROOT = ROOT / "staticfiles"  # collectstatic's, and phase 1's references
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"


def _wait_until_answering(process: subprocess.Popen, url: str, log: Path) -> None:
    """Polls `url` until it answers with any status; stops the bench if the process died or
    did not answer within 60 s."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{url}: the server exited ({process.returncode}); see {log}")
        try:
            fetch(url, {})
            return
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit(f"{url} did not answer within 60 s; see {log}")


@contextmanager
def _running(name: str, command: list, env: dict, ready_url: str | None) -> Iterator[None]:
    """`command` running for the length of the `with` block, from when `ready_url` answers."""
    RUN_DIR.mkdir(exist_ok=True)
    log = RUN_DIR / f"{name}.log"
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    try:
        if ready_url:
            _wait_until_answering(process, ready_url, log)
        yield
    finally:
        if process.poll() is not None:
            print(f"{name} exited ({process.returncode}) before the end of its phase; see {log}")
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def gunicorn(port: int, env: dict) -> Iterator[str]:
    """The app as `make serve` runs it (2 sync workers), on core 0. Yields its base URL."""
    base = f"http://{HOST}:{port}"
    command = ["taskset", "-c", "0", str(GUNICORN), "config.wsgi", "--bind", f"{HOST}:{port}"]
    command += ["--workers", "2", "--timeout", "30", "--forwarded-allow-ips", HOST]
    with _running(f"gunicorn-{port}", command, env, f"{base}/healthz"):
        yield base


@contextmanager
def nginx(app_port: int, port: int, env: dict, static_path: str) -> Iterator[str]:
    """deploy/nginx.conf through scripts/run-proxy, in front of the app on `app_port`, with
    one worker on core 0 (beside gunicorn) and an empty cache. Yields its base URL."""
    run_dir = RUN_DIR / "nginx"
    shutil.rmtree(run_dir, ignore_errors=True)
    proxy_env = {
        **env,
        "APP_ADDRESS": f"{HOST}:{app_port}",
        "PROXY_LISTEN": f"{HOST}:{port}",
        "NGINX_RUN": str(run_dir),
        "NGINX_WORKERS": "1",
        "STATIC_ROOT": str(STATIC_ROOT),
    }
    base = f"http://{HOST}:{port}"
    command = ["taskset", "-c", "0", "scripts/run-proxy"]
    with _running("nginx", command, proxy_env, base + static_path):
        yield base


@contextmanager
def datasette(uvicorn: Path, sqlite_path: Path, port: int, env: dict) -> Iterator[str]:
    """Datasette serving `sqlite_path` (immutable, as `datasette publish` deploys it) under
    uvicorn with 2 worker processes, on core 0 like gunicorn. Yields its base URL."""
    base = f"http://{HOST}:{port}"
    command = ["taskset", "-c", "0", str(uvicorn), "datasette_asgi:app", "--app-dir", "bench"]
    command += ["--host", HOST, "--port", str(port), "--workers", "2"]
    command += ["--no-access-log", "--log-level", "warning"]
    datasette_env = {**env, "BENCH_SQLITE": str(sqlite_path)}
    with _running("datasette", command, datasette_env, f"{base}/-/versions.json"):
        yield base


EDIT_EVERY_SECOND = """
import time
from policies.models import Policy
policy = Policy.objects.filter(jurisdiction__slug="il-chicago").first()
while True:
    policy.save()  # as an editor's save in the admin: history, summaries, data version
    time.sleep(1)
"""


@contextmanager
def editing(env: dict) -> Iterator[None]:
    """A process saving one of Chicago's policies every second, on core 1 (beside wrk: the
    editor's work happens in PostgreSQL and in the app's reaction to the change)."""
    command = ["taskset", "-c", "1", str(PYTHON), "manage.py", "shell", "-c", EDIT_EVERY_SECOND]
    with _running("editor", command, env, None):
        yield
