from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from vigie.lib import ratelimit
from vigie.lib.http import client_ip


def limit_address_search(request: HttpRequest) -> None:
    ratelimit.hit(
        "address-search", client_ip(request) or "unknown", rate=settings.RATE_ADDRESS_SEARCH
    )
