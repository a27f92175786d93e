"""Turning posts into what the API and pages show: display names, never more."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from vigie.accounts.models import User
from vigie.posts.models import Comment, Post
from vigie.posts.schemas import AuthorOut, CommentOut, ImageOut, PostDetailOut, PostOut


def author_out(author: User, *, role: str | None, viewer: User) -> AuthorOut:
    return AuthorOut(display_name=author.display_name, role=role, is_me=author.pk == viewer.pk)


def post_out(post: Post, *, viewer: User) -> PostOut:
    return PostOut(**_post_fields(post, viewer=viewer))


def _post_fields(post: Post, *, viewer: User) -> dict[str, Any]:
    return {
        "id": post.pk,
        "community_id": post.community_id,
        "kind": post.kind,
        "title": post.title,
        "body": post.body,
        "author": author_out(post.author, role=getattr(post, "author_role", None), viewer=viewer),
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "help_direction": post.help_direction,
        "help_topic": post.help_topic,
        "event_starts_at": post.event_starts_at,
        "event_place": post.event_place,
        "absence_from": post.absence_from,
        "absence_until": post.absence_until,
        "comment_count": getattr(post, "comment_count", 0),
        "images": [
            ImageOut(
                id=image.pk,
                width=image.width,
                height=image.height,
                url=reverse("api:post_image", kwargs={"post_id": post.pk, "image_id": image.pk}),
            )
            for image in post.images.all()
        ],
        "can_edit": post.author_id == viewer.pk,
    }


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
        **_post_fields(post, viewer=viewer),
        comments=[comment_out(comment, viewer=viewer) for comment in comments],
    )
