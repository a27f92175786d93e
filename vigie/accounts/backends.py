"""Django's model backend, with the user read through the shared cache.

Every request of a logged-in person needs their account: it is remembered
in the person's family ``person:<id>`` (with their memberships, see
vigie.communities.access), which any save or deletion of the account or of
a membership bumps, so a deactivated account, a changed password or a
suspension takes effect at the very next request.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from vigie.accounts.models import User
from vigie.lib import cache

BACKEND = "vigie.accounts.backends.CachedModelBackend"


def person_family(user_id: object) -> str:
    return f"person:{user_id}"


def _load(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            identifier = int(user_id)
        except (TypeError, ValueError):
            return None
        user = cache.remember(
            person_family(identifier), lambda: _load(identifier), detail="account"
        )
        return user if user is not None and self.user_can_authenticate(user) else None
