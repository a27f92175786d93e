"""/api/v1/addresses: autocomplete from the address reference."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field as SchemaField
from ninja import Query, Router, Schema

from vigie.addresses.access import suggest_addresses
from vigie.addresses.limits import limit_address_search
from vigie.addresses.schemas import SuggestionOut
from vigie.api.schemas import ERRORS

router = Router(tags=["addresses"])


class SearchQuery(Schema):
    q: str = SchemaField(max_length=200, description="What the person typed")
    limit: int = SchemaField(default=8, ge=1, le=20)


@router.get(
    "/search", response={200: list[SuggestionOut], **ERRORS}, summary="Address autocomplete"
)
def search(request: HttpRequest, filters: Query[SearchQuery]) -> list[SuggestionOut]:
    """Addresses of the national reference matching the query (public; rate limited)."""
    limit_address_search(request)
    return [
        SuggestionOut(
            ban_id=suggestion.ban_id,
            label=suggestion.label,
            postcode=suggestion.postcode,
            commune=suggestion.commune,
        )
        for suggestion in suggest_addresses(filters.q, limit=filters.limit)
    ]
