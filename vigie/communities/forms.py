from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from vigie.communities.models import NAME_MAX_LENGTH


class NeighbourhoodRequestForm(forms.Form):
    name = forms.CharField(label=_("Name of the neighbourhood"), max_length=NAME_MAX_LENGTH)
    description = forms.CharField(
        label=_("Which streets should it cover?"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class NeighbourhoodForm(forms.Form):
    """The team draws a neighbourhood: its boundary as GeoJSON (from a mapping tool)."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    insee_code = forms.CharField(label=_("INSEE code of the commune"), max_length=5)
    commune_name = forms.CharField(label=_("Commune"), max_length=100)
    boundary = forms.CharField(
        label=_("Boundary (GeoJSON Polygon, longitude then latitude)"),
        max_length=500_000,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )
    request_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ContentRetentionForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Keep posts and alerts for"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, choices: list[int], default_months: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        months_field = self.fields["months"]
        assert isinstance(months_field, forms.TypedChoiceField)
        months_field.choices = [
            ("", _("%(months)s months (the platform's rule)") % {"months": default_months}),
            *[
                (
                    months,
                    ngettext("%(months)s month", "%(months)s months", months) % {"months": months},
                )
                for months in reversed(choices)
            ],
        ]
