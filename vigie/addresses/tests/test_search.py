from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from vigie.addresses.geocoding import GeocoderUnavailable, GeoplateformeGeocoder, LocalBanGeocoder
from vigie.addresses.models import BanAddress

pytestmark = pytest.mark.django_db
RECORDED = Path(__file__).parent / "recorded"


@pytest.mark.usefixtures("address_reference")
def test_it_suggests_local_addresses_with_the_typed_number_first() -> None:
    suggestions = LocalBanGeocoder().search("12 rue des lila")

    assert suggestions[0].label == "12 Rue des Lilas, 99100 Bourg-lès-Vigies"
    assert suggestions[1].suffix == "bis"


@pytest.mark.usefixtures("address_reference")
def test_it_ignores_accents_and_case() -> None:
    assert LocalBanGeocoder().search("ALLEE DES TILLEULS 5")[0].street == "Allée des Tilleuls"
    assert LocalBanGeocoder().search("li") == []


class RecordedAnswers(BaseHTTPRequestHandler):
    answer: bytes = b""
    status: int = 200
    seen: list[str] = []

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.answer)


@pytest.fixture
def geoplateforme() -> Iterator[tuple[str, type[RecordedAnswers]]]:
    handler: type[RecordedAnswers] = type(
        "Handler",
        (RecordedAnswers,),
        {"seen": [], "answer": (RECORDED / "geoplateforme_search_lilas.json").read_bytes()},
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/geocodage", handler
    server.shutdown()
    server.server_close()


def test_it_reads_geoplateforme_answers_and_keeps_them(
    geoplateforme: tuple[str, type[RecordedAnswers]],
) -> None:
    url, handler = geoplateforme

    suggestions = GeoplateformeGeocoder(base_url=url, timeout=2).search("12 rue des lilas")

    assert [s.ban_id for s in suggestions] == ["75119_5612_00012", "44109_4810_00012_bis"]
    assert suggestions[1].suffix == "bis"
    assert suggestions[0].label == "12 Rue des Lilas, 75019 Paris"
    assert handler.seen[0].startswith("/geocodage/search?q=12+rue+des+lilas")
    assert "type=housenumber" in handler.seen[0]
    assert BanAddress.objects.filter(ban_id="75119_5612_00012").exists()


def test_it_reports_an_unavailable_geoplateforme(
    geoplateforme: tuple[str, type[RecordedAnswers]],
) -> None:
    url, handler = geoplateforme
    handler.status = 503
    handler.answer = b"{}"

    with pytest.raises(GeocoderUnavailable):
        GeoplateformeGeocoder(base_url=url, timeout=2).search("12 rue des lilas")


@pytest.mark.usefixtures("address_reference")
def test_it_serves_autocomplete_to_anyone_and_limits_it(client: Client) -> None:
    response = client.get("/api/v1/addresses/search", {"q": "3 impasse du moulin"})

    assert response.status_code == 200
    assert response.json()[0] == {
        "ban_id": "99101_0005_00003",
        "label": "3 Impasse du Moulin, 99100 Bourg-lès-Vigies",
        "postcode": "99100",
        "commune": "Bourg-lès-Vigies",
    }
    statuses = {
        client.get("/api/v1/addresses/search", {"q": "lilas"}).status_code for _ in range(60)
    }
    assert 429 in statuses


@pytest.mark.usefixtures("address_reference")
def test_it_serves_suggestions_as_radio_buttons_for_the_page(client: Client) -> None:
    response = client.get("/adresses/suggestions/", {"q": "3 impasse du moulin"})

    html = response.content.decode()
    assert 'type="radio" name="ban_id"' in html
    assert 'value="99101_0005_00003"' in html


def test_it_rejects_a_too_long_query(client: Client) -> None:
    response = client.get("/api/v1/addresses/search", {"q": "x" * 201})

    assert response.status_code == 422
    assert json.loads(response.content)["errors"][0]["field"] == "q"


@pytest.mark.django_db
def test_it_never_follows_a_redirect_from_geoplateforme() -> None:
    """ASVS 15.3.2: a redirect is a failure of the geocoder, never followed."""
    from vigie.lib.standin import Redirector

    redirector = Redirector(302).start()
    try:
        geocoder = GeoplateformeGeocoder(base_url=f"{redirector.base_url}/geocodage", timeout=2)
        with pytest.raises(GeocoderUnavailable, match="302"):
            geocoder.search("12 rue des lilas")
    finally:
        redirector.stop()

    assert [method for method, _path in redirector.requests] == ["GET"]
    assert redirector.requests[0][1].startswith("/geocodage/search?")
    assert not redirector.followed
