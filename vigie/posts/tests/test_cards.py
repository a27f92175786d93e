"""The feed's cards, kept per item, language and time zone (vigie.posts.cards)."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from vigie.communities.access import membership_in
from vigie.posts.access import feed_page
from vigie.posts.cards import feed_cards
from vigie.posts.models import Post, PostKind
from vigie.test import Personas, neighbourhood_a

pytestmark = pytest.mark.django_db


def test_it_shows_a_kept_card_in_each_readers_language_and_time_zone(
    personas: Personas,
) -> None:
    a = neighbourhood_a()
    post = Post.objects.create(
        community=a,
        author=personas.dave,
        kind=PostKind.INFORMATION,
        title="Ramassage <des> encombrants",
        body="Ligne une\nligne deux",
        created_at=datetime(2026, 12, 3, 17, 5, tzinfo=UTC),
    )
    items = feed_page(membership_in(personas.alice, a.pk), cursor=None, kind=None).items
    shown = {}
    for language in ("fr", "en"):
        for zone in ("Europe/Paris", "America/Cayenne"):
            with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
                shown[language, zone] = str(feed_cards(items))
    assert "18:05" in shown["fr", "Europe/Paris"]
    assert "14:05" in shown["fr", "America/Cayenne"]
    assert "commentaire" in shown["fr", "Europe/Paris"]
    assert "comment" in shown["en", "Europe/Paris"]
    assert "commentaire" not in shown["en", "Europe/Paris"]
    for page in shown.values():
        assert "Ramassage &lt;des&gt; encombrants" in page
        assert "<p>Ligne une<br>ligne deux</p>" in page
        assert f'href="{reverse("posts:post", args=[post.pk])}"' in page


def test_it_cuts_a_long_body_at_sixty_words_keeping_its_lines_and_escaping(
    personas: Personas,
) -> None:
    a = neighbourhood_a()
    words = [f"mot{number}" for number in range(70)]
    Post.objects.create(
        community=a,
        author=personas.dave,
        kind=PostKind.INFORMATION,
        title="Long",
        body="<b>Gras</b>\n" + " ".join(words),
    )
    items = feed_page(membership_in(personas.alice, a.pk), cursor=None, kind=None).items

    card = str(feed_cards(items))

    assert "&lt;b&gt;Gras&lt;/b&gt;<br>mot0 mot1" in card
    assert "mot58 …" in card  # "Gras" is the first of the sixty words
    assert "mot59" not in card
    assert "<b>" not in card


def test_it_shows_at_most_six_lines_of_a_body_made_of_blank_lines(personas: Personas) -> None:
    a = neighbourhood_a()
    Post.objects.create(
        community=a,
        author=personas.dave,
        kind=PostKind.INFORMATION,
        title="Vide",
        body="\n".join(["haut", *[""] * 2000, *[f"mot{number}" for number in range(500)]]),
    )
    items = feed_page(membership_in(personas.alice, a.pk), cursor=None, kind=None).items

    card = str(feed_cards(items))

    assert "<p>haut<br><br>mot0<br>mot1<br>mot2<br>mot3 …</p>" in card
