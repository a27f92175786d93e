"""What the installed web app needs: its manifest, and what the service worker keeps offline.

Only the offline page and static files are ever cached: a page seen logged in, or an API
answer, holds personal data that must not stay on the device.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

THEME_COLOUR = "#1f4e8c"
BACKGROUND_COLOUR = "#ffffff"
ICONS = (
    ("vigie/icon-192.png", "image/png", "192x192"),
    ("vigie/icon-512.png", "image/png", "512x512"),
    ("vigie/icon.svg", "image/svg+xml", "any"),
)
# What the offline page needs to look like the site.
PRECACHED_STATIC = ("vigie/vigie.css", *(name for name, _type, _sizes in ICONS))
SERVICE_WORKER = "vigie/sw.js"
OFFLINE_TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "offline.html"


def manifest() -> dict[str, Any]:
    return {
        "name": _("Vigie, neighbours who look out for each other"),
        "short_name": "Vigie",
        "description": _("Vigie: the secure network of neighbours who look out for each other."),
        "lang": get_language() or "fr",
        "dir": "ltr",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static(name), "type": kind, "sizes": sizes, "purpose": "any"}
            for name, kind, sizes in ICONS
        ],
    }


def precached_urls() -> list[str]:
    """The offline page first; static URLs as the storage names them (hashed in production)."""
    return [reverse("offline"), *(static(name) for name in PRECACHED_STATIC)]


@lru_cache(maxsize=1)
def cache_version() -> str:
    """Changes whenever the worker, a cached file or the offline page does, so that a new
    deployment's worker installs afresh and deletes the old cache."""
    digest = hashlib.sha256()
    for name in (SERVICE_WORKER, *PRECACHED_STATIC):
        found = finders.find(name)
        if found:
            digest.update(Path(str(found)).read_bytes())
    digest.update(OFFLINE_TEMPLATE.read_bytes())
    return digest.hexdigest()[:16]


def service_worker_source() -> bytes:
    """sw.js with its two placeholders filled in: the version and the files to keep."""
    found = finders.find(SERVICE_WORKER)
    if not found:
        raise FileNotFoundError(SERVICE_WORKER)
    source = Path(str(found)).read_text(encoding="utf-8")
    source = source.replace('"__VIGIE_CACHE_VERSION__"', json.dumps(cache_version()))
    source = source.replace('["__VIGIE_PRECACHE__"]', json.dumps(precached_urls()))
    return source.encode()
