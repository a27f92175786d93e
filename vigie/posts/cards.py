"""A feed's post cards, each rendered once per language and kept.

A feed page shows twenty cards; rendering them took nine tenths of the page's
time. A card shows nothing that depends on its reader (no buttons, no form),
only the item (immutable: any change makes a new item) and the language.
"""

from __future__ import annotations

import functools

from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from vigie.lib.links import url_of
from vigie.posts.access import FeedItem


@functools.lru_cache(maxsize=8192)
def _card(item: FeedItem, language: str) -> SafeString:
    return render_to_string(
        "posts/post_card.html", {"post": item, "url": url_of("posts:post", item.id)}
    )


def feed_cards(items: list[FeedItem]) -> SafeString:
    """The page's cards, in the language of the request."""
    language = get_language()
    return format_html_join("", "{}", ((_card(item, language),) for item in items))
