"""/api/v1/communities/{id}/posts, /posts, /comments: thin handlers over posts' actions."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Field as SchemaField
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from vigie.accounts.models import User
from vigie.api.auth import member_auth
from vigie.api.schemas import ERRORS, Id
from vigie.communities import access as community_access
from vigie.posts import access, actions
from vigie.posts.presenters import comment_out, feed_json, post_detail_out, post_out
from vigie.posts.schemas import (
    CommentIn,
    CommentOut,
    FeedOut,
    ImageOut,
    PostDetailOut,
    PostEditIn,
    PostIn,
    PostOut,
)

router = Router(tags=["posts"], auth=member_auth)


def _caller(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


class FeedQuery(Schema):
    cursor: str | None = SchemaField(default=None, max_length=200)
    kind: str | None = SchemaField(default=None, max_length=16)
    limit: int = SchemaField(default=20, ge=1, le=50)


@router.get(
    "/communities/{int:community_id}/posts", response={200: FeedOut, **ERRORS}, summary="Feed"
)
def feed(request: HttpRequest, community_id: Id, filters: Query[FeedQuery]) -> HttpResponse:
    """Newest first; follow next_cursor for older posts."""
    user = _caller(request)
    page = access.feed_page(
        community_access.membership_in(user, community_id),
        cursor=filters.cursor,
        kind=filters.kind,
        limit=filters.limit,
    )
    return HttpResponse(feed_json(page, viewer=user), content_type="application/json")


@router.post(
    "/communities/{int:community_id}/posts",
    response={201: PostOut, **ERRORS},
    summary="Write a post",
)
def create_post(request: HttpRequest, community_id: Id, payload: PostIn) -> Status[PostOut]:
    """A suspended member gets 403 ``suspended``. Images go with POST /posts/{id}/images."""
    user = _caller(request)
    membership = community_access.writable_membership(user, community_id)
    post = actions.do_create_post(membership, data=payload.to_input())
    return Status(201, post_out(access.feed_item(access.access_post(user, post.pk)), viewer=user))


@router.get("/posts/{int:post_id}", response={200: PostDetailOut, **ERRORS})
def post(request: HttpRequest, post_id: Id) -> PostDetailOut:
    user = _caller(request)
    found = access.access_post(user, post_id)
    return post_detail_out(found, list(access.comments_of(found, user)), viewer=user)


@router.patch("/posts/{int:post_id}", response={200: PostOut, **ERRORS}, summary="Edit my post")
def edit_post(request: HttpRequest, post_id: Id, payload: PostEditIn) -> PostOut:
    """The previous text is kept in the post's history."""
    user = _caller(request)
    found = access.access_post(user, post_id)
    community_access.writable_membership(user, found.community_id)
    actions.do_edit_post(found, acting_user=user, data=payload.to_input())
    return post_out(access.feed_item(access.access_post(user, post_id)), viewer=user)


@router.delete("/posts/{int:post_id}", response={204: None, **ERRORS}, summary="Delete my post")
def delete_post(request: HttpRequest, post_id: Id) -> Status[None]:
    user = _caller(request)
    found = access.access_post(user, post_id)
    # A suspended member keeps what is under review: deleting is writing.
    community_access.writable_membership(user, found.community_id)
    actions.do_delete_post(found, acting_user=user)
    return Status(204, None)


@router.post("/posts/{int:post_id}/images", response={201: list[ImageOut], **ERRORS})
def add_images(
    request: HttpRequest, post_id: Id, images: File[list[UploadedFile]]
) -> Status[list[ImageOut]]:
    """JPEG, PNG or WebP; re-encoded without any metadata (multipart field ``images``)."""
    user = _caller(request)
    found = access.access_post(user, post_id)
    community_access.writable_membership(user, found.community_id)
    actions.do_add_images(found, acting_user=user, images=images)
    return Status(
        201, post_out(access.feed_item(access.access_post(user, post_id)), viewer=user).images
    )


@router.get(
    "/posts/{int:post_id}/images/{int:image_id}",
    url_name="post_image",
    response={200: None, **ERRORS},
)
def image(request: HttpRequest, post_id: Id, image_id: Id) -> FileResponse:
    """The image itself, for those who may see the post."""
    found = access.access_image(_caller(request), post_id, image_id)
    return FileResponse(found.file.open("rb"), content_type="image/jpeg")


@router.post("/posts/{int:post_id}/comments", response={201: CommentOut, **ERRORS})
def comment(request: HttpRequest, post_id: Id, payload: CommentIn) -> Status[CommentOut]:
    user = _caller(request)
    found = access.access_post(user, post_id)
    membership = community_access.writable_membership(user, found.community_id)
    created = actions.do_add_comment(found, membership=membership, body=payload.body)
    return Status(201, comment_out(created, viewer=user))


@router.delete(
    "/comments/{int:comment_id}", response={204: None, **ERRORS}, summary="Delete my comment"
)
def delete_comment(request: HttpRequest, comment_id: Id) -> Status[None]:
    user = _caller(request)
    comment = access.access_comment(user, comment_id)
    community_access.writable_membership(user, comment.post.community_id)
    actions.do_delete_comment(comment, acting_user=user)
    return Status(204, None)
