"""Error pages: JSON under /api/, a calm page elsewhere; never a stack trace."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from vigie.lib import database
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
    # Django calls this while handling the exception, wherever it was raised (a view or a
    # middleware): the database going away is an outage, not a bug.
    error = sys.exc_info()[1]
    if database.is_unavailable(error):
        assert error is not None
        return unavailable(request, error)
    detail = _("Server error. The team has been told.")
    if wants_json(request):
        return JsonResponse({"detail": detail, "code": "server_error"}, status=500)
    # No context processors: the failure may lie in one of them.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({"message": detail}), status=500)


def unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """503 with Retry-After, logged as the database being away (one line, no traceback)."""
    database.log_unavailable(error, request=request)
    detail = _("Vigie is unavailable for a moment. Please try again in a few seconds.")
    if wants_json(request):
        response: HttpResponse = JsonResponse({"detail": detail, "code": "unavailable"}, status=503)
    else:
        # Nothing that could read the database again: no context processors, no user.
        from django.template import loader

        response = HttpResponse(
            loader.get_template("503.html").render({"message": detail}), status=503
        )
    response["Retry-After"] = str(database.RETRY_AFTER_SECONDS)
    # Logged above as what it is: Django's request log would add it with a traceback.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
