"""{% feed_card item %}: a post's card, rendered once per language and kept.

A feed page shows twenty cards; rendering them took nine tenths of the page's
time. A card shows nothing that depends on its reader (no buttons, no form),
only the item (immutable: any change makes a new item) and the language.
"""

from __future__ import annotations

import functools

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from vigie.posts.access import FeedItem

register = template.Library()


@functools.lru_cache(maxsize=8192)
def _card(item: FeedItem, language: str) -> SafeString:
    return render_to_string("posts/post_card.html", {"post": item})


@register.simple_tag
def feed_card(item: FeedItem) -> SafeString:
    return _card(item, get_language())
