from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vigie.accounts.decorators import staff_required
from vigie.accounts.models import User
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
