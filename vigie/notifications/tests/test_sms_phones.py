from __future__ import annotations

import pytest

from vigie.notifications.sms.phones import normalize_mobile


@pytest.mark.parametrize(
    "raw",
    [
        "0612345678",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        " 06 12 34 56 78 ",
        "06\u00a012\u00a034\u00a056\u00a078",
        "+33612345678",
        "+33 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
        "0033 6 12 34 56 78",
        "0033612345678",
    ],
)
def test_it_turns_the_ways_people_write_a_mobile_into_e164(raw: str) -> None:
    assert normalize_mobile(raw) == "+33612345678"


def test_it_accepts_the_07_mobiles() -> None:
    assert normalize_mobile("07 56 12 34 56") == "+33756123456"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0690 12 34 56", "+590690123456"),  # Guadeloupe
        ("0696 12 34 56", "+596696123456"),  # Martinique
        ("0694 12 34 56", "+594694123456"),  # Guyane
        ("0692 12 34 56", "+262692123456"),  # La Réunion
        ("0639 20 12 34", "+262639201234"),  # Mayotte
        ("+262 692 12 34 56", "+262692123456"),
        ("00590 690 12 34 56", "+590690123456"),
    ],
)
def test_it_accepts_the_mobiles_of_the_overseas_departments(raw: str, expected: str) -> None:
    assert normalize_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["01 42 68 53 00", "+33 1 42 68 53 00", "09 12 34 56 78"])
def test_it_refuses_a_landline_because_a_code_must_reach_a_mobile(raw: str) -> None:
    with pytest.raises(ValueError, match="not a mobile number"):
        normalize_mobile(raw)


def test_it_refuses_free_and_premium_numbers() -> None:
    with pytest.raises(ValueError, match="not a mobile number"):
        normalize_mobile("0800 12 34 56")


def test_it_refuses_a_foreign_mobile() -> None:
    with pytest.raises(ValueError, match="Only French mobile numbers"):
        normalize_mobile("+44 7911 123456")


@pytest.mark.parametrize("raw", ["06 12 34", "06 12 34 56 78 9", "+33 6", "0712345678"])
def test_it_refuses_a_number_of_the_wrong_length_or_range(raw: str) -> None:
    with pytest.raises(ValueError, match="not a valid phone number"):
        normalize_mobile(raw)


def test_it_refuses_an_empty_number() -> None:
    with pytest.raises(ValueError, match="empty"):
        normalize_mobile(" . - ")


@pytest.mark.parametrize("raw", ["06 CODE VIGIE", "06/12/34/56/78", "+33+612345678"])
def test_it_refuses_anything_but_digits_and_separators(raw: str) -> None:
    with pytest.raises(ValueError, match="may only hold digits"):
        normalize_mobile(raw)


def test_it_refuses_a_very_long_input_without_parsing_it() -> None:
    with pytest.raises(ValueError, match="too long"):
        normalize_mobile("0" * 1000)


def test_it_never_repeats_the_number_in_its_message() -> None:
    with pytest.raises(ValueError, match="mobile") as refusal:
        normalize_mobile("01 42 68 53 00")

    assert "42" not in str(refusal.value)
