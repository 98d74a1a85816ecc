"""Issue #17's targets checked against a run's results, and docs/benchmarks.md written from them.

Every row with a target says the target, what was measured and whether it was met ("yes" or
"**no**"); rows without a target are there for information.
"""

NGINX_SHARE = 0.8  # of nginx serving the page's bytes as a static file, measured beside it
COLD_RPS = {"home": 100, "place page": 150, "embed: chart": 150}
COLD_P95_MS = 50
DATASETTE_TIMES = 3
NOT_MODIFIED_RPS = 1500
MOST_QUERIES = 6
SCALE_SHARE = 0.8  # of the same page's speed at 1x
# A page taking longer alone answers each of 8 connections after 2 s or more, so a 2 s run
# would finish none; it is 40 times below the lowest target (100 req/s) anyway.
TOO_SLOW_SECONDS = 0.25

LOAD_HEAD = ["req/s", "p50 ms", "p95 ms", "errors", "bytes/response"]
BESIDE_HEAD = ["req/s", "beside it: reference req/s", *LOAD_HEAD[1:]]
TARGET_HEAD = ["target", "measured", "met?"]
RATIO_HEAD = "ratio to the static file"
SMALL_FILE_HEAD = "ratio to the 2.4 KB static file"
HEALTHZ_HEAD = "ratio to /healthz"
NUMBERS = {*BESIDE_HEAD, RATIO_HEAD, SMALL_FILE_HEAD, HEALTHZ_HEAD}
NO_TARGET = ["", "", ""]


def verdict(met: bool) -> str:
    return "yes" if met else "**no**"


def _table(head: list[str], rows: list[list]) -> str:
    """Numbers aligned right, words left."""
    align = ["---:" if column in NUMBERS else "---" for column in head]
    lines = [head, align, *rows]
    return "\n".join("| " + " | ".join(str(cell) for cell in line) + " |" for line in lines)


def _load(result: dict) -> list:
    """req/s, latency, errors and response size of one wrk run."""
    size = result["bytes"] // max(result["requests"], 1)
    rps, p50, p95 = f"{result['rps']:.0f}", f"{result['p50']:.1f}", f"{result['p95']:.1f}"
    return [rps, p50, p95, result["errors"], size]


def _beside(result: dict) -> list:
    """As `_load`, with the req/s of the reference run made just before it."""
    rps, *rest = _load(result)
    return [rps, f"{result['reference']['rps']:.0f}", *rest]


# Checks: each gives what was measured, as shown, and whether its target was met.


def nginx_check(result: dict) -> tuple[str, bool]:
    return f"{result['ratio']:.2f} × its bytes as a static file", result["ratio"] >= NGINX_SHARE


def _too_slow(result: dict) -> str:
    return f"too slow to load: one request alone took {result['too_slow']:.1f} s"


def cold_check(name: str, result: dict) -> tuple[str, bool]:
    if "too_slow" in result:
        return _too_slow(result), False
    measured = f"{result['rps']:.0f} req/s, p95 {result['p95']:.0f} ms"
    return measured, result["rps"] >= COLD_RPS[name] and result["p95"] < COLD_P95_MS


def datasette_check(result: dict) -> tuple[str, bool]:
    return f"{result['ratio']:.2f} × Datasette", result["ratio"] >= DATASETTE_TIMES


def not_modified_check(result: dict) -> tuple[str, bool]:
    if not result["etag"]:
        return "no ETag sent", False
    if result["status"] != 304:
        return f"answered {result['status']}, not 304", False
    return f"{result['rps']:.0f} req/s", result["rps"] >= NOT_MODIFIED_RPS


def queries_check(counts: list[dict]) -> tuple[str, bool]:
    """`counts`: the page's {"queries", "status"} at each scale."""
    shown = " / ".join(
        f"{c['queries']}" + ("" if c["status"] == 200 else f" (status {c['status']})")
        for c in counts
    )
    return shown, all(c["queries"] <= MOST_QUERIES and c["status"] == 200 for c in counts)


