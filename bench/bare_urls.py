from django.http import HttpRequest, HttpResponse
from django.urls import path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Bonjour", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello)]
