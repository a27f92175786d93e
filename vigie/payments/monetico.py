"""Monetico (Crédit Mutuel, CIC): the signed form for the hosted page, and its seal.

Protocol facts (../shared/reference/monetico.md), in one module:

- the merchant key is 40 hex characters, made "usable" by the bank's rule on
  its last two before being hex-decoded to the 20-byte HMAC key;
- the version 3.0 seal is HMAC-SHA1 of every posted field but ``MAC``,
  sorted by name in byte order, joined as ``name=value`` with ``*``;
- the buyer's browser posts the form to the bank; only the bank's
  server-to-server notification proves a payment.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

VERSION = "3.0"
PRODUCTION_ENDPOINT = "https://p.monetico-services.com/paiement.cgi"
TEST_ENDPOINT = "https://p.monetico-services.com/test/paiement.cgi"
# "payetest" is a test terminal's payment: real money only says "paiement".
ACCEPTED_IN_PRODUCTION = frozenset({"paiement"})
ACCEPTED_CODES = frozenset({"payetest", "paiement"})
REFUSED_CODES = frozenset({"Annulation"})
# What the notification endpoint answers the bank.
RECEIPT_VALID = "version=2\ncdr=0\n"
RECEIPT_INVALID = "version=2\ncdr=1\n"


class BadKey(ValueError):
    pass


def usable_key(key: str) -> bytes:
    """The bank's kit rule: the 40 hex characters, the last two adjusted, as 20 bytes."""
    if len(key) != 40:
        raise BadKey("a Monetico key has 40 characters")
    head, c39, c40 = key[:38], key[38], key[39]
    if 71 <= ord(c39) <= 96:  # past "F": G to "`"
        c39 = chr(ord(c39) - 23)
    elif c40 == "M":
        c40 = "0"
    try:
        return bytes.fromhex(head + c39 + c40)
    except ValueError:
        raise BadKey("a Monetico key is hexadecimal") from None


def seal(fields: Mapping[str, str], key: str) -> str:
    """The MAC of exactly these fields (every one but MAC), upper-case hex."""
    signed = "*".join(
        f"{name}={value}"
        for name, value in sorted(fields.items(), key=lambda item: item[0].encode())
        if name != "MAC"
    )
    return hmac.new(usable_key(key), signed.encode("utf-8"), hashlib.sha1).hexdigest().upper()


def seal_is_valid(fields: Mapping[str, str], key: str) -> bool:
    """Case-insensitive and in constant time, as the bank's kit compares."""
    received = fields.get("MAC", "")
    expected = seal(fields, key)
    return hmac.compare_digest(received.upper().encode(), expected.encode())


def amount(cents: int, currency: str = "EUR") -> str:
    """62.73EUR: integer cents written with two decimals, no float on the way."""
    if cents < 0:
        # Floor division would write -1 cent as "-1.99EUR": no bank amount is negative.
        raise ValueError(f"a Monetico amount is never negative: {cents} cents")
    return f"{cents // 100}.{cents % 100:02d}{currency}"


def bank_date(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y:%H:%M:%S")


@dataclass(frozen=True)
class Billing:
    first_name: str
    last_name: str
    address_line: str
    city: str
    postal_code: str
    email: str
    country: str = "FR"


def order_context(billing: Billing) -> str:
    """contexte_commande: base64 of the UTF-8 JSON the bank needs for 3-D Secure 2."""
    data = {
        "billing": {
            "firstName": billing.first_name,
            "lastName": billing.last_name,
            "addressLine1": billing.address_line,
            "city": billing.city,
            "postalCode": billing.postal_code,
            "country": billing.country,
            "email": billing.email,
        }
    }
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True)
class Terminal:
    tpe: str  # 7 characters
    key: str  # 40 hex characters
    company: str  # "societe"
    payment_url: str  # the hosted page


@dataclass(frozen=True)
class PaymentForm:
    action: str
    fields: dict[str, str]


def payment_form(
    terminal: Terminal,
    *,
    reference: str,
    total_cents: int,
    created_at: datetime,
    language: str,
    email: str,
    free_text: str,
    billing: Billing,
    return_ok: str,
    return_error: str,
) -> PaymentForm:
    """The fields the buyer's browser posts to the bank, sealed."""
    fields = {
        "TPE": terminal.tpe,
        "contexte_commande": order_context(billing),
        "date": bank_date(created_at),
        "lgue": "EN" if language == "en" else "FR",
        "mail": email,
        "montant": amount(total_cents),
        "reference": reference,
        "societe": terminal.company,
        "texte-libre": free_text,
        "url_retour_err": return_error,
        "url_retour_ok": return_ok,
        "version": VERSION,
    }
    fields["MAC"] = seal(fields, terminal.key)
    return PaymentForm(action=terminal.payment_url, fields=fields)
