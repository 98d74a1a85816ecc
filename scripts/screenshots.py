"""Screenshots of the reader site for docs/screenshots/: the home page, a place's page, the
side-by-side comparison and the map, each on a desktop, on a phone and in the dark theme.

Run it against the app with its seed data, e.g. with `make run` in another terminal:

    .venv/bin/python scripts/screenshots.py [--url http://127.0.0.1:8000]

Uses Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) through Playwright. Each picture is
the first screen a reader sees, taken once the charts are drawn.
"""

import argparse
import os
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PAGES = {
    "home": "/",
    "place": "/jurisdictions/il-chicago/",
    "compare": "/compare/?j=il-chicago&j=ny-new-york-city&j=co-denver",
    "map": "/map/",
}
VARIANTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}, "color_scheme": "light"},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "device_scale_factor": 2,
        "color_scheme": "light",
    },
    "dark": {"viewport": {"width": 1280, "height": 900}, "color_scheme": "dark"},
}
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    base = parser.parse_args().url.rstrip("/")
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            headless=True,
            args=CHROMIUM_FLAGS,
        )
        for variant, options in VARIANTS.items():
            context = browser.new_context(**options)
            page = context.new_page()
            for name, path in PAGES.items():
                response = page.goto(base + path)
                if response is None or response.status != 200:
                    raise SystemExit(f"{base + path} answered {response and response.status}")
                for chart in page.locator("[data-chart]").all():
                    expect(chart).to_have_attribute("data-chart-ready", "true", timeout=15000)
                file = OUT / f"{name}-{variant}.png"
                page.screenshot(path=file)
                print(file.relative_to(OUT.parent.parent))
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
