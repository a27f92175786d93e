from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from vigie.notifications.sms.webhook import InboundSms, parse_inbound, sign, verify_signature

SECRET = "webhook-secret-for-tests"
NOW = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def body_of(**changes: object) -> bytes:
    message: dict[str, object] = {
        "id": "ovh-inbound-4242",
        "from": "+33612345678",
        "text": "STOP",
        "received_at": "2025-03-14T10:29:58+01:00",
    } | changes
    return json.dumps(message).encode()


def signed(body: bytes, *, at: datetime = NOW, secret: str = SECRET) -> tuple[str, str]:
    timestamp = int(at.timestamp())
    return str(timestamp), sign(body, secret=secret, timestamp=timestamp)


def test_it_accepts_a_body_signed_with_the_secret_just_now() -> None:
    body = body_of()
    timestamp, signature = signed(body)

    assert verify_signature(body, timestamp=timestamp, signature=signature, secret=SECRET, now=NOW)


def test_it_signs_the_timestamp_a_dot_and_the_raw_body_with_hmac_sha256() -> None:
    body = b'{"id":"1"}'
    expected = hmac.new(SECRET.encode(), b'1741944600.{"id":"1"}', hashlib.sha256).hexdigest()

    assert sign(body, secret=SECRET, timestamp=1741944600) == f"sha256={expected}"


def test_it_refuses_a_body_changed_after_signing() -> None:
    timestamp, signature = signed(body_of(text="OUI"))

    forged = body_of(text="NON")

    assert not verify_signature(
        forged, timestamp=timestamp, signature=signature, secret=SECRET, now=NOW
    )


def test_it_refuses_a_signature_made_with_another_secret() -> None:
    body = body_of()
    timestamp, signature = signed(body, secret="guessed-secret")

    assert not verify_signature(
        body, timestamp=timestamp, signature=signature, secret=SECRET, now=NOW
    )


def test_it_refuses_a_valid_signature_replayed_six_minutes_later() -> None:
    body = body_of()
    timestamp, signature = signed(body, at=NOW - timedelta(minutes=6))

    assert not verify_signature(
        body, timestamp=timestamp, signature=signature, secret=SECRET, now=NOW
    )


def test_it_allows_a_few_minutes_of_clock_difference_either_way() -> None:
    body = body_of()
    for offset in (timedelta(minutes=-4, seconds=-59), timedelta(minutes=5)):
        timestamp, signature = signed(body, at=NOW + offset)
        assert verify_signature(
            body, timestamp=timestamp, signature=signature, secret=SECRET, now=NOW
        )
    timestamp, signature = signed(body, at=NOW + timedelta(minutes=5, seconds=1))
    assert not verify_signature(
        body, timestamp=timestamp, signature=signature, secret=SECRET, now=NOW
    )


def test_it_refuses_everything_while_no_secret_is_configured() -> None:
    body = body_of()
    timestamp, signature = signed(body, secret="")

    assert not verify_signature(body, timestamp=timestamp, signature=signature, secret="", now=NOW)


@pytest.mark.parametrize("timestamp", ["", "soon", "-60", "1741944600.0", " 1741944600", "١٢٣"])
def test_it_refuses_a_timestamp_that_is_not_whole_epoch_seconds(timestamp: str) -> None:
    body = body_of()
    _timestamp, signature = signed(body)

    assert not verify_signature(
        body, timestamp=timestamp, signature=signature, secret=SECRET, now=NOW
    )


def test_it_refuses_a_signature_without_its_prefix_or_in_another_case() -> None:
    body = body_of()
    timestamp, signature = signed(body)

    for altered in (signature.removeprefix("sha256="), signature.upper(), "", "sha256=é"):
        assert not verify_signature(
            body, timestamp=timestamp, signature=altered, secret=SECRET, now=NOW
        )


def test_it_will_not_judge_freshness_against_a_naive_clock() -> None:
    body = body_of()
    timestamp, signature = signed(body)

    with pytest.raises(ValueError, match="aware"):
        verify_signature(
            body,
            timestamp=timestamp,
            signature=signature,
            secret=SECRET,
            now=NOW.replace(tzinfo=None),
        )


def test_it_reads_a_message_with_its_sender_in_e164_and_its_time_in_utc() -> None:
    message = parse_inbound(body_of(**{"from": "06 12 34 56 78", "text": "Bien reçu, merci !"}))

    assert message == InboundSms(
        provider_id="ovh-inbound-4242",
        sender="+33612345678",
        text="Bien reçu, merci !",
        received_at=datetime(2025, 3, 14, 9, 29, 58, tzinfo=UTC),
    )


def test_it_reads_a_time_written_with_a_z() -> None:
    message = parse_inbound(body_of(received_at="2025-03-14T09:29:58Z"))

    assert message.received_at == datetime(2025, 3, 14, 9, 29, 58, tzinfo=UTC)
    assert message.received_at.utcoffset() == timedelta(0)


def test_it_keeps_newlines_and_drops_other_control_characters() -> None:
    text = "Ligne 1\r\nLigne 2\rLigne 3\x00\x07\tfin\u202e !\x1b"

    assert parse_inbound(body_of(text=text)).text == "Ligne 1\nLigne 2\nLigne 3fin !"


def test_it_accepts_1600_characters_and_refuses_one_more() -> None:
    assert len(parse_inbound(body_of(text="é" * 1600)).text) == 1600

    with pytest.raises(ValueError, match="1600"):
        parse_inbound(body_of(text="é" * 1601))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{not json",
        b'{"id": "1", "from": "+33612345678"',
        b"\xff\xfe{}",
        b"[]",
        b'"a string"',
        b"{" + b" " * 20000 + b"}",
    ],
)
def test_it_refuses_a_body_that_is_not_a_json_object(body: bytes) -> None:
    with pytest.raises(ValueError, match=r"JSON|too long"):
        parse_inbound(body)


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"id": ""}, "'id'"),
        ({"id": 4242}, "'id'"),
        ({"id": "has space"}, "'id'"),
        ({"from": None}, "'from'"),
        ({"from": "VIGIE"}, "'from'"),
        ({"from": "06 12"}, "'from'"),
        ({"text": None}, "'text'"),
        ({"text": ["STOP"]}, "'text'"),
        ({"received_at": "yesterday"}, "'received_at'"),
        ({"received_at": "2025-03-14T09:29:58"}, "time zone"),
        ({"received_at": 1741944598}, "'received_at'"),
    ],
)
def test_it_says_which_field_is_malformed(changes: dict[str, object], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        parse_inbound(body_of(**changes))
