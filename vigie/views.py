from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vigie.accounts.decorators import staff_required
from vigie.accounts.models import User
from vigie.lib import webapp
from vigie.verification.access import verification_state_for


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {}
    if isinstance(user, User):
        # Until the address is verified, this (and the account) is all one sees.
        context["state"] = verification_state_for(user)
    return render(request, "home.html", context)


@staff_required
def team_home(request: HttpRequest) -> HttpResponse:
    """The team's entry page; the moderation queue and dashboards join it as they land."""
    return render(request, "team_home.html")


@require_GET
def web_manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest, in the visitor's language: what an installed Vigie is called."""
    response = HttpResponse(
        json.dumps(webapp.manifest(), ensure_ascii=False, indent=2),
        content_type="application/manifest+json; charset=utf-8",
    )
    response["Vary"] = "Accept-Language, Cookie"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker when a page cannot load: the emergency numbers above all."""
    return render(request, "offline.html")
