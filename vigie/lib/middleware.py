"""Project-wide middleware."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from vigie.lib import cache

if TYPE_CHECKING:
    from vigie.accounts.models import User

logger = logging.getLogger(__name__)


class CacheScopeMiddleware:
    """Each request reads each cache version token once (see vigie.lib.cache)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with cache.request_scope() as tokens:
            response = self.get_response(request)
            session = getattr(request, "session", None)
            session_key = session.session_key if session is not None else None
            if session_key:
                cache.note_habit(session_key, tokens)
            return response


NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"
ALREADY_EXPIRED = "Thu, 01 Jan 1970 00:00:00 GMT"


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every API answer and every page seen logged in.

    Shared computers and proxies must never keep a copy of what a resident saw.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            if "Cache-Control" in response or "Expires" in response:
                add_never_cache_headers(response)  # merge with what the view said
            else:
                # What add_never_cache_headers writes, without parsing and dating it each time.
                response["Cache-Control"] = NEVER_CACHE
                response["Expires"] = ALREADY_EXPIRED
        return response


class VigieErrorMiddleware:
    """Pages raising a VigieError get the matching error page, never a stack trace.

    The API has its own handlers (vigie.api) and never reaches this.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.contrib.auth.views import redirect_to_login
        from django.shortcuts import render

        from vigie.lib.errors import NotAuthenticated, RateLimited, VigieError

        if not isinstance(exception, VigieError):
            return None
        if isinstance(exception, NotAuthenticated):
            return redirect_to_login(request.get_full_path())
        template = {404: "404.html", 403: "403.html", 429: "429.html"}.get(
            exception.status, "400.html"
        )
        response = render(request, template, {"message": exception.detail}, status=exception.status)
        if isinstance(exception, RateLimited):
            response["Retry-After"] = str(exception.retry_after)
        return response


class ApiErrorShapeMiddleware:
    """Under /api/, every error is JSON ``{"detail", "code"}``, even those made
    outside the API's own handlers (wrong method, refused host, ...)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            from django.http import JsonResponse
            from django.utils.translation import gettext as _

            codes = {405: ("method_not_allowed", _("This method is not allowed here."))}
            code, detail = codes.get(response.status_code, ("error", _("The request failed.")))
            replacement = JsonResponse(
                {"detail": detail, "code": code}, status=response.status_code
            )
            if response.has_header("Allow"):
                replacement["Allow"] = response["Allow"]
            return replacement
        return response


class HttpsOnlyApiMiddleware:
    """Under /api/, plain HTTP is refused (403 ``https_required``), never redirected.

    Pages are redirected to HTTPS (SecurityMiddleware, SECURE_SSL_REDIRECT); an API
    client is not a browser: a redirect would hide that its request, and the token or
    session cookie in it, just crossed the network in clear, and the client would follow
    it and carry on. A refusal makes it fail, and its author fix the address. It applies
    wherever pages are redirected (production's default), before anything reads the
    request; /api/ is exempt from the redirect (settings.SECURE_REDIRECT_EXEMPT).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        if (
            settings.SECURE_SSL_REDIRECT
            and request.path.startswith("/api/")
            and not request.is_secure()
        ):
            from django.http import JsonResponse
            from django.utils.translation import gettext as _

            from vigie.lib.security_log import log_security_event

            log_security_event(
                "access_refused",
                outcome="forbidden",
                request=request,
                method=request.method,
                status=403,
                code="https_required",
            )
            return JsonResponse(
                {
                    "detail": _("Vigie's API answers over HTTPS only: use https://."),
                    "code": "https_required",
                },
                status=403,
            )
        return self.get_response(request)


class NullCharacterMiddleware:
    """Refuse a NUL character in the query string: no field accepts one, and
    PostgreSQL would turn it into a server error deep inside a query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or "\x00" in value
            for key, values in request.GET.lists()
            for value in values
        ):
            from vigie.errors import bad_request

            return bad_request(request)
        return self.get_response(request)


REFUSALS = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 429: "rate_limited"}
_ERROR_CODE = re.compile(r"[a-z_]{1,40}")


class SecurityEventMiddleware:
    """Writes a security event for every refused access and every staff action.

    Refusals are the 401, 403, 404 and 429 answers, the access layer's 404s for another
    neighbourhood's objects among them (missing and hidden look alike here too, as they
    must), and the log-in page a visitor is sent to. Staff actions are every request of the
    team and of town hall agents, reads of members' data included, whatever their outcome.
    Events name the route, never its path (paths may carry one-time tokens), and the
    error's code, never its message.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        try:
            self._log(request, response)
        except Exception:  # a log line must never cost the person their answer
            logger.exception("security event not written")
        return response

    def _log(self, request: HttpRequest, response: HttpResponse) -> None:
        from vigie.lib.security_log import log_security_event

        user = _acting_user(request)
        user_id = user.pk if user is not None else None
        refusal = REFUSALS.get(response.status_code)
        if refusal is None and user is None and _sent_to_log_in(response):
            refusal = "unauthenticated"
        if refusal is not None:
            log_security_event(
                "access_refused",
                outcome=refusal,
                request=request,
                user_id=user_id,
                method=request.method,
                status=response.status_code,
                code=_error_code(response),
            )
        if user is not None and user.is_privileged:
            log_security_event(
                "staff_action",
                outcome="success" if response.status_code < 400 else "refused",
                request=request,
                user_id=user_id,
                method=request.method,
                status=response.status_code,
                second_factor=bool(getattr(user, "is_verified", lambda: False)()),
            )


def _acting_user(request: HttpRequest) -> User | None:
    from vigie.accounts.models import User

    # The API's bearer tokens authenticate inside the view, on request.auth.
    for candidate in (getattr(request, "auth", None), getattr(request, "user", None)):
        if isinstance(candidate, User) and candidate.is_authenticated:
            return candidate
    return None


def _sent_to_log_in(response: HttpResponse) -> bool:
    from django.conf import settings
    from django.shortcuts import resolve_url

    location = response.get("Location", "") if response.status_code == 302 else ""
    return bool(location) and location.split("?")[0] == resolve_url(settings.LOGIN_URL)


def _error_code(response: HttpResponse) -> str | None:
    if not response.get("Content-Type", "").startswith("application/json"):
        return None
    if getattr(response, "streaming", False) or len(response.content) > 4096:
        return None
    try:
        code = json.loads(response.content).get("code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, str) and _ERROR_CODE.fullmatch(code) else None
