"""Outbound HTTP: every call Vigie makes to another service goes through here.

A service Vigie calls (Maileva, the Géoplateforme geocoder, OVH's SMS API, browsers'
push services) never needs to redirect it. Following a redirect would send the request —
its credentials, a letter's address and code, a signed push — to a place nobody
configured (ASVS 15.3.2). So redirects are never followed: a 3xx answer raises
``RedirectRefused``, a ``requests.RequestException`` each caller treats as a failure.

Two ways out: ``session()``, a requests session, for the providers' clients; and
``post()``, urllib3 itself, for Web Push, where a fan-out posts thousands of requests
and requests' own machinery cost more than twice urllib3's CPU (2.5 ms a push against
1.1, py-spy on bench/fanout.py's worker).
"""

from __future__ import annotations

import functools
import threading
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import certifi
import requests
import urllib3
from django.conf import settings


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


class ServiceUnreachable(Exception):
    """No answer from the service through ``post``: ``kind`` is "Timeout" or "ConnectionError"
    (refused, reset, a TLS failure); trying later may work."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


_pools: dict[str, urllib3.PoolManager] = {}
_pools_lock = threading.Lock()


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST ``body`` to ``url`` once: no retry (the caller's task decides), no redirect
    followed (``RedirectRefused``), ``ServiceUnreachable`` when no answer came."""
    try:
        response = _pool_for(url).request(
            "POST",
            url,
            body=body,
            headers=headers,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            redirect=False,
            retries=False,
        )
    except urllib3.exceptions.HTTPError as error:
        # urllib3 makes a refused connection a kind of timeout: told apart here.
        timed_out = isinstance(error, urllib3.exceptions.TimeoutError) and not isinstance(
            error, urllib3.exceptions.NewConnectionError
        )
        raise ServiceUnreachable("Timeout" if timed_out else "ConnectionError") from None
    if 300 <= response.status < 400:
        # The service's name, never the redirect's target nor the URL's path.
        raise RedirectRefused(
            f"{urlsplit(url).netloc} answered {response.status}: redirects are not followed"
        )
    return Answer(status=response.status, body=response.data)


def _pool_for(url: str) -> urllib3.PoolManager:
    """Through the proxy the environment names (``HTTPS_PROXY``, ``NO_PROXY``), as requests
    does, directly otherwise; certifi's CA bundle, as requests uses, whatever the host holds."""
    parts = urlsplit(url)
    proxy = _proxy_for(parts.scheme, parts.hostname or "")
    with _pools_lock:
        pool = _pools.get(proxy)
        if pool is None:
            # As many kept-alive connections per service as a worker has sending threads:
            # fewer, and each thread past them would open (and shake hands on) a new one
            # for every post.
            size = settings.SENDING_THREADS
            if proxy:
                pool = urllib3.ProxyManager(
                    proxy, maxsize=size, retries=False, ca_certs=certifi.where()
                )
            else:
                pool = urllib3.PoolManager(maxsize=size, retries=False, ca_certs=certifi.where())
            _pools[proxy] = pool
        return pool


@functools.lru_cache(maxsize=64)
def _proxy_for(scheme: str, host: str) -> str:
    # Cached: reading the environment for each of thousands of pushes costs more than a push.
    proxy = urllib.request.getproxies().get(scheme, "")
    return "" if not proxy or urllib.request.proxy_bypass(host) else proxy
