"""Reads of addresses: the public reference (search), and a person's own home."""

from __future__ import annotations

from vigie.addresses.geocoding import GeocoderUnavailable, Suggestion, get_geocoder


def suggest_addresses(query: str, *, limit: int = 8) -> list[Suggestion]:
    """Addresses matching what someone typed; empty when the geocoder is away."""
    try:
        return get_geocoder().search(query[:200], limit=min(max(limit, 1), 20))
    except GeocoderUnavailable:
        return []
