"""Properties of the bank's exchanges: the seal, amounts, dates, and the notification endpoint."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import random
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from vigie.payments import monetico
from vigie.payments.actions import do_create_order
from vigie.payments.models import Invoice, Notification, Order, OrderState
from vigie.payments.tests.test_monetico import reference_seal, reference_usable_key
from vigie.test import Personas, town_hall

FAST = hypothesis_settings(max_examples=150, deadline=None)
YEAR_1000 = datetime(1000, 1, 2)  # noqa: DTZ001 (hypothesis takes naive bounds)
RECEIPTS = {monetico.RECEIPT_VALID, monetico.RECEIPT_INVALID}
NOTIFY = "/payments/monetico/notify"

# What a form field can hold once Django has read it: any text but lone surrogates.
field_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
field_names = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=20)
fields_of_any_kind = st.dictionaries(field_names, field_text, max_size=12)
# Terminal keys as the bank issues them: hexadecimal, but for the last two characters,
# which the kit's rule turns back into hexadecimal ("G" to "P" for the 39th, "M" for the 40th).
keys = st.builds(
    lambda head, tail: head + tail,
    st.text("0123456789ABCDEF", min_size=38, max_size=38),
    st.tuples(
        st.sampled_from("0123456789ABCDEFGHIJKLMNOP"), st.sampled_from("0123456789ABCDEF")
    ).map("".join)
    | st.sampled_from("0123456789ABCDEF").map(lambda c39: c39 + "M"),
)


@FAST
@given(fields=fields_of_any_kind, key=keys)
def test_it_seals_as_the_documented_rule_does(fields: dict[str, str], key: str) -> None:
    assume("MAC" not in fields)

    assert monetico.usable_key(key) == reference_usable_key(key)
    assert monetico.seal(fields, key) == reference_seal(fields, key).upper()


@FAST
@given(fields=fields_of_any_kind, key=keys, seed=st.randoms(), lower=st.booleans())
def test_it_accepts_its_own_seal_whatever_the_field_order_and_the_seals_case(
    fields: dict[str, str], key: str, seed: random.Random, lower: bool
) -> None:
    mac = monetico.seal(fields, key)
    shuffled = list(fields.items())
    seed.shuffle(shuffled)
    received = dict(shuffled) | {"MAC": mac.lower() if lower else mac}

    assert monetico.seal_is_valid(received, key)


@FAST
@given(fields=fields_of_any_kind, key=keys, data=st.data())
def test_it_refuses_a_seal_once_any_field_is_changed_added_or_removed(
    fields: dict[str, str], key: str, data: st.DataObject
) -> None:
    sealed = fields | {"MAC": monetico.seal(fields, key)}
    name = data.draw(field_names.filter(lambda name: name != "MAC"), label="name")
    value = data.draw(field_text, label="value")
    if name in fields and data.draw(st.booleans(), label="remove"):
        del sealed[name]
    else:
        assume(fields.get(name) != value)
        sealed[name] = value

    assert not monetico.seal_is_valid(sealed, key)


@FAST
@given(fields=fields_of_any_kind, mac=st.text(max_size=50), key=keys)
def test_it_refuses_any_seal_it_did_not_make(fields: dict[str, str], mac: str, key: str) -> None:
    assume(mac.upper() != monetico.seal(fields, key))

    assert not monetico.seal_is_valid(fields | {"MAC": mac}, key)


@FAST
@given(key=st.text(max_size=45))
def test_it_takes_any_key_or_says_it_is_bad(key: str) -> None:
    try:
        usable = monetico.usable_key(key)
    except monetico.BadKey:
        return
    assert len(usable) == 20


@FAST
@given(cents=st.integers(min_value=0, max_value=10**12))
def test_it_writes_any_amount_the_banks_way_and_reads_back_the_same_cents(cents: int) -> None:
    written = monetico.amount(cents)

    match = re.fullmatch(r"([0-9]+)\.([0-9]{2})EUR", written)
    assert match
    assert int(match[1]) * 100 + int(match[2]) == cents


@FAST
@given(cents=st.integers(max_value=-1))
def test_it_refuses_to_write_a_negative_amount(cents: int) -> None:
    """Found by hypothesis: -1 cent was written "-1.99EUR"."""
    with pytest.raises(ValueError, match="negative"):
        monetico.amount(cents)


@FAST
# From the year 1000: strftime writes earlier years with fewer than four digits.
@given(moment=st.datetimes(min_value=YEAR_1000, timezones=st.timezones()))
def test_it_dates_any_moment_the_banks_way_in_local_time(moment: datetime) -> None:
    try:
        local = timezone.localtime(moment)
    except OverflowError:
        return  # past the last day Python knows once in Paris time: no order is dated so
    written = monetico.bank_date(moment)

    assert re.fullmatch(r"[0-9]{2}/[0-9]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2}", written)
    read = datetime.strptime(written, "%d/%m/%Y:%H:%M:%S")  # noqa: DTZ007 (local time)
    assert read == local.replace(tzinfo=None, microsecond=0)


@FAST
@given(
    values=st.lists(field_text, min_size=6, max_size=6),
)
def test_it_carries_any_billing_details_to_the_bank_unchanged(values: list[str]) -> None:
    billing = monetico.Billing(*values)

    data = json.loads(base64.b64decode(monetico.order_context(billing), validate=True))

    assert data["billing"] == {
        "firstName": billing.first_name,
        "lastName": billing.last_name,
        "addressLine1": billing.address_line,
        "city": billing.city,
        "postalCode": billing.postal_code,
        "country": "FR",
        "email": billing.email,
    }


# The notification endpoint, through HTTP: anyone may call it.


@contextlib.contextmanager
def errors_logged(name: str) -> Iterator[list[logging.LogRecord]]:
    """The records of ERROR and above that ``name``'s loggers write meanwhile."""
    handler = Kept(logging.ERROR)
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


