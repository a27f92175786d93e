"""Small helpers about the HTTP request."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Sent with every logout (ASVS 14.3.1): the browser drops what it kept of the session —
# its HTTP cache, and its storage (Vigie keeps nothing there, but a shared computer's next
# user must find nothing; this also unregisters the service worker, which the next page
# installs again, and ends the browser's push subscription, which the push service then
# reports gone and Vigie forgets). Not "cookies": Django's logout already deletes the
# session cookie, and clearing them all would also drop the "you are logged out" message
# (kept in a cookie for the next page), the language chosen, and the CSRF cookie that a
# log-in form still open in another tab relies on — and which Django rotates at log-in.
CLEAR_SITE_DATA = '"cache", "storage"'


def clear_site_data(response: HttpResponse) -> HttpResponse:
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address.

    Behind a trusted reverse proxy (``VIGIE_TRUST_PROXY_HEADERS``), the proxy's
    X-Forwarded-For is believed for its last hop only: the right-most address
    is the one the proxy itself saw, the rest can be forged by the client.
    """
    address = request.META.get("REMOTE_ADDR", "") or ""
    if settings.TRUST_PROXY_HEADERS:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            address = hops[-1]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")
