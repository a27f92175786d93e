"""Alice loses the connection: the service worker shows the offline page, emergency numbers."""

from __future__ import annotations

import pytest
from playwright.sync_api import Request, expect

from vigie.test import Personas
from vigie.tests.browser.browser import check_accessibility, log_in, screenshot
from vigie.tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser


def test_it_shows_the_emergency_numbers_when_the_connection_is_lost(
    open_page: OpenPage, personas: Personas
) -> None:
    alice = open_page(service_workers="allow")
    from_worker: list[str] = []

    def record_worker(request: Request) -> None:
        if request.service_worker is not None:
            from_worker.append(request.url)

    alice.context.on("request", record_worker)
    log_in(alice, personas.alice)
    alice.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    # Ready is not enough: the page must be one the worker controls (it claims its clients).
    alice.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # Its precache fetches go through the fixture's record too, which allows only 127.0.0.1.
    assert any(url.endswith("/hors-ligne/") for url in from_worker), from_worker

    alice.context.set_offline(True)
    alice.goto("/compte/")
    expect(alice.get_by_role("heading", name="Pas de connexion")).to_be_visible()
    expect(alice.get_by_text("En cas d’urgence, appelez le 17")).to_be_visible()
    for number in ("17", "18", "112"):
        expect(alice.get_by_role("link", name=number, exact=True)).to_have_attribute(
            "href", f"tel:{number}"
        )
    # The page kept on the device was fetched without cookies: nothing of Alice in it.
    expect(alice.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    screenshot(alice, "offline")
    check_accessibility(alice)
