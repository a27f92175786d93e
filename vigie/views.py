from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vigie.accounts.decorators import staff_required


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@staff_required
def team_home(request: HttpRequest) -> HttpResponse:
    """The team's entry page; the moderation queue and dashboards join it as they land."""
    return render(request, "team_home.html")
