"""Reads on a person's behalf: the posts of their communities, and nothing else.

A post of a community one does not belong to answers NotFound, like a
missing one. A holiday absence shows only to its author and to the
neighbours they picked, and disappears once the return date has passed.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    Aggregate,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
)
from django.db.models.functions import Coalesce, JSONObject
from django.db.models.sql.compiler import SQLCompiler
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.accounts.models import User
from vigie.communities.access import (
    CURRENT_STATES,
    MEMBER_COUNT_DETAIL,
    absences_family,
    counted_members,
    feed_family,
    members_family,
)
from vigie.communities.models import Membership
from vigie.lib import cache
from vigie.lib.errors import InvalidInput, NotFound
from vigie.lib.visibility import Visibility
from vigie.posts.models import Comment, HelpDirection, HelpTopic, Post, PostImage, PostKind

if TYPE_CHECKING:
    from django.db.models.sql.compiler import _AsSqlType

FEED_PAGE_SIZE = 20
FEED_PAGE_MAX = 50


def visible_posts_for(user: object) -> QuerySet[Post]:
    if not isinstance(user, User) or not user.is_active:
        return Post.objects.none()
    my_communities = Membership.objects.filter(user=user, state__in=CURRENT_STATES).values(
        "community_id"
    )
    shown_to_me = Post.shown_to.through.objects.filter(post_id=OuterRef("pk"), user_id=user.pk)
    return (
        Post.objects.filter(community_id__in=Subquery(my_communities))
        .filter(
            ~Q(kind=PostKind.ABSENCE)
            | Q(author=user)
            | (Q(absence_until__gte=timezone.localdate()) & Exists(shown_to_me))
        )
        # Hidden by the team (reported, or removed): its author still reads it, and why.
        .filter(Q(visibility=Visibility.SHOWN) | Q(author=user))
    )


def _with_details(posts: QuerySet[Post]) -> QuerySet[Post]:
    """Everything a post's page shows, in two queries (its images apart, as model objects)."""
    return _with_counts(posts).prefetch_related("images")


class _JsonArray(Aggregate):
    """The rows aggregated into one JSON array, as text, on PostgreSQL and SQLite alike."""

    function = "JSON_AGG"
    output_field = TextField()

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> _AsSqlType:
        template = "%(function)s(%(distinct)s%(expressions)s)::text"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> _AsSqlType:
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra)


def _listed(posts: QuerySet[Post]) -> QuerySet[Post]:
    """Everything a list shows, its images included, in one query whatever the number of posts.

    A feed needs only each image's id and size: read with the post, as JSON, they
    spare the second query a prefetch makes for any page holding an image.
    """
    images = (
        PostImage.objects.filter(post_id=OuterRef("pk"))
        .order_by()
        .values("post_id")
        .annotate(rows=_JsonArray(JSONObject(id="id", width="width", height="height")))
        .values("rows")
    )
    return _with_counts(posts).annotate(image_rows=Subquery(images))


