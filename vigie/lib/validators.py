"""Validation of free text shared by every form and API schema.

The rules live here once; actions call them and raise InvalidInput with the
message, so a page and the API always agree on what is acceptable.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

# Bidirectional overrides and isolates let a name display as something else
# ("evil\u202egnp.exe"); they have no place in names or short texts.
_BIDI_CONTROLS = {chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}

EMAIL_MAX_LENGTH = 254
_email_validator = EmailValidator(message=_("Enter a valid e-mail address."))


# Control (Cc), format (Cf: zero-width and direction marks), line and paragraph
# separators (Zl, Zp), private-use (Co) and unassigned (Cn) characters: none
# belongs in a name or a one-line text, and several can disguise one.
_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Co", "Cn", "Cs"}


# The zero-width joiner binds emoji into one (a family, a flag): a text of several
# lines may carry it; a name or a one-line text never needs it.
ZERO_WIDTH_JOINER = "\u200d"


def has_control_characters(value: str, *, allow_newlines: bool = False) -> bool:
    for character in value:
        if allow_newlines and character in ("\n", "\r", "\t", ZERO_WIDTH_JOINER):
            continue
        if character in _BIDI_CONTROLS or unicodedata.category(character) in _FORBIDDEN_CATEGORIES:
            return True
    return False


def clean_single_line(value: str, *, max_length: int, required: bool = True) -> str:
    """Strip, normalise (NFC) and check a one-line text; raise ValidationError."""
    value = unicodedata.normalize("NFC", value.strip())
    if required and not value:
        raise ValidationError(_("This field is required."), code="required")
    if len(value) > max_length:
        raise ValidationError(
            _("Use at most %(max)d characters (this has %(length)d).")
            % {"max": max_length, "length": len(value)},
            code="max_length",
        )
    if has_control_characters(value):
        raise ValidationError(
            _("Remove the control or invisible characters from this text."),
            code="control_characters",
        )
    return value


def clean_person_name(value: str, *, max_length: int = 150) -> str:
    value = clean_single_line(value, max_length=max_length)
    if not any(character.isalpha() for character in value):
        raise ValidationError(_("A name must contain at least one letter."), code="no_letter")
    return value


def normalize_email(value: str) -> str:
    """The canonical form we store and compare: trimmed and lower-cased."""
    value = value.strip()
    if len(value) > EMAIL_MAX_LENGTH:
        raise ValidationError(
            _("An e-mail address has at most %(max)d characters.") % {"max": EMAIL_MAX_LENGTH},
            code="max_length",
        )
    if has_control_characters(value):
        raise ValidationError(_("Enter a valid e-mail address."), code="invalid")
    _email_validator(value)
    return value.lower()


def clean_multiline(value: str, *, max_length: int, required: bool = True) -> str:
    """Like clean_single_line, for a text of several lines (posts, comments)."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n").strip())
    if required and not value:
        raise ValidationError(_("This field is required."), code="required")
    if len(value) > max_length:
        raise ValidationError(
            _("Use at most %(max)d characters (this has %(length)d).")
            % {"max": max_length, "length": len(value)},
            code="max_length",
        )
    if has_control_characters(value, allow_newlines=True):
        raise ValidationError(
            _("Remove the control or invisible characters from this text."),
            code="control_characters",
        )
    return value
