"""make bench: issue #17's measurements of the production stack, in one run on this machine.

At 1x the data:
1. Through nginx's cache (deploy/nginx.conf via scripts/run-proxy, in front of gunicorn with
   Django's cache in Redis): each page and embed, gzip, in turns with nginx serving the same
   bytes as a static file. Target: at least 0.8 of that static file's req/s. Then, for
   information, in turns with a 2.4 KB static file.
2. 304 from the origin: straight to that gunicorn, If-None-Match set to the page's ETag, in
   turns with /healthz. Target: 1,500 req/s.
3. The origin with no HTTP cache (no nginx; Django's cache in Redis): each page and embed, in
   turns with a static file from WhiteNoise. Targets: home 100 req/s, a place's page and a
   chart embed 150 req/s, p95 under 50 ms; the filtered comparison table 3 times Datasette's
   faceted table of the same jurisdictions, measured in turns with it.
4. SQL queries per page at the origin. Target: at most 6.
5. Phases 3 and 4 again at 10x and 30x the data. Target: each page at least 0.8 of its 1x
   speed.
6. For information: phase 1 on a few pages while a record is saved every second.

Writes docs/benchmarks.md and docs/benchmarks.json. BENCH_QUICK=1 (a smoke test: 1x only,
short runs) writes them to bench/.run/ instead. Needs PostgreSQL and Redis on 127.0.0.1, and
Debian's wrk, nginx and gettext-base (envsubst). Uses ports 8790-8792, Redis database 14 and
the PostgreSQL database sanctuary_bench, which it drops and recreates. Not part of the tests.
"""

import gzip
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

from load import fetch, fetch_body, in_turns
from reference_data import datasette_version, export_jurisdictions, install_datasette
from report import TOO_SLOW_SECONDS, document
from servers import PYTHON, RUN_DIR, STATIC_ROOT, datasette, editing, gunicorn, nginx

ROOT = Path(__file__).resolve().parent.parent
QUICK = os.environ.get("BENCH_QUICK") == "1"
SCALES = ("1",) if QUICK else ("1", "10", "30")
# Short enough for the whole run to take about 25 minutes, most of it building the datasets.
TIMING = {
    "rounds": 2 if QUICK else 3,  # of an endpoint in turns with its reference
    "runs": 1 if QUICK else 3,  # rounds of a 304 in turns with /healthz
    "seconds": 1,  # one run of an endpoint served from a cache, a 304, or a static file
    "cold_seconds": 1 if QUICK else 2,  # one run of an endpoint at the origin
}
APP_PORT, PROXY_PORT, DATASETTE_PORT = 8790, 8791, 8792
DATABASE = "sanctuary_bench"
REDIS_DB = "14"
TOOLS = {
    "wrk": "apt-get install wrk",
    "nginx": "apt-get install nginx",
    "envsubst": "apt-get install gettext-base",
    "taskset": "apt-get install util-linux",
    "psql": "apt-get install postgresql-client",
    "redis-cli": "apt-get install redis-tools",
}

# The developer's own cache settings never reach the bench (the tests use Redis database 15).
INHERITED = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_BACKEND"}}
ENV = {
    **INHERITED,
    "DATABASE_URL": f"postgres://root@127.0.0.1:5432/{DATABASE}",
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_hex(32),
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "SECURE_SSL_REDIRECT": "false",
    "CONN_MAX_AGE": "600",
}
CACHED = {**ENV, "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}", "TRUSTED_PROXY_COUNT": "1"}
# The origin alone, as it runs in production behind the proxy: Django's cache in Redis holds
# the data version and the parts many addresses share (keyed by the data version); no page
# is cached anywhere. The Redis database is emptied before each scale's origin phases.
NO_HTTP_CACHE = {**ENV, "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}"}

