"""The session engine: Django's database sessions, tied to their user.

Listing and ending a person's sessions needs to know whose each session is;
the columns of ``UserSession`` are filled from the session's own data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from vigie.accounts.models import UserSession

# Keys of the session data that this store copies into columns.
AUTHENTICATED_AT = "vigie_authenticated_at"
LAST_SEEN_AT = "vigie_last_seen_at"
IP_ADDRESS = "vigie_ip"
USER_AGENT = "vigie_user_agent"


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


class SessionStore(DatabaseSessionStore):
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
