"""A feed's post cards, each rendered once per language and time zone, and kept.

A feed page shows twenty cards; rendering them took nine tenths of the page's
time. A card shows nothing that depends on its reader (no buttons, no form),
only the item (immutable: any change makes a new item), the language and the time
zone its times are shown in.
"""

from __future__ import annotations

import functools

from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

from vigie.lib.links import url_of
from vigie.posts.access import FeedItem

# A kept card weighs about 3.2 kB with its item (measured over 200 cards, 2026-12-03):
# 2,048 of them are 6.5 MB of a web worker, which must stay under 120 MB; 8,192, as
# before, would have been 26 MB once full, which the memory benchmark never fills.
CARDS_KEPT = 2048


@functools.lru_cache(maxsize=CARDS_KEPT)
def _card(item: FeedItem, language: str, time_zone: str) -> SafeString:
    return render_to_string(
        "posts/post_card.html", {"post": item, "url": url_of("posts:post", item.id)}
    )


def feed_cards(items: list[FeedItem]) -> SafeString:
    """The page's cards, in the language and the time zone of the request."""
    language, time_zone = get_language(), get_current_timezone_name()
    return format_html_join("", "{}", ((_card(item, language, time_zone),) for item in items))
