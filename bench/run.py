"""make bench: the production stack on 127.0.0.1 under load, measured side by side.

gunicorn (2 workers) is pinned to core 0 and wrk to core 1. Every endpoint's requests per
second is printed beside a static file served by WhiteNoise through the same gunicorn (the
ceiling for anything Python serves), measured in turns with it, and a trivial Django view.
Phases: page cache in local memory, then in Redis; the same in Redis while a record is saved
every second (staff editing); no page cache, with the fragments pages share in local memory,
then in Redis; nothing cached. Then the browser side of the embeds
(bench/browser.py), then all again with the dataset ten times larger. Results go to
docs/benchmarks.md.
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
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # the project (tests.browser) and bench/
import browser  # noqa: E402  (bench/ is not a package)

PYTHON = str(ROOT / ".venv/bin/python")
GUNICORN = str(ROOT / ".venv/bin/gunicorn")
PORT = 8799
STATIC_HEADERS = {"Accept-Encoding": "br"}
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


def wrk(path: str, headers: dict, seconds: int = SECONDS) -> dict:
    command = ["taskset", "-c", "1", "wrk", "-t1", "-c8", f"-d{seconds}s", "-s", "bench/report.lua"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    line = run(*command, BASE + path).strip().splitlines()[-1]
    result = json.loads(line)
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def steady(path: str, headers: dict, runs: int = 3) -> dict:
    """The middle of `runs` short wrk runs (by req/s), SECONDS in all.

    This machine's speed drifts in bursts (another tenant's load): one long run can catch a
    burst that a middle of three mostly leaves out."""
    results = sorted(
        (wrk(path, headers, seconds=max(SECONDS // runs, 1)) for _ in range(runs)),
        key=lambda result: result["rps"],
    )
    return {**results[len(results) // 2], "ratio": 1.0}


def _static_run(static_path: str, tries: int = 3) -> dict:
    """One second of the static file. A second in which it answered nothing (the server
    stalled, as it did once at ten times the data) is run again rather than divided by."""
    for _ in range(tries):
        if (result := wrk(static_path, STATIC_HEADERS, seconds=1))["requests"]:
            return result
    sys.exit(f"{static_path} answered nothing in {tries} one-second runs")


def beside_static(path: str, headers: dict, static_path: str, runs: int = 5) -> dict:
    """The endpoint measured in turns with the static file: `runs` rounds of a one-second run
    of the static file and a run of the endpoint; the round with the middle ratio is kept.

    In one run of the benchmark the static file alone ranged 1,300-2,700 req/s between
    phases a minute apart, so an endpoint compared with a static run made a minute before it
    showed the drift more than the endpoint. Side by side, both see the same machine."""
    rounds = []
    for _ in range(runs):
        ceiling = _static_run(static_path)
        result = wrk(path, headers, seconds=max(SECONDS // runs, 1))
        rounds.append({**result, "ratio": result["rps"] / ceiling["rps"]})
    rounds.sort(key=lambda result: result["ratio"])
    return rounds[len(rounds) // 2]


def queries_per_page() -> dict[str, int]:
    """SQL queries for each page on a cold cache, counted in a Django process."""
    script = (
        "import json\n"
        "from django.core.cache import cache\n"
        "from django.db import connection\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "from policies.data_version import data_version\n"
        "from config.fragments import forget_recent_parts\n"
        f"pages = {json.dumps(PAGES)}\n"
        "out = {}\n"
        "for name, (path, headers) in pages.items():\n"
        "    cache.clear(); forget_recent_parts(); data_version()\n"
        "    with CaptureQueriesContext(connection) as queries:\n"
        "        Client().get(path, headers=headers)\n"
        "    out[name] = len(queries)\n"
        "print(json.dumps(out))\n"
    )
    env = {**ENV, "PAGE_CACHE_SECONDS": "0"}
    return json.loads(
        run(PYTHON, "manage.py", "shell", "-c", script, env=env).strip().splitlines()[-1]
    )


def conditional_versus_hit(pairs: int = 5) -> dict:
    """The chart embed answered 304, measured in turns with its cache hit.

    Between one wrk run and the next this machine drifts by more than the difference being
    measured (the static file alone ranged 2,200-2,900 req/s in one session), so the 304 and
    the hit are run back to back, five times, and the middle ratio of the pairs is kept."""
    # As a browser revalidates: with the ETag of the compressed copy it holds.
    path, headers = PAGES["embed: chart"][0], {"Accept-Encoding": "gzip"}
    etag = fetch(path, headers).headers["ETag"]
    runs = []
    for _ in range(pairs):
        hit = wrk(path, headers, seconds=max(SECONDS // 2, 1))
        conditional = wrk(path, {**headers, "If-None-Match": etag}, seconds=max(SECONDS // 2, 1))
        runs.append((conditional["rps"] / hit["rps"], conditional))
    runs.sort(key=lambda pair: pair[0])
    ratio, middle = runs[len(runs) // 2]
    return {**middle, "ratio_to_hit": ratio}


EDIT_EVERY_SECOND = (
    "import time\n"
    "from policies.models import Policy\n"
    "policy = Policy.objects.filter(jurisdiction__slug='il-chicago').first()\n"
    "while True:\n"
    "    policy.save()  # as an editor's save in the admin: history, summaries, data version\n"
    "    time.sleep(1)\n"
)


def start_editing(extra: dict) -> subprocess.Popen:
    """A process saving one of Chicago's policies every second, until terminated."""
    return subprocess.Popen(
        ["taskset", "-c", "1", PYTHON, "manage.py", "shell", "-c", EDIT_EVERY_SECOND],
        cwd=ROOT,
        env={**ENV, **extra},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def measure(label: str, extra: dict, editing: bool = False) -> dict:
    server = start_server(extra)
    editor = start_editing(extra) if editing else None
    try:
        static_path = fetch("/embed/jurisdictions/il-chicago/chart/", {}).read().decode()
        static_path = static_path.split('href="')[1].split('"')[0]  # the hashed components.css
        results = {
            "static file (WhiteNoise)": steady(static_path, STATIC_HEADERS),
            "trivial Django view": beside_static("/healthz", {}, static_path),
        }
        for name, (path, headers) in PAGES.items():
            fetch(path, {**headers, "Accept-Encoding": "gzip"}).read()  # warm
            results[name] = beside_static(path, {**headers, "Accept-Encoding": "gzip"}, static_path)
        # While staff edit, each save changes the ETag, which a fixed If-None-Match then misses.
        if not editing:
            conditional = conditional_versus_hit()
            # The 304 is measured beside the hit: its ratio to the static file is the hit's
            # times its own to the hit.
            ratio = results["embed: chart"]["ratio"] * conditional["ratio_to_hit"]
            results["embed: chart, 304"] = {**conditional, "ratio": ratio}
    finally:
        for process in (editor, server):
            if process:
                process.terminate()
                process.wait()
    print(f"\n{label}")
    return results


def table(results: dict, queries: dict) -> str:
    lines = [
        "| endpoint | req/s | ratio to static | p50 ms | p95 ms | p99 ms | errors "
        "| SQL/page (cold) | bytes/response |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        cells = [
            name,
            f"{r['rps']:.0f}",
            f"{r['ratio']:.2f}",
            f"{r['p50']:.1f}",
            f"{r['p95']:.1f}",
            f"{r['p99']:.1f}",
            str(r["errors"]),
            str(queries.get(name, "")),
            str(r["bytes"] // max(r["requests"], 1)),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


LOCAL, REDIS, EDITING, UNCACHED, UNCACHED_REDIS, COLD = (
    "page cache in local memory",
    "page cache in Redis",
    "page cache in Redis, one record saved every second (staff editing)",
    "no page cache, fragments in local memory (each request renders its page around the "
    "parts it shares with other addresses)",
    "no page cache, fragments in Redis",
    "nothing cached (each request renders everything)",
)
PHASES = (LOCAL, REDIS, EDITING, UNCACHED, UNCACHED_REDIS, COLD)
BASELINES = ("static file (WhiteNoise)", "trivial Django view", "embed: chart, 304")


def targets(scale_results: dict) -> list[tuple[str, bool | None, str]]:
    """Issue #5's targets, each with whether it was met and the figures behind it; then two
    conditions beyond them, shown for information (None): pages while staff edit, and every
    page with nothing cached at all.

    "Uncached" is read as a page the page cache does not hold: the issue has fragments cached
    too, and such a page is rendered around them. Nothing cached at all is the worst case,
    which readers meet only for an address first asked just after a data change: until then
    they get the copy from before it (config/page_cache.py)."""
    local, redis, editing, uncached, uncached_redis, cold = (scale_results[p] for p in PHASES)
    queries = scale_results["queries"]
    pages = [name for name in local if name not in BASELINES]

    def ratios(phase: dict) -> dict:
        return {name: phase[name]["ratio"] for name in pages}

    def lowest(values: dict) -> str:
        name = min(values, key=values.get)
        return f"lowest {values[name]:.2f} ({name})"

    local_ratios, redis_ratios = ratios(local), ratios(redis)

    def share(phase: dict, cached: dict) -> dict:
        # Each against the static file beside it: the phases run minutes apart.
        return {name: phase[name]["ratio"] / cached[name]["ratio"] for name in pages}

    def p95(phase: dict) -> dict:
        return {name: phase[name]["p95"] for name in ("comparison table", "jurisdiction page")}

    errors = sum(r["errors"] for phase in PHASES for r in scale_results[phase].values())
    conditional = [
        local["embed: chart, 304"]["ratio_to_hit"],
        redis["embed: chart, 304"]["ratio_to_hit"],
    ]
    return [
        (
            "cache hits ≥ 0.7 of the static file (local memory)",
            min(local_ratios.values()) >= 0.7,
            lowest(local_ratios),
        ),
        (
            "cache hits ≥ 0.35 of the static file (Redis)",
            min(redis_ratios.values()) >= 0.35,
            lowest(redis_ratios),
        ),
        (
            "304 at least as fast as a cache hit (95%; middle of five back-to-back pairs)",
            min(conditional) >= 0.95,
            "304/hit: " + ", ".join(f"{c:.3f}" for c in conditional) + " (local, Redis)",
        ),
        *(
            (
                f"uncached ≥ 0.15 of cached speed ({label})",
                min(share(phase, cached).values()) >= 0.15,
                lowest(share(phase, cached)),
            )
            for label, phase, cached in (
                ("no page cache, local memory; of the local-memory hit", uncached, local),
                ("no page cache, Redis; of the Redis hit", uncached_redis, redis),
            )
        ),
        *(
            (
                f"uncached table and jurisdiction page p95 < 100 ms ({label})",
                max(p95(phase).values()) < 100,
                ", ".join(f"{k} {v:.0f} ms" for k, v in p95(phase).items()),
            )
            for label, phase in (
                ("no page cache, local memory", uncached),
                ("no page cache, Redis", uncached_redis),
            )
        ),
        (
            "SQL queries per page ≤ 6",
            max(queries.values()) <= 6,
            ", ".join(f"{k} {v}" for k, v in queries.items()),
        ),
        ("zero errors", errors == 0, f"{errors} errors"),
        *(
            (
                f"for information: {label}",
                None,
                f"ratio to static {lowest(ratios(phase))}; of the {hit} hit "
                f"{lowest(share(phase, cached))}; "
                + ", ".join(f"{k} p95 {v:.0f} ms" for k, v in p95(phase).items()),
            )
            for label, phase, cached, hit in (
                ("a record saved every second (staff editing)", editing, redis, "Redis"),
                ("nothing cached (each request renders everything)", cold, local, "local"),
            )
        ),
    ]


def targets_table(all_results: dict) -> str:
    checked = {scale: targets(results) for scale, results in all_results.items()}
    scales = list(checked)
    lines = [
        "| target | " + " | ".join(f"scale {s}" for s in scales) + " |",
        "|---|" + "---|" * len(scales),
    ]
    for index, (label, _, _) in enumerate(checked[scales[0]]):
        cells = []
        for scale in scales:
            _, met, detail = checked[scale][index]
            verdict = {True: "met: ", False: "**not met**: ", None: ""}[met]
            cells.append(verdict + detail)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def change_table(small: dict, large: dict) -> str:
    """How each endpoint's speed changed with the dataset ten times larger (goal: flat): its
    ratio to the static file beside it (which this machine's drift leaves alone), then req/s."""
    lines = [
        "| phase | endpoint | ratio to static, 1 → 10 | change | req/s, 1 → 10 | p95 ms, 1 → 10 |",
        "|---|---|---|---:|---|---|",
    ]
    for phase in PHASES:
        for name, before in small[phase].items():
            after = large[phase][name]
            change = after["ratio"] / before["ratio"] - 1
            lines.append(
                f"| {phase} | {name} | {before['ratio']:.2f} → {after['ratio']:.2f} "
                f"| {change:+.0%} | {before['rps']:.0f} → {after['rps']:.0f} "
                f"| {before['p95']:.0f} → {after['p95']:.0f} |"
            )
    return "\n".join(lines)


def main() -> None:
    report = [
        "# Benchmarks",
        "",
        f"`make bench` (each endpoint: five one-second runs, each after a one-second run of the "
        "static file; the run with the middle ratio to it is kept; wrk -t1 -c8), "
        f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores. gunicorn 2 workers on core 0, "
        "wrk on core 1, PostgreSQL and Redis on 127.0.0.1.",
        "",
    ]
    sections = []
    all_results = {}
    for scale in (1, 10):
        prepare(scale)
        queries = queries_per_page()
        phases = [
            (LOCAL, {}),
            (REDIS, {"REDIS_URL": "redis://127.0.0.1:6379/9"}),
            (EDITING, {"REDIS_URL": "redis://127.0.0.1:6379/9"}),
            (UNCACHED, {"PAGE_CACHE_SECONDS": "0"}),
            (UNCACHED_REDIS, {"PAGE_CACHE_SECONDS": "0", "REDIS_URL": "redis://127.0.0.1:6379/9"}),
            (COLD, {"PAGE_CACHE_SECONDS": "0", "FRAGMENT_CACHE_SECONDS": "0"}),
        ]
        run("redis-cli", "-n", "9", "flushdb")
        all_results[scale] = {"queries": queries}
        sections += [f"## Dataset scale {scale}", ""]
        for label, extra in phases:
            results = measure(f"scale {scale}: {label}", extra, editing=label == EDITING)
            all_results[scale][label] = results
            text = table(results, queries)
            print(text)
            sections += [f"### {label}", "", text, ""]
        server = start_server({})
        try:
            # "Cold" in the browser means the reader's cache, not the server's: each worker
            # has its own local-memory cache, so one request each would leave the other cold
            # (its nothing-cached render is measured above). Under wrk both workers answer.
            for path in browser.EMBEDS.values():
                wrk(path, {"Accept-Encoding": "gzip, deflate, br, zstd"}, seconds=1)
            embeds = browser.measure_embeds(BASE)
        finally:
            server.terminate()
            server.wait()
        all_results[scale]["browser"] = embeds
        text = browser.table(embeds)
        print(f"\nscale {scale}: embeds in Chromium\n{text}")
        sections += ["### Embeds in Chromium (page cache in local memory)", "", text, ""]
    summary = targets_table(all_results)
    change = change_table(all_results[1], all_results[10])
    print(f"\nTargets\n{summary}\n\nScale 1 to 10\n{change}")
    report += ["## Targets", "", summary, "", *sections, "## From scale 1 to 10", "", change, ""]
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(report) + "\n")
    (ROOT / "docs" / "benchmarks.json").write_text(json.dumps(all_results, indent=1) + "\n")
    print("\nWritten to docs/benchmarks.md and docs/benchmarks.json")


if __name__ == "__main__":
    main()
