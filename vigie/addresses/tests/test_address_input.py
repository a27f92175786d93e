from __future__ import annotations

import pytest

from vigie.addresses.actions import AddressInput, clean_address
from vigie.addresses.models import AddressSource
from vigie.lib.errors import InvalidInput

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("address_reference")]


def errors_of(data: AddressInput) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as raised:
        clean_address(data)
    return {
        field: [str(message) for message in messages]
        for field, messages in raised.value.errors.items()
    }


def test_it_takes_a_chosen_reference_address() -> None:
    clean = clean_address(AddressInput(ban_id="99101_0001_00012_bis", complement="Bât. B"))

    assert (clean.number, clean.suffix, clean.street) == ("12", "bis", "Rue des Lilas")
    assert clean.source == AddressSource.REFERENCE
    assert not clean.needs_review
    assert clean.insee_code == "99101"


def test_it_refuses_an_unknown_reference_id() -> None:
    assert "ban_id" in errors_of(AddressInput(ban_id="99101_9999_00001"))


def test_it_finds_a_typed_address_in_the_reference() -> None:
    clean = clean_address(
        AddressInput(
            number="7", street="rue des lilas", postcode="99100", commune="BOURG LES VIGIES"
        )
    )

    assert clean.source == AddressSource.REFERENCE
    assert clean.ban_id == "99101_0001_00007"


def test_it_accepts_an_unknown_typed_address_for_a_person_to_check() -> None:
    clean = clean_address(
        AddressInput(
            number="999", street="Rue Nouvelle", postcode="99100", commune="Bourg-lès-Vigies"
        )
    )

    assert clean.source == AddressSource.MANUAL
    assert clean.needs_review
    assert clean.insee_code == "99101"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            AddressInput(
                number="7", street="Rue des Lilas", postcode="99200", commune="Bourg-lès-Vigies"
            ),
            "postcode",
        ),
        (
            AddressInput(number="7", street="Rue des Lilas", postcode="99100", commune="Ailleurs"),
            "postcode",
        ),
        (
            AddressInput(
                number="7a", street="Rue des Lilas", postcode="99100", commune="Bourg-lès-Vigies"
            ),
            "number",
        ),
        (
            AddressInput(
                number="7",
                suffix="zz",
                street="Rue des Lilas",
                postcode="99100",
                commune="Bourg-lès-Vigies",
            ),
            "suffix",
        ),
        (
            AddressInput(number="7", street="", postcode="99100", commune="Bourg-lès-Vigies"),
            "street",
        ),
        (
            AddressInput(
                number="7", street="Rue des Lilas", postcode="9910", commune="Bourg-lès-Vigies"
            ),
            "postcode",
        ),
        (
            AddressInput(
                number="7", street="Rue\u0000", postcode="99100", commune="Bourg-lès-Vigies"
            ),
            "street",
        ),
        (AddressInput(number="7", street="Rue des Lilas", postcode="99100", commune=""), "commune"),
    ],
)
def test_it_gives_each_mistake_its_own_message(data: AddressInput, field: str) -> None:
    assert field in errors_of(data)


def test_it_says_which_postcodes_a_known_commune_has() -> None:
    errors = errors_of(
        AddressInput(
            number="7", street="Rue des Lilas", postcode="12345", commune="Bourg-lès-Vigies"
        )
    )

    assert "99100" in errors["postcode"][0]


def test_it_fingerprints_the_same_home_alike_and_flats_apart() -> None:
    chosen = clean_address(AddressInput(ban_id="99101_0001_00007"))
    typed = clean_address(
        AddressInput(
            number="7", street="RUE DES LILAS", postcode="99100", commune="Bourg-lès-Vigies"
        )
    )
    flat = clean_address(AddressInput(ban_id="99101_0001_00007", complement="Appartement 2"))

    assert chosen.fingerprint == typed.fingerprint
    assert flat.fingerprint != chosen.fingerprint


def test_it_asks_to_choose_or_type_when_nothing_was_given() -> None:
    errors = errors_of(AddressInput(complement="Apt 3"))

    assert list(errors) == ["ban_id"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            AddressInput(number="١٢", street="Rue des Lilas", postcode="99100", commune="Bourg"),
            "number",
        ),
        (
            AddressInput(
                number="7",
                street="Rue des Lilas",
                postcode="\uff19\uff19\uff11\uff10\uff10",
                commune="Bourg",
            ),
            "postcode",
        ),
        (
            AddressInput(number="7", street="Улица Ленина", postcode="99100", commune="Bourg"),
            "street",
        ),
        (AddressInput(ban_id="99101_0001_00007", complement="Квартира 3"), "complement"),
    ],
)
def test_it_refuses_what_an_envelope_cannot_carry(data: AddressInput, field: str) -> None:
    assert field in errors_of(data)


@pytest.mark.parametrize("ban_id", ["\x00", "99101_0001\x00_00040", "99101-0001-00040", "../../x"])
def test_it_refuses_a_ban_id_no_reference_address_could_have(ban_id: str) -> None:
    # A NUL reached PostgreSQL, which refuses it with an error of its own (found by hypothesis).
    with pytest.raises(InvalidInput) as refused:
        clean_address(AddressInput(ban_id=ban_id))

    assert set(refused.value.errors) == {"ban_id"}
