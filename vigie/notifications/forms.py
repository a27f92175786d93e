from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.alerts.models import Category
from vigie.notifications.access import Preferences
from vigie.notifications.actions import PreferencesInput
from vigie.notifications.models import Channel, When
from vigie.notifications.preferences import CHOOSABLE


def field_name(category: str, channel: str) -> str:
    return f"{category}__{channel}"


class PreferencesForm(forms.Form):
    """A choice per alert category and channel, quiet hours and the digest."""

    quiet_from = forms.TimeField(
        label=_("Quiet from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_until = forms.TimeField(
        label=_("until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    digest = forms.BooleanField(
        label=_("Non-urgent alerts by e-mail: one daily digest instead"), required=False
    )

    def __init__(self, *args: Any, current: Preferences, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quiet_from"].initial = current.quiet_from
        self.fields["quiet_until"].initial = current.quiet_until
        self.fields["digest"].initial = current.digest
        self.grid: list[tuple[str, list[forms.BoundField]]] = []
        for category, label in Category.choices:
            row = []
            for channel in CHOOSABLE:
                name = field_name(category, channel)
                self.fields[name] = forms.ChoiceField(
                    label=f"{label} — {Channel(channel).label}",
                    choices=When.choices,
                    initial=current.choices[(category, channel)],
                )
                row.append(self[name])
            self.grid.append((str(label), row))

    def channels(self) -> list[str]:
        return [str(Channel(channel).label) for channel in CHOOSABLE]

    def to_input(self) -> PreferencesInput:
        data = self.cleaned_data
        return PreferencesInput(
            choices={
                (category, channel): data[field_name(category, channel)]
                for category in Category.values
                for channel in CHOOSABLE
            },
            quiet_from=data["quiet_from"],
            quiet_until=data["quiet_until"],
            digest=data["digest"],
        )


class PhoneForm(forms.Form):
    number = forms.CharField(
        label=_("Mobile number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("To receive urgent alerts by SMS, and to send alerts by SMS."),
    )


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code received by SMS"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
