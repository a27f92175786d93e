"""Properties of the inbound texts webhook: only the secret's holder gets in, never a 500."""

from __future__ import annotations

import json
import re
import time
import unicodedata
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import TypeVar

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, event, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from vigie.notifications.models import InboundText, PhoneNumber
from vigie.notifications.sms.phones import normalize_mobile
from vigie.notifications.sms.webhook import (
    LONGEST_BODY,
    LONGEST_PROVIDER_ID,
    LONGEST_TEXT,
    TIMESTAMP_TOLERANCE,
    InboundSms,
    parse_inbound,
    sign,
    verify_signature,
)
from vigie.test import Personas, give_verified_phone

SECRET = "webhook-secret-for-tests"
T = TypeVar("T")
U = TypeVar("U")
NOW = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
FAST = hypothesis_settings(max_examples=150, deadline=None)
E164 = re.compile(r"\+[1-9][0-9]{6,14}")

# Every kind of character: hypothesis leaves lone surrogates out unless asked.
characters = st.characters() | st.characters(categories=["Cs", "Cc", "Cf", "Zl", "Zp", "Co"])
any_text = st.text(characters, max_size=60)
# What a header can carry over HTTP/1.1: Latin-1, as WSGI decodes it.
header_text = st.text(st.characters(max_codepoint=0xFF), max_size=80)
json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | any_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4)
    ),
    max_leaves=20,
)
odd_dates = st.one_of(
    # From the first to the last day Python knows (the default), zoned and naive.
    st.datetimes(timezones=st.timezones()).map(datetime.isoformat),
    st.datetimes().map(datetime.isoformat),
    st.sampled_from(
        [
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "2025-02-30T10:00:00Z",
            "2025-03-14T25:00:00Z",
            "2025-03-14T10:29:58+24:00",
            "2025-03-14",
            "1741944600",
            "",
        ]
    ),
    any_text,
)


def mostly(common: st.SearchStrategy[T], rare: st.SearchStrategy[U]) -> st.SearchStrategy[T | U]:
    """Three draws in four from ``common``."""
    return st.integers(0, 3).flatmap(lambda n: rare if n == 3 else common)


