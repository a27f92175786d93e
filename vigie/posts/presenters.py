"""Turning posts into what the API and pages show: display names, never more."""

from __future__ import annotations

import functools
import json
from typing import Any

from django.utils.translation import gettext as _
from ninja.renderers import NinjaJSONEncoder

from vigie.accounts.models import User
from vigie.posts.access import FeedItem, FeedPage, feed_item
from vigie.posts.models import Comment, Post
from vigie.posts.schemas import AuthorOut, CommentOut, ImageOut, PostDetailOut, PostOut


def author_out(author: User, *, role: str | None, viewer: User) -> AuthorOut:
    return AuthorOut(display_name=author.public_name, role=role, is_me=author.pk == viewer.pk)


def post_out(item: FeedItem, *, viewer: User) -> PostOut:
    mine = item.author_id == viewer.pk
    return PostOut(
        **_shared_fields(item),
        author=AuthorOut(display_name=_shown_name(item), role=item.author_role, is_me=mine),
        images=[ImageOut(**image) for image in _images(item)],
        can_edit=mine,
    )


def feed_json(page: FeedPage, *, viewer: User) -> bytes:
    """The page as FeedOut would serialize it, without building a schema per post.

    The feed is the most read answer of all: validating twenty posts against
    their schema took most of its time, for values made by our own code. Each
    post's JSON is made once (it is immutable) up to the two values that
    depend on the reader, "is_me" and "can_edit", added here. The tests hold
    the result equal to FeedOut's.
    """
    viewer_id = viewer.pk
    items = ",".join(
        _item_json_head(item, _shown_name(item)) + _JSON_MINE[item.author_id == viewer_id]
        for item in page.items
    )
    cursor = json.dumps(page.next_cursor)
    return f'{{"items":[{items}],"next_cursor":{cursor}}}'.encode()


_JSON_MINE = {True: 'true},"can_edit":true}', False: 'false},"can_edit":false}'}


def _shown_name(item: FeedItem) -> str:
    # An erased account's kept posts show no one ("former neighbour").
    return item.author_name or str(_("Former neighbour"))


@functools.lru_cache(maxsize=4096)
def _item_json_head(item: FeedItem, shown_name: str) -> str:
    """The item's JSON, open on its author's "is_me" (the cache key is the item's value,
    and the name shown, which depends on the language for a former neighbour)."""
    shared = _dumps({**_shared_fields(item), "images": _images(item)})
    author = _dumps({"display_name": shown_name, "role": item.author_role})
    return f'{shared[:-1]},"author":{author[:-1]},"is_me":'


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, cls=NinjaJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def _shared_fields(item: FeedItem) -> dict[str, Any]:
    """What every reader sees alike: all but the author and the reader-dependent flags."""
    return {
        "id": item.id,
        "community_id": item.community_id,
        "kind": item.kind,
        "title": item.title,
        "body": item.body,
        "created_at": item.created_at,
        "edited_at": item.edited_at,
        "help_direction": item.help_direction,
        "help_topic": item.help_topic,
        "event_starts_at": item.event_starts_at,
        "event_place": item.event_place,
        "absence_from": item.absence_from,
        "absence_until": item.absence_until,
        "comment_count": item.comment_count,
    }


def _images(item: FeedItem) -> list[dict[str, Any]]:
    return [
        {"id": image.id, "width": image.width, "height": image.height, "url": image.url}
        for image in item.images
    ]


def comment_out(comment: Comment, *, viewer: User) -> CommentOut:
    return CommentOut(
        id=comment.pk,
        body=comment.body,
        author=author_out(comment.author, role=None, viewer=viewer),
        created_at=comment.created_at,
        can_delete=comment.author_id == viewer.pk,
    )


def post_detail_out(post: Post, comments: list[Comment], *, viewer: User) -> PostDetailOut:
    return PostDetailOut(
        **post_out(feed_item(post), viewer=viewer).model_dump(),
        comments=[comment_out(comment, viewer=viewer) for comment in comments],
    )
