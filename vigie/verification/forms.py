from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ActivationForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the letter"),
        max_length=40,
        help_text=_(
            "10 letters and digits, for example K7QM-R2XD-9F. Capitals and dashes are optional."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )
