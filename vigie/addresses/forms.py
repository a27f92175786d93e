"""The home address part of a form: chosen from the reference, or typed by hand."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.addresses.actions import (
    COMMUNE_MAX_LENGTH,
    COMPLEMENT_MAX_LENGTH,
    STREET_MAX_LENGTH,
    AddressInput,
)


class AddressForm(forms.Form):
    address_query = forms.CharField(
        label=_("Your home address"),
        max_length=200,
        required=False,
        help_text=_("Start with the number and the street, for example: 12 rue des Lilas."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-address-search": "true"}),
    )
    ban_id = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    complement = forms.CharField(
        label=_("Flat, floor, building"),
        max_length=COMPLEMENT_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    number = forms.CharField(label=_("Number"), max_length=5, required=False)
    suffix = forms.CharField(label=_("bis, ter…"), max_length=10, required=False)
    street = forms.CharField(
        label=_("Street"),
        max_length=STREET_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=5,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    commune = forms.CharField(
        label=_("Commune"),
        max_length=COMMUNE_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )

    MANUAL_FIELDS = ("number", "suffix", "street", "postcode", "commune")

    def to_input(self) -> AddressInput:
        data = self.cleaned_data
        chosen = data.get("ban_id", "")
        if chosen:
            return AddressInput(ban_id=str(chosen), complement=data.get("complement", ""))
        return AddressInput(
            complement=data.get("complement", ""),
            **{field: data.get(field, "") for field in self.MANUAL_FIELDS},
        )