def scale_check(scales: dict, name: str) -> tuple[str, bool]:
    """A page's speed at each larger scale as a share of its speed at 1x, taken two ways: from
    its ratios to the static file measured beside it, which cancels the machine's drift
    between scales (minutes apart), and from raw req/s, which other load on the machine can
    sway the other way. Met only if both are at least SCALE_SHARE."""
    first = scales["1"]["nothing_cached"][name]
    shown, met = [], True
    for scale, phase in list(scales.items())[1:]:
        result = phase["nothing_cached"][name]
        if "too_slow" in first or "too_slow" in result:
            shown.append(f"{scale}×: too slow to load")
            met = False
            continue
        share = result["ratio"] / first["ratio"]
        raw = result["rps"] / first["rps"]
        shown.append(f"{scale}×: {share:.2f} (raw {raw:.2f})")
        met = met and min(share, raw) >= SCALE_SHARE
    return "; ".join(shown), met


def failed_requests(results: dict) -> int:
    """Socket errors and answers with a status of 400 or more, over every wrk run kept."""
    kept = [*results["nginx"].values(), *results["editing"].values(), results["datasette"]]
    kept += [r["small_file"] for r in results["nginx"].values()]
    kept += [r for r in results["not_modified"].values() if "requests" in r]
    kept += [r for scale in results["scales"].values() for r in scale["nothing_cached"].values()]
    return sum(r["errors"] + r.get("reference", {}).get("errors", 0) for r in kept if "errors" in r)


# Phase tables.


def nginx_table(endpoints: dict) -> str:
    rows = []
    for name, r in endpoints.items():
        measured, met = nginx_check(r)
        target = f"≥ {NGINX_SHARE} × its bytes as a static file"
        small = f"{r['small_file']['ratio']:.2f}"
        rows.append([name, r["cache"], *_beside(r), small, target, measured, verdict(met)])
    head = ["endpoint", "X-Cache-Status", *BESIDE_HEAD, SMALL_FILE_HEAD, *TARGET_HEAD]
    return _table(head, rows)


def editing_table(endpoints: dict) -> str:
    rows = [[name, *_beside(r), f"{r['ratio']:.2f}"] for name, r in endpoints.items()]
    return _table(["endpoint", *BESIDE_HEAD, RATIO_HEAD], rows)


def not_modified_table(endpoints: dict) -> str:
    rows = []
    for name, r in endpoints.items():
        measured, met = not_modified_check(r)
        if "requests" in r:
            load = [*_beside(r), f"{r['ratio']:.2f}"]
        else:
            load = [""] * (len(BESIDE_HEAD) + 1)
        rows.append([name, *load, f"≥ {NOT_MODIFIED_RPS:,} req/s", measured, verdict(met)])
    return _table(["endpoint", *BESIDE_HEAD, HEALTHZ_HEAD, *TARGET_HEAD], rows)


def cold_table(endpoints: dict, datasette: dict | None = None) -> str:
    """A scale's nothing-cached phase. At 1x (with `datasette`, the app's run with Datasette's
    as its reference) with the targets; at larger scales the scale table has them."""
    rows = []
    for name, r in endpoints.items():
        load = [""] * len(BESIDE_HEAD) if "too_slow" in r else _beside(r)
        target = ["", _too_slow(r), ""] if "too_slow" in r else NO_TARGET
        if datasette and name in COLD_RPS:
            measured, met = cold_check(name, r)
            target = [f"≥ {COLD_RPS[name]} req/s, p95 < {COLD_P95_MS} ms", measured, verdict(met)]
        rows.append([name, *load, *target])
    if datasette:
        measured, met = datasette_check(datasette)
        name = "comparison table, state=IL, in turns with Datasette's faceted table"
        target = [f"≥ {DATASETTE_TIMES} × Datasette", measured, verdict(met)]
        rows.append([name, *_beside(datasette), *target])
        rps, *rest = _load(datasette["reference"])
        rows.append(["Datasette's faceted table (the reference above)", rps, "", *rest, *NO_TARGET])
    return _table(["endpoint", *BESIDE_HEAD, *TARGET_HEAD], rows)


def queries_table(scales: dict) -> str:
    rows = []
    for name in scales["1"]["queries"]:
        measured, met = queries_check([phase["queries"][name] for phase in scales.values()])
        rows.append([name, f"≤ {MOST_QUERIES}", measured, verdict(met)])
    head = ["page", "target", "measured (" + " / ".join(f"{s}×" for s in scales) + ")", "met?"]
    return _table(head, rows)


def _rps(result: dict) -> str:
    return "too slow" if "too_slow" in result else f"{result['rps']:.0f}"


