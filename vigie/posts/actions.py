"""Writers for posts, comments and images."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.accounts.models import User
from vigie.audit import events as audit
from vigie.communities.models import Membership, MembershipState
from vigie.lib import ratelimit
from vigie.lib.errors import Forbidden, InvalidInput, Message
from vigie.lib.validators import clean_multiline, clean_single_line
from vigie.posts.models import (
    BODY_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Comment,
    HelpDirection,
    HelpTopic,
    Post,
    PostImage,
    PostKind,
    PostRevision,
)

MAX_ABSENCE_DAYS = 120


@dataclass
class PostInput:
    """What a form or the API sends; which fields matter depends on the kind."""

    kind: str
    title: str
    body: str
    help_direction: str = ""
    help_topic: str = ""
    event_starts_at: datetime | None = None
    event_place: str = ""
    absence_from: date | None = None
    absence_until: date | None = None
    # Members (membership ids, as the directory lists them) who may see an absence.
    shown_to: Sequence[int] = field(default_factory=list)


@dataclass(frozen=True)
class _CleanPost:
    kind: str
    title: str
    body: str
    help_direction: str
    help_topic: str
    event_starts_at: datetime | None
    event_place: str
    absence_from: date | None
    absence_until: date | None
    shown_to: list[int]


def _check(errors: dict[str, list[Message]], field: str, clean: object) -> str:
    try:
        return clean()  # type: ignore[operator]
    except ValidationError as error:
        errors.setdefault(field, []).extend(error.messages)
        return ""


def _clean_post(data: PostInput, *, community_id: int, author: User) -> _CleanPost:
    errors: dict[str, list[Message]] = {}
    if data.kind not in PostKind.values:
        errors["kind"] = [_("Choose what you are posting.")]
    title = _check(
        errors, "title", lambda: clean_single_line(data.title, max_length=TITLE_MAX_LENGTH)
    )
    body = _check(errors, "body", lambda: clean_multiline(data.body, max_length=BODY_MAX_LENGTH))
    direction = topic = place = ""
    starts_at = None
    absence_from = absence_until = None
    shown_to: list[int] = []
    if data.kind == PostKind.MUTUAL_HELP:
        direction, topic = data.help_direction, data.help_topic
        if direction not in HelpDirection.values:
            errors["help_direction"] = [_("Say whether you offer or look for help.")]
        if topic not in HelpTopic.values:
            errors["help_topic"] = [_("Choose what the help is about.")]
    elif data.kind == PostKind.EVENT:
        starts_at = data.event_starts_at
        if starts_at is None:
            errors["event_starts_at"] = [_("Give the date and time of the event.")]
        elif starts_at < timezone.now() - timedelta(days=1):
            errors["event_starts_at"] = [_("This date has passed.")]
        place = _check(
            errors,
            "event_place",
            lambda: clean_single_line(data.event_place, max_length=PLACE_MAX_LENGTH),
        )
    elif data.kind == PostKind.ABSENCE:
        absence_from, absence_until = data.absence_from, data.absence_until
        today = timezone.localdate()
        if absence_from is None or absence_until is None:
            errors["absence_until"] = [_("Give the first and the last day of your absence.")]
        elif absence_until < absence_from:
            errors["absence_until"] = [_("The return comes after the departure.")]
        elif absence_until < today:
            errors["absence_until"] = [_("This absence is over already.")]
        elif (absence_until - absence_from).days > MAX_ABSENCE_DAYS:
            errors["absence_until"] = [
                _("An absence lasts %(days)d days at most.") % {"days": MAX_ABSENCE_DAYS}
            ]
        picked = set(data.shown_to) - set(
            Membership.objects.filter(pk__in=data.shown_to, user=author).values_list(
                "pk", flat=True
            )
        )
        # Only those the directory shows: probing ids must teach nothing it does not.
        neighbours = dict(
            Membership.objects.filter(
                community_id=community_id,
                pk__in=picked,
                state__in=[MembershipState.ACTIVE, MembershipState.SUSPENDED],
                listed_in_directory=True,
            ).values_list("pk", "user_id")
        )
        shown_to = sorted(neighbours.values())
        if not picked:
            errors["shown_to"] = [_("Pick the neighbours who may see your absence.")]
        elif set(neighbours) != picked:
            errors["shown_to"] = [_("Pick neighbours from this community's directory.")]
    if errors:
        raise InvalidInput(errors)
    return _CleanPost(
        kind=data.kind,
        title=title,
        body=body,
        help_direction=direction,
        help_topic=topic,
        event_starts_at=starts_at,
        event_place=place,
        absence_from=absence_from,
        absence_until=absence_until,
        shown_to=shown_to,
    )


def _store_images(post: Post, uploads: Sequence[UploadedFile]) -> list[PostImage]:
    # The post's row is locked so that two uploads at once cannot both pass the count.
    Post.objects.select_for_update().filter(pk=post.pk).first()
    if post.images.count() + len(uploads) > settings.POST_IMAGES_MAX:
        raise InvalidInput(
            {
                "images": [
                    _("At most %(count)d images per post.") % {"count": settings.POST_IMAGES_MAX}
                ]
            },
            code="too_many_images",
        )
    from vigie.posts.images import clean_image  # Pillow loads with the first image

    cleaned = [clean_image(upload) for upload in uploads]  # every check before any write
    stored = []
    for image in cleaned:
        # The name is made here: nothing of the sender's file name reaches the disk.
        name = f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"
        stored.append(
            PostImage.objects.create(
                post=post,
                file=ContentFile(image.content, name=name),
                width=image.width,
                height=image.height,
                size=len(image.content),
            )
        )
    return stored


@transaction.atomic
def do_create_post(
    membership: Membership, *, data: PostInput, images: Sequence[UploadedFile] = ()
) -> Post:
    """A member writes in their community (the caller checked the membership can write)."""
    ratelimit.hit("post", str(membership.user_id), rate=settings.RATE_POST)
    clean = _clean_post(data, community_id=membership.community_id, author=membership.user)
    post = Post.objects.create(
        community_id=membership.community_id,
        author=membership.user,
        kind=clean.kind,
        title=clean.title,
        body=clean.body,
        help_direction=clean.help_direction,
        help_topic=clean.help_topic,
        event_starts_at=clean.event_starts_at,
        event_place=clean.event_place,
        absence_from=clean.absence_from,
        absence_until=clean.absence_until,
    )
    if clean.shown_to:
        post.shown_to.set(clean.shown_to)
    _store_images(post, images)
    audit.post_created(post)
    return post


@transaction.atomic
def do_edit_post(post: Post, *, acting_user: User, data: PostInput) -> Post:
    """The author edits; the text before the edit is kept as a revision."""
    if post.author_id != acting_user.pk:
        raise Forbidden(_("Only the author can edit a post."), code="not_author")
    data.kind = post.kind  # a post keeps its kind
    clean = _clean_post(data, community_id=post.community_id, author=acting_user)
    PostRevision.objects.create(post=post, title=post.title, body=post.body)
    for name in (
        "title", "body", "help_direction", "help_topic", "event_starts_at", "event_place",
        "absence_from", "absence_until",
    ):  # fmt: skip
        setattr(post, name, getattr(clean, name))
    post.edited_at = timezone.now()
    post.save()
    if post.kind == PostKind.ABSENCE:
        post.shown_to.set(clean.shown_to)
    audit.post_edited(post, actor_id=acting_user.pk)
    return post


@transaction.atomic
def do_add_images(
    post: Post, *, acting_user: User, images: Sequence[UploadedFile]
) -> list[PostImage]:
    if post.author_id != acting_user.pk:
        raise Forbidden(_("Only the author can add images."), code="not_author")
    return _store_images(post, images)


@transaction.atomic
def do_delete_post(post: Post, *, acting_user: User) -> None:
    if post.author_id != acting_user.pk:
        raise Forbidden(_("Only the author can delete a post."), code="not_author")
    files = [image.file.name for image in post.images.all() if image.file.name]
    audit.post_deleted(post, actor_id=acting_user.pk)
    post.delete()
    _delete_files_after_commit(files)


@transaction.atomic
def do_add_comment(post: Post, *, membership: Membership, body: str) -> Comment:
    ratelimit.hit("comment", str(membership.user_id), rate=settings.RATE_COMMENT)
    try:
        clean_body = clean_multiline(body, max_length=COMMENT_MAX_LENGTH)
    except ValidationError as error:
        raise InvalidInput({"body": error.messages}) from None
    comment = Comment.objects.create(post=post, author=membership.user, body=clean_body)
    audit.comment_created(comment)
    return comment


@transaction.atomic
def do_delete_comment(comment: Comment, *, acting_user: User) -> None:
    if comment.author_id != acting_user.pk:
        raise Forbidden(_("Only the author can delete a comment."), code="not_author")
    audit.comment_deleted(comment, actor_id=acting_user.pk)
    comment.delete()


def _delete_files_after_commit(names: list[str]) -> None:
    # Files are not transactional: removing them before the commit could leave
    # rows pointing at nothing if the transaction rolls back.
    storage = PostImage._meta.get_field("file").storage

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
