from __future__ import annotations

from ninja import Field, Schema

from vigie.addresses.actions import (
    COMMUNE_MAX_LENGTH,
    COMPLEMENT_MAX_LENGTH,
    STREET_MAX_LENGTH,
    AddressInput,
)


class AddressIn(Schema):
    """Either ``ban_id`` (from /addresses/search), or the parts typed by hand."""

    ban_id: str = Field(default="", max_length=64)
    complement: str = Field(default="", max_length=COMPLEMENT_MAX_LENGTH)
    number: str = Field(default="", max_length=5)
    suffix: str = Field(default="", max_length=10)
    street: str = Field(default="", max_length=STREET_MAX_LENGTH)
    postcode: str = Field(default="", max_length=5)
    commune: str = Field(default="", max_length=COMMUNE_MAX_LENGTH)

    def to_input(self) -> AddressInput:
        return AddressInput(**self.dict())


class SuggestionOut(Schema):
    ban_id: str
    label: str
    postcode: str
    commune: str


class HomeAddressOut(Schema):
    street_line: str
    complement: str
    postcode: str
    commune: str
    verified: bool
    needs_review: bool
