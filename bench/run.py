"""make bench: the production stack on 127.0.0.1 under load, measured side by side.

gunicorn (2 workers) is pinned to core 0 and wrk to core 1. Every endpoint's requests per
second is printed beside a static file served by WhiteNoise through the same gunicorn (the
ceiling for anything Python serves) and a trivial Django view. Phases: local-memory cache,
Redis, and no page cache; then the browser side of the embeds (bench/browser.py); then the
dataset ten times larger. Results go to docs/benchmarks.md.
Needs PostgreSQL and Redis on 127.0.0.1, Debian's wrk and chromium. Not part of the test suite.
"""

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import browser  # noqa: E402  (bench/ is not a package)

PYTHON = str(ROOT / ".venv/bin/python")
GUNICORN = str(ROOT / ".venv/bin/gunicorn")
PORT = 8799
BASE = f"http://127.0.0.1:{PORT}"
DATABASE = "sanctuary_bench"
SECONDS = int(os.environ.get("BENCH_SECONDS", "6"))
ENV = {
    **os.environ,
    "DATABASE_URL": f"postgres://root@127.0.0.1:5432/{DATABASE}",
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_hex(32),
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "SECURE_SSL_REDIRECT": "false",
    "CONN_MAX_AGE": "600",
}
PAGES = {
    "home": ("/", {}),
    "comparison table": ("/jurisdictions/", {}),
    "table fragment (htmx)": ("/jurisdictions/?state=TX&sort=-arrivals", {"HX-Request": "true"}),
    "jurisdiction page": ("/jurisdictions/il-chicago/", {}),
    "embed: chart": ("/embed/jurisdictions/il-chicago/chart/", {}),
    "embed: table": ("/embed/jurisdictions/?state=IL", {}),
}


def run(*command: str, env: dict | None = None) -> str:
    result = subprocess.run(command, cwd=ROOT, env=env or ENV, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def prepare(scale: int) -> None:
    for sql in (f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}"):
        run("psql", "-h", "127.0.0.1", "-U", "root", "-d", "postgres", "-qc", sql)
    run(PYTHON, "manage.py", "migrate", "--noinput", "-v0")
    print(run(PYTHON, "manage.py", "generate_benchmark_data", "--scale", str(scale)).strip())
    run(PYTHON, "manage.py", "load_seed")
    # Fresh planner statistics, as after any bulk load in production.
    run("psql", "-h", "127.0.0.1", "-U", "root", "-d", DATABASE, "-qc", "VACUUM ANALYZE")
    run(PYTHON, "manage.py", "collectstatic", "--noinput", "-v0")


def start_server(extra: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        ["taskset", "-c", "0", GUNICORN, "config.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "2"],
        cwd=ROOT,
        env={**ENV, **extra},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{BASE}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("gunicorn did not start")


def fetch(path: str, headers: dict) -> urllib.request.addinfourl:
    return urllib.request.urlopen(urllib.request.Request(BASE + path, headers=headers))


def wrk(path: str, headers: dict) -> dict:
    command = ["taskset", "-c", "1", "wrk", "-t1", "-c8", f"-d{SECONDS}s", "-s", "bench/report.lua"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    line = run(*command, BASE + path).strip().splitlines()[-1]
    result = json.loads(line)
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def queries_per_page() -> dict[str, int]:
    """SQL queries for each page on a cold cache, counted in a Django process."""
    script = (
        "import json\n"
        "from django.core.cache import cache\n"
        "from django.db import connection\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "from config.data_version import data_version\n"
        f"pages = {json.dumps(PAGES)}\n"
        "out = {}\n"
        "for name, (path, headers) in pages.items():\n"
        "    cache.clear(); data_version()\n"
        "    with CaptureQueriesContext(connection) as queries:\n"
        "        Client().get(path, headers=headers)\n"
        "    out[name] = len(queries)\n"
        "print(json.dumps(out))\n"
    )
    env = {**ENV, "PAGE_CACHE_SECONDS": "0"}
    return json.loads(
        run(PYTHON, "manage.py", "shell", "-c", script, env=env).strip().splitlines()[-1]
    )


def measure(label: str, extra: dict, pages: bool = True) -> dict:
    server = start_server(extra)
    try:
        static_path = fetch("/embed/jurisdictions/il-chicago/chart/", {}).read().decode()
        static_path = static_path.split('href="')[1].split('"')[0]  # the hashed components.css
        results = {
            "static file (WhiteNoise)": wrk(static_path, {"Accept-Encoding": "br"}),
            "trivial Django view": wrk("/healthz", {}),
        }
        if pages:
            for name, (path, headers) in PAGES.items():
                fetch(path, {**headers, "Accept-Encoding": "gzip"}).read()  # warm
                results[name] = wrk(path, {**headers, "Accept-Encoding": "gzip"})
            etag = fetch(PAGES["embed: chart"][0], {}).headers["ETag"]
            results["embed: chart, 304"] = wrk(PAGES["embed: chart"][0], {"If-None-Match": etag})
    finally:
        server.terminate()
        server.wait()
    print(f"\n{label}")
    return results


def table(results: dict, queries: dict) -> str:
    ceiling = results["static file (WhiteNoise)"]["rps"]
    lines = [
        "| endpoint | req/s | ratio to static | p50 ms | p95 ms | p99 ms | errors "
        "| SQL/page (cold) | bytes/response |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        cells = [
            name,
            f"{r['rps']:.0f}",
            f"{r['rps'] / ceiling:.2f}",
            f"{r['p50']:.1f}",
            f"{r['p95']:.1f}",
            f"{r['p99']:.1f}",
            str(r["errors"]),
            str(queries.get(name, "")),
            str(r["bytes"] // max(r["requests"], 1)),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    report = [
        "# Benchmarks",
        "",
        f"`make bench` ({SECONDS} s per endpoint, wrk -t1 -c8), "
        f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores. gunicorn 2 workers on core 0, "
        "wrk on core 1, PostgreSQL and Redis on 127.0.0.1.",
        "",
    ]
    for scale in (1, 10):
        prepare(scale)
        queries = queries_per_page()
        phases = [
            ("page cache in local memory", {}),
            ("page cache in Redis", {"REDIS_URL": "redis://127.0.0.1:6379/9"}),
            ("no page cache (every request renders)", {"PAGE_CACHE_SECONDS": "0"}),
        ]
        run("redis-cli", "-n", "9", "flushdb")
        report += [f"## Dataset scale {scale}", ""]
        for label, extra in phases:
            results = measure(f"scale {scale}: {label}", extra)
            text = table(results, queries)
            print(text)
            report += [f"### {label}", "", text, ""]
        server = start_server({})
        try:
            text = browser.table(browser.measure_embeds(BASE))
        finally:
            server.terminate()
            server.wait()
        print(f"\nscale {scale}: embeds in Chromium\n{text}")
        report += ["### Embeds in Chromium (page cache in local memory)", "", text, ""]
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(report) + "\n")
    print("\nWritten to docs/benchmarks.md")


if __name__ == "__main__":
    main()
