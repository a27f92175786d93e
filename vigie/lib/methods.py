"""Refuse HTTP methods Vigie never serves (TRACE, CONNECT, WebDAV verbs...).

Django's function views answer any method; this middleware lets through only the
methods some view or API operation uses (OWASP ASVS 13.4.4: no TRACE in production).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

ALLOWED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class MethodAllowlistMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (request.method or "").upper() not in ALLOWED_METHODS:
            return HttpResponseNotAllowed(sorted(ALLOWED_METHODS))
        return self.get_response(request)