class Kept(logging.Handler):
    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def post_form(fields: dict[str, str]) -> str:
    answer = Client().post(
        NOTIFY, urlencode(fields), content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 200
    body = answer.content.decode()
    assert body in RECEIPTS
    return body


def state_of_payments() -> tuple[object, ...]:
    return (
        tuple(Order.objects.order_by("pk").values_list("state", "paid_at", "bank_code")),
        Notification.objects.count(),
        Invoice.objects.count(),
    )


def bank_fields(order: Order, **changes: str) -> dict[str, str]:
    """A notification as the documentation describes it, sealed by the test's own rule."""
    fields = {
        "TPE": settings.MONETICO_TPE,
        "date": monetico.bank_date(timezone.now()),
        "montant": monetico.amount(order.total_cents),
        "reference": order.reference,
        "texte-libre": "Vigie 99101",
        "code-retour": "payetest",
        "cvx": "oui",
        "vld": "1230",
        "brand": "VI",
        "status3ds": "1",
        "numauto": "010101",
        "motifrefus": "",
        "originecb": "FRA",
        "bincb": "",
        "hpancb": "",
        "ipclient": "127.0.0.1",
        "originetr": "FRA",
        "modepaiement": "CB",
    } | changes
    return fields | {"MAC": reference_seal(fields, settings.MONETICO_KEY)}


@pytest.mark.django_db
@hypothesis_settings(max_examples=60, deadline=None)
@given(
    body=st.binary(max_size=400),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=latin-1",
            "application/x-www-form-urlencoded; charset=no-such-charset",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "application/json",
            "text/plain",
            "",
        ]
    ),
)
def test_it_answers_any_body_exactly_cdr_1_writes_nothing_and_logs_no_error(
    body: bytes, content_type: str
) -> None:
    """Found by hypothesis: a broken multipart body, or a form in Latin-1, was logged
    as an error of ours, with its traceback, for anyone who posts one."""
    with errors_logged("vigie.payments") as errors:
        # generic(): the body goes as it is, whatever charset its content type claims.
        answer = Client().generic("POST", NOTIFY, body, content_type=content_type)

    assert answer.status_code == 200
    assert answer.content.decode() == monetico.RECEIPT_INVALID
    assert not Notification.objects.exists()
    assert errors == []


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=60,
    deadline=None,
    # The personas are only read: forged notifications change nothing, which is checked.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(fields=fields_of_any_kind, data=st.data())
