"""Session limits: residents 14 days idle and 30 days in all, staff 30 minutes idle and 12 hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from vigie.accounts import session_store
from vigie.accounts.authentication import log_out
from vigie.lib.security_log import log_security_event

# Residents' last-seen time is refreshed at most this often, to spare writes.
RESIDENT_TOUCH_INTERVAL = timedelta(minutes=5)


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            self._enforce(request, is_staff=user.is_privileged, user_id=user.pk)
        return self.get_response(request)

    def _enforce(self, request: HttpRequest, *, is_staff: bool, user_id: int) -> None:
        now = timezone.now()
        session = request.session
        authenticated_at = _time(session.get(session_store.AUTHENTICATED_AT))
        last_seen_at = _time(session.get(session_store.LAST_SEEN_AT))
        max_age = (
            settings.STAFF_SESSION_MAX_AGE
            if is_staff
            else timedelta(seconds=settings.SESSION_COOKIE_AGE)
        )
        idle = settings.STAFF_SESSION_IDLE if is_staff else settings.SESSION_IDLE
        reason = None
        if authenticated_at is None or now - authenticated_at > max_age:
            reason = "max_age"
        elif last_seen_at is None or now - last_seen_at > idle:
            reason = "idle"
        if reason:
            log_out(request)
            log_security_event("session_expired", outcome=reason, request=request, user_id=user_id)
            return
        if is_staff or last_seen_at is None or now - last_seen_at > RESIDENT_TOUCH_INTERVAL:
            session[session_store.LAST_SEEN_AT] = now.isoformat()
