"""The legal notice (LCEN art. 6-III): publisher, director of publication, contact and host."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from pytest_django.fixtures import Settings

pytestmark = pytest.mark.django_db

HEADINGS = ["Legal notice", "Publisher", "Director of publication", "Contact", "Host"]


def stated_values() -> list[str]:
    return [
        settings.SELLER_NAME,
        settings.SELLER_LEGAL_FORM,
        settings.SELLER_ADDRESS,
        settings.SELLER_PHONE,
        settings.SELLER_SIRET,
        settings.SELLER_RCS,
        settings.SELLER_VAT_NUMBER,
        settings.PUBLICATION_DIRECTOR,
        settings.CONTACT_EMAIL,
        settings.HOST_NAME,
        settings.HOST_ADDRESS,
        settings.HOST_PHONE,
    ]


def test_it_states_who_publishes_and_hosts_vigie_in_french(client: Client) -> None:
    answer = client.get("/mentions-legales/")

    html = answer.content.decode()
    assert answer.status_code == 200
    assert '<html lang="fr">' in html
    for value in stated_values():
        assert escape(value) in html, value
    # The French catalogue's words, whatever they are: the page goes through it.
    with translation.override("fr"):
        for heading in HEADINGS:
            assert escape(translation.gettext(heading)) in html, heading


def test_it_states_who_publishes_and_hosts_vigie_in_english(client: Client) -> None:
    answer = client.get("/mentions-legales/", HTTP_ACCEPT_LANGUAGE="en")

    html = answer.content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Legal notice</h1>" in html
    for heading in HEADINGS[1:]:
        assert f"<h2>{heading}</h2>" in html
    assert "LCEN" in html
    for value in stated_values():
        assert escape(value) in html, value
    assert f'href="mailto:{settings.CONTACT_EMAIL}"' in html


def test_it_states_what_the_installation_sets(client: Client, settings: Settings) -> None:
    settings.PUBLICATION_DIRECTOR = "Claire Fontaine"
    settings.HOST_NAME = "Hébergeur Exemple SAS"
    settings.HOST_ADDRESS = "5 quai des Données, 59100 Roubaix"
    settings.HOST_PHONE = "+33 3 20 00 00 00"

    html = client.get("/mentions-legales/").content.decode()

    for value in ("Claire Fontaine", "Hébergeur Exemple SAS", "59100 Roubaix", "+33 3 20 00 00 00"):
        assert value in html


@pytest.mark.parametrize("path", ["/", "/connexion/", "/conditions/"])
def test_it_links_the_legal_notice_from_the_footer_of_every_page(client: Client, path: str) -> None:
    html = client.get(path).content.decode()

    footer = html[html.index('<footer class="site-footer">') :]
    assert 'href="/mentions-legales/"' in footer


def test_it_names_the_map_tile_host_wherever_it_says_what_comes_from_elsewhere(
    client: Client, settings: Settings
) -> None:
    from vigie.privacy.register import render_register

    settings.MAP_TILE_URL = "https://tiles.example.net/{z}/{x}/{y}.png"

    notice = client.get("/mentions-legales/").content.decode()
    policy = client.get("/confidentialite/").content.decode()

    assert "tiles.example.net" in notice
    assert "tiles.example.net" in policy
    assert "tiles.example.net" in render_register()
