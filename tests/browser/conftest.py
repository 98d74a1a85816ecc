"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Where Chromium is missing the browser tests are skipped with a message, unless
REQUIRE_BROWSER is set (CI sets it), in which case they fail.
"""

import os
import shutil
from urllib.parse import urlsplit

import pytest

from tests.browser.live import unstarted_live_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


@pytest.fixture(scope="session")
def live_server():
    """pytest-django's `live_server`, answering one request at a time on SQLite (see
    tests.browser.live): a page with an embed or a timeline hung `make test` there."""
    server = unstarted_live_server("localhost")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}; install Debian's chromium package."
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by tests
    # in the same thread are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


class PageWatch:
    """Collects console errors, page errors and requests that leave this machine."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        self.outside_requests: list[str] = []
        self.document_loads = 0
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("request", self._request)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def _request(self, request) -> None:
        host = urlsplit(request.url).hostname or ""
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if host not in LOCAL_HOSTS:
            self.outside_requests.append(request.url)
        if request.resource_type == "document" and request.frame.parent_frame is None:
            self.document_loads += 1


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.watch = PageWatch(page)
    yield page
    context.close()


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.watch = PageWatch(page)
    yield page
    context.close()
