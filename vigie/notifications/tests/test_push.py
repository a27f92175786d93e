from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from pytest_django.fixtures import Settings

from vigie.lib import outbound
from vigie.notifications.channels import in_threads
from vigie.notifications.errors import PermanentFailure, RecipientGone, TemporaryFailure
from vigie.notifications.push import MAX_PAYLOAD_BYTES, PushTarget, send_push
from vigie.notifications.push_standin import PushStandIn
from vigie.notifications.vapid import new_key_pair, vapid_keys

ALERT = {"title": "Alerte", "body": "Cambriolage rue des Lilas", "url": "/alertes/12", "tag": "a12"}


@pytest.fixture
def push_service() -> Iterator[PushStandIn]:
    standin = PushStandIn(application_server_key=vapid_keys().public_key).start()
    yield standin
    standin.stop()


def send(target: PushTarget, payload: dict[str, Any] | None = None, **options: Any) -> None:
    options = {"ttl": 3600, "urgency": "high", **options}
    send_push(target, ALERT if payload is None else payload, **options)


def test_it_delivers_the_payload_encrypted_with_its_ttl_urgency_and_topic(
    push_service: PushStandIn,
) -> None:
    target, subscription_id = push_service.new_subscription()

    send(target, {**ALERT, "urgent": True}, ttl=600, urgency="high", topic="alert-12")

    [received] = push_service.received
    assert received.subscription_id == subscription_id
    assert received.payload == {**ALERT, "urgent": True}
    assert (received.ttl, received.urgency, received.topic) == (600, "high", "alert-12")


def test_it_fits_the_largest_payload_push_services_accept(push_service: PushStandIn) -> None:
    target, _ = push_service.new_subscription()
    envelope = len(json.dumps({"body": ""}, separators=(",", ":")))
    payload = {"body": "x" * (MAX_PAYLOAD_BYTES - envelope)}

    send(target, payload)

    assert [push.payload for push in push_service.received] == [payload]


def test_it_is_refused_by_a_subscription_made_for_another_vapid_key(
    push_service: PushStandIn,
) -> None:
    target, _ = push_service.new_subscription(application_server_key=new_key_pair().public_key)

    with pytest.raises(PermanentFailure, match="403") as refusal:
        send(target)

    assert not isinstance(refusal.value, RecipientGone)
    assert push_service.received == []


def test_it_is_refused_when_the_signed_token_is_tampered_with(push_service: PushStandIn) -> None:
    target, _ = push_service.new_subscription()
    real_post = outbound.post

    def stretch_the_expiry(url: str, **arguments: Any) -> outbound.Answer:
        headers = arguments["headers"]
        token = headers["Authorization"].split("t=")[1].split(",")[0]
        claims_part = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(claims_part + "=" * (-len(claims_part) % 4)))
        claims["exp"] += 3600
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        headers["Authorization"] = headers["Authorization"].replace(claims_part, forged)
        return real_post(url, **arguments)

    with (
        mock.patch.object(outbound, "post", stretch_the_expiry),
        pytest.raises(PermanentFailure, match="401"),
    ):
        send(target)

    assert push_service.received == []


def test_it_reports_an_expired_subscription_as_gone(push_service: PushStandIn) -> None:
    target, subscription_id = push_service.new_subscription()
    push_service.expire(subscription_id)

    with pytest.raises(RecipientGone, match="410"):
        send(target)


def test_it_reports_an_unknown_subscription_as_gone(push_service: PushStandIn) -> None:
    target, _ = push_service.new_subscription()
    unknown = PushTarget(f"{push_service.base_url}/push/forgotten", target.p256dh, target.auth)

    with pytest.raises(RecipientGone, match="404"):
        send(unknown)


@pytest.mark.parametrize("status", [429, 500, 503])
def test_it_reports_a_busy_service_as_temporary_and_gets_through_afterwards(
    push_service: PushStandIn, status: int
) -> None:
    target, _ = push_service.new_subscription()
    push_service.fail_next(1, status=status)

    with pytest.raises(TemporaryFailure, match=str(status)):
        send(target)
    send(target)

    assert len(push_service.received) == 1


def test_it_reports_a_bad_request_as_permanent(push_service: PushStandIn) -> None:
    target, _ = push_service.new_subscription()
    push_service.fail_next(1, status=400)

    with pytest.raises(PermanentFailure, match="400") as refusal:
        send(target)

    assert not isinstance(refusal.value, RecipientGone)


def test_it_reports_a_refused_connection_as_temporary(push_service: PushStandIn) -> None:
    target, _ = push_service.new_subscription()
    push_service.stop()

    with pytest.raises(TemporaryFailure, match="ConnectionError"):
        send(target)


