from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from vigie.moderation import terms
from vigie.moderation.actions import REPORT_DECISIONS, SANCTIONS, DecisionInput
from vigie.moderation.models import (
    APPEAL_MAX_LENGTH,
    DETAILS_MAX_LENGTH,
    EXPLANATION_MAX_LENGTH,
    AppealOutcome,
    DecisionKind,
    Reason,
)


class AcceptTermsForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read and I accept these terms of use"),
        error_messages={"required": _("Accept the terms to go on using Vigie.")},
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why do you report it?"), choices=Reason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Details for the team"),
        max_length=DETAILS_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The person you report never learns who reported them."),
    )


def clause_choices() -> list[tuple[str, str]]:
    return [(clause.number, f"{clause.number}. {clause.title}") for clause in terms.CURRENT.clauses]


class _DecisionFields(forms.Form):
    clause = forms.ChoiceField(label=_("Clause of the terms applied"))
    explanation = forms.CharField(
        label=_("Explanation (told to the person concerned)"),
        max_length=EXPLANATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    suspension_days = forms.IntegerField(
        label=_("Suspension: number of days"),
        required=False,
        min_value=1,
        max_value=settings.SUSPENSION_MAX_DAYS,
    )

    def __init__(self, *args: Any, suggested_clause: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clause"].choices = clause_choices()  # type: ignore[attr-defined]
        if suggested_clause:
            self.fields["clause"].initial = suggested_clause

    def to_input(self) -> DecisionInput:
        data = self.cleaned_data
        return DecisionInput(
            kind=data["kind"],
            clause=data["clause"],
            explanation=data["explanation"],
            suspension_days=data.get("suspension_days"),
        )


class ReportDecisionForm(_DecisionFields):
    kind = forms.ChoiceField(
        label=_("Decision"),
        choices=[(kind, DecisionKind(kind).label) for kind in REPORT_DECISIONS],
        widget=forms.RadioSelect,
    )
    field_order = ["kind", "clause", "explanation", "suspension_days"]


class SanctionForm(_DecisionFields):
    kind = forms.ChoiceField(
        label=_("Sanction"),
        choices=[(kind, DecisionKind(kind).label) for kind in SANCTIONS],
        widget=forms.RadioSelect,
    )
    field_order = ["kind", "clause", "explanation", "suspension_days"]


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why is this decision wrong?"),
        max_length=APPEAL_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=AppealOutcome.choices, widget=forms.RadioSelect
    )
    answer = forms.CharField(
        label=_("Answer (told to the person concerned)"),
        max_length=EXPLANATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConfirmationForm(forms.Form):
    confirm = forms.TypedChoiceField(
        choices=[("1", _("Confirm the ban")), ("0", _("Do not confirm"))],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