IMPORTS_SECTION = "## Imports (issue #19)"
GZIP = {"Accept-Encoding": "gzip"}
STATIC_PATH = "/static/css/components.css"  # collected into STATIC_ROOT
# Phase 1's like-for-like references: each page's own gzipped answer, as a static file.
COPIES = "bench-copies"
PAGES = {
    "home": ("/", {}),
    "comparison table": ("/jurisdictions/", {}),
    "comparison table, state=IL": ("/jurisdictions/?state=IL", {}),
    "table fragment (htmx)": ("/jurisdictions/?state=TX&sort=-arrivals", {"HX-Request": "true"}),
    "place page": ("/jurisdictions/il-chicago/", {}),
    "compare": ("/compare/?j=il-chicago&j=ny-new-york-city", {}),
    "map": ("/map/", {}),
    "methodology": ("/methodology/", {}),
    "updates": ("/updates/", {}),
    "embed: chart": ("/embed/jurisdictions/il-chicago/chart/", {}),
    "embed: compare chart": ("/embed/compare/?j=il-chicago&j=ny-new-york-city", {}),
    "embed: table": ("/embed/jurisdictions/?state=IL", {}),
    "embed: card": ("/embed/jurisdictions/il-chicago/", {}),
    "embed: map": ("/embed/map/", {}),
}
EDITED_PAGES = ("home", "place page", "embed: chart")
# Datasette's counterpart of the filtered table: the database file is jurisdictions.db, its
# table jurisdiction; 50 rows a page, as the app's table.
TABLE_PAGE = "comparison table, state=IL"
DATASETTE_TABLE = "/jurisdictions/jurisdiction?state=IL&_facet=state&_facet=kind&_size=50"


def run(*command: str, env: dict = ENV) -> str:
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if finished.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{finished.stdout}\n{finished.stderr}")
    return finished.stdout


def check_tools() -> None:
    missing = [tool for tool in TOOLS if not shutil.which(tool)]
    if missing:
        hints = "\n".join(f"  {tool}: {TOOLS[tool]}" for tool in missing)
        sys.exit(f"make bench needs {', '.join(missing)}. On Debian:\n{hints}")


