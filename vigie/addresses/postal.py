"""Addresses written for an envelope, per NF Z10-011.

At most 6 lines of at most 38 characters; the last line is ``POSTCODE LOCALITY``
in capitals, without accents or punctuation.  Lines, top to bottom: the
person, the complement inside the building, the building, number and street,
(a place name or PO box: unused here), postcode and locality.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass

from vigie.addresses.text import plain_letters, postal_upper

MAX_LINES = 6
MAX_LENGTH = 38

# La Poste's usual abbreviations, applied only when a street line is too long.
_ABBREVIATIONS = [
    ("BOULEVARD", "BD"),
    ("AVENUE", "AV"),
    ("FAUBOURG", "FG"),
    ("IMPASSE", "IMP"),
    ("CHEMIN", "CHE"),
    ("ROUTE", "RTE"),
    ("PLACE", "PL"),
    ("ALLEE", "ALL"),
    ("RESIDENCE", "RES"),
    ("QUARTIER", "QUA"),
    ("SQUARE", "SQ"),
    ("SAINTE", "STE"),
    ("SAINT", "ST"),
    ("GRANDE", "GDE"),
    ("GENERAL", "GAL"),
    ("MARECHAL", "MAL"),
    ("PRESIDENT", "PDT"),
    ("DOCTEUR", "DR"),
    ("PROFESSEUR", "PR"),
]


def _clean(value: str) -> str:
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())


def _fit(value: str) -> str:
    return value[:MAX_LENGTH].rstrip()


def _abbreviate(line: str) -> str:
    for word, short in _ABBREVIATIONS:
        if len(line) <= MAX_LENGTH:
            break
        line = re.sub(rf"\b{word}\b", short, line)
    return line


def street_line(number: str, suffix: str, street: str, *, street_postal: str = "") -> str:
    prefix = postal_upper(f"{number} {suffix}")
    line = postal_upper(f"{prefix} {street}")
    if len(line) > MAX_LENGTH and street_postal:
        line = postal_upper(f"{prefix} {street_postal}")
    return _fit(_abbreviate(line))


def _in_font(text: str) -> bool:
    """The letter's fonts (Helvetica, WinAnsi) print Latin-1 and œ, Œ, Ÿ, « », the
    typographic apostrophe (U+2019), the euro sign…"""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _printable_character(character: str) -> str:
    if _in_font(character):
        return character
    # Ł, ę, ș, ệ: L, e, s, e; what is still out of the fonts' reach drops.
    return "".join(c for c in plain_letters(character) if c.isalpha() and _in_font(c))


def _printable_name(name: str) -> str:
    """The person's name as the letter's fonts can print it, French typography kept.

    A Latin letter the fonts lack is written without its accent or stroke
    (Łukasz: Lukasz); other scripts drop.
    """
    composed = unicodedata.normalize("NFC", _clean(name))  # e + ◌́ is é, which the fonts have
    printable = "".join(_printable_character(character) for character in composed)
    return _fit(" ".join(printable.split()))


@dataclass(frozen=True)
class Envelope:
    """An address block, by role: Maileva wants the parts, the PDF the lines."""

    name: str
    complement_lines: tuple[str, ...]
    street_line: str
    last_line: str

    @property
    def lines(self) -> list[str]:
        lines = [self.name, *self.complement_lines, self.street_line, self.last_line]
        return [line for line in lines if line][:MAX_LINES]


def envelope(
    *,
    name: str,
    number: str,
    suffix: str,
    street: str,
    postcode: str,
    locality: str,
    complement: str = "",
    street_postal: str = "",
    fallback_name: str = "",
) -> Envelope:
    """The address block of a letter, ready to print in an envelope's window."""
    return Envelope(
        name=_printable_name(name) or fallback_name,
        complement_lines=tuple(textwrap.wrap(postal_upper(complement), MAX_LENGTH)[:2]),
        street_line=street_line(number, suffix, street, street_postal=street_postal),
        last_line=_fit(f"{postcode} {postal_upper(locality)}"),
    )


def envelope_lines(
    *,
    name: str,
    number: str,
    suffix: str,
    street: str,
    postcode: str,
    locality: str,
    complement: str = "",
    street_postal: str = "",
) -> list[str]:
    return envelope(
        name=name,
        number=number,
        suffix=suffix,
        street=street,
        postcode=postcode,
        locality=locality,
        complement=complement,
        street_postal=street_postal,
    ).lines
