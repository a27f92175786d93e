from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from vigie.lib.webapp import THEME_COLOUR


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "site_name": "Vigie",
        "base_url": settings.BASE_URL,
        "vigie_env": settings.VIGIE_ENV,
        "theme_colour": THEME_COLOUR,  # the manifest's, so browser bar and app agree
    }
