"""Keeping cached memberships, member counts and feeds true (see vigie.lib.cache).

A membership is remembered in its person's family; the number of members in
the community's ``members`` family; the role shown next to each author in the
community's ``feed`` family. Any change to one bumps all three.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models.signals import post_delete, post_save

from vigie.accounts.backends import person_family
from vigie.communities.access import feed_families, members_family
from vigie.communities.models import Community, Membership
from vigie.lib import cache


def memberships_changed(*, user_ids: Iterable[int], community_ids: Iterable[int]) -> None:
    """For changes made without saving each row (QuerySet.update), and by the receivers."""
    communities = set(community_ids)
    cache.bump(
        *(person_family(user_id) for user_id in set(user_ids)),
        *(members_family(community_id) for community_id in communities),
        *(family for community_id in communities for family in feed_families(community_id)),
    )


def _membership_changed(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    memberships_changed(user_ids=[instance.user_id], community_ids=[instance.community_id])


def _community_changed(sender: type[Community], instance: Community, **kwargs: Any) -> None:
    # Memberships are remembered with their community (its name, its boundary).
    members = Membership.objects.filter(community_id=instance.pk).values_list("user_id", flat=True)
    memberships_changed(user_ids=list(members), community_ids=[instance.pk])


def connect() -> None:
    for signal, name in ((post_save, "saved"), (post_delete, "deleted")):
        signal.connect(_membership_changed, sender=Membership, dispatch_uid=f"membership-{name}")
        signal.connect(_community_changed, sender=Community, dispatch_uid=f"community-{name}")
