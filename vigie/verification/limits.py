from __future__ import annotations

from django.conf import settings

from vigie.accounts.models import User
from vigie.lib import ratelimit


def limit_activation(user: User) -> None:
    """On top of the tries a code allows: no hammering across codes."""
    ratelimit.hit("activation", str(user.pk), rate=settings.RATE_ACTIVATION)
