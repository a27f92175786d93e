"""What a community's page shows, split as vigie.lib.frames renders it: frame and slots.

The frame holds nothing of any one community (no name, no id, no link of its own), only
what a reader's role and rights and the page's state decide, so a few dozen frames serve
every community of the site from each web worker, however many communities there are.
"""

from __future__ import annotations

from collections.abc import Hashable

from django.conf import settings
from django.utils.translation import ngettext

from vigie.communities.models import Membership
from vigie.lib.links import url_of
from vigie.posts.access import FeedPage
from vigie.posts.cards import feed_cards
from vigie.posts.models import PostKind

# Each link of a community's page: its slot and the URL's name.
LINKS = {
    "write_alert_url": "alerts:write",
    "write_post_url": "posts:write",
    "alerts_url": "alerts:list",
    "directory_url": "communities:directory",
    "moderation_url": "moderation:summary",
    "settings_url": "communities:settings",
}


def community_links(community_id: int) -> dict[str, str]:
    """The community's page's links (their slots), as reverse() makes them."""
    return {slot: url_of(name, community_id) for slot, name in LINKS.items()}


def community_frame(
    membership: Membership, page: FeedPage, *, kind: str | None
) -> dict[str, Hashable]:
    """The same for every member with this role and these rights, in any community."""
    community = membership.community
    return {
        "is_neighbourhood": community.is_neighbourhood,
        "has_boundary": bool(community.boundary),
        "can_write": membership.can_write,
        "can_change_settings": membership.is_referent,
        "kind": kind,
        "has_posts": bool(page.items),
        "has_older": page.next_cursor is not None,
        # Plain strings: a lazy label's hash follows the language active when it is taken.
        "kinds": tuple((value, str(label)) for value, label in PostKind.choices),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }


def community_slots(membership: Membership, page: FeedPage) -> dict[str, str]:
    """Filled in per request: the community's own name, links and boundary, and what
    changes with every post, comment and member."""
    community = membership.community
    count = page.member_count or 0
    return {
        "name": community.name,
        "commune_name": community.commune_name,
        "boundary": community.boundary,
        "member_count": ngettext("%(count)s neighbour", "%(count)s neighbours", count)
        % {"count": count},
        "cards": feed_cards(page.items),
        "next_cursor": page.next_cursor or "",
        **community_links(community.pk),
    }
