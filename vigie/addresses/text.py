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


def strip_accents(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.translate(_LIGATURES))
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def search_key(value: str) -> str:
    """Lower case, no accents, words separated by one space: what search compares."""
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", strip_accents(value).lower())).strip()


def postal_upper(value: str) -> str:
    """Capitals without accents, punctuation turned into spaces (NF Z10-011 lines)."""
    text = strip_accents(value).upper()
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
