"""Fixtures of the browser journeys: Debian's Chromium, driven by Playwright, on a live server.

Chromium comes from apt (`make browser`, run by `make test` and `.ci/run`), never from
Playwright's own download. The tests are skipped only when it is missing and
VIGIE_REQUIRE_BROWSER is not set; CI sets it, so they never silently vanish there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Literal
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from vigie.tests.browser.browser import CHROMIUM, PHONE

# Without these flags Chromium calls Google (updates, safe browsing, sync, field trials).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Schemes whose requests never leave the browser (chrome: its own PDF viewer, for one).
IN_BROWSER_SCHEMES = {"data", "blob", "about", "chrome", "chrome-extension", "chrome-untrusted"}

ColorScheme = Literal["light", "dark"]
ServiceWorkers = Literal["allow", "block"]
OpenPage = Callable[..., Page]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test file: Playwright's event loop lives no longer than the file."""
    if not CHROMIUM.exists():
        if os.environ.get("VIGIE_REQUIRE_BROWSER"):
            pytest.fail(f"VIGIE_REQUIRE_BROWSER is set but {CHROMIUM} is missing: `make browser`")
        pytest.skip(f"{CHROMIUM} is missing (`make browser` installs Debian's chromium)")
    # Playwright's sync API keeps an event loop running in this thread, so Django would refuse
    # the tests' own ORM calls (personas, tasks) though no coroutine makes them. Only while
    # the loop runs: the other tests of this process keep Django's guard.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            # launch() gives Chromium a fresh temporary profile, deleted on close.
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(autouse=True)
def _served_locally(live_server: LiveServer, settings: Settings) -> None:
    """Links, letters and the test bank point at this live server; no map tiles at all."""
    settings.BASE_URL = live_server.url
    settings.MONETICO_PAYMENT_URL = f"{live_server.url}/banque-test/paiement.cgi"
    settings.MONETICO_NOTIFY_URL = f"{live_server.url}/payments/monetico/notify"
    # The app must stay usable with no tiles: the tests run so.
    settings.MAP_TILE_URL = ""


@pytest.fixture
def open_page(browser: Browser, live_server: LiveServer) -> Iterator[OpenPage]:
    """Opens a page in a context of its own (one per person), recording every request made."""
    requested: list[str] = []
    contexts = []

    def open_page(
        viewport: ViewportSize = PHONE,
        color_scheme: ColorScheme = "light",
        service_workers: ServiceWorkers = "block",
    ) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            locale="fr-FR",
            color_scheme=color_scheme,
            accept_downloads=True,
            # Blocked unless a journey is about the worker itself: it would make every journey
            # depend on its cache, and its own fetches must then be seen by the record below.
            service_workers=service_workers,
        )
        context.set_default_timeout(10_000)
        context.on("request", lambda request: requested.append(request.url))
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    elsewhere = [url for url in requested if not _local(url)]
    assert not elsewhere, f"Chromium made requests outside 127.0.0.1: {elsewhere}"


@pytest.fixture
def page(open_page: OpenPage) -> Page:
    return open_page()


def _local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in IN_BROWSER_SCHEMES or parts.hostname in LOCAL_HOSTS
