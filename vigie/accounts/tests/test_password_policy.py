from __future__ import annotations

import re
import string

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher, identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from vigie.accounts.hashers import VigieArgon2PasswordHasher
from vigie.accounts.models import User
from vigie.accounts.password_policy import (
    CONTEXT_WORDS,
    PASSWORD_CONTEXT_ATTRIBUTE,
    CnilPasswordValidator,
    ContextWordsValidator,
)
from vigie.test import Personas

validator = CnilPasswordValidator()


def accepted(password: str) -> bool:
    try:
        validator.validate(password)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    "password",
    [
        "Tournesol-42ab",  # rule 1: 12+ with upper, lower, digit, special
        "aB3!aB3!aB3!",
        "Soleilcouchant2026",  # rule 2: 14+ with upper, lower, digits
        "AbcdefghijklM4",
        "le chat de la voisine dort sur le muret",  # rule 3: 7 words
        "grand-bleu-ciel-sur-les-toits-rouges",
    ],
)
def test_it_accepts_each_cnil_rule(password: str) -> None:
    assert accepted(password)


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Tournesol-4a", True),  # rule 1 at exactly 12 characters
        ("Tournesol-4", False),  # 11 characters
        ("Tournesol42abc", True),  # rule 2 at exactly 14 characters, no special
        ("Tournesol42ab", False),  # 13 characters, no special
        ("un deux trois quatre cinq six sept", True),  # rule 3 at exactly 7 words
        ("un deux trois quatre cinq six", False),  # 6 words
        ("aa bb cc dd ee ff gg", False),  # 7 words but 14 letters
        ("le le la la de de un", False),  # 4 different words
        ("jean jean dupont dupont example example org", False),  # 4 different words
    ],
)
def test_it_draws_each_boundary_where_the_cnil_does(password: str, expected: bool) -> None:
    assert accepted(password) is expected


@pytest.mark.parametrize(
    "password",
    [
        "Tournesol-4",
        "tournesol-42abcd",
        "TOURNESOL-42ABCD",
        "Soleilcouchan",
        "Soleilcouchant",
        "le chat de la voisine dort",
        "aa aa aa aa aa aa aa",
        "1234567890123456",
    ],
)
def test_it_rejects_passwords_meeting_no_rule(password: str) -> None:
    assert not accepted(password)


def test_it_says_what_is_missing() -> None:
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        validator.validate("tournesol")
    message = raised.value.messages[0]
    assert "3 more characters" in message
    assert "upper-case letter" in message
    assert "digit" in message
    assert "special character" in message
    assert "lower-case" not in message


def test_it_accepts_at_least_64_characters_and_refuses_beyond_the_maximum() -> None:
    assert accepted("Aa1!" * 16)
    assert not accepted("Aa1!" * 300)


@given(
    st.text(alphabet=string.ascii_letters + string.digits + string.punctuation + " ", max_size=40)
)
def test_it_accepts_exactly_what_one_rule_accepts(password: str) -> None:
    words = {
        chunk.lower()
        for chunk in re.split(r"[\s\-_.,;:/+]+", password)
        if len(chunk) >= 2 and chunk.isalpha()
    }
    rule_3 = len(words) >= 7 and sum(map(len, words)) >= 25
    rule_1 = (
        len(password) >= 12
        and any(c.isupper() for c in password)
        and any(c.islower() for c in password)
        and any(c.isdigit() for c in password)
        and any(c in string.punctuation for c in password)
    )
    rule_2 = (
        len(password) >= 14
        and any(c.isupper() for c in password)
        and any(c.islower() for c in password)
        and any(c.isdigit() for c in password)
    )
    assert accepted(password) is (rule_1 or rule_2 or rule_3)


def test_it_refuses_common_passwords_and_ones_like_the_name() -> None:
    user = User(email="jeanne.dupont@example.org", first_name="Jeanne", last_name="Dupontel")
    with pytest.raises(ValidationError) as common:
        validate_password("motdepasse", user)
    with pytest.raises(ValidationError) as similar:
        validate_password("Jeanne.Dupont@example.org1", user)

    assert "password_too_common" in [error.code for error in common.value.error_list]
    # Its names are context words too (test_it_refuses_passwords_built_on_the_persons_...).
    assert {error.code for error in similar.value.error_list} == {
        "password_too_similar",
        "password_context_word",
    }


