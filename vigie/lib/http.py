"""Small helpers about the HTTP request."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


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
