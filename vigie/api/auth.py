"""Who is calling the API: a personal access token (mobile) or a browser session."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from vigie.accounts.access import user_for_bearer_token
from vigie.accounts.actions import do_note_access_token_use
from vigie.accounts.models import User
from vigie.lib.errors import Forbidden
from vigie.lib.security_log import log_security_event

_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# What a member may still do before accepting new terms: accept them, leave, or use
# their privacy rights (rectify, get a copy, withdraw a consent, erase), which no new
# terms may hold back.
_BEFORE_TERMS = ("/me/terms", "/auth/logout", "/auth/tokens", "/me", "/me/export")
_RIGHTS_BEFORE_TERMS = "/api/v1/me/consents/"


def _require_current_terms(request: HttpRequest, user: User) -> None:
    from vigie.moderation.middleware import needs_new_acceptance

    if (
        request.method not in _SAFE_METHODS
        and needs_new_acceptance(user)
        and not request.path.rstrip("/").endswith(_BEFORE_TERMS)
        and not request.path.startswith(_RIGHTS_BEFORE_TERMS)
    ):
        raise Forbidden(
            _("The terms of use changed: read and accept them first (POST /api/v1/me/terms)."),
            code="terms_not_accepted",
        )


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = user_for_bearer_token(token.strip())
        if found is None:
            log_security_event("token_auth", outcome="failure", request=request)
            return None
        user, access_token = found
        do_note_access_token_use(access_token)
        # Token calls see the same request.user as session calls; the token's
        # second-factor flag stands in for the session's verification.
        user.otp_device = None  # type: ignore[attr-defined]
        user.is_verified = lambda: access_token.with_second_factor  # type: ignore[attr-defined]
        request.user = user
        request.access_token = access_token  # type: ignore[attr-defined]
        _require_current_terms(request, user)
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session; writes must carry the CSRF token (X-CSRFToken header)."""

    param_name = settings.SESSION_COOKIE_NAME  # for the OpenAPI description only

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def __call__(self, request: HttpRequest) -> User | None:
        user = request.user
        if not user.is_authenticated:
            return None
        if request.method not in _SAFE_METHODS and check_csrf(request):
            raise Forbidden(code="csrf_failed")
        assert isinstance(user, User)
        _require_current_terms(request, user)
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return self(request)


member_auth = [BearerTokenAuth(), SessionAuth()]


def team_caller(request: HttpRequest) -> User:
    """The caller, if a team member whose session (or token) passed the second factor.

    Anyone else gets NotFound: the team's operations do not exist for them.
    """
    from vigie.accounts.authentication import is_verified
    from vigie.lib.errors import NotFound

    user = request.auth  # type: ignore[attr-defined]
    if not isinstance(user, User) or not user.is_staff or not is_verified(user):
        raise NotFound()
    return user
