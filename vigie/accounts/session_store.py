"""The session engine: database sessions tied to their user, read through the cache.

Listing and ending a person's sessions needs to know whose each session is;
the columns of ``UserSession`` are filled from the session's own data.

Sessions are read from the shared cache (Redis) and written to both, as
Django's ``cached_db`` engine does, with one difference: ending a session
leaves a tombstone in the cache, under its own key, read with the data. While
it lies there the database alone answers for that session, so neither a
reader that loaded the session just before it ended nor a request saving it
at that moment can bring it back: "end my other sessions" works at once, even
for a thief racing it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDatabaseStore
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.core.cache import BaseCache, caches
from django.db import transaction

from vigie.accounts.backends import person_family
from vigie.accounts.models import UserSession
from vigie.lib import cache as shared_cache

logger = logging.getLogger(__name__)

# Keys of the session data that this store copies into columns.
AUTHENTICATED_AT = "vigie_authenticated_at"
LAST_SEEN_AT = "vigie_last_seen_at"
IP_ADDRESS = "vigie_ip"
USER_AGENT = "vigie_user_agent"

ENDED = "ended"
# A session stays in the cache a quarter of an hour at most (then one query
# reads it again), so that even a copy the cache kept through an outage, when
# no tombstone could be written, dies soon; a tombstone outlives any copy.
CACHED_SECONDS = 15 * 60
TOMBSTONE_SECONDS = 2 * CACHED_SECONDS


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


class SessionStore(CachedDatabaseStore):
    _cache: BaseCache

    @classmethod
    def get_model_class(cls) -> type[UserSession]:
        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        session = cast(UserSession, super().create_model_instance(data))
        user_id = data.get(SESSION_KEY)
        session.user_id = int(user_id) if user_id is not None else None
        session.authenticated_at = _parse_time(data.get(AUTHENTICATED_AT))
        session.last_seen_at = _parse_time(data.get(LAST_SEEN_AT))
        session.ip_address = data.get(IP_ADDRESS)
        session.user_agent = str(data.get(USER_AGENT, ""))[:200]
        return session

    def load(self) -> dict[str, Any]:
        data, ended = self._read_cache() if self.session_key else (None, None)
        if isinstance(data, dict) and ended is None:
            _remember_owner(self.session_key, data)
            return data
        # Not cached, or ended: the database decides (an ending rolled back
        # leaves a tombstone over a session that still lives).
        stored: UserSession | None = self._get_session_from_db()  # type: ignore[attr-defined]
        if stored is None:
            return {}
        loaded: dict[str, Any] = self.decode(stored.session_data)
        if ended is None:
            try:
                expiry = self.get_expiry_age(expiry=stored.expire_date)
                self._cache.add(self.cache_key, loaded, min(expiry, CACHED_SECONDS))
            except Exception:  # the cache is a help, never a condition
                logger.exception("Could not cache a session")
        return loaded

    def save(self, must_create: bool = False) -> None:
        DatabaseStore.save(self, must_create)  # the row first: it is the truth
        data: dict[str, Any] = self._get_session()  # type: ignore[attr-defined]
        try:
            self._cache.set(self.cache_key, data, min(self.get_expiry_age(), CACHED_SECONDS))
        except Exception:
            logger.exception("Could not cache a session")

    def exists(self, session_key: str) -> bool:
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.exception("The session cache does not answer: reading the database")
        return bool(DatabaseStore.exists(self, session_key))

    def delete(self, session_key: str | None = None) -> None:
        # The row's deletion leaves the tombstone (accounts.caching); the data goes too.
        DatabaseStore.delete(self, session_key)
        key = session_key or self.session_key
        if key:
            try:
                self._cache.delete(self.cache_key_prefix + key)
            except Exception:
                logger.exception("Could not remove an ended session from the cache")

    def _read_cache(self) -> tuple[object, object]:
        """The session's data and its tombstone, in one round trip (None when down)."""
        session_key = self.session_key or ""
        keys = [self.cache_key, _tombstone_key(session_key)]
        owner = _owners.get(session_key)
        # The account is what the request reads next, then what this session
        # read last time: their tokens come along in the same round trip.
        families = [person_family(owner), *shared_cache.habit(session_key)] if owner else []
        try:
            found = shared_cache.get_many_with_tokens(keys, families=families)
        except Exception:
            logger.exception("The session cache does not answer: reading the database")
            return None, None
        return found.get(keys[0]), found.get(keys[1])


def _tombstone_key(session_key: str) -> str:
    return f"{CachedDatabaseStore.cache_key_prefix}ended:{session_key}"


# Which account each recent session belongs to (a session never changes hands:
# logging in gives a new key), so that its token can be read with the session.
_owners: dict[str, int] = {}
_OWNERS_MAX = 100_000


def _remember_owner(session_key: str | None, data: dict[str, Any]) -> None:
    owner = data.get(SESSION_KEY)
    if owner is None or not session_key or session_key in _owners:
        return
    if len(_owners) >= _OWNERS_MAX:
        _owners.clear()
    try:
        _owners[session_key] = int(owner)
    except (TypeError, ValueError):
        return


def forget_sessions(session_keys: list[str]) -> None:
    """Tombstones for ended sessions: now, and again once the deletion is committed.

    A tombstone has its own key, which saving the session (Django writes the
    data to the cache after the database) never touches; and it lives as long
    as a session can, so no copy of the data written by a request racing the
    ending can outlive it.
    """
    if not session_keys:
        return
    tombstones = {_tombstone_key(key): ENDED for key in session_keys}

    def bury() -> None:
        caches[settings.SESSION_CACHE_ALIAS].set_many(tombstones, timeout=TOMBSTONE_SECONDS)

    # A failure here fails the ending itself (the actions that end sessions are
    # atomic): better an error than a session believed ended that is not.
    bury()

    def bury_again() -> None:
        try:
            bury()
        except Exception:  # committed already; the first tombstone stands
            logger.exception("Could not write the tombstones again after the commit")

    transaction.on_commit(bury_again)
