from __future__ import annotations

from django import template

from vigie.moderation.models import DecisionKind, Reason

register = template.Library()


@register.filter
def decision_kind_label(kind: str) -> str:
    return str(DecisionKind(kind).label) if kind in DecisionKind.values else kind


@register.filter
def reason_label(reason: str) -> str:
    return str(Reason(reason).label) if reason in Reason.values else reason


@register.filter
def hours(delta: object) -> str:
    """A waiting time in whole hours (or minutes under one hour)."""
    from datetime import timedelta

    if not isinstance(delta, timedelta):
        return ""
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes >= 60 else f"{minutes} min"
