"""How long a text message is, as the network counts it.

A message travels in the GSM 03.38 default alphabet (7-bit septets) when
every character is in it, otherwise in UCS-2 (16-bit units).  The cost of a
message is its number of segments, so the count must be exact: one character
outside the alphabet (a ``ç``, an emoji) moves the whole message to UCS-2 and
more than halves what fits in a segment.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

GSM_7 = "GSM-7"
UCS_2 = "UCS-2"

# The default alphabet's basic table (3GPP TS 23.038, 6.2.1), less the escape
# code 0x1B itself, which only ever introduces an extension character.
_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Characters of the extension table: each is sent as the escape then its code.
_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_SEGMENT_SEPTETS = 160
CONCATENATED_SEGMENT_SEPTETS = 153  # 7 septets go to the concatenation header
SINGLE_SEGMENT_UNITS = 70
CONCATENATED_SEGMENT_UNITS = 67


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # GSM_7 or UCS_2
    units: int  # septets in GSM-7, 16-bit code units in UCS-2
    segments: int


def _septets(character: str) -> int | None:
    if character in _BASIC:
        return 1
    if character in _EXTENSION:
        return 2
    return None


def _ucs2_units(character: str) -> int:
    # Outside the Basic Multilingual Plane a character takes a surrogate pair.
    return 2 if ord(character) > 0xFFFF else 1


def _segments(costs: list[int], *, single: int, concatenated: int) -> int:
    total = sum(costs)
    if total <= single:
        return 1
    # Phones do not split an escape and its character, nor a surrogate pair,
    # across two segments: such a pair starts the next segment instead.
    segments, used = 1, 0
    for cost in costs:
        if used + cost > concatenated:
            segments += 1
            used = 0
        used += cost
    return segments


def sms_length(text: str) -> SmsLength:
    """The encoding a message needs, its length in that encoding, and its segments.

    An empty message still takes one segment: it would be sent as one.
    """
    septets = [_septets(character) for character in text]
    if all(cost is not None for cost in septets):
        costs = [cost for cost in septets if cost is not None]
        return SmsLength(
            encoding=GSM_7,
            units=sum(costs),
            segments=_segments(
                costs, single=SINGLE_SEGMENT_SEPTETS, concatenated=CONCATENATED_SEGMENT_SEPTETS
            ),
        )
    units = [_ucs2_units(character) for character in text]
    return SmsLength(
        encoding=UCS_2,
        units=sum(units),
        segments=_segments(
            units, single=SINGLE_SEGMENT_UNITS, concatenated=CONCATENATED_SEGMENT_UNITS
        ),
    )


# French typography outside the alphabet, and what reads the same inside it.
_FOLDED = {
    "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "«": '"', "»": '"',
    "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " ", "\u202f": " ",
    "œ": "oe", "Œ": "OE", "ç": "c",
}  # fmt: skip


def fold_to_gsm(text: str) -> str:
    """The text with what French writes outside GSM-7 replaced by its nearest reading inside.

    "fenêtre d\u2019une" becomes "fenetre d'une": one accent or apostrophe outside the
    alphabet would otherwise send the whole message in UCS-2, at twice the segments.
    Accents the alphabet has (é, è, à, ù) stay; what has no reading (an emoji) is kept,
    and the message goes in UCS-2 as it must.
    """
    folded = []
    for character in text:
        if _septets(character) is not None:
            folded.append(character)
        elif character in _FOLDED:
            folded.append(_FOLDED[character])
        else:
            base = unicodedata.normalize("NFKD", character)[:1]
            folded.append(base if base and _septets(base) is not None else character)
    return "".join(folded)
