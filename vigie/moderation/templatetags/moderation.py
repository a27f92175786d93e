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
def category_label(category: str) -> str:
    """A decision's category: the report's reason, or the alert's category."""
    from vigie.alerts.models import Category

    if category in Reason.values:
        return str(Reason(category).label)
    if category in Category.values:
        return str(Category(category).label)
    return category


@register.filter
def hours(delta: object) -> str:
    """A waiting time in whole hours (or minutes under one hour)."""
    from datetime import timedelta

    from django.utils.translation import gettext

    if not isinstance(delta, timedelta):
        return ""
    minutes = int(delta.total_seconds() // 60)
    if minutes >= 60:
        return gettext("%(hours)d h") % {"hours": minutes // 60}
    return gettext("%(minutes)d min") % {"minutes": minutes}
