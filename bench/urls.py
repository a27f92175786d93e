"""Vigie's pages, plus a logged-in hello world: same server, same middleware, no work."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from vigie.accounts.decorators import login_required
from vigie.urls import urlpatterns as vigie_urlpatterns


@login_required
def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Bonjour", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello), *vigie_urlpatterns]
