"""Forms parse what a page sends; the rules themselves are in actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from vigie.privacy.erasure import Contributions


class ReauthenticationForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        max_length=settings.PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    second_factor_code = forms.CharField(
        label=_("Code from your authenticator app (or a recovery code)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, with_second_factor: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_second_factor:
            del self.fields["second_factor_code"]


class EraseAccountForm(ReauthenticationForm):
    contributions = forms.ChoiceField(
        label=_("Your posts, comments and alerts"),
        choices=[
            (Contributions.DELETE.value, _("Delete them with my account")),
            (
                Contributions.KEEP.value,
                _('Keep them for my neighbours, signed "former neighbour"'),
            ),
        ],
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and my data will be deleted for good"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class RestrictionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why processing is restricted (the request, the dispute)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