def _with_counts(posts: QuerySet[Post]) -> QuerySet[Post]:
    author_role = Membership.objects.filter(
        user_id=OuterRef("author_id"),
        community_id=OuterRef("community_id"),
        state__in=CURRENT_STATES,
    ).values("role")[:1]
    # A correlated count, not Count("comments"): the latter's GROUP BY makes
    # PostgreSQL aggregate every post of the community before the LIMIT applies.
    comment_count = (
        Comment.objects.filter(post_id=OuterRef("pk"), visibility=Visibility.SHOWN)
        .order_by()
        .values("post_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return posts.select_related("author", "community").annotate(
        comment_count=Coalesce(Subquery(comment_count), 0),
        author_role=Subquery(author_role),
    )


def access_post(user: object, post_id: int) -> Post:
    post = _with_details(visible_posts_for(user)).filter(pk=post_id).first()
    if post is None:
        raise NotFound()
    return post


def comments_of(post: Post, viewer: User) -> QuerySet[Comment]:
    """The comments of a post the caller already obtained through access_post.

    A comment the team hid shows to its author only.
    """
    return (
        post.comments.select_related("author")
        .filter(Q(visibility=Visibility.SHOWN) | Q(author=viewer))
        .order_by("created_at", "id")
    )


def access_comment(user: object, comment_id: int) -> Comment:
    comment = (
        Comment.objects.select_related("post", "author")
        .filter(pk=comment_id, post__in=visible_posts_for(user))
        .filter(Q(visibility=Visibility.SHOWN) | Q(author_id=getattr(user, "pk", None)))
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


@dataclass(frozen=True, slots=True)
class FeedImage:
    id: int
    width: int
    height: int
    url: str  # the API's address; pages build their own from the ids


@dataclass(frozen=True, slots=True)
class FeedItem:
    """A post as a list shows it: plain values, safe to remember and to share."""

    id: int
    community_id: int
    kind: str
    title: str
    body: str
    author_id: int
    author_name: str
    author_role: str | None
    created_at: datetime
    edited_at: datetime | None
    help_direction: str
    help_topic: str
    event_starts_at: datetime | None
    event_place: str
    absence_from: date | None
    absence_until: date | None
    comment_count: int
    images: tuple[FeedImage, ...]

    @property
    def pk(self) -> int:
        return self.id

    def kind_label(self) -> str:
        return str(PostKind(self.kind).label)

    def help_direction_label(self) -> str:
        return str(HelpDirection(self.help_direction).label) if self.help_direction else ""

    def help_topic_label(self) -> str:
        return str(HelpTopic(self.help_topic).label) if self.help_topic else ""


def _feed_images(post: Post) -> tuple[FeedImage, ...]:
    if not hasattr(post, "image_rows"):  # read through _with_details: the prefetched images
        found = [(image.pk, image.width, image.height) for image in post.images.all()]
    else:  # read through _listed: their JSON (none: NULL)
        listed: str | None = post.image_rows
        rows = json.loads(listed) if listed else []
        found = sorted((row["id"], row["width"], row["height"]) for row in rows)
    return tuple(
        FeedImage(
            id=image_id,
            width=width,
            height=height,
            url=reverse("api:post_image", kwargs={"post_id": post.pk, "image_id": image_id}),
        )
        for image_id, width, height in found
    )


def feed_item(post: Post) -> FeedItem:
    """From a post read through _with_details or _listed (its comment count, its author's role)."""
    return FeedItem(
        id=post.pk,
        community_id=post.community_id,
        kind=post.kind,
        title=post.title,
        body=post.body,
        author_id=post.author_id,
        author_name=post.author.display_name,
        author_role=getattr(post, "author_role", None),
        created_at=post.created_at,
        edited_at=post.edited_at,
        help_direction=post.help_direction,
        help_topic=post.help_topic,
        event_starts_at=post.event_starts_at,
        event_place=post.event_place,
        absence_from=post.absence_from,
        absence_until=post.absence_until,
        comment_count=getattr(post, "comment_count", 0),
        images=_feed_images(post),
    )


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    next_cursor: str | None
    member_count: int | None = None  # when asked for (``with_member_count``)


def _encode_cursor(item: FeedItem) -> str:
    raw = f"{item.created_at.isoformat()}|{item.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _bar, identifier = raw.partition("|")
        if len(identifier) > 19:  # ids are 64-bit
            raise ValueError(identifier)
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None or not 2000 <= parsed.year <= 2200:
            raise ValueError(moment)
        return parsed.astimezone(UTC), int(identifier)
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput({"cursor": [_("This page marker is not valid.")]}) from None


def feed_page(
    membership: Membership,
    *,
    cursor: str | None = None,
    kind: str | None = None,
    limit: int = FEED_PAGE_SIZE,
    with_member_count: bool = False,
) -> FeedPage:
    """Newest first, by cursor (stable while people post), a constant number of queries.

    ``membership`` comes from vigie.communities.access: its holder may read
    the community. What every member sees is remembered once for all of them
    (the community's feed family, bumped by any change that shows in it);
    the holiday absences shown to this member, apart, in the absences family
    that the rest of the feed's changes leave alone. When neither is
    remembered (both families were just bumped), one query reads both.
    ``with_member_count`` adds the community's member count (the page shows it),
    remembered in its own family (vigie.communities.access.member_count's entry):
    when it must be read with the posts, the posts' query carries it.
    """
    if kind and kind not in PostKind.values:
        raise InvalidInput({"kind": [_("Unknown kind of post.")]})
    after = _decode_cursor(cursor) if cursor else None
    limit = max(1, min(limit, FEED_PAGE_MAX))
    community_id, viewer_id = membership.community_id, membership.user_id
    today = timezone.localdate()

    def shared() -> QuerySet[Post]:
        posts = Post.objects.filter(community_id=community_id, visibility=Visibility.SHOWN).exclude(
            kind=PostKind.ABSENCE
        )
        if kind:
            posts = posts.filter(kind=kind)
        if after:
            posts = posts.filter(
                Q(created_at__lt=after[0]) | Q(created_at=after[0], pk__lt=after[1])
            )
        newest = posts.order_by("-created_at", "-pk").values("pk")[: limit + 1]
        # By id, so that it may join the absences in one UNION (SQLite refuses a LIMIT there).
        return Post.objects.filter(pk__in=newest)

    def absences() -> QuerySet[Post]:
        shown_to_me = Post.shown_to.through.objects.filter(
            post_id=OuterRef("pk"), user_id=viewer_id
        )
        return Post.objects.filter(community_id=community_id, kind=PostKind.ABSENCE).filter(
            Q(author_id=viewer_id)
            | (Q(absence_until__gte=today, visibility=Visibility.SHOWN) & Exists(shown_to_me))
        )

    readers = {}
    families = {}
    if kind != PostKind.ABSENCE:
        detail = f"shared|{kind or ''}|{_place(after)}|{limit}"
        readers[detail], families[detail] = shared, feed_family(community_id)
    if not kind or kind == PostKind.ABSENCE:
        detail = f"absences|{viewer_id}|{today}"
        readers[detail], families[detail] = absences, absences_family(community_id)

    if with_member_count:
        families[MEMBER_COUNT_DETAIL] = members_family(community_id)

    def listed(posts: QuerySet[Post], *, counting: bool) -> QuerySet[Post]:
        if not counting:
            return _listed(posts)
        # One number, the same in every row (PostgreSQL and SQLite compute it once).
        member_count = Subquery(
            counted_members(community_id)
            .order_by()
            .annotate(number=Func(F("pk"), function="COUNT", output_field=IntegerField()))
            .values("number")
        )
        return _listed(posts).annotate(member_count=member_count)

    def compute(missing: tuple[str, ...]) -> dict[str, tuple[FeedItem, ...] | int]:
        counting = MEMBER_COUNT_DETAIL in missing
        parts = [detail for detail in missing if detail != MEMBER_COUNT_DETAIL]
        found: dict[str, tuple[FeedItem, ...] | int] = {}
        posts: list[Post] = []
        if len(parts) == 1:
            posts = list(
                listed(readers[parts[0]](), counting=counting).order_by("-created_at", "-pk")
            )
            found[parts[0]] = tuple(feed_item(post) for post in posts)
        elif parts:
            posts = list(
                listed(shared(), counting=counting)
                .order_by()
                .union(listed(absences(), counting=counting).order_by(), all=True)
            )
            items = sorted(
                (feed_item(post) for post in posts),
                key=lambda item: (item.created_at, item.id),
                reverse=True,
            )
            # The shared part holds no absence, the reader's part nothing else.
            for detail in parts:
                found[detail] = tuple(
                    item
                    for item in items
                    if (item.kind == PostKind.ABSENCE) == detail.startswith("a")
                )
        if counting:
            # Without a post to carry it (an empty feed), the count is read on its own.
            found[MEMBER_COUNT_DETAIL] = (
                int(posts[0].member_count)  # type: ignore[attr-defined] # the annotation
                if posts
                else counted_members(community_id).count()
            )
        return found

    found = cache.remember_together(families, compute)
    count = found.pop(MEMBER_COUNT_DETAIL, None)
    rows = [
        item
        for detail, items in found.items()
        if isinstance(items, tuple)
        for item in items
        if not after or not detail.startswith("a") or (item.created_at, item.id) < after
    ]
    rows.sort(key=lambda item: (item.created_at, item.id), reverse=True)
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return FeedPage(
        items=rows[:limit],
        next_cursor=next_cursor,
        member_count=count if isinstance(count, int) else None,
    )


def _place(after: tuple[datetime, int] | None) -> str:
    return f"{after[0].isoformat()}|{after[1]}" if after else ""