def scale_table(scales: dict) -> str:
    rows = []
    for name in scales["1"]["nothing_cached"]:
        rps = " / ".join(_rps(phase["nothing_cached"][name]) for phase in scales.values())
        measured, met = scale_check(scales, name)
        rows.append([name, rps, f"≥ {SCALE_SHARE} of 1×", measured, verdict(met)])
    head = ["page", "req/s (" + " / ".join(f"{s}×" for s in scales) + ")", *TARGET_HEAD]
    return _table(head, rows)


# The summary: one row per target of the issue.


def _every(checks: dict[str, tuple[str, bool]]) -> list[str]:
    """[measured, met?] for a target that every endpoint must meet: the ones that missed it."""
    missed = {name: measured for name, (measured, met) in checks.items() if not met}
    if not missed:
        return [f"all {len(checks)} met", verdict(True)]
    return ["missed by " + "; ".join(f"{n}: {m}" for n, m in missed.items()), verdict(False)]


def summary_table(results: dict) -> str:
    scales = results["scales"]
    cold = scales["1"]["nothing_cached"]
    rows = [
        [
            f"through nginx's cache, every page and embed ≥ {NGINX_SHARE} × nginx sending the "
            "same bytes as a static file",
            *_every({name: nginx_check(r) for name, r in results["nginx"].items()}),
        ]
    ]
    for name, rps in COLD_RPS.items():
        measured, met = cold_check(name, cold[name])
        target = f"origin, no HTTP cache: {name} ≥ {rps} req/s, p95 < {COLD_P95_MS} ms"
        rows.append([target, measured, verdict(met)])
    measured, met = datasette_check(results["datasette"])
    target = f"origin, no HTTP cache: comparison table (state=IL) ≥ {DATASETTE_TIMES} × Datasette"
    rows.append([target, measured, verdict(met)])
    checks = {name: not_modified_check(r) for name, r in results["not_modified"].items()}
    rows.append([f"304 from the origin ≥ {NOT_MODIFIED_RPS:,} req/s", *_every(checks)])
    checks = {
        name: queries_check([phase["queries"][name] for phase in scales.values()])
        for name in scales["1"]["queries"]
    }
    rows.append([f"SQL queries per page ≤ {MOST_QUERIES}, at the origin", *_every(checks)])
    target = f"no HTTP cache, every page at 10× and 30× the data ≥ {SCALE_SHARE} of 1×"
    if len(scales) == 1:
        rows.append([target, "not measured (BENCH_QUICK=1: 1× only)", ""])
    else:
        checks = {name: scale_check(scales, name) for name in cold}
        rows.append([target, *_every(checks)])
    failed = failed_requests(results)
    rows.append(["no failed requests (for information)", f"{failed}", verdict(failed == 0)])
    return _table(TARGET_HEAD, rows)


# The document. Markdown joins the lines of a paragraph, so the texts keep the code's width.

HISTORY = """\
History: numbers in this file up to 2026-11-26 measured a home-made page and fragment cache
(config/page_cache.py, config/fragments.py) that issue #17 deletes in favour of nginx's cache
and Django's cache framework; they are in git history only."""

METHOD = """\
How: on one machine ({cores} cores), every server pinned to core 0 (gunicorn with 2 sync
workers, nginx with 1 worker, Datasette under uvicorn with 2 workers) and wrk (1 thread,
8 connections) pinned to core 1; PostgreSQL and Redis (database 14) on 127.0.0.1, not pinned.
Every request sends `Accept-Encoding: gzip`. This machine's speed drifts in bursts, so an
endpoint is measured in turns with a reference: {rounds} rounds of a {seconds} s run of the
reference and a run of the endpoint ({seconds} s from a cache, {cold_seconds} s at the
origin); the round with the middle ratio is kept, and its reference's req/s is shown beside
it. 304s are measured in the same way, with `/healthz` as their reference. The dataset is
synthetic (`manage.py load_seed`, then `generate_benchmark_data --scale N`), in the database
`sanctuary_bench`.
Versions: {versions}. In the origin phases (no nginx) Django's cache is Redis, as in
production (`{cold_backend}`): it holds the data version and the parts many addresses share
(the home page's overview, the filter form, each chart's and map's drawing), keyed by the data
version; no page is cached anywhere. Redis is emptied before each scale's origin phases, so the
first request of each page renders everything."""

