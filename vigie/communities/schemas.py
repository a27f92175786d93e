from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class CommunityOut(Schema):
    id: int
    kind: str = Field(description="neighbourhood, or commune (the whole commune's community)")
    name: str
    commune: str
    insee_code: str
    member_count: int
    my_role: str = Field(description="member, referent or deputy")
    can_write: bool = Field(description="False while suspended: reading only")
    listed_in_directory: bool


class CommunityDetailOut(CommunityOut):
    boundary: dict[str, Any] | None = Field(description="GeoJSON geometry (WGS84)")
    parent_id: int | None
    content_retention_months: int = Field(
        description="months after which posts, comments and alerts are deleted"
    )


class ContentRetentionIn(Schema):
    months: int | None = Field(
        strict=True, description="fewer months than the platform's rule; null for the rule itself"
    )


class DirectoryEntryOut(Schema):
    member_id: int
    display_name: str
    role: str
    is_me: bool


class DirectoryListingIn(Schema):
    listed: bool = Field(strict=True)


class NeighbourhoodRequestIn(Schema):
    name: str = Field(max_length=80)
    description: str = Field(default="", max_length=1000)


class NeighbourhoodRequestOut(Schema):
    id: int
    name: str
    status: str
    created_at: datetime
