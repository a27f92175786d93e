from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vigie.addresses.access import suggest_addresses
from vigie.addresses.limits import limit_address_search


@require_GET
def suggestions(request: HttpRequest) -> HttpResponse:
    """The list of matching addresses, as radio buttons, for the address picker's script."""
    limit_address_search(request)
    query = request.GET.get("q", "")[:200]
    context = {
        "query": query,
        "suggestions": suggest_addresses(query),
        "selected": request.GET.get("selected", ""),
    }
    return render(request, "addresses/suggestions.html", context)