NGINX_TEXT = """\
deploy/nginx.conf (via scripts/run-proxy) in front of gunicorn, Django's cache in Redis. Each
page and embed is asked for twice first, so that nginx holds it (X-Cache-Status: its answer to
the second ask). The reference is the same answer's gzipped bytes, written into STATIC_ROOT
and served by nginx's `/static/` location as a static file: the least work nginx does to send
those bytes, so the ratio is what the cache costs beyond sending them. For a large page,
sending its bytes is most of the work whoever does it. A column shows, for information, each
page's ratio to a 2.4 KB static file (components.css, gzipped), measured in turns with it
after the first: issue #17 compared every page with one static file of that kind."""

NOT_MODIFIED_TEXT = """\
Straight to gunicorn (no nginx; Django's cache in Redis, as behind nginx): `GET` with
`If-None-Match` set to the ETag the page sent for the same request, which is what a
revalidation by nginx or a browser costs the app. A page that sends no ETag, or does not
answer 304, misses the target. Each is measured in turns with `/healthz`, a Django view that
does nothing (through the same middleware): the floor of any request on this machine at that
moment, shown beside it, since the target is an absolute rate and this machine's speed drifts."""

COLD_TEXT = """\
Straight to gunicorn, no nginx, Django's cache in Redis as in production: every request
renders its page (its queries and its template) around the shared parts Django's cache holds.
The reference is a static file served by WhiteNoise through the same gunicorn. With
8 connections kept busy, a mean of 50 ms per request is 160 req/s, so p95 < 50 ms needs more
than that. A page that takes more than {too_slow} s alone is not load-tested and misses its
targets. The last two rows: the filtered comparison table in turns with Datasette's faceted
table of the same jurisdictions (`?state=IL&_facet=state&_facet=kind&_size=50`: 50 rows, as
the app's table; Datasette does not compress), Datasette's req/s shown as the reference."""

QUERIES_TEXT = """\
Counted in one Django process with Django's cache in Redis, as in production: each page's
second request with Django's test client (the first drew the parts many addresses share)."""

SCALE_TEXT = """\
Section 3 again after rebuilding the dataset at each scale. A page's share of its 1× speed is
taken from its ratios to the static file measured beside it, which cancels the machine's drift
between scales (minutes apart), and, in brackets, from its raw req/s; other load on the
machine can sway either, so the target is met only if both are."""

EDITING_TEXT = """\
As section 1, while another process saves one of Chicago's policies every second."""


def _section(title: str, text: str, table: str) -> list[str]:
    return [f"## {title}", "", text, "", table, ""]


def document(results: dict) -> str:
    meta, scales = results["meta"], results["scales"]
    dirty = " (with uncommitted changes)" if meta["dirty"] else ""
    quick = " **BENCH_QUICK=1: a smoke test with short runs, not for reading.**" * meta["quick"]
    lines = [
        "# Benchmarks",
        "",
        f"`make bench` (bench/run.py), {meta['date']}, code at commit {meta['commit']}{dirty}: "
        f"{meta['subject']}. The run took {meta['minutes']:.0f} minutes.{quick}",
        "",
        HISTORY,
        "",
        METHOD.format(**meta),
        "",
        "## Targets (issue #17)",
        "",
        summary_table(results),
        "",
    ]
    cold = scales["1"]["nothing_cached"]
    lines += _section("1. Through nginx's cache (1×)", NGINX_TEXT, nginx_table(results["nginx"]))
    lines += _section(
        "2. 304 from the origin (1×)",
        NOT_MODIFIED_TEXT,
        not_modified_table(results["not_modified"]),
    )
    lines += _section(
        "3. Origin with no HTTP cache (1×)",
        COLD_TEXT.format(too_slow=TOO_SLOW_SECONDS),
        cold_table(cold, results["datasette"]),
    )
    lines += _section("4. SQL queries per page", QUERIES_TEXT, queries_table(scales))
    if len(scales) > 1:
        lines += _section("5. Data scale, no HTTP cache", SCALE_TEXT, scale_table(scales))
        for scale in list(scales)[1:]:
            lines += [f"### No HTTP cache at {scale}×", ""]
            lines += [cold_table(scales[scale]["nothing_cached"]), ""]
    lines += _section(
        "6. Through nginx while staff edit (1×, for information)",
        EDITING_TEXT,
        editing_table(results["editing"]),
    )
    return "\n".join(lines)
