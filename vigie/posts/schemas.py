from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from vigie.api.schemas import BodyId
from vigie.posts.actions import PostInput
from vigie.posts.models import (
    BODY_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)


class AuthorOut(Schema):
    """A neighbour as others see them: a display name, never a real name or an address."""

    display_name: str
    role: str | None = Field(description="member, referent, deputy; null for a former member")
    is_me: bool


class ImageOut(Schema):
    id: int
    width: int
    height: int
    url: str


class PostOut(Schema):
    id: int
    community_id: int
    kind: str
    title: str
    body: str
    author: AuthorOut
    created_at: datetime
    edited_at: datetime | None
    help_direction: str
    help_topic: str
    event_starts_at: datetime | None
    event_place: str
    absence_from: date | None
    absence_until: date | None
    comment_count: int
    images: list[ImageOut]
    can_edit: bool


class CommentOut(Schema):
    id: int
    body: str
    author: AuthorOut
    created_at: datetime
    can_delete: bool


class PostDetailOut(PostOut):
    comments: list[CommentOut]


class FeedOut(Schema):
    items: list[PostOut]
    next_cursor: str | None = Field(description="Pass it as ?cursor= for the next page")


class PostIn(Schema):
    kind: str = Field(max_length=16, description="information, mutual_help, event or absence")
    title: str = Field(max_length=TITLE_MAX_LENGTH)
    body: str = Field(max_length=BODY_MAX_LENGTH)
    help_direction: str = Field(default="", max_length=10, description="offer or request")
    help_topic: str = Field(
        default="", max_length=16, description="lending, helping, carpooling, lost_found_pet, other"
    )
    event_starts_at: datetime | None = None
    event_place: str = Field(default="", max_length=PLACE_MAX_LENGTH)
    absence_from: date | None = None
    absence_until: date | None = None
    shown_to: list[BodyId] = Field(
        default_factory=list,
        max_length=200,
        description="For an absence: member_id of each neighbour who may see it (directory)",
    )

    def to_input(self) -> PostInput:
        return PostInput(**self.dict())


class PostEditIn(PostIn):
    kind: str = Field(default="", max_length=16, description="ignored: a post keeps its kind")


class CommentIn(Schema):
    body: str = Field(max_length=COMMENT_MAX_LENGTH)
