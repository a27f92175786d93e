"""The feed's queries: few, and as many for a busy neighbourhood as for a quiet one.

Counts, not timings (speed is bench/feed.py's): a cold cache is the worst case,
right after anything bumped the community's feed family. The busy neighbourhood
has what once cost a query more each: images, comments, holiday absences shown
to the reader and their own, and thousands of posts.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vigie.accounts.models import User
from vigie.communities.access import counted_members
from vigie.communities.models import Community, Membership
from vigie.posts.models import Comment, Post, PostImage, PostKind
from vigie.test import Personas, forget_shared_cache, log_in_as, neighbourhood_a, neighbourhood_b

pytestmark = pytest.mark.django_db

# bench/feed.py's target: session, account, memberships, feed.
API_QUERIES = 4
# The page shows the number of members too: read with the posts when both are forgotten.
PAGE_QUERIES = API_QUERIES


def fill(community: Community, *, author: User, reader: User, posts: int) -> None:
    now = timezone.now()
    Post.objects.bulk_create(
        Post(
            community=community,
            author=author,
            kind=PostKind.INFORMATION,
            title=f"Message {number}",
            body="Bonjour",
            created_at=now - timedelta(minutes=number + 10),
        )
        for number in range(posts)
    )
    newest = list(Post.objects.filter(community=community).order_by("-created_at")[:5])
    PostImage.objects.bulk_create(
        PostImage(post=post, file=f"posts/{post.pk}.jpg", width=800, height=600, size=1000)
        for post in newest
    )
    Comment.objects.bulk_create(Comment(post=post, author=reader, body="Merci") for post in newest)
    today = timezone.localdate()
    shown = Post.objects.create(
        community=community,
        author=author,
        kind=PostKind.ABSENCE,
        title="Absent",
        body="Merci de jeter un œil.",
        absence_from=today,
        absence_until=today + timedelta(days=5),
    )
    shown.shown_to.add(reader)
    Post.objects.create(
        community=community,
        author=reader,
        kind=PostKind.ABSENCE,
        title="Je pars",
        body="Une semaine.",
        absence_from=today,
        absence_until=today + timedelta(days=7),
    )


def queries(client: Client, url: str) -> int:
    forget_shared_cache()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("surface", "most"),
    [("/api/v1/communities/{id}/posts", API_QUERIES), ("/quartiers/{id}/", PAGE_QUERIES)],
)
def test_it_serves_a_cold_feed_in_as_few_queries_for_a_busy_neighbourhood_as_a_quiet_one(
    personas: Personas, surface: str, most: int
) -> None:
    quiet, busy = neighbourhood_b(), neighbourhood_a()
    Post.objects.create(
        community=quiet, author=personas.mallory, kind=PostKind.INFORMATION, title="Seul", body="."
    )
    fill(busy, author=personas.dave, reader=personas.alice, posts=2000)
    mallory = log_in_as(Client(), personas.mallory)
    alice = log_in_as(Client(), personas.alice)

    in_quiet = queries(mallory, surface.format(id=quiet.pk))
    in_busy = queries(alice, surface.format(id=busy.pk))

    assert in_busy == in_quiet
    assert in_busy <= most


def test_it_reads_the_next_page_of_a_busy_feed_in_as_few_queries(personas: Personas) -> None:
    busy = neighbourhood_a()
    fill(busy, author=personas.dave, reader=personas.alice, posts=2000)
    alice = log_in_as(Client(), personas.alice)
    url = f"/api/v1/communities/{busy.pk}/posts"
    first = alice.get(url).json()

    after = queries(alice, f"{url}?cursor={first['next_cursor']}")

    assert after <= API_QUERIES


def page(client: Client, community: Community) -> tuple[int, int]:
    """The page's member count, and the queries it took, the cache as it is."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/quartiers/{community.pk}/")
    assert response.status_code == 200
    shown = re.search(r'class="lead">[^<]* · (\d+) (?:neighbour|voisin)', response.content.decode())
    assert shown is not None
    return int(shown.group(1)), len(captured)


def test_it_reads_the_posts_again_after_a_post_and_keeps_the_member_count(
    personas: Personas,
) -> None:
    from vigie.posts.actions import PostInput, do_create_post

    a = neighbourhood_a()
    alice = log_in_as(Client(), personas.alice)
    forget_shared_cache()
    page(alice, a)
    do_create_post(
        Membership.objects.get(user=personas.dave, community=a),
        data=PostInput(kind="information", title="Nouveau", body="Bonjour."),
    )

    count, taken = page(alice, a)

    assert count == counted_members(a.pk).count()
    assert taken == 1  # the posts; the count stayed remembered


def test_it_counts_a_neighbour_gone_with_the_posts_in_one_query(personas: Personas) -> None:
    from vigie.communities.actions import do_leave_community

    a = neighbourhood_a()
    Post.objects.create(
        community=a, author=personas.alice, kind=PostKind.INFORMATION, title="Là", body="."
    )
    alice = log_in_as(Client(), personas.alice)
    forget_shared_cache()
    before, _taken = page(alice, a)
    leaving = Membership.objects.get(user=personas.dave, community=a)
    do_leave_community(leaving, acting_user=personas.dave)

    after, taken = page(alice, a)

    assert after == before - 1 == counted_members(a.pk).count()
    assert taken == 1  # a membership bumps the feed too: one query reads both again


def test_it_counts_the_members_of_a_neighbourhood_without_posts(personas: Personas) -> None:
    b = neighbourhood_b()
    Post.objects.filter(community=b).delete()
    mallory = log_in_as(Client(), personas.mallory)
    forget_shared_cache()

    count, _taken = page(mallory, b)

    assert count == counted_members(b.pk).count() >= 1
