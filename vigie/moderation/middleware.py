"""When the terms of use change, every member accepts the new version before going on.

Pages redirect to the acceptance page (reading stays possible there and on the
terms themselves); the API refuses writes with 403 ``terms_not_accepted``
(vigie.api.auth) until ``POST /api/v1/me/terms``. The version accepted is on
the account, so the check costs no query.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from vigie.moderation import terms

# Pages that stay open: the terms, leaving, the language, links from e-mails, files, and
# the privacy rights (a copy, erasure, consents), which no new terms may hold back.
_OPEN_PREFIXES = (
    "/conditions/", "/deconnexion/", "/langue/", "/lien/", "/recours/", "/static/",
    "/media/", "/api/", "/healthz", "/sw.js",
    "/manifest.webmanifest", "/hors-ligne/", "/equipe/admin/", "/confidentialite/",
    "/mentions-legales/", "/compte/donnees/", "/compte/supprimer/", "/compte/supprime/",
)  # fmt: skip


def needs_new_acceptance(user: object) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and getattr(user, "accepted_terms_version", None) != terms.CURRENT.number
    )


class TermsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if needs_new_acceptance(request.user) and not request.path.startswith(_OPEN_PREFIXES):
            target = reverse("moderation:accept_terms")
            if request.method == "GET":
                target += "?" + urlencode({"suivant": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)
