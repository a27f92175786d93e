"""The checks of the inbound texts webhook, whatever the provider behind it.

The provider, or a small relay in front of it, POSTs one received message as
JSON::

    {"id": "...", "from": "+336...", "text": "...", "received_at": "2025-01-31T08:15:00Z"}

with ``X-Vigie-Timestamp: <epoch seconds>`` and
``X-Vigie-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">``
keyed with ``SMS_WEBHOOK_SECRET``.  The timestamp bounds replays to a few
minutes; within them, the view must refuse an ``id`` it has already stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

TIMESTAMP_TOLERANCE = timedelta(minutes=5)
SIGNATURE_PREFIX = "sha256="
LONGEST_TEXT = 1600  # ten concatenated GSM-7 segments, with room to spare
LONGEST_BODY = 16 * 1024  # 1,600 characters as \u escapes, and the other fields
LONGEST_PROVIDER_ID = 200

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
# Control characters, except the newline, and the bidirectional overrides and
# isolates that could make a message read differently from what it holds; lone
# surrogates ("\ud800" in the JSON), which no database, reply or log can encode.
_UNWANTED = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNPRINTABLE_ID = re.compile(r"[^\x21-\x7e]")


@dataclass(frozen=True)
class InboundSms:
    provider_id: str
    sender: str  # E.164
    text: str
    received_at: datetime  # aware, in UTC


def _digest(body: bytes, *, secret: str, timestamp: str) -> str:
    signed = timestamp.encode("ascii") + b"." + body
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(body: bytes, *, secret: str, timestamp: int) -> str:
    """The ``X-Vigie-Signature`` value for ``body`` sent at ``timestamp`` (epoch seconds)."""
    return _digest(body, secret=secret, timestamp=str(timestamp))


def verify_signature(
    body: bytes, *, timestamp: str, signature: str, secret: str, now: datetime
) -> bool:
    """Whether the headers prove the body came, recently, from who holds ``secret``.

    Refused: no secret configured (anyone could sign with the empty key), a
    timestamp that is not whole epoch seconds or is more than five minutes
    from ``now``, and any signature but the exact lowercase ``sha256=<hex>``.
    """
    if not secret:
        return False
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if not _TIMESTAMP.fullmatch(timestamp):
        return False
    # In whole seconds: a timestamp far in the future is no date Python can hold.
    if abs(int(now.timestamp()) - int(timestamp)) > TIMESTAMP_TOLERANCE.total_seconds():
        return False
    expected = _digest(body, secret=secret, timestamp=timestamp)
    # Header values may hold any byte; compare bytes so nothing raises on the way.
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", errors="replace"))


def _sender(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("'from' must be a phone number")
    try:
        number = phonenumbers.parse(raw, "FR")
    except NumberParseException:
        raise ValueError("'from' is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("'from' is not a valid phone number")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _text(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValueError("'text' must be a string")
    text = _UNWANTED.sub("", raw.replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) > LONGEST_TEXT:
        raise ValueError(f"'text' is longer than {LONGEST_TEXT} characters")
    return text


def _received_at(raw: object) -> datetime:
    if not isinstance(raw, str):
        raise ValueError("'received_at' must be an ISO 8601 date and time")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError("'received_at' is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise ValueError("'received_at' must carry its time zone")
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # the first or last day Python knows, in another time zone
        raise ValueError("'received_at' is out of range") from None


def parse_inbound(body: bytes) -> InboundSms:
    """The message a verified body describes; ``ValueError`` says what is wrong with it.

    Newlines are kept (``\\r\\n`` and ``\\r`` become ``\\n``); other control
    characters, bidirectional overrides and lone surrogates are dropped.  The
    sender may be any valid number, given in E.164 or French national form.
    """
    if len(body) > LONGEST_BODY:
        raise ValueError("the body is too long")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("the body is not JSON in UTF-8") from None
    except RecursionError:
        raise ValueError("the body's JSON is nested too deep") from None
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    provider_id = data.get("id")
    if (
        not isinstance(provider_id, str)
        or not provider_id
        or len(provider_id) > LONGEST_PROVIDER_ID
        or _UNPRINTABLE_ID.search(provider_id)
    ):
        raise ValueError(f"'id' must be 1 to {LONGEST_PROVIDER_ID} printable ASCII characters")
    return InboundSms(
        provider_id=provider_id,
        sender=_sender(data.get("from")),
        text=_text(data.get("text")),
        received_at=_received_at(data.get("received_at")),
    )
