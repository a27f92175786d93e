"""Keeping the cached accounts and sessions true (see vigie.lib.cache).

Receivers of model signals, as Zulip flushes its caches: whichever action
saves an account, the next request sees it. They hold no rule of the
product, only the bookkeeping of the cache.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from vigie.accounts.backends import person_family
from vigie.accounts.models import User, UserSession
from vigie.accounts.session_store import forget_sessions
from vigie.lib import cache


def _user_changed(sender: type[User], instance: User, **kwargs: Any) -> None:
    cache.bump(person_family(instance.pk))


def _session_ended(sender: type[UserSession], instance: UserSession, **kwargs: Any) -> None:
    forget_sessions([instance.session_key])


def connect() -> None:
    post_save.connect(_user_changed, sender=User, dispatch_uid="cache-user-saved")
    post_delete.connect(_user_changed, sender=User, dispatch_uid="cache-user-deleted")
    post_delete.connect(_session_ended, sender=UserSession, dispatch_uid="cache-session-ended")