def prepare(scale: str) -> None:
    """A new sanctuary_bench database with the seed data and the synthetic dataset at `scale`,
    fresh planner statistics (as after any bulk load in production), and collected static files."""
    print(f"Preparing the database at {scale}× the data")
    for sql in (f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}"):
        run("psql", "-X", "-h", "127.0.0.1", "-U", "root", "-d", "postgres", "-qc", sql)
    run(str(PYTHON), "manage.py", "migrate", "--noinput", "-v0")
    # The seed data first: loaded into the large dataset it spends minutes rebuilding
    # summaries that generate_benchmark_data rebuilds once anyway.
    run(str(PYTHON), "manage.py", "load_seed")
    run(str(PYTHON), "manage.py", "generate_benchmark_data", "--scale", scale)
    run("psql", "-X", "-h", "127.0.0.1", "-U", "root", "-d", DATABASE, "-qc", "VACUUM ANALYZE")
    run(str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v0")


COUNT_QUERIES = """
import json
import os
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
counts = {}
for name, (path, headers) in json.loads(os.environ["BENCH_PAGES"]).items():
    Client().get(path, headers=headers)  # the first reader draws the shared parts
    with CaptureQueriesContext(connection) as queries:
        status = Client().get(path, headers=headers).status_code
    counts[name] = {"queries": len(queries), "status": status}
print(json.dumps({"backend": settings.CACHES["default"]["BACKEND"], "pages": counts}))
"""


def queries_per_page() -> dict:
    """SQL queries of each page at the origin (its second request: the shared parts are in
    Django's cache, as in production), counted in one Django process, and the
    cache backend that process had."""
    env = {**NO_HTTP_CACHE, "BENCH_PAGES": json.dumps(PAGES)}
    output = run(str(PYTHON), "manage.py", "shell", "-c", COUNT_QUERIES, env=env)
    return json.loads(output.strip().splitlines()[-1])


def _in_turns_with_static(
    base: str, name: str, seconds: int, static_path: str = STATIC_PATH
) -> dict:
    path, headers = PAGES[name]
    return in_turns(
        (base + path, {**headers, **GZIP}),
        (base + static_path, GZIP),
        rounds=TIMING["rounds"],
        seconds=seconds,
        reference_seconds=TIMING["seconds"],
    )


def static_copy(name: str, status: int, answer: dict, body: bytes) -> str:
    """The page's gzipped answer written into STATIC_ROOT as a static file (and its .gz, which
    nginx's `gzip_static` sends as it is): its address under /static/."""
    path, _headers = PAGES[name]
    if status != 200 or answer.get("content-encoding") != "gzip":
        sys.exit(f"{path}: answered {status}, {answer.get('content-encoding')}; expected gzip")
    copy = STATIC_ROOT / COPIES / f"{list(PAGES).index(name)}.html"
    copy.parent.mkdir(exist_ok=True)
    copy.with_suffix(".html.gz").write_bytes(body)
    copy.write_bytes(gzip.decompress(body))
    return f"/static/{COPIES}/{copy.name}"


def through_nginx(proxy: str) -> dict:
    """Phase 1: each page and embed from nginx's cache, in turns with nginx serving the same
    bytes as a static file, then in turns with a small static file."""
    shutil.rmtree(STATIC_ROOT / COPIES, ignore_errors=True)
    results = {}
    for name, (path, headers) in PAGES.items():
        print(f"  through nginx: {name}")
        fetch(proxy + path, {**headers, **GZIP})  # the first reader: nginx asks gunicorn
        status, answer, body = fetch_body(proxy + path, {**headers, **GZIP})
        cache = answer.get("x-cache-status", "")
        copy = static_copy(name, status, answer, body)
        measured = _in_turns_with_static(proxy, name, TIMING["seconds"], copy)
        small = _in_turns_with_static(proxy, name, TIMING["seconds"])
        results[name] = {**measured, "cache": cache, "small_file": small}
    shutil.rmtree(STATIC_ROOT / COPIES)  # never left for WhiteNoise or a later run to serve
    return results


def while_editing(proxy: str) -> dict:
    """Phase 6: a few pages through nginx while a record is saved every second."""
    with editing(CACHED):
        return {
            name: _in_turns_with_static(proxy, name, TIMING["seconds"]) for name in EDITED_PAGES
        }


def not_modified(origin: str) -> dict:
    """Phase 2: each page and embed revalidated at the origin with the ETag it sent, in turns
    with `/healthz` (a Django view that does nothing: the floor of a request here)."""
    results = {}
    for name, (path, headers) in PAGES.items():
        print(f"  304 from the origin: {name}")
        url, headers = origin + path, {**headers, **GZIP}
        etag = fetch(url, headers)[1].get("etag")
        if not etag:
            results[name] = {"etag": None, "status": None}
            continue
        conditional = {**headers, "If-None-Match": etag}
        status = fetch(url, conditional)[0]
        results[name] = {"etag": etag, "status": status}
        if status == 304:
            results[name] |= in_turns(
                (url, conditional),
                (origin + "/healthz", {}),
                rounds=TIMING["runs"],
                seconds=TIMING["seconds"],
                reference_seconds=TIMING["seconds"],
            )
    return results


def _seconds_alone(url: str, headers: dict) -> float:
    """How long one request takes with nothing else running: the faster of two, since a
    process's first request also loads templates."""
    times = []
    for _ in range(2):
        start = time.monotonic()
        fetch(url, headers)
        times.append(time.monotonic() - start)
    return min(times)


def nothing_cached(origin: str) -> dict:
    """Phase 3: each page and embed rendered from the database, in turns with WhiteNoise's
    static file; a page too slow for that, by the time one request takes alone."""
    results = {}
    for name, (path, headers) in PAGES.items():
        print(f"  origin: {name}")
        alone = _seconds_alone(origin + path, {**headers, **GZIP})
        if alone > TOO_SLOW_SECONDS:
            results[name] = {"too_slow": alone}
        else:
            results[name] = _in_turns_with_static(origin, name, TIMING["cold_seconds"])
    return results


def against_datasette(origin: str, reference: str) -> dict:
    """Phase 3, last rows: the filtered comparison table in turns with Datasette's."""
    path, headers = PAGES[TABLE_PAGE]
    status = fetch(reference + DATASETTE_TABLE, GZIP)[0]
    if status != 200:
        sys.exit(f"Datasette answered {status} for {DATASETTE_TABLE}; see bench/.run/")
    return in_turns(
        (origin + path, {**headers, **GZIP}),
        (reference + DATASETTE_TABLE, GZIP),
        rounds=TIMING["rounds"],
        seconds=TIMING["cold_seconds"],
        reference_seconds=TIMING["cold_seconds"],
    )


def versions() -> str:
    nginx_version = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr
    return f"{nginx_version.strip().removeprefix('nginx version: ')}, {datasette_version()}"


def code_measured() -> dict:
    """The commit measured, and whether the app's tracked files differ from it (the bench's
    own files and its report aside)."""
    commit, _, subject = run("git", "log", "-1", "--format=%h %s").strip().partition(" ")
    outside_bench = [".", ":!bench", ":!docs/benchmarks.md", ":!docs/benchmarks.json"]
    changed = run("git", "status", "--porcelain", "--untracked-files=no", "--", *outside_bench)
    return {"commit": commit, "subject": subject, "dirty": bool(changed.strip())}


def measure_at_1x(results: dict, uvicorn: Path) -> None:
    """Phases 1, 2 and 6 on the production stack, then 3 with Datasette beside the app."""
    run("redis-cli", "-n", REDIS_DB, "flushdb")
    with (
        gunicorn(APP_PORT, CACHED) as origin,
        nginx(APP_PORT, PROXY_PORT, CACHED, STATIC_PATH) as proxy,
    ):
        results["nginx"] = through_nginx(proxy)
        results["not_modified"] = not_modified(origin)
        results["editing"] = while_editing(proxy)
    sqlite = export_jurisdictions(DATABASE)
    with gunicorn(APP_PORT, NO_HTTP_CACHE) as origin:
        results["scales"]["1"]["nothing_cached"] = nothing_cached(origin)
        with datasette(uvicorn, sqlite, DATASETTE_PORT, INHERITED) as reference:
            results["datasette"] = against_datasette(origin, reference)


def main() -> None:
    check_tools()
    started = time.monotonic()
    uvicorn = install_datasette(PYTHON)
    results = {"meta": {}, "scales": {}}
    for scale in SCALES:
        prepare(scale)
        run("redis-cli", "-n", REDIS_DB, "flushdb")
        counted = queries_per_page()
        results["scales"][scale] = {"queries": counted["pages"]}
        if scale == "1":
            results["meta"]["cold_backend"] = counted["backend"]
            measure_at_1x(results, uvicorn)
        else:
            run("redis-cli", "-n", REDIS_DB, "flushdb")
            with gunicorn(APP_PORT, NO_HTTP_CACHE) as origin:
                results["scales"][scale]["nothing_cached"] = nothing_cached(origin)
    results["meta"] |= {
        **code_measured(),
        **TIMING,
        "date": time.strftime("%Y-%m-%d"),
        "quick": QUICK,
        "cores": os.cpu_count(),
        "versions": versions(),
        "minutes": (time.monotonic() - started) / 60,
    }
    folder = RUN_DIR if QUICK else ROOT / "docs"
    folder.mkdir(exist_ok=True)
    (folder / "benchmarks.json").write_text(json.dumps(results, indent=1) + "\n")
    # make bench-imports records its own section (bench/imports.py): kept as it was.
    kept = ""
    if (written := folder / "benchmarks.md").exists():
        _before, marker, imports = written.read_text().partition(IMPORTS_SECTION)
        kept = f"\n{marker}{imports}" if marker else ""
    written.write_text(document(results) + "\n" + kept)
    print(f"Written to {folder / 'benchmarks.md'} and {folder / 'benchmarks.json'}")


if __name__ == "__main__":
    main()
