"""Human-readable random codes (recovery codes, and activation codes later).

The alphabet leaves out characters people confuse when reading or typing:
0/O, 1/I/L.  Codes are grouped by dashes for reading; comparison ignores
case, spaces and dashes.
"""

from __future__ import annotations

import math
import secrets

READABLE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def readable_code(length: int, *, group: int = 4) -> str:
    characters = "".join(secrets.choice(READABLE_ALPHABET) for _ in range(length))
    return "-".join(characters[start : start + group] for start in range(0, length, group))


def normalize_readable_code(value: str) -> str:
    return "".join(character for character in value.upper() if character not in " -\t")


def entropy_bits(length: int) -> float:
    return length * math.log2(len(READABLE_ALPHABET))
