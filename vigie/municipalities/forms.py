from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.alerts.models import Category
from vigie.communities.models import Role
from vigie.municipalities.actions import OFFICIAL_CATEGORIES, OfficialMessageInput, TownHallInput
from vigie.municipalities.models import Period
from vigie.municipalities.plans import Plan


class OfficialMessageForm(forms.Form):
    category = forms.ChoiceField(
        label=_("About"),
        choices=[(code, Category(code).label) for code in OFFICIAL_CATEGORIES],
    )
    place = forms.CharField(
        label=_("Street or place"),
        max_length=120,
        help_text=_("For example: the whole commune, rue des Lilas, the town square."),
    )
    text = forms.CharField(
        label=_("Message"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    urgent = forms.BooleanField(
        label=_("Urgent: also by SMS and even during quiet hours"), required=False
    )
    neighbourhoods = forms.TypedMultipleChoiceField(
        label=_("Neighbourhoods told"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every neighbourhood of the commune."),
    )

    def __init__(self, *args: Any, neighbourhoods: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["neighbourhoods"].choices = neighbourhoods  # type: ignore[attr-defined]

    def to_input(self) -> OfficialMessageInput:
        data = self.cleaned_data
        return OfficialMessageInput(
            category=data["category"],
            place=data["place"],
            text=data["text"],
            urgent=data["urgent"],
            neighbourhood_ids=list(data["neighbourhoods"]),
        )


class OrderForm(forms.Form):
    plan = forms.ChoiceField(label=_("Plan"), widget=forms.RadioSelect)
    period = forms.ChoiceField(
        label=_("Period"), choices=Period.choices, widget=forms.RadioSelect, initial="yearly"
    )

    def __init__(self, *args: Any, plans: list[Plan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(plan.code, plan.name) for plan in plans]  # type: ignore[attr-defined]
        if plans:
            self.fields["plan"].initial = plans[0].code


class CancelSubscriptionForm(forms.Form):
    # Cancelling cannot be undone from the page: one box to tick keeps a stray click harmless.
    confirm = forms.BooleanField(
        label=_("I confirm: the subscription ends at the end of the period paid"),
        error_messages={"required": _("Tick the box to confirm the cancellation.")},
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class TownHallForm(forms.Form):
    insee_code = forms.CharField(label=_("INSEE code of the commune"), max_length=5)
    commune_name = forms.CharField(label=_("Commune"), max_length=100)
    population = forms.IntegerField(label=_("Population"), min_value=1, max_value=10_000_000)
    billing_name = forms.CharField(label=_("Name on invoices"), max_length=120)
    billing_address = forms.CharField(
        label=_("Billing address (street)"),
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    billing_postcode = forms.CharField(label=_("Postcode"), max_length=5)
    billing_city = forms.CharField(label=_("City"), max_length=100)
    siret = forms.CharField(label=_("SIRET"), max_length=17)
    contact_email = forms.EmailField(label=_("Contact e-mail"), max_length=254)

    def to_input(self) -> TownHallInput:
        return TownHallInput(**self.cleaned_data)


class InviteAgentForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