recent_dates = st.integers(-3600, 0).map(
    lambda seconds: (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()
)
phone_numbers = st.one_of(
    st.sampled_from(
        ["+33612345678", "06 12 34 56 78", "0033612345678", "+590690001122", "+447700900123"]
    ),
    st.from_regex(r"\+?[0-9 .\-]{0,20}", fullmatch=True),
    st.text(st.characters(categories=["Nd", "Zs", "Pd"]), max_size=20),
    any_text,
)


def message(**fields: object) -> bytes:
    data: dict[str, object] = {
        "id": "ovh-inbound-4242",
        "from": "+33612345678",
        "text": "Au feu",
        "received_at": "2025-03-14T10:29:58+01:00",
    }
    data.update(fields)
    return json.dumps(data).encode()


def read(body: bytes) -> InboundSms | None:
    """The message, or None when refused with the parser's documented ValueError."""
    try:
        inbound = parse_inbound(body)
    except ValueError as error:
        reason = str(error)
    else:
        assert_clean(inbound)
        return inbound
    assert reason
    return None


def assert_clean(inbound: InboundSms) -> None:
    assert 1 <= len(inbound.provider_id) <= LONGEST_PROVIDER_ID
    assert all("!" <= character <= "~" for character in inbound.provider_id)
    assert E164.fullmatch(inbound.sender)
    assert len(inbound.text) <= LONGEST_TEXT
    inbound.text.encode("utf-8")  # storable and sendable: no lone surrogate
    assert all(
        character == "\n" or unicodedata.category(character) != "Cc" for character in inbound.text
    )
    assert not set(inbound.text) & {chr(code) for code in (*range(0x202A, 0x202F), 0x2066)}
    assert inbound.received_at.utcoffset() == timedelta(0)


@FAST
@given(body=st.binary(max_size=512), timestamp=header_text, signature=header_text)
def test_it_refuses_any_headers_not_made_with_the_secret(
    body: bytes, timestamp: str, signature: str
) -> None:
    assert not verify_signature(
        body, timestamp=timestamp, signature=signature, secret=SECRET, now=NOW
    )


@FAST
@given(
    body=st.binary(max_size=512),
    other_secret=st.text(min_size=1, max_size=40).filter(lambda value: value != SECRET),
    skew=st.integers(-300, 300),
)
def test_it_refuses_a_body_signed_with_any_other_secret(
    body: bytes, other_secret: str, skew: int
) -> None:
    timestamp = int(NOW.timestamp()) + skew

    assert not verify_signature(
        body,
        timestamp=str(timestamp),
        signature=sign(body, secret=other_secret, timestamp=timestamp),
        secret=SECRET,
        now=NOW,
    )


@FAST
@given(body=st.binary(max_size=512), skew=st.integers(-3600, 3600))
def test_it_accepts_a_signed_body_exactly_within_five_minutes(body: bytes, skew: int) -> None:
    timestamp = int(NOW.timestamp()) + skew

    accepted = verify_signature(
        body,
        timestamp=str(timestamp),
        signature=sign(body, secret=SECRET, timestamp=timestamp),
        secret=SECRET,
        now=NOW,
    )

    assert accepted == (abs(skew) <= TIMESTAMP_TOLERANCE.total_seconds())


@FAST
@given(body=st.binary(min_size=1, max_size=512), data=st.data())
def test_it_refuses_a_signed_body_with_any_byte_changed_or_its_signature_touched(
    body: bytes, data: st.DataObject
) -> None:
    timestamp = int(NOW.timestamp())
    signature = sign(body, secret=SECRET, timestamp=timestamp)
    position = data.draw(st.integers(0, len(body) - 1), label="position")
    flip = data.draw(st.integers(1, 255), label="flip")
    changed = body[:position] + bytes([body[position] ^ flip]) + body[position + 1 :]
    touched = data.draw(
        st.sampled_from([signature.upper(), signature[:-1], signature + "0", signature[7:]]),
        label="signature",
    )

    assert not verify_signature(
        changed, timestamp=str(timestamp), signature=signature, secret=SECRET, now=NOW
    )
    assert not verify_signature(
        body, timestamp=str(timestamp), signature=touched, secret=SECRET, now=NOW
    )


@FAST
@given(body=st.binary(max_size=LONGEST_BODY + 16))
def test_it_reads_any_bytes_or_says_what_is_wrong(body: bytes) -> None:
    read(body)


@FAST
@given(value=json_values)
def test_it_reads_any_json_or_says_what_is_wrong(value: object) -> None:
    read(json.dumps(value).encode())


@FAST
@given(
    identifier=any_text | st.integers() | st.none(),
    sender=phone_numbers,
    text=any_text | st.text(max_size=LONGEST_TEXT + 5) | json_values,
    received_at=odd_dates,
)
def test_it_reads_any_message_fields_or_says_which_is_wrong(
    identifier: object, sender: object, text: object, received_at: object
) -> None:
    read(message(id=identifier, **{"from": sender}, text=text, received_at=received_at))


@FAST
@given(text=st.text(characters, max_size=LONGEST_TEXT))
def test_it_keeps_any_text_storable_and_free_of_control_characters(text: str) -> None:
    """Found by hypothesis: a lone surrogate (\\ud800 in the JSON) was kept in the text,
    which no database, SMS reply or log can encode."""
    inbound = read(message(text=text))

    assert inbound is not None


@hypothesis_settings(max_examples=20, deadline=None)
@given(
    depth=st.integers(min_value=100, max_value=LONGEST_BODY // 2),
    opening=st.sampled_from(["[", '{"id":', '{"text":[']),
)
def test_it_refuses_deeply_nested_json_with_its_own_error(depth: int, opening: str) -> None:
    assert read((opening * depth).encode()[:LONGEST_BODY]) is None


@FAST
@given(
    text=st.text(max_size=LONGEST_TEXT - 10),
    offset=st.integers(-18 * 60, 18 * 60),
)
def test_it_keeps_the_words_and_the_instant_of_an_ordinary_message(text: str, offset: int) -> None:
    moment = NOW.astimezone(timezone(timedelta(minutes=offset)))

    inbound = read(message(text=text, received_at=moment.isoformat()))

    assert inbound is not None
    assert inbound.received_at == NOW
    printable = "".join(
        c for c in text.replace("\r\n", "\n").replace("\r", "\n") if c == "\n" or c.isprintable()
    )
    assert all(character in inbound.text for character in printable)


@FAST
@given(raw=phone_numbers)
def test_it_turns_any_accepted_phone_number_into_e164_once_and_for_all(raw: str) -> None:
    try:
        number = normalize_mobile(raw)
    except ValueError:
        return
    assert E164.fullmatch(number)
    assert normalize_mobile(number) == number
    if number.startswith("+33"):
        assert normalize_mobile("0" + number[3:]) == number


@pytest.mark.django_db
@hypothesis_settings(max_examples=40, deadline=None)
@given(
    body=st.binary(max_size=300) | st.builds(message, text=any_text),
    timestamp=header_text,
    signature=header_text,
    signer=st.sampled_from(["", "guessed-secret", SECRET.upper()]),
)
def test_it_answers_403_json_and_stores_nothing_without_the_secret(
    body: bytes, timestamp: str, signature: str, signer: str
) -> None:
    stamp = int(time.time())
    if signer:
        timestamp, signature = str(stamp), sign(body, secret=signer, timestamp=stamp)

    with override_settings(SMS_WEBHOOK_SECRET=SECRET):
        answer = Client().post(
            "/api/v1/sms/inbound",
            body,
            content_type="application/json",
            HTTP_X_VIGIE_TIMESTAMP=timestamp,
            HTTP_X_VIGIE_SIGNATURE=signature,
        )

    assert answer.status_code == 403
    assert answer.json()["code"] == "bad_signature"
    assert answer.json()["detail"]
    assert not InboundText.objects.exists()


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    # The personas are only read; what each example stores has its own id.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    # Alice's number and a recent date, mostly: the message then goes all the way to an alert.
    sender=mostly(st.sampled_from(["+33612345678", "06 12 34 56 78"]), phone_numbers),
    text=mostly(st.text(min_size=1, max_size=LONGEST_TEXT + 5), any_text | json_values),
    received_at=mostly(recent_dates, odd_dates),
    raw=mostly(st.none(), st.binary(max_size=200)),
)
@example(sender="+33612345678", text="\ud800 au feu", received_at="2025-03-14T10:00Z", raw=None)
# Found by hypothesis: JSON nested deeper than Python's recursion limit was a 500.
@example(sender="", text="", received_at="", raw=b"[" * 5000)
def test_it_answers_any_signed_message_with_json_never_a_500(
    personas: Personas, sender: str, text: object, received_at: str, raw: bytes | None
) -> None:
    if not PhoneNumber.objects.filter(user=personas.alice).exists():
        give_verified_phone(personas.alice)
    body = (
        raw
        if raw is not None
        else message(id=uuid.uuid4().hex, **{"from": sender}, text=text, received_at=received_at)
    )
    stamp = int(time.time())

    with override_settings(SMS_WEBHOOK_SECRET=SECRET, ALERT_MAX_PER_DAY=1000):
        answer = Client().post(
            "/api/v1/sms/inbound",
            body,
            content_type="application/json",
            HTTP_X_VIGIE_TIMESTAMP=str(stamp),
            HTTP_X_VIGIE_SIGNATURE=sign(body, secret=SECRET, timestamp=stamp),
        )

    assert answer.status_code in (200, 422), answer.content
    event(str(answer.json().get("outcome", "refused")))  # shown by --hypothesis-show-statistics
    if answer.status_code == 200:
        assert answer.json()["outcome"] in (
            "alert", "unknown_number", "no_neighbourhood", "rate_limited", "invalid"
        )  # fmt: skip
    else:
        assert answer.json()["code"] == "invalid"
        assert answer.json()["detail"]
