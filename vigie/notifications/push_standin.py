"""A local stand-in for a Web Push service (RFC 8030, 8291, 8292).

It plays both the push service and the browser behind it: ``new_subscription``
makes the keys a browser makes on ``pushManager.subscribe``; a ``POST`` to the
endpoint must carry a valid VAPID token (ES256, ``aud`` this origin, ``exp``
within 24 hours, ``sub``) and an ``aes128gcm`` body, which it decrypts with
the subscription's keys and keeps in ``received``. ``expire`` turns a
subscription into a 410, ``fail_next`` makes the next requests fail.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler
from typing import Any

import http_ece  # type: ignore[import-untyped]
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from vigie.lib.standin import LocalService
from vigie.notifications.push import PushTarget

# What the big services accept, and what RFC 8030 calls the minimum to support.
MAX_BODY_BYTES = 4096
MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60
URGENCIES = ("very-low", "low", "normal", "high")
_TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")
_PATH = re.compile(r"/push/([A-Za-z0-9_-]+)")


@dataclass(frozen=True)
class ReceivedPush:
    subscription_id: str
    ttl: int
    urgency: str
    topic: str | None
    payload: dict[str, Any]


@dataclass
class _Subscription:
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    # The applicationServerKey the browser subscribed with; None takes any signer.
    application_server_key: bytes | None
    expired: bool = False


@dataclass
class _Refusal(Exception):
    status: int
    reason: str
    extra_headers: dict[str, str] = field(default_factory=dict)


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class PushStandIn(LocalService):
    def __init__(self, *, application_server_key: str | None = None, latency: float = 0.0) -> None:
        """``application_server_key``: the VAPID public key new subscriptions expect;
        ``latency``: seconds each answer waits, as across the network to a real service."""
        self.application_server_key = application_server_key
        self.latency = latency
        self.subscriptions: dict[str, _Subscription] = {}
        self.failures: list[int] = []
        self._received: list[ReceivedPush] = []
        super().__init__()

    @property
    def received(self) -> list[ReceivedPush]:
        with self.lock:
            return list(self._received)

    def new_subscription(
        self, *, application_server_key: str | None = None
    ) -> tuple[PushTarget, str]:
        """What ``pushManager.subscribe`` gives a page: the target, and an id to look it up."""
        expected = application_server_key or self.application_server_key
        private_key = ec.generate_private_key(ec.SECP256R1())
        public_point = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        subscription = _Subscription(
            private_key=private_key,
            auth_secret=secrets.token_bytes(16),
            application_server_key=_b64decode(expected) if expected else None,
        )
        subscription_id = secrets.token_urlsafe(16)
        with self.lock:
            self.subscriptions[subscription_id] = subscription
        target = PushTarget(
            endpoint=f"{self.base_url}/push/{subscription_id}",
            p256dh=_b64encode(public_point),
            auth=_b64encode(subscription.auth_secret),
        )
        return target, subscription_id

    def expire(self, subscription_id: str) -> None:
        """The browser unsubscribed, or the service dropped it: 410 from now on."""
        with self.lock:
            self.subscriptions[subscription_id].expired = True

    def fail_next(self, count: int, status: int = 503) -> None:
        with self.lock:
            self.failures.extend([status] * count)

    def _deliver(self, subscription_id: str, headers: Message, body: bytes) -> None:
        """Checks a push request as a push service would, then decrypts it as the browser would."""
        with self.lock:
            if self.failures:
                raise _Refusal(self.failures.pop(0), "injected failure", {"Retry-After": "1"})
            subscription = self.subscriptions.get(subscription_id)
        if subscription is None:
            raise _Refusal(404, "no such subscription")
        if subscription.expired:
            raise _Refusal(410, "subscription expired")
        self._check_vapid(headers.get("Authorization", ""), subscription)

        ttl_header = headers.get("TTL")
        if ttl_header is None or not ttl_header.isdigit():
            raise _Refusal(400, "TTL header missing or invalid")
        urgency = headers.get("Urgency", "normal")
        if urgency not in URGENCIES:
            raise _Refusal(400, "invalid Urgency")
        topic = headers.get("Topic")
        if topic is not None and not _TOPIC.fullmatch(topic):
            raise _Refusal(400, "invalid Topic")
        if headers.get("Content-Encoding", "").lower() != "aes128gcm":
            raise _Refusal(415, "Content-Encoding must be aes128gcm")
        if len(body) > MAX_BODY_BYTES:
            raise _Refusal(413, "body too large")

        try:
            plaintext = http_ece.decrypt(
                body,
                private_key=subscription.private_key,
                auth_secret=subscription.auth_secret,
                version="aes128gcm",
            )
            payload = json.loads(plaintext)
        except Exception:  # whatever http_ece raises, a browser would drop the message
            raise _Refusal(400, "body does not decrypt to JSON") from None
        if not isinstance(payload, dict):
            raise _Refusal(400, "payload is not a JSON object")
        with self.lock:
            self._received.append(
                ReceivedPush(
                    subscription_id=subscription_id,
                    ttl=int(ttl_header),
                    urgency=urgency,
                    topic=topic,
                    payload=payload,
                )
            )

    def _check_vapid(self, authorization: str, subscription: _Subscription) -> None:
        """RFC 8292: 401 for a missing or invalid token, 403 for another application's key."""
        scheme, _, parameters = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise _Refusal(401, "Authorization must be vapid", {"WWW-Authenticate": "vapid"})
        values: dict[str, str] = {}
        for part in parameters.split(","):
            name, _, value = part.strip().partition("=")
            values[name] = value
        token, key_text = values.get("t", ""), values.get("k", "")
        try:
            public_point = _b64decode(key_text)
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_point)
            header_part, claims_part, signature_part = token.split(".")
            header = json.loads(_b64decode(header_part))
            claims = json.loads(_b64decode(claims_part))
            signature = _b64decode(signature_part)
        except (ValueError, binascii.Error):
            raise _Refusal(401, "malformed vapid token or key") from None
        if not isinstance(header, dict) or header.get("alg") != "ES256" or len(signature) != 64:
            raise _Refusal(401, "token is not ES256")
        try:
            public_key.verify(
                encode_dss_signature(
                    int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
                ),
                f"{header_part}.{claims_part}".encode(),
                ec.ECDSA(hashes.SHA256()),
            )
        except InvalidSignature:
            raise _Refusal(401, "bad token signature") from None
        now = time.time()
        if not isinstance(claims, dict):
            raise _Refusal(401, "claims are not an object")
        if claims.get("aud") != self.base_url:
            raise _Refusal(401, "aud is not this push service")
        expiry = claims.get("exp")
        if not isinstance(expiry, int) or not now < expiry <= now + MAX_TOKEN_LIFETIME_SECONDS:
            raise _Refusal(401, "exp is past or more than 24 hours ahead")
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise _Refusal(401, "sub missing")
        expected = subscription.application_server_key
        if expected is not None and not secrets.compare_digest(public_point, expected):
            raise _Refusal(403, "key differs from the subscription's applicationServerKey")

    def handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            # Kept-alive connections, as the real push services keep them: a sender
            # reusing its connection is not made to pay a new one per message.
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: tests read standin.requests and standin.received instead

            def _send(
                self, status: int, reason: str = "", headers: dict[str, str] | None = None
            ) -> None:
                body = json.dumps({"code": status, "message": reason}).encode() if reason else b""
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                if body:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                with standin.lock:
                    standin.requests.append(("POST", self.path))
                if standin.latency:
                    time.sleep(standin.latency)
                length = int(self.headers.get("Content-Length", "0"))
                # Reading a little past the limit is enough to know it is too much.
                body = self.rfile.read(min(length, MAX_BODY_BYTES + 1))
                match = _PATH.fullmatch(self.path)
                if match is None:
                    self._send(404, "not a push endpoint")
                    return
                try:
                    standin._deliver(match.group(1), self.headers, body)
                except _Refusal as refusal:
                    # The rest of an oversized body stays unread: the connection ends, and
                    # says so, or the client would send its next request into it.
                    self.close_connection = True
                    self._send(
                        refusal.status,
                        refusal.reason,
                        {"Connection": "close", **refusal.extra_headers},
                    )
                    return
                self._send(201, headers={"Location": f"/message/{secrets.token_urlsafe(12)}"})

            def do_GET(self) -> None:
                with standin.lock:
                    standin.requests.append(("GET", self.path))
                self._send(405, "push endpoints take POST")

        return Handler


__all__ = ["PushStandIn", "ReceivedPush"]
