from __future__ import annotations

import re

import pytest
from django.test import Client

from vigie.test import Personas, log_in_as

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/inscription/", "/connexion/", "/mot-de-passe-oublie/"]
ACCOUNT_PAGES = [
    "/compte/",
    "/compte/mot-de-passe/",
    "/compte/email/",
    "/compte/sessions/",
    "/compte/jetons/",
    "/compte/double-authentification/",
    "/compte/double-authentification/activer/",
]


def assert_well_formed(html: str) -> None:
    assert re.search(r'<html lang="(fr|en)">', html)
    assert 'href="#contenu"' in html  # skip link
    assert '<main id="contenu"' in html
    for landmark in ("<header", "<nav", "<footer"):
        assert landmark in html
    # No external resource: everything comes from Vigie itself.
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "style=" not in html
    assert "<script>" not in html


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_it_serves_public_pages_in_french_by_default(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert_well_formed(html)
    assert '<html lang="fr">' in html


@pytest.mark.parametrize("path", ACCOUNT_PAGES)
def test_it_serves_account_pages_marked_no_store(
    client: Client, personas: Personas, path: str
) -> None:
    log_in_as(client, personas.alice)

    response = client.get(path)

    assert response.status_code == 200
    assert_well_formed(response.content.decode())
    assert "no-store" in response["Cache-Control"]


def test_it_switches_to_english(client: Client) -> None:
    client.post("/langue/", {"language": "en", "next": "/"})

    assert '<html lang="en">' in client.get("/").content.decode()


def test_it_answers_unknown_pages_with_a_calm_404(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()
