from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.alerts.actions import AlertInput, PeopleInput, Redaction, VehicleInput
from vigie.alerts.models import (
    DESCRIPTION_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Alert,
    Category,
    Resolution,
    Urgency,
)

SHORT = 120


def _short(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(label=label, max_length=SHORT, required=False, help_text=help_text)


class AlertForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What is it about?"), choices=[("", "—"), *Category.choices]
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.RadioSelect,
        help_text=_("Urgent: neighbours are woken up (SMS, even in quiet hours)."),
    )
    happened_at = forms.DateTimeField(
        label=_("When did it happen?"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    place = forms.CharField(
        label=_("Street or place"),
        max_length=PLACE_MAX_LENGTH,
        help_text=_("The street, a crossroads, a landmark: never a house number."),
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    people_behaviour = _short(
        _("Someone seen: what they did"),
        _("Their behaviour: that is what helps, never their colour, origin or religion."),
    )
    people_clothing = _short(_("Someone seen: clothing"))
    people_build = _short(_("Someone seen: height, build, age"))
    people_direction = _short(_("Someone seen: direction taken"))
    vehicle_kind = _short(_("Vehicle: type"))
    vehicle_colour = _short(_("Vehicle: colour"))
    vehicle_plate = _short(_("Vehicle: part of the plate"), _("Only what you saw; never guess."))
    vehicle_direction = _short(_("Vehicle: direction taken"))
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    send_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["happened_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    def to_input(self) -> AlertInput:
        data = self.cleaned_data
        return AlertInput(
            category=data["category"],
            urgency=data["urgency"],
            happened_at=data["happened_at"],
            place=data["place"],
            description=data["description"],
            longitude=data.get("longitude"),
            latitude=data.get("latitude"),
            people=PeopleInput(
                behaviour=data["people_behaviour"],
                clothing=data["people_clothing"],
                build=data["people_build"],
                direction=data["people_direction"],
            ),
            vehicle=VehicleInput(
                kind=data["vehicle_kind"],
                colour=data["vehicle_colour"],
                plate=data["vehicle_plate"],
                direction=data["vehicle_direction"],
            ),
            send_anyway=bool(data.get("send_anyway")),
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why?"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CloseForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("How did it end?"), choices=Resolution.choices, widget=forms.RadioSelect
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", _("Approve")),
            ("reject", _("Reject")),
            ("review", _("Reviewed")),
            ("withdraw", _("Withdraw")),
        ],
        widget=forms.HiddenInput,
    )
    description = forms.CharField(
        label=_("Text sent to the neighbours"),
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Remove names, house numbers, phone numbers; the original stays in the audit log."
        ),
    )
    place = forms.CharField(label=_("Street or place"), max_length=PLACE_MAX_LENGTH, required=False)
    people_behaviour = _short(_("What the person did"))
    people_clothing = _short(_("Clothing"))
    people_build = _short(_("Height, build, age"))
    people_direction = _short(_("Direction taken"))
    vehicle_kind = _short(_("Vehicle: type"))
    vehicle_colour = _short(_("Vehicle: colour"))
    vehicle_plate = _short(_("Vehicle: part of the plate"))
    vehicle_direction = _short(_("Vehicle: direction taken"))
    clause = forms.ChoiceField(
        label=_("Clause of the terms applied"),
        required=False,
        help_text=_("By default: 7 (alerts), or 6 when personal data is removed."),
    )
    reason = forms.CharField(
        label=_("Reason (told to the author)"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from vigie.moderation.forms import clause_choices

        super().__init__(*args, **kwargs)
        self.fields["clause"].choices = [("", "—"), *clause_choices()]  # type: ignore[attr-defined]


def decision_initial(alert: Alert) -> dict[str, str]:
    """The team's form starts from the alert as written."""
    return {
        "description": alert.description,
        "place": alert.place,
        **{f"people_{name}": value for name, value in alert.people.items()},
        **{f"vehicle_{name}": value for name, value in alert.vehicle.items()},
    }


def redaction(data: dict[str, Any]) -> Redaction:
    return Redaction(
        description=data["description"],
        place=data["place"],
        people=PeopleInput(
            **{
                name: data[f"people_{name}"]
                for name in ("behaviour", "clothing", "build", "direction")
            }
        ),
        vehicle=VehicleInput(
            **{name: data[f"vehicle_{name}"] for name in ("kind", "colour", "plate", "direction")}
        ),
    )
