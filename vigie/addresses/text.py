"""Normalising French address text for search and for envelopes."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")

# Repetition words; a single letter (a, b, c…) is a letter suffix, never bis or ter.
SUFFIXES = {"bis": "bis", "ter": "ter", "quater": "quater", "quinquies": "quinquies"}
# Letters NFKD does not decompose, spelt out the way La Poste writes them.
_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O"}
)


# Latin letters with a stroke or of their own, which NFKD leaves whole: on an
# envelope, the plain letter La Poste's capitals (A to Z) can write.
_POSTAL_LETTERS = str.maketrans(
    {
        "Ð": "D", "ð": "d", "Đ": "D", "đ": "d", "Þ": "TH", "þ": "th", "Ħ": "H", "ħ": "h",
        "\u0131": "i", "ĸ": "k", "Ł": "L", "ł": "l", "Ŋ": "N", "ŋ": "n", "Ŧ": "T", "ŧ": "t",
        "ẞ": "SS",
    }
)  # fmt: skip


def strip_accents(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.translate(_LIGATURES))
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def search_key(value: str) -> str:
    """Lower case, no accents, words separated by one space: what search compares."""
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", strip_accents(value).lower())).strip()


def plain_letters(value: str) -> str:
    """Accents, strokes and ligatures spelt out: what is left of a Latin text in A to Z."""
    # Once more after decomposing: "Ǣ" is "Æ" and a macron, "Ǿ" is "Ø" and an acute.
    return strip_accents(value.translate(_POSTAL_LETTERS)).translate(_LIGATURES)


def postal_upper(value: str) -> str:
    """Capitals without accents, punctuation turned into spaces (NF Z10-011 lines)."""
    text = plain_letters(value).upper()
    text = re.sub(r"[^A-Z0-9 ]+", " ", text)
    return _SPACES.sub(" ", text).strip()


def is_latin(value: str) -> bool:
    """True when every letter is written in the Latin alphabet (what an envelope needs)."""
    return all(
        not character.isalpha() or unicodedata.name(character, "").startswith("LATIN")
        for character in value
    )


def normalize_suffix(value: str) -> str:
    """'BIS' -> 'bis'; a letter suffix (a, b, c…) stays a letter."""
    cleaned = search_key(value)
    return SUFFIXES.get(cleaned, cleaned)
