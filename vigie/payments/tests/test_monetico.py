"""The seal, against a reference written here from the bank's documented rule."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from vigie.payments import monetico


def reference_usable_key(key: str) -> bytes:
    """Written from the documentation, not from the client: the last two characters."""
    chars = list(key)
    c39, c40 = chars[38], chars[39]
    if "G" <= c39 <= "`":
        chars[38] = chr(ord(c39) - 23)
    elif c40 == "M":
        chars[39] = "0"
    return bytes(int("".join(chars[index : index + 2]), 16) for index in range(0, 40, 2))


def reference_seal(fields: dict[str, str], key: str) -> str:
    names = sorted(name for name in fields if name != "MAC")
    message = "*".join(name + "=" + fields[name] for name in names)
    return hmac.new(reference_usable_key(key), message.encode(), hashlib.sha1).hexdigest()


FIELDS = {
    "TPE": "1234567",
    "date": "01/12/2026:10:00:00",
    "montant": "948.00EUR",
    "reference": "VIGABC123",
    "texte-libre": "Vigie 99101",
    "version": "3.0",
    "lgue": "FR",
    "societe": "vigie",
    "mail": "helene@example.org",
    "url_retour_ok": "http://127.0.0.1:8000/paiement/retour/?reference=VIGABC123",
    "url_retour_err": "http://127.0.0.1:8000/paiement/retour/?reference=VIGABC123&erreur=1",
    "contexte_commande": "eyJiaWxsaW5nIjp7fX0=",
}


@pytest.mark.parametrize(
    ("key", "usable_tail"),
    [
        # c39 past "F" ("H" is 72): it becomes chr(72 - 23) = "1".
        ("0123456789ABCDEF0123456789ABCDEF012345H7", "17"),
        # c39 "G" (71), the first past "F": chr(48) = "0".
        ("0123456789ABCDEF0123456789ABCDEF012345G0", "00"),
        # c40 is "M" (and c39 an ordinary digit): it becomes "0".
        ("0123456789ABCDEF0123456789ABCDEF0123454M", "40"),
        # Nothing to change.
        ("0123456789ABCDEF0123456789ABCDEF01234567", "67"),
    ],
)
def test_it_makes_the_key_usable_as_the_bank_kit_does(key: str, usable_tail: str) -> None:
    assert monetico.usable_key(key) == reference_usable_key(key)
    assert monetico.usable_key(key).hex().upper().endswith(usable_tail)


@pytest.mark.parametrize(
    "key",
    [
        "0123456789ABCDEF0123456789ABCDEF01234567",
        "0123456789ABCDEF0123456789ABCDEF012345H7",  # needs the usable-key transform
        "0123456789ABCDEF0123456789ABCDEF0123454M",  # needs it too, on the last character
    ],
)
def test_it_seals_the_fields_sorted_by_name_as_the_documentation_says(key: str) -> None:
    sealed = monetico.seal(FIELDS, key)

    assert sealed.lower() == reference_seal(FIELDS, key)
    assert monetico.seal_is_valid({**FIELDS, "MAC": sealed.lower()}, key)
    assert not monetico.seal_is_valid({**FIELDS, "montant": "1.00EUR", "MAC": sealed}, key)


def test_it_signs_empty_fields_that_are_posted_and_puts_tpe_first() -> None:
    key = "0123456789ABCDEF0123456789ABCDEF01234567"
    with_empty = {**FIELDS, "texte-libre": ""}

    assert monetico.seal(with_empty, key).lower() == reference_seal(with_empty, key)
    assert monetico.seal(with_empty, key) != monetico.seal(FIELDS, key)
    assert sorted(FIELDS, key=str.encode)[0] == "TPE"


def test_it_writes_amounts_from_integer_cents() -> None:
    assert monetico.amount(94_800) == "948.00EUR"
    assert monetico.amount(6_273) == "62.73EUR"
    assert monetico.amount(5) == "0.05EUR"


def test_it_refuses_a_key_that_is_not_forty_hex_characters() -> None:
    with pytest.raises(monetico.BadKey):
        monetico.usable_key("ABC")
    with pytest.raises(monetico.BadKey):
        monetico.usable_key("Z" * 40)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        # Computed once by hand from the documented rule (HMAC-SHA1 of the joined fields).
        ("0123456789ABCDEF0123456789ABCDEF01234567", "392063892081c4c254aee0ea2064f6c6e454a127"),
        # "H7" becomes "17" before hex-decoding.
        ("0123456789ABCDEF0123456789ABCDEF012345H7", "0acfe03da09261158c0e5dea58b48d0146fb4018"),
    ],
)
def test_it_matches_literal_vectors(key: str, expected: str) -> None:
    fields = {
        "version": "3.0",
        "reference": "VIGABC123",
        "montant": "948.00EUR",
        "date": "01/12/2026:10:00:00",
        "TPE": "1234567",
    }

    assert monetico.seal(fields, key) == expected.upper()
