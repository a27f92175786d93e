"""The password rules of CNIL deliberation 2022-100, for a password used alone.

The deliberation asks for about 80 bits of entropy and gives three ways to
get there; any one of them is enough:

1. at least 12 characters with upper case, lower case, digits and special characters;
2. at least 14 characters with upper case, lower case and digits;
3. a passphrase of at least 7 words.

A passphrase counts distinct words of two letters or more, and needs at least
25 letters in them, so "aa bb cc dd ee ff gg" or a word repeated seven times
is no passphrase.

Django's common-password and similarity validators run as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

PASSPHRASE_MIN_WORDS = 7
PASSPHRASE_MIN_LETTERS = 25
# A word of a passphrase: two letters or more (accents welcome).
_WORD = re.compile(r"[^\W\d_]{2,}")
_WORD_SEPARATORS = re.compile(r"[\s\-_.,;:/+]+")


@dataclass(frozen=True)
class PasswordTraits:
    length: int
    has_upper: bool
    has_lower: bool
    has_digit: bool
    has_special: bool
    words: int
    word_letters: int

    @classmethod
    def of(cls, password: str) -> PasswordTraits:
        return cls(
            length=len(password),
            has_upper=any(character.isupper() for character in password),
            has_lower=any(character.islower() for character in password),
            has_digit=any(character.isdigit() for character in password),
            has_special=any(
                not character.isalnum() and not character.isspace() for character in password
            ),
            words=len(_distinct_words(password)),
            word_letters=sum(len(word) for word in _distinct_words(password)),
        )

    def meets_rule_1(self) -> bool:
        return (
            self.length >= 12
            and self.has_upper
            and self.has_lower
            and self.has_digit
            and (self.has_special)
        )

    def meets_rule_2(self) -> bool:
        return self.length >= 14 and self.has_upper and self.has_lower and self.has_digit

    def meets_rule_3(self) -> bool:
        return self.words >= PASSPHRASE_MIN_WORDS and self.word_letters >= PASSPHRASE_MIN_LETTERS


def _distinct_words(password: str) -> set[str]:
    """The different words of two letters or more (case ignored)."""
    return {
        chunk.lower()
        for chunk in _WORD_SEPARATORS.split(password.strip())
        if _WORD.fullmatch(chunk)
    }


def _missing_for_rule_1(traits: PasswordTraits) -> list[str]:
    missing = []
    if traits.length < 12:
        more = 12 - traits.length
        missing.append(
            ngettext("%(count)d more character", "%(count)d more characters", more)
            % {"count": more}
        )
    if not traits.has_upper:
        missing.append(_("an upper-case letter"))
    if not traits.has_lower:
        missing.append(_("a lower-case letter"))
    if not traits.has_digit:
        missing.append(_("a digit"))
    if not traits.has_special:
        missing.append(_("a special character (such as ! ? - or #)"))
    return missing


class CnilPasswordValidator:
    """Django password validator implementing the three CNIL rules above."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > settings.PASSWORD_MAX_LENGTH:
            raise ValidationError(
                _("Use at most %(max)d characters.") % {"max": settings.PASSWORD_MAX_LENGTH},
                code="password_too_long",
            )
        traits = PasswordTraits.of(password)
        if traits.meets_rule_1() or traits.meets_rule_2() or traits.meets_rule_3():
            return
        missing = ", ".join(_missing_for_rule_1(traits))
        raise ValidationError(
            _(
                "This password is too weak. Add %(missing)s. "
                "You may instead use at least 14 characters with upper case, lower case "
                "and digits, or a passphrase of at least 7 different words."
            )
            % {"missing": missing},
            code="password_too_weak",
        )

    def get_help_text(self) -> str:
        return _(
            "At least 12 characters with upper case, lower case, digits and special "
            "characters; or at least 14 characters with upper case, lower case and digits; "
            "or a passphrase of at least 7 different words."
        )
