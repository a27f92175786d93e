"""django-csp's middleware, with the policy built once per process.

django-csp rebuilds the header from the settings for every response (about a
tenth of a millisecond, a fifth of a cached page's time). Vigie's policy is
the same for every response but for its nonce, so it is built once, with a
marker where each response's nonce goes. A response carrying a per-view
policy (django-csp's decorators) still goes through django-csp itself.
"""

from __future__ import annotations

import functools
import http.client

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

_MARKER = "VIGIENONCEMARKER"
_PER_VIEW = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


@functools.cache
def _policy(*, with_nonce: bool) -> str:
    return build_policy(nonce=_MARKER if with_nonce else None)


class PrebuiltCSPMiddleware(CSPMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        custom = any(hasattr(response, name) for name in _PER_VIEW)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        debug_page = settings.DEBUG and response.status_code in (
            http.client.INTERNAL_SERVER_ERROR,
            http.client.NOT_FOUND,
        )
        if custom or report_only or debug_page:
            return super().process_response(request, response)
        nonce = getattr(request, "_csp_nonce", None)
        if HEADER not in response:
            if isinstance(nonce, str):
                response[HEADER] = _policy(with_nonce=True).replace(_MARKER, nonce)
            else:
                response[HEADER] = _policy(with_nonce=False)
        if nonce is None:
            # As django-csp: a nonce asked for after the header is written is an error.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
