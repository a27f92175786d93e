"""Project-wide middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from vigie.lib import cache


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
