"""Keeping the cached feeds true (see vigie.lib.cache and posts.access.feed_page).

A community's feed family is bumped by anything its shared part shows: a post,
its comments (their number), its images; its absences family by the same for a
holiday absence, and by who may see one; both by the name an author shows.
Memberships (the role shown next to authors) bump both from
vigie.communities.caching. A post never changes kind (posts.actions), so its
kind tells which part of the feed it shows in.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from vigie.accounts.models import User
from vigie.communities.access import absences_family, feed_families, feed_family
from vigie.communities.models import Membership
from vigie.lib import cache
from vigie.posts.models import Comment, Post, PostImage, PostKind

# What an author shows of themselves in a feed.
SHOWN_FIELDS = {"display_name", "nickname", "first_name", "last_name", "is_active"}


def _family_of(community_id: int, kind: str) -> str:
    """The part of the feed where a post of this kind shows."""
    return absences_family(community_id) if kind == PostKind.ABSENCE else feed_family(community_id)


def _post_changed(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    cache.bump(_family_of(instance.community_id, instance.kind))


def _part_changed(
    sender: type[Comment | PostImage], instance: Comment | PostImage, **kwargs: Any
) -> None:
    # A post's own deletion cascades here too; it bumps the feed itself.
    found = Post.objects.filter(pk=instance.post_id).values_list("community_id", "kind")
    for community_id, kind in found:
        cache.bump(_family_of(community_id, kind))


def _audience_changed(sender: object, instance: Post, action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        cache.bump(_family_of(instance.community_id, instance.kind))


def _author_changed(sender: type[User], instance: User, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not SHOWN_FIELDS & set(update_fields):
        return  # the login's last_login, a new password: nothing a feed shows
    communities = Membership.objects.filter(user_id=instance.pk).values_list(
        "community_id", flat=True
    )
    cache.bump(*(family for community_id in communities for family in feed_families(community_id)))


def connect() -> None:
    for signal, name in ((post_save, "saved"), (post_delete, "deleted")):
        signal.connect(_post_changed, sender=Post, dispatch_uid=f"feed-post-{name}")
        signal.connect(_part_changed, sender=Comment, dispatch_uid=f"feed-comment-{name}")
        signal.connect(_part_changed, sender=PostImage, dispatch_uid=f"feed-image-{name}")
    m2m_changed.connect(
        _audience_changed, sender=Post.shown_to.through, dispatch_uid="feed-audience"
    )
    post_save.connect(_author_changed, sender=User, dispatch_uid="feed-author-saved")
