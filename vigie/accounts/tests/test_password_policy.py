from __future__ import annotations

import re
import string

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher, identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from vigie.accounts.hashers import VigieArgon2PasswordHasher
from vigie.accounts.models import User
from vigie.accounts.password_policy import CnilPasswordValidator

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
    assert [error.code for error in similar.value.error_list] == ["password_too_similar"]


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