def test_it_refuses_any_forged_notification_and_changes_nothing(
    personas: Personas, fields: dict[str, str], data: st.DataObject
) -> None:
    order = Order.objects.filter(reference__startswith="VIG").first() or do_create_order(
        town_hall(), plan_code="bourg", period="yearly", acting_user=personas.townhall
    )
    genuine = bank_fields(order)
    # A forger knows everything but the key: the real fields, their own changes, any seal.
    forged = genuine | fields
    if "MAC" not in fields or data.draw(st.booleans(), label="guess a seal"):
        forged["MAC"] = data.draw(
            st.text("0123456789ABCDEFabcdef", min_size=40, max_size=40)
            | st.just(monetico.seal({k: v for k, v in forged.items() if k != "MAC"}, "0" * 40)),
            label="seal",
        )
    assume(not monetico.seal_is_valid(forged, settings.MONETICO_KEY))
    before = state_of_payments()

    assert post_form(forged) == monetico.RECEIPT_INVALID
    assert state_of_payments() == before


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    # The personas are only read; each example makes its own order.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    change=st.sampled_from(["montant", "reference", "TPE", "code-retour"]),
    value=field_text,
)
def test_it_applies_no_sealed_notification_with_a_wrong_amount_reference_or_terminal(
    personas: Personas, change: str, value: str
) -> None:
    order = do_create_order(
        town_hall(), plan_code="bourg", period="yearly", acting_user=personas.townhall
    )
    fields = bank_fields(order)
    assume(value not in (fields[change], *monetico.ACCEPTED_CODES))
    invoices = Invoice.objects.count()

    answer = post_form(bank_fields(order, **{change: value}))

    order.refresh_from_db()
    assert answer == monetico.RECEIPT_VALID  # the seal is the bank's: received
    assert order.state in (OrderState.AWAITING_PAYMENT, OrderState.REFUSED)
    assert order.paid_at is None
    assert Invoice.objects.count() == invoices


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    # The personas are only read; each example makes and pays its own order.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    seed=st.randoms(),
    lower_seal=st.booleans(),
    extra=st.dictionaries(
        st.sampled_from(["paiement_pf2", "authentification", "cbmasquee", "filtragecause"]),
        field_text,
    ),
    # The amount asked, written another way: not what the bank echoes, so not a payment.
    writing=st.sampled_from(
        [
            "{e}.{c:02d}eur",
            "{e},{c:02d}EUR",
            "0{e}.{c:02d}EUR",
            "{e}.{c:02d}0EUR",
            " {e}.{c:02d}EUR",
            "{e}.{c:02d} EUR",
            "{e}.{c:02d}EUR\n",
            "{e}.{c:02d}",
            "+{e}.{c:02d}EUR",
        ]
    ),
)
def test_it_pays_exactly_a_notification_sealed_by_the_documented_rule(
    personas: Personas,
    seed: random.Random,
    lower_seal: bool,
    extra: dict[str, str],
    writing: str,
) -> None:
    order = do_create_order(
        town_hall(), plan_code="bourg", period="yearly", acting_user=personas.townhall
    )
    invoices = Invoice.objects.count()
    euros, cents = divmod(order.total_cents, 100)
    other_writing = bank_fields(order, montant=writing.format(e=euros, c=cents))
    fields = list(bank_fields(order, **extra).items())
    seed.shuffle(fields)
    genuine = dict(fields)
    if lower_seal:
        genuine["MAC"] = genuine["MAC"].lower()

    assert post_form(other_writing) == monetico.RECEIPT_VALID
    order.refresh_from_db()
    assert order.state == OrderState.AWAITING_PAYMENT

    assert post_form(genuine) == monetico.RECEIPT_VALID
    assert post_form(genuine) == monetico.RECEIPT_VALID  # the bank may call twice

    order.refresh_from_db()
    assert order.state == OrderState.PAID
    assert order.paid_at is not None
    assert timezone.now() - order.paid_at < timedelta(minutes=1)
    assert Invoice.objects.count() == invoices + 1
