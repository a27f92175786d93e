"""The API's reference, a page of the site: /api/v1/docs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vigie.api.reference import published_reference


@require_GET
def reference(request: HttpRequest) -> HttpResponse:
    """Every operation and schema of /api/v1/openapi.json, readable with no script."""
    return render(request, "api/reference.html", {"reference": published_reference()})
