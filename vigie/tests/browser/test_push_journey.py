"""Alice's phone receives an alert by Web Push: the service worker shows it as a notification.

Chromium subscribes only with Google's push service, which these tests never reach. So the
local push service stand-in plays that part: the fan-out encrypts and signs the alert for a
subscription of the stand-in, which checks and decrypts it as a push service and a browser
would, and the decrypted message is handed to Alice's Chromium through the DevTools
protocol, exactly where a push service hands it: to the page's registered service worker.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import CDPSession, Page
from pytest_django.live_server_helper import LiveServer

from vigie.notifications.push_standin import PushStandIn
from vigie.notifications.tests.test_alert_delivery import send_alert
from vigie.notifications.vapid import vapid_keys
from vigie.test import Personas, log_in_as, run_tasks
from vigie.tests.browser.browser import log_in
from vigie.tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser

NOTIFICATIONS = """() => navigator.serviceWorker.ready
    .then(registration => registration.getNotifications())
    .then(shown => shown.map(notification => ({
        title: notification.title,
        body: notification.body,
        tag: notification.tag,
        requireInteraction: notification.requireInteraction,
        url: notification.data && notification.data.url,
    })))"""


@pytest.fixture
def push_service() -> Iterator[PushStandIn]:
    standin = PushStandIn(application_server_key=vapid_keys().public_key).start()
    yield standin
    standin.stop()


def test_it_shows_an_urgent_alert_pushed_to_a_neighbours_browser(
    open_page: OpenPage, personas: Personas, push_service: PushStandIn, live_server: LiveServer
) -> None:
    alice = open_page(service_workers="allow")
    alice.context.grant_permissions(["notifications"], origin=live_server.url)
    log_in(alice, personas.alice)
    alice.wait_for_function("() => navigator.serviceWorker.controller !== null")
    target, _ = push_service.new_subscription()
    subscribed = log_in_as(Client(), personas.alice).post(
        "/api/v1/me/push-subscriptions",
        {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}},
        content_type="application/json",
    )
    assert subscribed.status_code == 201

    alert_id = send_alert(log_in_as(Client(), personas.dave), urgency="urgent")
    run_tasks()
    [received] = push_service.received
    # One notification even if handed over twice: the alert's tag replaces the earlier one.
    [shown] = deliver_until_shown(
        alice, push_sender(alice, live_server), received.payload, title="Rue des Lilas"
    )
    assert "Rue des Lilas" in shown["title"]
    assert "Un faux agent des eaux" in shown["body"]
    assert shown["tag"] == f"alert-{alert_id}"
    assert shown["requireInteraction"] is True  # urgent: it stays until dismissed
    assert shown["url"] == f"{live_server.url}/alertes/{alert_id}/"


def test_it_never_lets_a_pushed_message_open_another_site(
    open_page: OpenPage, personas: Personas, live_server: LiveServer
) -> None:
    alice = open_page(service_workers="allow")
    alice.context.grant_permissions(["notifications"], origin=live_server.url)
    log_in(alice, personas.alice)
    alice.wait_for_function("() => navigator.serviceWorker.controller !== null")

    # One after the other, as pushes arrive: each shown before the next is handed over.
    deliver = push_sender(alice, live_server)
    phishing = {"title": "Cliquez ici", "url": "https://phishing.example/"}
    deliver_until_shown(alice, deliver, phishing, title="Cliquez ici")
    shown = deliver_until_shown(alice, deliver, "not json at all", title="Vigie")
    assert {notification["url"] for notification in shown} == {f"{live_server.url}/"}
    # A message it cannot read still shows something: browsers revoke silent subscriptions.
    assert {notification["title"] for notification in shown} == {"Cliquez ici", "Vigie"}


def push_sender(page: Page, live_server: LiveServer) -> Callable[[dict[str, Any] | str], None]:
    """Hands decrypted push messages to the page's service worker, as a push service does.

    One DevTools session for all of them, left attached: a session detached or opened
    anew while the worker handles a message can stop it before it shows anything.
    """
    # Delivered only to an active worker: one still installing would drop the message.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    session = page.context.new_cdp_session(page)
    registration_id = _registration_id(page, session)

    def deliver(message: dict[str, Any] | str) -> None:
        data = message if isinstance(message, str) else json.dumps(message)
        session.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": live_server.url, "registrationId": registration_id, "data": data},
        )

    return deliver


def _registration_id(page: Page, session: CDPSession) -> str:
    registrations: list[dict[str, Any]] = []
    session.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    session.send("ServiceWorker.enable")
    deadline = time.monotonic() + 20
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    [registration] = [found for found in registrations if not found.get("isDeleted")]
    registration_id: str = registration["registrationId"]
    return registration_id


def deliver_until_shown(
    page: Page,
    deliver: Callable[[dict[str, Any] | str], None],
    message: dict[str, Any] | str,
    *,
    title: str,
) -> list[dict[str, Any]]:
    """Every notification shown once one whose title holds ``title`` is among them.

    Chromium under DevTools now and then drops a message handed to its worker (about one in
    ten on a loaded machine); a push service delivers again until the device takes it, and
    so does this.
    """
    for _attempt in range(4):
        deliver(message)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            shown: list[dict[str, Any]] = page.evaluate(NOTIFICATIONS)
            if any(title in notification["title"] for notification in shown):
                return shown
            page.wait_for_timeout(50)
    raise AssertionError(f"no notification titled {title!r} after 4 deliveries")
