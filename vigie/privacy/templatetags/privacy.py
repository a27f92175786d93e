from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def hours_and_minutes(delta: object) -> str:
    """A span in hours and minutes: the law counts its 72 hours, not days."""
    if not isinstance(delta, timedelta):
        return ""
    hours, minutes = divmod(int(abs(delta.total_seconds()) // 60), 60)
    return gettext("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
