"""What a community's page shows, split as vigie.lib.frames renders it: frame and slots."""

from __future__ import annotations

from collections.abc import Hashable

from django.conf import settings
from django.utils.translation import ngettext

from vigie.communities.models import Membership, Role
from vigie.posts.access import FeedPage
from vigie.posts.cards import feed_cards
from vigie.posts.models import PostKind


def community_frame(
    membership: Membership, page: FeedPage, *, kind: str | None
) -> dict[str, Hashable]:
    """The same for every member with this role and these rights, whichever posts show."""
    community = membership.community
    return {
        "community_id": community.pk,
        "name": community.name,
        "commune_name": community.commune_name,
        "is_neighbourhood": community.is_neighbourhood,
        "has_boundary": bool(community.boundary),
        "can_write": membership.can_write,
        "can_change_settings": membership.role in (Role.REFERENT, Role.DEPUTY),
        "kind": kind,
        "has_posts": bool(page.items),
        "has_older": page.next_cursor is not None,
        "kinds": tuple(PostKind.choices),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }


def community_slots(membership: Membership, page: FeedPage) -> dict[str, str]:
    """Filled in per request: what changes with every post, comment and member, and the
    map's boundary (a commune's can weigh a hundred kilobytes, too much to keep)."""
    count = page.member_count or 0
    return {
        "boundary": membership.community.boundary,
        "member_count": ngettext("%(count)s neighbour", "%(count)s neighbours", count)
        % {"count": count},
        "cards": feed_cards(page.items),
        "next_cursor": page.next_cursor or "",
    }
