"""Forms parse what a page sends; the rules themselves are in actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from vigie.accounts.models import (
    DISPLAY_NAME_MAX_LENGTH,
    NAME_MAX_LENGTH,
    TOKEN_NAME_MAX_LENGTH,
    Language,
)
from vigie.accounts.password_policy import CnilPasswordValidator
from vigie.lib.validators import EMAIL_MAX_LENGTH

PASSWORD_HELP = CnilPasswordValidator().get_help_text


def _email_field(label: Any = None) -> forms.EmailField:
    return forms.EmailField(
        label=label or _("E-mail address"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
    )


def _password_field(label: Any, *, autocomplete: str, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=settings.PASSWORD_MAX_LENGTH,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class NewPasswordMixin(forms.Form):
    new_password = _password_field(
        _("New password"), autocomplete="new-password", help_text=_("See the rules below.")
    )
    new_password_again = _password_field(_("New password again"), autocomplete="new-password")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("new_password")
            and data.get("new_password_again")
            and data["new_password"] != data["new_password_again"]
        ):
            self.add_error("new_password_again", _("The two passwords differ."))
        return data


class SignUpForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    nickname = forms.CharField(
        label=_("Nickname shown to neighbours"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        required=False,
        help_text=_(
            "Leave it empty to show your first name and the initial of your last name. "
            "Your neighbours never see your full name or your address."
        ),
    )
    email = _email_field()
    password = _password_field(_("Password"), autocomplete="new-password")
    password_again = _password_field(_("Password again"), autocomplete="new-password")
    accept_terms = forms.BooleanField(
        label=_("I have read and I accept the terms of use"),
        help_text=_("They say what may be shared here, and how the team decides."),
        error_messages={"required": _("Read and accept the terms of use to join.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("password")
            and data.get("password_again")
            and data["password"] != data["password_again"]
        ):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class LoginForm(forms.Form):
    email = _email_field()
    password = _password_field(_("Password"), autocomplete="current-password")


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6 digits shown by your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )


class PasswordResetRequestForm(forms.Form):
    email = _email_field()


class SetPasswordForm(NewPasswordMixin):
    pass


class PasswordChangeForm(NewPasswordMixin):
    current_password = _password_field(_("Current password"), autocomplete="current-password")
    field_order = ["current_password", "new_password", "new_password_again"]


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=NAME_MAX_LENGTH)
    last_name = forms.CharField(label=_("Last name"), max_length=NAME_MAX_LENGTH)
    nickname = forms.CharField(
        label=_("Nickname shown to neighbours"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        required=False,
        help_text=_("Leave it empty to show your first name and the initial of your last name."),
    )
    language = forms.ChoiceField(label=_("Language of e-mails"), choices=Language.choices)


class EmailChangeForm(forms.Form):
    new_email = _email_field(_("New e-mail address"))
    password = _password_field(_("Current password"), autocomplete="current-password")


class AccessTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the device or app"),
        max_length=TOKEN_NAME_MAX_LENGTH,
        help_text=_("For example: my phone."),
    )


class RemoveSecondFactorForm(forms.Form):
    password = _password_field(_("Current password"), autocomplete="current-password")
