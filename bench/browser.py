"""The browser side of `make bench`: what an embed costs a reader of a news article.

For each embed, in Debian's headless Chromium through Playwright and the DevTools protocol:
bytes transferred and requests on a cold cache and on a warm one (a second article embedding
the same chart), the time until a chart is on screen (the server-drawn SVG in the page, or
the page loaded, for embeds without a chart) and until plotly.js has replaced it with the
interactive chart. Measured on loopback, then under a slow-4G profile with the CPU slowed 4x.
"""

import statistics
import time

from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS  # the browser tests' own launch

EMBEDS = {
    "embed: chart": "/embed/jurisdictions/il-chicago/chart/",
    "embed: compare chart": "/embed/compare/?j=il-chicago&j=ny-new-york-city",
    "embed: table": "/embed/jurisdictions/?state=IL",
    "embed: card": "/embed/jurisdictions/il-chicago/",
    "embed: map": "/embed/map/",
}
# Lighthouse's "slow 4G": 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up.
SLOW_4G = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8,
    "uploadThroughput": 750 * 1024 / 8,
}
PROFILES = {"loopback": None, "slow 4G, CPU 4x slower": SLOW_4G}
RUNS = 3

# Records, relative to navigation start, the frame after a chart is first in the page (the
# server-drawn SVG, or plotly's if it came first) and when plotly's interactive chart is drawn.
FIRST_CHART = """
new MutationObserver((changes, observer) => {
  if (window.__firstChart === undefined && document.querySelector(".chart-svg, .main-svg")) {
    window.__firstChart = null;
    requestAnimationFrame(() => setTimeout(() => { window.__firstChart = performance.now(); }));
  }
  if (document.querySelector("[data-chart-ready]")) {
    window.__interactive = performance.now();
    observer.disconnect();
  }
}).observe(document, {subtree: true, childList: true, attributes: true});
"""


def _wait_for(page, condition: str, seconds: float = 30) -> None:
    """Polls `condition` from here: Playwright's wait_for_function evaluates it with eval()
    in the page, which the embeds' Content Security Policy refuses."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(condition):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{condition} after {seconds} s")
        page.wait_for_timeout(10)


def _load(context, url: str, throttle: dict | None) -> dict:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    # Chromium's own cache stays on: the warm run must reuse it as a reader's browser would.
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    if throttle:
        cdp.send("Network.emulateNetworkConditions", throttle)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    transferred = {"bytes": 0, "requests": 0}

    def finished(event: dict) -> None:
        transferred["bytes"] += event["encodedDataLength"]

    def sent(event: dict) -> None:
        transferred["requests"] += 1

    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.requestWillBeSent", sent)
    page.add_init_script(FIRST_CHART)
    page.goto(url, wait_until="load")
    has_chart = page.locator("[data-chart]").count() > 0
    interactive_ms = None
    if has_chart:
        _wait_for(page, "window.__interactive !== undefined")
        _wait_for(page, "typeof window.__firstChart === 'number'")
        ready_ms = page.evaluate("window.__firstChart")
        interactive_ms = page.evaluate("window.__interactive")
    else:
        ready_ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    page.wait_for_timeout(200)  # let late responses report their sizes
    page.close()
    return {
        **transferred,
        "ready_ms": ready_ms,
        "interactive_ms": interactive_ms,
        "chart": has_chart,
    }


def measure_embeds(base_url: str, chromium: str = CHROMIUM) -> list[dict]:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_FLAGS
        )
        for profile, throttle in PROFILES.items():
            for name, path in EMBEDS.items():
                cold, warm = [], []
                for _ in range(RUNS):
                    context = browser.new_context(viewport={"width": 640, "height": 480})
                    cold.append(_load(context, base_url + path, throttle))
                    warm.append(_load(context, base_url + path, throttle))
                    context.close()
                results.append(
                    {
                        "profile": profile,
                        "embed": name,
                        "chart": cold[0]["chart"],
                        "cold_bytes": cold[0]["bytes"],
                        "cold_requests": cold[0]["requests"],
                        "warm_bytes": warm[0]["bytes"],
                        "warm_requests": warm[0]["requests"],
                        "cold_ms": statistics.median(r["ready_ms"] for r in cold),
                        "warm_ms": statistics.median(r["ready_ms"] for r in warm),
                        "cold_interactive_ms": cold[0]["chart"]
                        and statistics.median(r["interactive_ms"] for r in cold),
                    }
                )
        browser.close()
    return results


def table(results: list[dict]) -> str:
    lines = [
        "| network | embed | cold bytes | cold requests | warm bytes | warm requests "
        "| chart shown, cold (ms) | chart shown, warm (ms) | interactive, cold (ms) | target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        target = ""
        if r["chart"]:
            limit = 300 if r["profile"] == "loopback" else 3500
            verdict = "met" if r["cold_ms"] <= limit else "NOT met"
            target = f"chart shown ≤ {limit} ms: {verdict}"
        interactive = f"{r['cold_interactive_ms']:.0f}" if r["chart"] else ""
        lines.append(
            f"| {r['profile']} | {r['embed']} | {r['cold_bytes']:,} | {r['cold_requests']} "
            f"| {r['warm_bytes']:,} | {r['warm_requests']} | {r['cold_ms']:.0f} "
            f"| {r['warm_ms']:.0f} | {interactive} | {target} |"
        )
    return "\n".join(lines)
