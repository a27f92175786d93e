"""Error pages: JSON under /api/, a calm page elsewhere; never a stack trace."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from vigie.lib.http import wants_json


def _answer(request: HttpRequest, status: int, code: str, detail: str) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"detail": detail, "code": code}, status=status)
    return render(request, f"{status}.html", {"message": detail}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 400, "bad_request", _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 403, "forbidden", _("You are not allowed to do this."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 404, "not_found", _("Not found."))


def server_error(request: HttpRequest) -> HttpResponse:
    detail = _("Server error. The team has been told.")
    if wants_json(request):
        return JsonResponse({"detail": detail, "code": "server_error"}, status=500)
    # No context processors: the failure may lie in one of them.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({"message": detail}), status=500)
