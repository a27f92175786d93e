"""Activation codes: 10 characters from a 31-letter alphabet, about 49.5 bits.

Printed grouped for reading (``K7QM-R2XD-9F``); typed in any case, with or
without spaces and dashes.
"""

from __future__ import annotations

from vigie.lib.codes import READABLE_ALPHABET, entropy_bits, normalize_readable_code, readable_code

CODE_LENGTH = 10
assert entropy_bits(CODE_LENGTH) >= 40


def new_code() -> str:
    return readable_code(CODE_LENGTH, group=4)


def normalize_code(value: str) -> str:
    return normalize_readable_code(value)


def is_well_formed(normalized: str) -> bool:
    return len(normalized) == CODE_LENGTH and all(c in READABLE_ALPHABET for c in normalized)
