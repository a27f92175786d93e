from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from vigie.privacy.actions import BreachInput
from vigie.privacy.erasure import Contributions
from vigie.privacy.models import (
    BREACH_COUNT_MAX,
    BREACH_DESCRIPTION_MAX_LENGTH,
    BREACH_TEXT_MAX_LENGTH,
    Breach,
    BreachNature,
)

_MOMENT_FORMAT = "%Y-%m-%dT%H:%M"


def _moment(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_MOMENT_FORMAT),
        input_formats=[_MOMENT_FORMAT],
    )


def _text(label: Any, *, required: bool = False, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=BREACH_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=BREACH_COUNT_MAX,
        help_text=_("An approximate figure; leave it empty while it is not known."),
    )


class BreachForm(forms.Form):
    """The register's entry, to record a breach or complete it as the investigation goes."""

    discovered_at = _moment(
        _("When did the team learn of it?"),
        required=True,
        help_text=_("The 72 hours to tell the CNIL start here."),
    )
    occurred_at = _moment(_("When did it happen?"), help_text=_("If known."))
    # Checked by the action, which says what is missing in the register's own words.
    natures = forms.MultipleChoiceField(
        label=_("What did it do to the data?"),
        choices=BreachNature.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=BREACH_DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The facts: how it was found, what was reached, for how long."),
    )
    people_categories = _text(
        _("Categories of people concerned"),
        required=True,
        help_text=_("For example: residents of a neighbourhood, town hall agents."),
    )
    people_count = _count(_("Approximate number of people"))
    data_categories = _text(
        _("Categories of data concerned"),
        required=True,
        help_text=_("For example: e-mail addresses, home addresses, posts."),
    )
    records_count = _count(_("Approximate number of records"))
    likely_consequences = _text(_("Likely consequences for the people"))
    measures = _text(_("Measures taken or proposed"))
    people_informed_at = _moment(_("When were the people told?"))
    people_not_informed_reason = _text(
        _("If they were not told: why"),
        help_text=_("For example: the data was encrypted, or the risk is not high (art. 34)."),
    )
    cnil_notified_at = _moment(_("When was the CNIL told?"))
    cnil_late_reason = _text(
        _("If the CNIL was told after 72 hours: the reasons for the delay"),
    )
    cnil_not_notified_reason = _text(
        _("If the CNIL is not told: why the breach is unlikely to result in a risk"),
    )

    # The page shows the register in the order the CNIL's notification form asks for it.
    groups = (
        (_("The breach"), ("discovered_at", "occurred_at", "natures", "description")),
        (
            _("Who and what"),
            ("people_categories", "people_count", "data_categories", "records_count"),
        ),
        (_("Consequences and measures"), ("likely_consequences", "measures")),
        (_("Telling the people"), ("people_informed_at", "people_not_informed_reason")),
        (
            _("Telling the CNIL"),
            ("cnil_notified_at", "cnil_late_reason", "cnil_not_notified_reason"),
        ),
    )

    def grouped(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(legend), [self[name] for name in names]) for legend, names in self.groups]

    @classmethod
    def initial_of(cls, breach: Breach) -> dict[str, object]:
        return {name: getattr(breach, name) for name in cls.base_fields if name != "natures"} | {
            "natures": breach.natures
        }

    def _moment_kept(self, name: str) -> datetime | None:
        """The page shows minutes: a moment left as shown keeps the seconds it had."""
        value: datetime | None = self.cleaned_data[name]
        before = self.initial.get(name)
        if isinstance(before, datetime) and value == before.replace(second=0, microsecond=0):
            return before
        return value

    def to_changes(self) -> dict[str, object]:
        """Every field of the page, for an edit: the page shows them all."""
        return dataclasses.asdict(self.to_input())

    def to_input(self) -> BreachInput:
        data = self.cleaned_data
        return BreachInput(
            discovered_at=self._moment_kept("discovered_at"),
            natures=list(data["natures"]),
            description=data["description"],
            people_categories=data["people_categories"],
            data_categories=data["data_categories"],
            occurred_at=self._moment_kept("occurred_at"),
            people_count=data["people_count"],
            records_count=data["records_count"],
            likely_consequences=data["likely_consequences"],
            measures=data["measures"],
            people_informed_at=self._moment_kept("people_informed_at"),
            people_not_informed_reason=data["people_not_informed_reason"],
            cnil_notified_at=self._moment_kept("cnil_notified_at"),
            cnil_late_reason=data["cnil_late_reason"],
            cnil_not_notified_reason=data["cnil_not_notified_reason"],
        )


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
