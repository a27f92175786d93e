"""Normalising French address text for search and for envelopes."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")

SUFFIXES = {
    "b": "bis",
    "bis": "bis",
    "t": "ter",
    "ter": "ter",
    "q": "quater",
    "quater": "quater",
    "quinquies": "quinquies",
}


def strip_accents(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def search_key(value: str) -> str:
    """Lower case, no accents, words separated by one space: what search compares."""
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", strip_accents(value).lower())).strip()


def postal_upper(value: str) -> str:
    """Capitals without accents, punctuation turned into spaces (NF Z10-011 lines)."""
    text = strip_accents(value).upper()
    text = re.sub(r"[^A-Z0-9 ]+", " ", text)
    return _SPACES.sub(" ", text).strip()


def normalize_suffix(value: str) -> str:
    """'B' -> 'bis'; single letters (a, b, c…) of a 'rep' stay letters when not bis/ter."""
    cleaned = search_key(value)
    return SUFFIXES.get(cleaned, cleaned)
