"""Finding addresses: the local BAN reference, or IGN Géoplateforme over HTTP.

Both answer the same ``Suggestion``s; ``get_geocoder()`` picks the one the
``VIGIE_GEOCODER`` setting names.  Suggestions from Géoplateforme are kept in
the local reference, so choosing one later needs no second request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

import requests
from django.conf import settings

from vigie.addresses.models import BanAddress
from vigie.addresses.text import normalize_suffix, search_key
from vigie.lib import outbound

MIN_QUERY_LENGTH = 3
CANDIDATES = 60


@dataclass(frozen=True)
class Suggestion:
    ban_id: str
    number: int
    suffix: str
    street: str
    postcode: str
    insee_code: str
    commune: str
    longitude: float
    latitude: float
    score: float = 1.0

    @property
    def label(self) -> str:
        number = f"{self.number} {self.suffix}".strip()
        return f"{number} {self.street}, {self.postcode} {self.commune}"

    @classmethod
    def of(cls, address: BanAddress, score: float = 1.0) -> Suggestion:
        return cls(
            ban_id=address.ban_id,
            number=address.number,
            suffix=address.suffix,
            street=address.street,
            postcode=address.postcode,
            insee_code=address.insee_code,
            commune=address.commune,
            longitude=address.longitude,
            latitude=address.latitude,
            score=score,
        )


class GeocoderUnavailable(Exception):
    """The geocoding service did not answer in time, or answered nonsense."""


class Geocoder(Protocol):
    def search(self, query: str, *, limit: int = 8) -> list[Suggestion]: ...


class LocalBanGeocoder:
    """Searches the imported BAN: every word of the query must appear."""

    def search(self, query: str, *, limit: int = 8) -> list[Suggestion]:
        words = search_key(query).split()
        if len("".join(words)) < MIN_QUERY_LENGTH:
            return []
        candidates = BanAddress.objects.all()
        for word in words:
            candidates = candidates.filter(search_text__contains=word)
        numbers = {int(word) for word in words if word.isdigit() and len(word) <= 5}
        rows = list(candidates.order_by("street", "number", "suffix")[:CANDIDATES])
        # The house number typed first ranks its own address above "12" inside "120".
        rows.sort(key=lambda row: (row.number not in numbers, row.street, row.number, row.suffix))
        return [Suggestion.of(row) for row in rows[:limit]]


_HOUSENUMBER = re.compile(r"^(\d+)\s*([A-Za-z]*)$")


class GeoplateformeGeocoder:
    """IGN Géoplateforme's /geocodage/search (GeoCodeJSON), the successor of api-adresse."""

    def __init__(self, *, base_url: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def search(self, query: str, *, limit: int = 8) -> list[Suggestion]:
        if len(search_key(query).replace(" ", "")) < MIN_QUERY_LENGTH:
            return []
        try:
            # A redirect is refused (RedirectRefused, a RequestException), never followed.
            with outbound.session() as session:
                response = session.get(
                    f"{self.base_url}/search",
                    params={"q": query[:200], "limit": str(limit), "type": "housenumber"},
                    timeout=self.timeout,
                )
            response.raise_for_status()
            features = response.json().get("features", [])
        except (requests.RequestException, ValueError, AttributeError) as error:
            raise GeocoderUnavailable(str(error)) from error
        suggestions = [s for s in (self._parse(feature) for feature in features) if s]
        from vigie.addresses.actions import do_remember_reference_addresses

        do_remember_reference_addresses(suggestions)
        return suggestions

    @staticmethod
    def _parse(feature: object) -> Suggestion | None:
        try:
            assert isinstance(feature, dict)
            properties = feature["properties"]
            longitude, latitude = feature["geometry"]["coordinates"][:2]
            match = _HOUSENUMBER.match(str(properties.get("housenumber", "")))
            if properties.get("type") != "housenumber" or not match:
                return None
            return Suggestion(
                ban_id=str(properties["id"]),
                number=int(match.group(1)),
                suffix=normalize_suffix(match.group(2)) if match.group(2) else "",
                street=str(properties.get("street") or properties["name"]),
                postcode=str(properties["postcode"]),
                insee_code=str(properties["citycode"]),
                commune=str(properties["city"]),
                longitude=float(longitude),
                latitude=float(latitude),
                score=float(properties.get("score", 0)),
            )
        except (AssertionError, KeyError, TypeError, ValueError, IndexError):
            return None


def get_geocoder() -> Geocoder:
    if settings.GEOCODER == "geoplateforme":
        return GeoplateformeGeocoder(
            base_url=settings.GEOCODER_URL, timeout=settings.GEOCODER_TIMEOUT_SECONDS
        )
    return LocalBanGeocoder()
