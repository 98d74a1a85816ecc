"""make bench's browser part (issue #18): each embed loaded cold in Chromium through the
production stack, as a reader of a newsroom's article first sees it.

The seed data in its own database (sanctuary_embeds_bench, dropped and recreated), gunicorn
behind deploy/nginx.conf (gzip, as in production), and Debian's Chromium driven by
Playwright with its cache disabled: for each embed, the requests it makes and the bytes they
carry over the wire (headers included, from Chromium's DevTools protocol), until the page is
drawn (a chart: until plotly has drawn it). Targets: the map, under 400 KB in at most 4
requests; the others are shown for information. Writes the section "Embeds in Chromium" at
the end of docs/benchmarks.md. Uses ports 8793-8794 and Redis database 13.
"""

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright
from run import ENV, PYTHON, run
from servers import gunicorn, nginx

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "sanctuary_embeds_bench"
APP_PORT, PROXY_PORT = 8793, 8794
BENCH_ENV = {
    **ENV,
    "DATABASE_URL": f"postgres://root@127.0.0.1:5432/{DATABASE}",
    "REDIS_URL": "redis://127.0.0.1:6379/13",
    "TRUSTED_PROXY_COUNT": "1",
}
KB = 1024
MAP_METRICS = ("local", "state_law", "detainer", "agreements", "designations")
EMBEDS = {
    "chart": "/embed/jurisdictions/il-chicago/chart/",
    "compare chart": "/embed/compare/?j=il-chicago&j=ny-new-york-city",
    "table": "/embed/jurisdictions/?state=IL",
    "card": "/embed/jurisdictions/il-chicago/",
    "timeline": "/embed/jurisdictions/il-chicago/timeline/",
    **{f"map: {metric}": f"/embed/map/?metric={metric}" for metric in MAP_METRICS},
}
MAP_BUDGET = {"bytes": 400 * KB, "requests": 4}
SECTION = "## Embeds in Chromium (issue #18)"
CHROMIUM = {
    "executable_path": "/usr/bin/chromium",
    "headless": True,
    "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
}


def prepare() -> None:
    env = {**BENCH_ENV}
    for sql in (f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}"):
        run("psql", "-X", "-h", "127.0.0.1", "-U", "root", "-d", "postgres", "-qc", sql, env=env)
    run(str(PYTHON), "manage.py", "migrate", "--noinput", "-v0", env=env)
    run(str(PYTHON), "manage.py", "load_seed", env=env)
    run(str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v0", env=env)


def cold_load(browser, url: str) -> dict:
    """One embed in a new browser context with the cache disabled: its requests and bytes."""
    context = browser.new_context(viewport={"width": 700, "height": 900})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    sent: set[str] = set()
    sizes: dict[str, int] = {}
    cdp.on("Network.requestWillBeSent", lambda event: sent.add(event["requestId"]))
    cdp.on(
        "Network.loadingFinished",
        lambda event: sizes.update({event["requestId"]: event["encodedDataLength"]}),
    )
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    page.goto(url)
    page.locator("#embed").wait_for()
    if page.locator("[data-chart]").count():
        page.locator("[data-chart-ready]").wait_for()
    page.wait_for_load_state("networkidle")
    context.close()
    return {"requests": len(sent), "bytes": sum(sizes.values())}


def measure() -> dict[str, dict]:
    with (
        gunicorn(APP_PORT, BENCH_ENV),
        nginx(APP_PORT, PROXY_PORT, BENCH_ENV, "/static/css/components.css") as proxy,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(**CHROMIUM)
        results = {name: cold_load(browser, proxy + path) for name, path in EMBEDS.items()}
        browser.close()
    return results


def within_budget(found: dict) -> bool:
    return found["bytes"] < MAP_BUDGET["bytes"] and found["requests"] <= MAP_BUDGET["requests"]


def section(results: dict[str, dict]) -> str:
    rows = []
    for name, found in results.items():
        target, met = "", ""
        if name.startswith("map"):
            target = "< 400 KB, ≤ 4 requests"
            met = "yes" if within_budget(found) else "**no**"
        rows.append(
            f"| {name} | `{EMBEDS[name]}` | {found['requests']} | {found['bytes'] / KB:,.1f} "
            f"| {target} | {met} |"
        )
    return "\n".join(
        [
            SECTION,
            "",
            "`make bench-embeds` (bench/embeds.py; also the last step of `make bench`): the seed",
            "data, gunicorn behind deploy/nginx.conf (gzip), each embed loaded cold in Debian's",
            "Chromium with its cache disabled, until it is drawn (a chart: by plotly). Bytes are",
            "what crossed the wire, headers included.",
            "",
            "| embed | address | requests | KB | target | met? |",
            "| --- | --- | ---: | ---: | --- | --- |",
            *rows,
            "",
        ]
    )


def write(text: str) -> None:
    document = ROOT / "docs" / "benchmarks.md"
    before = document.read_text() if document.exists() else ""
    kept = re.split(rf"^{re.escape(SECTION)}$", before, flags=re.MULTILINE)[0].rstrip()
    document.write_text(f"{kept}\n\n{text}" if kept else text)


def main() -> None:
    print(f"Preparing {DATABASE} with the seed data", flush=True)
    prepare()
    results = measure()
    text = section(results)
    print(text)
    write(text)
    maps = [found for name, found in results.items() if name.startswith("map")]
    sys.exit(0 if all(map(within_budget, maps)) else 1)


if __name__ == "__main__":
    main()
