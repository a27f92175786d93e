"""Web Push: one encrypted message to one browser subscription.

The payload is encrypted for the browser with ``aes128gcm`` (RFC 8291), so
the push service only ever sees ciphertext, and the request is signed with
the site's VAPID key (RFC 8292), so the service knows it comes from the
application the browser subscribed to. The endpoint URL itself is a bearer
capability for that browser: it is never logged in full, nor are the
payload and the keys.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from py_vapid import Vapid  # type: ignore[import-untyped]
from pywebpush import WebPusher, WebPushException  # type: ignore[import-untyped]

from vigie.lib import outbound
from vigie.notifications.errors import PermanentFailure, RecipientGone, TemporaryFailure
from vigie.notifications.vapid import vapid_keys

logger = logging.getLogger(__name__)

URGENCIES = ("very-low", "low", "normal", "high")
# Push services accept at most 4096 bytes of encrypted body; the aes128gcm
# header (86 bytes), the padding delimiter (1) and the tag (16) leave 3993 for
# the message itself (RFC 8291, section 4). Refusing here beats a 413 later.
MAX_PAYLOAD_BYTES = 4096 - 86 - 1 - 16
# RFC 8292 lets the token live 24 hours; some services refuse more than 12.
TOKEN_LIFETIME_SECONDS = 12 * 60 * 60
# The stand-in and a developer's own push service run here without TLS.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def endpoint_allowed(endpoint: str) -> bool:
    """An https endpoint of a known push service; outside production, local stand-ins too."""
    try:
        parts = urlsplit(endpoint)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if not settings.PRODUCTION and host in LOCAL_HOSTS and parts.scheme in ("http", "https"):
        return True
    return parts.scheme == "https" and any(
        host == known or host.endswith("." + known) for known in settings.PUSH_SERVICE_HOSTS
    )


_TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")
_DELIVERED = frozenset({200, 201, 202})
_GONE = frozenset({404, 410})


@dataclass(frozen=True)
class PushTarget:
    """A browser's subscription: where to post, and its keys (base64url)."""

    endpoint: str
    p256dh: str
    auth: str


def send_push(
    target: PushTarget,
    payload: Mapping[str, object],
    *,
    ttl: int,
    urgency: str,
    topic: str | None = None,
    timeout: float = 10,
) -> None:
    """Deliver ``payload`` (as JSON) to the browser behind ``target``.

    ``ttl`` is how many seconds the service keeps the message for an offline
    browser; ``topic`` makes a newer message replace an undelivered older
    one. Raises ``RecipientGone`` when the subscription no longer exists,
    ``TemporaryFailure`` when trying later may work, ``PermanentFailure``
    otherwise; a bad ``ttl``, ``urgency`` or ``topic`` is a ``ValueError``.
    """
    if ttl < 0:
        raise ValueError("ttl must be zero or more seconds")
    if urgency not in URGENCIES:
        raise ValueError(f"urgency must be one of {', '.join(URGENCIES)}")
    if topic is not None and not _TOPIC.fullmatch(topic):
        raise ValueError("topic must be 1 to 32 URL-safe base64 characters")
    origin = _checked_origin(target.endpoint)
    data = json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)
    body = data.encode()
    if len(body) > MAX_PAYLOAD_BYTES:
        raise PermanentFailure(
            f"push payload of {len(body)} bytes is over the {MAX_PAYLOAD_BYTES} a service accepts"
        )

    try:
        pusher = WebPusher(
            {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
        )
        encrypted = pusher.encode(body, content_encoding="aes128gcm")["body"]
    except (WebPushException, ValueError) as error:
        # A malformed key will not become valid: the subscription is unusable.
        raise PermanentFailure(
            f"push subscription at {origin} has unusable keys ({type(error).__name__})"
        ) from None

    headers = {
        "Content-Type": "application/octet-stream",
        "Content-Encoding": "aes128gcm",
        "TTL": str(ttl),
        "Urgency": urgency,
        **_vapid_headers(origin),
    }
    if topic is not None:
        headers["Topic"] = topic

    try:
        # Posting ourselves rather than through WebPusher.send (requests) keeps redirects
        # off and the CPU down (vigie.lib.outbound.post).
        answer = outbound.post(target.endpoint, body=encrypted, headers=headers, timeout=timeout)
    except outbound.RedirectRefused:
        raise PermanentFailure(f"push service at {origin} redirected: not followed") from None
    except outbound.ServiceUnreachable as error:
        # Timeouts, refused connections, resets, TLS failures: the service may answer later.
        raise TemporaryFailure(f"push service at {origin}: {error.kind}") from None

    _check_answer(answer, origin)
    logger.debug("push delivered to %s (%s, ttl %s)", origin, urgency, ttl)


def _checked_origin(endpoint: str) -> str:
    """The endpoint's origin, the VAPID ``aud``; refuses what is not a push service URL."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise PermanentFailure("push endpoint is not a valid URL") from None
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise PermanentFailure("push endpoint is not an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise PermanentFailure("push endpoint carries credentials")
    if not endpoint_allowed(endpoint):
        # Endpoints come from browsers, that is from users: outside the push
        # services we know, the server could be made to post to itself.
        raise PermanentFailure(f"push endpoint on {host} is not a known push service")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return f"{parts.scheme}://{netloc}"


# A signed token is reused for every push to the same service while it has at least
# half its life left: signing (and loading the key) for each of thousands of pushes
# cost more than the encryption itself, and RFC 8292 lets a token serve many requests.
_signed: dict[tuple[str, str, str], tuple[float, dict[str, str]]] = {}
_signed_lock = threading.Lock()


def _vapid_headers(origin: str) -> dict[str, str]:
    private_key = vapid_keys().private_key
    key = (origin, private_key, settings.VAPID_SUBJECT)
    now = time.time()
    with _signed_lock:
        reused = _signed.get(key)
    # Reused only from its signing to half its life (a clock set back signs afresh).
    if reused is not None and reused[0] <= now < reused[0] + TOKEN_LIFETIME_SECONDS / 2:
        return dict(reused[1])
    claims = {
        "aud": origin,
        "exp": int(now) + TOKEN_LIFETIME_SECONDS,
        "sub": settings.VAPID_SUBJECT,
    }
    signer = Vapid.from_raw(private_key.encode())
    # Vapid02 signs RFC 8292's "vapid t=<JWT>,k=<public key>" in one header.
    headers: dict[str, str] = signer.sign(claims)
    with _signed_lock:
        _signed[key] = (now, dict(headers))
    return headers


def _check_answer(answer: outbound.Answer, origin: str) -> None:
    status = answer.status
    if status in _DELIVERED:
        return
    # The service's own words help with a refused token; they never hold our payload.
    words = answer.body[:200].decode(errors="replace")
    reason = f"push service at {origin} answered {status}: {words!r}"
    if status in _GONE:
        raise RecipientGone(reason)
    if status == 429 or status >= 500:
        raise TemporaryFailure(reason)
    raise PermanentFailure(reason)
