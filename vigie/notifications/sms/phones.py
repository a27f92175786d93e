"""French mobile numbers, as people type them, turned into E.164.

Only mobiles are kept: the codes Vigie sends by text message must reach a
phone that can receive them, which a landline, a VoIP or a premium-rate
number cannot.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

# Metropolitan France, then the overseas areas that share its numbering plan
# (a national "06 90 ..." is a Guadeloupe mobile, not a metropolitan one).
_FRENCH_REGIONS = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF")
_NATIONAL_TRIAL_REGIONS = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM")

# Spaces (including the no-break ones that copy-pasting brings), dots, dashes, and
# the "(0)" some write after +33.
_SEPARATORS = re.compile(r"[\s\u00a0\u202f.\-]|\(0\)")
_DIGITS = re.compile(r"\+?\d+")
_LONGEST_INPUT = 40


def normalize_mobile(raw: str) -> str:
    """The E.164 form (``+33612345678``) of a French mobile number, or ``ValueError``.

    Accepts ``06 12 34 56 78``, ``06.12.34.56.78``, ``06-12-34-56-78``,
    ``+33 6 12 34 56 78``, ``+33 (0)6 12 34 56 78`` and ``0033 6 12 34 56 78``,
    and the mobiles of the overseas departments in either national or
    international form.  The messages never repeat the number: they may be logged.
    """
    if len(raw) > _LONGEST_INPUT:
        raise ValueError("The phone number is too long.")
    compact = _SEPARATORS.sub("", raw.strip())
    if not compact:
        raise ValueError("The phone number is empty.")
    if not _DIGITS.fullmatch(compact):
        raise ValueError(
            "The phone number may only hold digits, spaces, dots, dashes and a leading +."
        )
    international = compact.startswith(("+", "00"))
    regions = ("FR",) if international else _NATIONAL_TRIAL_REGIONS
    number = None
    for region in regions:
        try:
            candidate = phonenumbers.parse(compact, region)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(candidate):
            number = candidate
            break
    if number is None:
        raise ValueError("This is not a valid phone number.")
    if phonenumbers.region_code_for_number(number) not in _FRENCH_REGIONS:
        raise ValueError("Only French mobile numbers (+33 and overseas departments) are accepted.")
    if phonenumbers.number_type(number) != PhoneNumberType.MOBILE:
        raise ValueError(
            "This is not a mobile number: codes are sent by text message, "
            "which only a mobile phone receives."
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)
