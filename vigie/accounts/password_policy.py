"""The password rules of CNIL deliberation 2022-100, for a password used alone.

The deliberation asks for about 80 bits of entropy and gives three ways to
get there; any one of them is enough:

1. at least 12 characters with upper case, lower case, digits and special characters;
2. at least 14 characters with upper case, lower case and digits;
3. a passphrase of at least 7 words.

A passphrase counts distinct words of two letters or more, and needs at least
25 letters in them, so "aa bb cc dd ee ff gg" or a word repeated seven times
is no passphrase.

Django's common-password and similarity validators run as well, and so does
ContextWordsValidator: a password may not rest on a word an attacker would try
first here (ASVS 6.2.11).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
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
        return " ".join(
            (
                _(
                    "At least 12 characters with upper case, lower case, digits and special "
                    "characters; or at least 14 characters with upper case, lower case and "
                    "digits; or a passphrase of at least 7 different words."
                ),
                ContextWordsValidator().get_help_text(),
            )
        )


# Words anyone attacking a Vigie account tries first: the site's name and its vocabulary
# ("voisins vigilants", "quartier"), in the forms people write them. Docs: security.md.
CONTEXT_WORDS = (
    "vigie",
    "vigies",
    "voisin",
    "voisins",
    "voisine",
    "voisines",
    "vigilant",
    "vigilants",
    "vigilante",
    "vigilantes",
    "quartier",
    "quartiers",
)
# A person's own words: names and e-mail parts of 3 letters or more, commune name parts of
# 4 or more (shorter ones are mostly "le", "sur", "les").
PERSONAL_WORD_MIN_LETTERS = 3
COMMUNE_WORD_MIN_LETTERS = 4
# Set on an account not saved yet (sign-up) to name its commune, which is not in the
# database yet: ``setattr(user, PASSWORD_CONTEXT_ATTRIBUTE, [commune])``.
PASSWORD_CONTEXT_ATTRIBUTE = "password_context_words"  # noqa: S105 - an attribute name

# Characters written in place of a letter ("v1g13", "qu@rt!er").
_LOOKALIKES = {
    "a": "a4@àâä",
    "e": "e3€éèêë",
    "i": "i1!|îï",
    "l": "l1|",
    "o": "o0ôö",
    "s": "s5$",
    "t": "t7+",
    "g": "g9",
    "b": "b8",
    "z": "z2",
}
_LETTERS = re.compile(r"[^\W\d_]+")


def _fold(character: str) -> str:
    """One character, lower-cased and without its accent; same length as the input."""
    base = unicodedata.normalize("NFD", character)[0].lower()
    return base[0] if base else character


def _word_pattern(word: str) -> re.Pattern[str]:
    return re.compile(
        "".join(
            f"[{re.escape(_LOOKALIKES[letter])}]" if letter in _LOOKALIKES else re.escape(letter)
            for letter in word
        )
    )


def _words_of(text: str, *, minimum: int) -> set[str]:
    folded = "".join(_fold(character) for character in text)
    return {word for word in _LETTERS.findall(folded) if len(word) >= minimum}


def context_words(user: Any = None) -> set[str]:
    """Vigie's words, and the person's names, e-mail local part and commune if known."""
    words = set(CONTEXT_WORDS)
    if user is None:
        return words
    personal: list[str] = [
        str(getattr(user, field, "") or "")
        for field in ("first_name", "last_name", "nickname", "display_name")
    ]
    personal.append(str(getattr(user, "email", "") or "").partition("@")[0])
    for text in personal:
        words |= _words_of(text, minimum=PERSONAL_WORD_MIN_LETTERS)
    communes: list[str] = list(getattr(user, PASSWORD_CONTEXT_ATTRIBUTE, ()))
    if getattr(user, "pk", None) is not None:
        from vigie.addresses.models import Address

        communes += Address.objects.filter(user_id=user.pk, moved_out_at__isnull=True).values_list(
            "commune", flat=True
        )
    for commune in communes:
        words |= _words_of(commune, minimum=COMMUNE_WORD_MIN_LETTERS)
    return words


def _without(password: str, words: Iterable[str]) -> tuple[str, list[str]]:
    """The password with every (look-alike) occurrence of the words cut out, and the words
    found (as listed, never the password's own characters: errors must not repeat it)."""
    folded = "".join(_fold(character) for character in password)
    cut = [False] * len(password)
    found = []
    for word in sorted(words):
        for match in _word_pattern(word).finditer(folded):
            found.append(word)
            for position in range(match.start(), match.end()):
                cut[position] = True
    rest = "".join(character for character, gone in zip(password, cut, strict=True) if not gone)
    return rest, found


class ContextWordsValidator:
    """Refuses a password that rests on a word of this context (ASVS 6.2.11).

    The words are Vigie's own (``CONTEXT_WORDS``), the person's names, nickname and e-mail
    local part, and their commune when known (an account's current address, or the one
    being registered). Case, accents and look-alike characters (``v1g!e``) do not hide
    them. A password holding one is refused when, the word cut out, what is left would
    meet no CNIL rule: "Vigie-Quartier-2025!" is refused; a long passphrase that happens
    to name the neighbours keeps its strength without them, and is accepted.
    """

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > settings.PASSWORD_MAX_LENGTH:
            return  # CnilPasswordValidator says so already
        rest, found = _without(password, context_words(user))
        if not found:
            return
        traits = PasswordTraits.of(rest)
        if traits.meets_rule_1() or traits.meets_rule_2() or traits.meets_rule_3():
            return
        raise ValidationError(
            _(
                "This password rests on “%(word)s”, a word easy to guess here. Without it, "
                "it would be too weak: make it longer or choose other words."
            )
            % {"word": found[0]},
            code="password_context_word",
        )

    def get_help_text(self) -> str:
        return _(
            "It may not rest on Vigie's name, on words like voisin, vigilant or quartier, "
            "on your names, your e-mail address or your commune."
        )
