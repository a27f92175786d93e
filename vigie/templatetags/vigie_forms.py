"""Form fields rendered with their help and errors tied to the input (RGAA 11.10)."""

from __future__ import annotations

from django import template
from django.forms import BoundField, CheckboxSelectMultiple, RadioSelect
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def accessible(field: BoundField) -> SafeString:
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_help")
    if field.errors:
        described_by.append(f"{field.auto_id}_errors")
    attributes: dict[str, str | bool] = {}
    if described_by:
        attributes["aria-describedby"] = " ".join(described_by)
    if field.errors:
        attributes["aria-invalid"] = "true"
    if field.field.required:
        attributes["required"] = "required"
    return field.as_widget(attrs=attributes)


@register.filter
def is_choice_group(field: BoundField) -> bool:
    """Several inputs answer one question: they need a fieldset and a legend, not a label."""
    return isinstance(field.field.widget, RadioSelect | CheckboxSelectMultiple)