def test_it_reports_a_silent_service_as_temporary(push_service: PushStandIn) -> None:
    target, _ = push_service.new_subscription()
    # A socket that takes connections into its backlog but never answers.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        mute = PushTarget(f"http://127.0.0.1:{port}/push/any", target.p256dh, target.auth)

        with pytest.raises(TemporaryFailure, match="Timeout"):
            send(mute, timeout=0.2)


def test_it_refuses_an_oversized_payload_before_any_request(push_service: PushStandIn) -> None:
    target, _ = push_service.new_subscription()

    with pytest.raises(PermanentFailure, match="bytes"):
        send(target, {"body": "x" * 4096})

    assert push_service.requests == []


@pytest.mark.parametrize(
    "options",
    [{"urgency": "urgent"}, {"topic": "alert 12"}, {"topic": "a" * 33}, {"ttl": -1}],
)
def test_it_rejects_headers_a_push_service_would_not_understand(
    push_service: PushStandIn, options: dict[str, Any]
) -> None:
    target, _ = push_service.new_subscription()

    with pytest.raises(ValueError, match="must"):
        send(target, **options)

    assert push_service.requests == []


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",  # a known service, without TLS
        "https://push.example.net/push/abc",  # TLS, but no push service we know
        "https://127.0.0.1:6379/push/abc",  # the server's own services, in production
        "https://fcm.googleapis.com.evil.example/push/abc",
    ],
)
def test_it_pushes_only_to_known_push_services_in_production(
    settings: Settings, push_service: PushStandIn, endpoint: str
) -> None:
    settings.PRODUCTION = True
    local, _ = push_service.new_subscription()
    remote = PushTarget(endpoint, local.p256dh, local.auth)

    with (
        mock.patch.object(outbound, "post") as post,
        pytest.raises(PermanentFailure, match="not a known push service"),
    ):
        send(remote)

    post.assert_not_called()


def test_it_still_reaches_the_local_stand_in_in_production(
    settings: Settings, push_service: PushStandIn
) -> None:
    settings.DEBUG = False
    settings.TESTING = False
    target, _ = push_service.new_subscription()

    send(target)

    assert len(push_service.received) == 1


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_it_never_follows_a_redirect_from_a_push_service(
    push_service: PushStandIn, status: int
) -> None:
    """ASVS 15.3.2: the signed push is not carried elsewhere; the redirect is a failure."""
    from vigie.lib.standin import Redirector

    target, _ = push_service.new_subscription()
    redirector = Redirector(status).start()
    try:
        moved = PushTarget(f"{redirector.base_url}/push/any", target.p256dh, target.auth)
        with pytest.raises(PermanentFailure, match=f"redirect|{status}"):
            send(moved)
    finally:
        redirector.stop()

    assert redirector.requests == [("POST", "/push/any")]
    assert not redirector.followed


def test_it_goes_through_the_proxy_the_environment_names(
    push_service: PushStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vigie.lib.standin import Redirector

    target, _ = push_service.new_subscription()
    proxy = Redirector(201).start()  # answers every request 201, as a push service would
    monkeypatch.setenv("http_proxy", proxy.base_url)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    outbound._proxy_for.cache_clear()
    try:
        send(target)
    finally:
        proxy.stop()
        outbound._proxy_for.cache_clear()

    # A proxy receives the whole URL in the request line; the service itself nothing.
    assert proxy.requests == [("POST", target.endpoint)]
    assert push_service.received == []


def test_it_keeps_a_connection_alive_for_each_sending_thread(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vigie.notifications import channels

    settings.SENDING_THREADS = 12
    monkeypatch.setattr(outbound, "_pools", {})
    # The worker's own sending threads, made anew with the setting's twelve.
    monkeypatch.setattr(channels, "_pool", None)
    # 50 ms away, as a real service is: the twelve threads' pushes are in flight together.
    service = PushStandIn(application_server_key=vapid_keys().public_key, latency=0.05).start()
    targets = [service.new_subscription()[0] for _thread in range(12)]
    try:
        for _round in range(2):
            in_threads(send, targets)
    finally:
        service.stop()
        if channels._pool is not None:
            channels._pool.shutdown()
        for pool in outbound._pools.values():
            pool.clear()

    assert len(service.received) == 24
    assert outbound._pools[""].connection_pool_kw["maxsize"] == 12
    # Counted by the service: a pool smaller than the threads (8 kept 16 here) closes the
    # extra connections and opens new ones for the second round.
    assert service.connections_accepted <= 12
