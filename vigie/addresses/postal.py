"""Addresses written for an envelope, per NF Z10-011.

At most 6 lines of at most 38 characters; the last line is ``POSTCODE LOCALITY``
in capitals, without accents or punctuation.  Lines, top to bottom: the
person, the complement inside the building, the building, number and street,
(a place name or PO box: unused here), postcode and locality.
"""

from __future__ import annotations

import re
import textwrap

from vigie.addresses.text import postal_upper

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
    """The address block of a letter, ready to print in an envelope's window."""
    lines = [_fit(_clean(name))]
    complement_lines = textwrap.wrap(postal_upper(complement), MAX_LENGTH)[:2]
    lines += complement_lines
    lines.append(street_line(number, suffix, street, street_postal=street_postal))
    lines.append(_fit(f"{postcode} {postal_upper(locality)}"))
    return [line for line in lines if line][:MAX_LINES]
