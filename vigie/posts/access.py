"""Reads on a person's behalf: the posts of their communities, and nothing else.

A post of a community one does not belong to answers NotFound, like a
missing one. A holiday absence shows only to its author and to the
neighbours they picked, and disappears once the return date has passed.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.accounts.models import User
from vigie.communities.access import CURRENT_STATES
from vigie.communities.models import Membership
from vigie.lib.errors import InvalidInput, NotFound
from vigie.posts.models import Comment, Post, PostImage, PostKind

FEED_PAGE_SIZE = 20
FEED_PAGE_MAX = 50


def visible_posts_for(user: object) -> QuerySet[Post]:
    if not isinstance(user, User) or not user.is_active:
        return Post.objects.none()
    my_communities = Membership.objects.filter(user=user, state__in=CURRENT_STATES).values(
        "community_id"
    )
    shown_to_me = Post.shown_to.through.objects.filter(post_id=OuterRef("pk"), user_id=user.pk)
    return Post.objects.filter(community_id__in=Subquery(my_communities)).filter(
        ~Q(kind=PostKind.ABSENCE)
        | Q(author=user)
        | (Q(absence_until__gte=timezone.localdate()) & Exists(shown_to_me))
    )


def _with_details(posts: QuerySet[Post]) -> QuerySet[Post]:
    """Everything a list or a page shows, in two queries whatever the number of posts."""
    author_role = Membership.objects.filter(
        user_id=OuterRef("author_id"),
        community_id=OuterRef("community_id"),
        state__in=CURRENT_STATES,
    ).values("role")[:1]
    return (
        posts.select_related("author", "community")
        .annotate(comment_count=Count("comments", distinct=True), author_role=Subquery(author_role))
        .prefetch_related("images")
    )


def access_post(user: object, post_id: int) -> Post:
    post = _with_details(visible_posts_for(user)).filter(pk=post_id).first()
    if post is None:
        raise NotFound()
    return post


def comments_of(post: Post) -> QuerySet[Comment]:
    """The comments of a post the caller already obtained through access_post."""
    return post.comments.select_related("author").order_by("created_at", "id")


def access_comment(user: object, comment_id: int) -> Comment:
    comment = (
        Comment.objects.select_related("post", "author")
        .filter(pk=comment_id, post__in=visible_posts_for(user))
        .first()
    )
    if comment is None:
        raise NotFound()
    return comment


def access_image(user: object, post_id: int, image_id: int) -> PostImage:
    image = PostImage.objects.filter(
        pk=image_id, post_id=post_id, post__in=visible_posts_for(user)
    ).first()
    if image is None:
        raise NotFound()
    return image


@dataclass(frozen=True)
class FeedPage:
    posts: list[Post]
    next_cursor: str | None


def _encode_cursor(post: Post) -> str:
    raw = f"{post.created_at.isoformat()}|{post.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _bar, identifier = raw.partition("|")
        return datetime.fromisoformat(moment), int(identifier)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput({"cursor": [_("This page marker is not valid.")]}) from None


def feed_page(
    user: object,
    *,
    community_id: int | None = None,
    cursor: str | None = None,
    kind: str | None = None,
    limit: int = FEED_PAGE_SIZE,
) -> FeedPage:
    """Newest first, by cursor (stable while people post), a constant number of queries."""
    posts = visible_posts_for(user)
    if community_id is not None:
        posts = posts.filter(community_id=community_id)
    if kind:
        if kind not in PostKind.values:
            raise InvalidInput({"kind": [_("Unknown kind of post.")]})
        posts = posts.filter(kind=kind)
    if cursor:
        moment, identifier = _decode_cursor(cursor)
        posts = posts.filter(Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=identifier))
    limit = max(1, min(limit, FEED_PAGE_MAX))
    rows = list(_with_details(posts).order_by("-created_at", "-pk")[: limit + 1])
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return FeedPage(posts=rows[:limit], next_cursor=next_cursor)
