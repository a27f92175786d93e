"""Outbound HTTP: every call Vigie makes to another service goes through here.

A service Vigie calls (Maileva, the Géoplateforme geocoder, OVH's SMS API, browsers'
push services) never needs to redirect it. Following a redirect would send the request —
its credentials, a letter's address and code, a signed push — to a place nobody
configured (ASVS 15.3.2). So redirects are never followed: a 3xx answer raises
``RedirectRefused``, a ``requests.RequestException`` each caller treats as a failure.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests


class RedirectRefused(requests.RequestException):
    """The service answered with a redirect; it was not followed."""


class NoRedirectSession(requests.Session):
    """A ``requests.Session`` that never follows a redirect and refuses every 3xx."""

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs["allow_redirects"] = False
        response = super().request(method, url, *args, **kwargs)
        if 300 <= response.status_code < 400:
            status = response.status_code
            response.close()
            # The service's name, never the redirect's target nor the URL's query.
            host = urlsplit(str(response.url)).netloc
            raise RedirectRefused(
                f"{host} answered {status}: redirects are not followed", response=response
            )
        return response


def session() -> NoRedirectSession:
    return NoRedirectSession()