def test_it_hashes_with_argon2id_at_or_above_owasp_parameters() -> None:
    assert settings.PASSWORD_HASHERS[0] == "vigie.accounts.hashers.VigieArgon2PasswordHasher"
    hasher = get_hasher("default")
    assert isinstance(hasher, VigieArgon2PasswordHasher)
    assert hasher.memory_cost >= 19 * 1024
    assert hasher.time_cost >= 2
    encoded = make_password("Tournesol-42ab")
    assert identify_hasher(encoded) is not None
    assert encoded.startswith(
        f"argon2$argon2id$v=19$m={hasher.memory_cost},t={hasher.time_cost},p={hasher.parallelism}$"
    )


def context_refusal(password: str, user: User | None = None) -> str | None:
    """The code of the context validator's refusal, or None when it accepts."""
    try:
        ContextWordsValidator().validate(password, user)
    except ValidationError as error:
        return error.code
    return None


def test_it_lists_the_context_words_of_docs_security() -> None:
    """ASVS 6.1.2: the list in docs/security.md is the one applied."""
    for word in ["vigie", "voisin", "voisins", "vigilant", "vigilants", "quartier"]:
        assert word in CONTEXT_WORDS


@pytest.mark.parametrize(
    "password",
    [
        "Vigie2026!abc",
        "VIGIE-vigie-26",
        "V1g!e-2026#Ab",  # look-alike characters
        "Voisin-2026!ab",
        "MesVoisins-26!",
        "Vigilant-2026!",
        "vigilants2026ABC",
        "Quartier-2026!",
        "Qu@rt!er-N0rd-9",
        "Vigie-Quartier-2026!",  # two of them, each too short a remainder
    ],
)
def test_it_refuses_passwords_built_on_vigies_words(password: str) -> None:
    """ASVS 6.2.11: each password meets a CNIL rule, but only thanks to the word."""
    assert accepted(password)
    assert context_refusal(password) == "password_context_word"


@pytest.mark.django_db
def test_it_refuses_passwords_built_on_the_persons_names_email_and_commune(
    personas: Personas,
) -> None:
    alice = personas.alice  # Alice Martin, alice@example.org, home in Bourg-lès-Vigies
    for password in ["Alice-2026!xy", "Martin-2026!xy", "M4rt1n-2026!xy", "Bourg-2026!xy"]:
        assert accepted(password)
        assert context_refusal(password, alice) == "password_context_word", password

    # Someone signing up: not saved yet, the commune comes with the address being registered.
    newcomer = User(email="jeanne.dupontel@example.org", first_name="Jeanne", last_name="Roy")
    setattr(newcomer, PASSWORD_CONTEXT_ATTRIBUTE, ["Saint-Rémy-de-Provence"])
    for password in ["Jeanne-2026!x", "Dupontel-26!x", "Provence-26!x", "Saint-Remy-26!"]:
        assert context_refusal(password, newcomer) == "password_context_word", password
    assert context_refusal("Provence-26!x", None) is None  # the commune is the person's context


@pytest.mark.parametrize(
    "password",
    [
        "Tournesol-42ab",
        "Tournesol-42abVigie",  # the word added to a password strong without it
        "le chat de la voisine dort sous le grand muret",  # 7 words and 25 letters without it
        "Persona-password-2026!",
    ],
)
def test_it_accepts_a_password_strong_without_the_context_word(password: str) -> None:
    user = User(email="alice@example.org", first_name="Alice", last_name="Martin")
    setattr(user, PASSWORD_CONTEXT_ATTRIBUTE, ["Bourg-lès-Vigies"])

    assert context_refusal(password, user) is None


def test_it_names_the_word_but_never_repeats_the_password() -> None:
    with translation.override("fr"), pytest.raises(ValidationError) as raised:
        validate_password("V1g!e-2026#Ab")

    messages = " ".join(raised.value.messages)
    assert "vigie" in messages
    assert "V1g!e" not in messages


@pytest.mark.django_db
@pytest.mark.usefixtures("address_reference")
def test_it_refuses_a_sign_up_whose_password_is_built_on_the_commune(client: Client) -> None:
    response = client.post(
        "/api/v1/auth/register",
        {
            "email": "jeanne@example.org",
            "password": "Bourg-2026!xy",
            "first_name": "Jeanne",
            "last_name": "Dupont",
            "address": {"ban_id": "99101_0001_00040"},
            "accept_terms": True,
        },
        content_type="application/json",
    )

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["password"]
    assert not User.objects.exists()
