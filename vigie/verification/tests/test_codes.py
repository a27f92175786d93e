from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from vigie.lib.codes import READABLE_ALPHABET
from vigie.verification.codes import CODE_LENGTH, is_well_formed, new_code, normalize_code


def test_it_draws_from_an_alphabet_without_look_alikes() -> None:
    assert not set("01ILO") & set(READABLE_ALPHABET)
    assert len(set(READABLE_ALPHABET)) == len(READABLE_ALPHABET) == 31


def test_it_carries_at_least_40_bits() -> None:
    assert CODE_LENGTH * math.log2(len(READABLE_ALPHABET)) >= 40


def test_it_makes_well_formed_grouped_codes() -> None:
    for code in (new_code() for _ in range(500)):
        assert len(code) == 12
        assert code[4] == code[9] == "-"
        assert is_well_formed(normalize_code(code))
        assert set(code.replace("-", "")) <= set(READABLE_ALPHABET)


@given(st.text(alphabet=READABLE_ALPHABET.lower() + READABLE_ALPHABET + " -", max_size=30))
def test_it_ignores_case_spaces_and_dashes(typed: str) -> None:
    normalized = normalize_code(typed)

    assert normalized == normalized.upper()
    assert " " not in normalized
    assert "-" not in normalized


def test_it_spots_wrong_characters_and_lengths() -> None:
    assert not is_well_formed(normalize_code("K7QM-R2XD-9"))
    assert not is_well_formed(normalize_code("K7QM-R2XD-9F0"))
    assert not is_well_formed(normalize_code("K7QM-R2XD-IF"))
    assert is_well_formed(normalize_code("k7qm r2xd 9f"))


def test_it_does_not_repeat_itself() -> None:
    assert len({new_code() for _ in range(2000)}) == 2000


@given(
    separators=st.lists(st.sampled_from(["", " ", "-", "  "]), min_size=10, max_size=10),
    lower=st.booleans(),
)
def test_it_reads_back_any_code_however_it_is_typed(separators: list[str], lower: bool) -> None:
    code = new_code()
    compact = code.replace("-", "")
    typed = "".join(character + gap for character, gap in zip(compact, separators, strict=True))

    assert normalize_code(typed.lower() if lower else typed) == compact
    assert is_well_formed(compact)
