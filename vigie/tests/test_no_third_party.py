"""No third party: every resource a page uses comes from Vigie itself (DESIGN.md, promise 1).

The templates and the static files are read as text and fail on any reference to
another origin that a browser would load or post to; the policy the pages are
served with must allow no other origin either, but for the bank's hosted payment
page, where the town halls' payment form goes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from vigie.test import Personas, log_in_as, neighbourhood_a

VIGIE = Path(__file__).resolve().parents[1]

# What a browser loads, or posts to, from an address: as an attribute, in CSS, or in a script.
_ELSEWHERE = r"""["']?\s*(?:(?:https?|wss?):)?//"""
REFERENCES = [
    re.compile(r"\b(?:src|href|action|formaction|srcset|poster)\s*=\s*" + _ELSEWHERE, re.I),
    re.compile(r"\burl\(\s*" + _ELSEWHERE, re.I),
    re.compile(r"@import\s+(?:url\(\s*)?" + _ELSEWHERE, re.I),
    re.compile(
        r"\b(?:fetch|importScripts|EventSource|WebSocket|sendBeacon)\s*\(\s*" + _ELSEWHERE, re.I
    ),
]


@dataclass(frozen=True)
class Allowed:
    path: str  # relative to vigie/
    reference: str  # the text that is allowed there, from the attribute to the address
    reason: str


# Plain links a person clicks to go elsewhere: nothing is loaded until they do, and the
# Referrer-Policy (same-origin) tells the other site nothing of where they came from.
ALLOWED = [
    Allowed(
        "static/vendor/leaflet-1.9.4/leaflet.js",
        'href="https://leafletjs.com"',
        "the map's credit to Leaflet, a link in its attribution line (vendored as released)",
    ),
]


@dataclass(frozen=True)
class Reference:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


def scanned_files() -> list[Path]:
    templates = [
        path
        for folder in VIGIE.rglob("templates")
        if folder.is_dir()
        for path in folder.rglob("*")
        if path.is_file()
    ]
    static = [
        path
        for folder in VIGIE.rglob("static")
        if folder.is_dir()
        for path in folder.rglob("*")
        if path.suffix in (".css", ".js")
    ]
    return sorted({*templates, *static})


def references_in(text: str, name: str) -> list[Reference]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern in REFERENCES:
            for match in pattern.finditer(line):
                # From the attribute on, enough to see the address and to match the allow-list.
                found.append(Reference(name, number, line[match.start() :][:120]))
    return found


def references_elsewhere(path: Path) -> list[Reference]:
    return references_in(path.read_text(encoding="utf-8"), str(path.relative_to(VIGIE)))


def is_allowed(reference: Reference) -> bool:
    return any(
        reference.path == allowed.path and reference.text.startswith(allowed.reference)
        for allowed in ALLOWED
    )


def test_it_finds_the_templates_and_the_static_files() -> None:
    names = {str(path.relative_to(VIGIE)) for path in scanned_files()}

    # Every app's templates, the site's, and the vendored libraries: the scan sees them all.
    assert "templates/base.html" in names
    assert "privacy/templates/privacy/legal_notice.html" in names
    assert "static/vigie/vigie.css" in names
    assert "static/vendor/leaflet-1.9.4/leaflet.css" in names
    assert "static/vendor/htmx-2.0.11/htmx.min.js" in names


def test_it_finds_a_reference_to_another_origin_wherever_it_hides() -> None:
    sample = (
        '<script src="https://cdn.example.com/x.js"></script>\n'
        "<link href='//fonts.example.com/css'>\n"
        "<style>@import url(https://example.com/a.css); b { background: url( '//x.y/z.png') }"
        "</style>\n"
        '<form action="http://elsewhere.example/">\n'
        '<img SRC = "https://tracker.example/pixel.gif">\n'
        '<script>fetch("https://api.example.com/")</script>\n'
        '<a href="/mentions-legales/">ours</a> <img src="{% static \'x.png\' %}">\n'
        '<svg xmlns="http://www.w3.org/2000/svg"></svg> <!-- see https://example.org -->\n'
    )

    found = {reference.line for reference in references_in(sample, "sample.html")}

    assert found == {1, 2, 3, 4, 5, 6}


def test_it_loads_nothing_from_another_origin_in_any_template_or_static_file() -> None:
    offenders = [
        reference
        for path in scanned_files()
        for reference in references_elsewhere(path)
        if not is_allowed(reference)
    ]

    assert not offenders, "References to another origin:\n" + "\n".join(map(str, offenders))


def test_it_still_needs_each_exception_it_allows() -> None:
    found = [reference for path in scanned_files() for reference in references_elsewhere(path)]

    for allowed in ALLOWED:
        assert any(
            reference.path == allowed.path and reference.text.startswith(allowed.reference)
            for reference in found
        ), f"{allowed.path} no longer holds {allowed.reference}: remove it from ALLOWED"


def test_it_posts_forms_to_vigie_or_to_the_banks_page_only() -> None:
    actions = re.compile(r"""\baction\s*=\s*["']([^"']*)["']""", re.I)
    elsewhere = [
        f"{path.relative_to(VIGIE)}: {target}"
        for path in scanned_files()
        if path.suffix == ".html"
        for target in actions.findall(path.read_text(encoding="utf-8"))
        # Vigie's own routes; the payment form's target is the bank's page, from the settings.
        if not target.startswith(("{% url ", "?", "#")) and target != "{{ payment.action }}"
    ]

    assert not elsewhere, "\n".join(elsewhere)


# --- The policy pages are served with -------------------------------------------------------


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def policy(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        directives[name.lower()] = sources
    return directives


def only_vigie(sources: list[str]) -> bool:
    return all(
        source in ("'self'", "'none'") or re.fullmatch(r"'nonce-[A-Za-z0-9+/=_-]+'", source)
        for source in sources
    )


FETCHES = [
    "default-src",
    "script-src",
    "style-src",
    "img-src",
    "font-src",
    "connect-src",
    "frame-src",
    "manifest-src",
    "worker-src",
    "object-src",
]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["home", "login", "feed"])
def test_it_serves_pages_with_a_policy_that_allows_no_other_origin(
    personas: Personas, page: str
) -> None:
    client = Client()
    path = {"home": "/", "login": "/connexion/", "feed": f"/quartiers/{neighbourhood_a().pk}/"}[
        page
    ]
    if page == "feed":
        log_in_as(client, personas.alice)

    response = client.get(path)
    directives = policy(response["Content-Security-Policy"])
    bank = _origin(settings.MONETICO_PAYMENT_URL)

    assert response.status_code == 200
    assert directives["default-src"] == ["'self'"]
    for name in FETCHES:
        # A directive left out falls back on default-src.
        sources = directives.get(name, directives["default-src"])
        assert only_vigie(sources), f"{name}: {sources}"
    assert set(directives["form-action"]) <= {"'self'", bank}
    assert not {"report-uri", "report-to"} & set(directives)
    html = response.content.decode()
    assert not [pattern.pattern for pattern in REFERENCES if pattern.search(html)]


def test_it_lets_forms_reach_the_bank_only_when_the_bank_is_elsewhere() -> None:
    form_action = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"]
    bank = _origin(settings.MONETICO_PAYMENT_URL)

    if bank == _origin(settings.BASE_URL):  # the local test bank, served by Vigie itself
        assert form_action == ["'self'"]
    else:
        assert form_action == ["'self'", bank]
