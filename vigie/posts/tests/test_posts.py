from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vigie.communities.actions import do_set_directory_listing
from vigie.communities.models import Membership
from vigie.posts.models import Post, PostKind, PostRevision
from vigie.test import (
    Personas,
    Response,
    forget_shared_cache,
    log_in_as,
    neighbourhood_a,
    neighbourhood_b,
)

pytestmark = pytest.mark.django_db


def listed(membership: Membership) -> Membership:
    return do_set_directory_listing(membership, listed=True)


def write(client: Client, community_id: int, **fields: object) -> Response:
    body = {"kind": "information", "title": "Bonjour", "body": "Un message", **fields}
    return client.post(
        f"/api/v1/communities/{community_id}/posts", body, content_type="application/json"
    )


def test_it_publishes_each_kind_of_post(client: Client, personas: Personas) -> None:
    a = neighbourhood_a().pk
    log_in_as(client, personas.alice)
    dave = listed(Membership.objects.get(user=personas.dave, community_id=a))
    tomorrow = timezone.localdate() + timedelta(days=1)

    answers = [
        write(client, a),
        write(client, a, kind="mutual_help", help_direction="offer", help_topic="lending"),
        write(
            client, a, kind="event", event_place="Place de la Mairie",
            event_starts_at=(timezone.now() + timedelta(days=3)).isoformat(),
        ),
        write(
            client, a, kind="absence", absence_from=tomorrow.isoformat(),
            absence_until=(tomorrow + timedelta(days=10)).isoformat(), shown_to=[dave.pk],
        ),
    ]  # fmt: skip

    assert [answer.status_code for answer in answers] == [201] * 4
    assert [answer.json()["kind"] for answer in answers] == list(PostKind.values)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"body": "x" * 5001}, "body"),
        ({"body": "bad\u0000text"}, None),
        ({"kind": "rumour"}, "kind"),
        ({"kind": "mutual_help", "help_direction": "offer"}, "help_topic"),
        ({"kind": "event", "event_place": "Ici"}, "event_starts_at"),
        (
            {"kind": "absence", "absence_from": "2026-12-20", "absence_until": "2026-12-10"},
            "absence_until",
        ),
    ],
)
def test_it_refuses_a_bad_post_and_stores_nothing(
    client: Client, personas: Personas, fields: dict[str, object], field: str | None
) -> None:
    log_in_as(client, personas.alice)

    response = write(client, neighbourhood_a().pk, **fields)

    assert response.status_code in (400, 422)
    if field:
        assert field in {error["field"] for error in response.json()["errors"]}
    assert not Post.objects.exists()


def test_it_keeps_the_history_of_an_edited_post(client: Client, personas: Personas) -> None:
    log_in_as(client, personas.alice)
    post_id = write(client, neighbourhood_a().pk, title="Avant", body="Texte avant").json()["id"]

    edited = client.patch(
        f"/api/v1/posts/{post_id}",
        {"title": "Après", "body": "Texte après"},
        content_type="application/json",
    )

    assert edited.status_code == 200
    assert edited.json()["title"] == "Après"
    assert edited.json()["edited_at"] is not None
    revision = PostRevision.objects.get(post_id=post_id)
    assert (revision.title, revision.body) == ("Avant", "Texte avant")


def test_it_lets_only_the_author_edit_or_delete(client: Client, personas: Personas) -> None:
    post_id = write(log_in_as(Client(), personas.alice), neighbourhood_a().pk).json()["id"]
    log_in_as(client, personas.dave)

    edit = client.patch(
        f"/api/v1/posts/{post_id}",
        {"title": "Pirate", "body": "x"},
        content_type="application/json",
    )
    delete = client.delete(f"/api/v1/posts/{post_id}")

    assert edit.status_code == delete.status_code == 403
    assert Post.objects.get(pk=post_id).title == "Bonjour"


def test_it_deletes_a_post_with_its_comments(client: Client, personas: Personas) -> None:
    log_in_as(client, personas.alice)
    post_id = write(client, neighbourhood_a().pk).json()["id"]
    client.post(
        f"/api/v1/posts/{post_id}/comments", {"body": "Merci"}, content_type="application/json"
    )

    assert client.delete(f"/api/v1/posts/{post_id}").status_code == 204
    assert client.get(f"/api/v1/posts/{post_id}").status_code == 404


def test_it_answers_404_for_a_comment_on_a_post_one_cannot_see(
    client: Client, personas: Personas
) -> None:
    post_id = write(log_in_as(Client(), personas.alice), neighbourhood_a().pk).json()["id"]
    log_in_as(client, personas.mallory)

    comment = client.post(
        f"/api/v1/posts/{post_id}/comments", {"body": "Coucou"}, content_type="application/json"
    )
    read = client.get(f"/api/v1/posts/{post_id}")
    missing = client.get("/api/v1/posts/999999")

    assert comment.status_code == read.status_code == missing.status_code == 404
    assert read.json() == missing.json()


def test_it_shows_an_absence_only_to_picked_neighbours_until_the_return(
    client: Client, personas: Personas
) -> None:
    a = neighbourhood_a().pk
    dave = listed(Membership.objects.get(user=personas.dave, community_id=a))
    tomorrow = timezone.localdate() + timedelta(days=1)
    log_in_as(client, personas.alice)
    post_id = write(
        client, a, kind="absence", absence_from=tomorrow.isoformat(),
        absence_until=(tomorrow + timedelta(days=5)).isoformat(), shown_to=[dave.pk],
    ).json()["id"]  # fmt: skip
    dave_client = log_in_as(Client(), personas.dave)
    sam_client = log_in_as(Client(), personas.sam)

    assert dave_client.get(f"/api/v1/posts/{post_id}").status_code == 200
    assert sam_client.get(f"/api/v1/posts/{post_id}").status_code == 404
    assert post_id not in [
        p["id"] for p in sam_client.get(f"/api/v1/communities/{a}/posts").json()["items"]
    ]
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        log_in_as(dave_client, personas.dave)
        assert dave_client.get(f"/api/v1/posts/{post_id}").status_code == 404


def test_it_refuses_to_show_an_absence_to_someone_of_another_neighbourhood(
    client: Client, personas: Personas
) -> None:
    mallory = Membership.objects.get(user=personas.mallory, community=neighbourhood_b())
    tomorrow = timezone.localdate() + timedelta(days=1)
    log_in_as(client, personas.alice)

    response = write(
        client, neighbourhood_a().pk, kind="absence", absence_from=tomorrow.isoformat(),
        absence_until=(tomorrow + timedelta(days=5)).isoformat(), shown_to=[mallory.pk],
    )  # fmt: skip

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "shown_to"


def test_it_lets_an_absence_be_shown_only_to_neighbours_in_the_directory(
    client: Client, personas: Personas
) -> None:
    a = neighbourhood_a().pk
    unlisted = Membership.objects.get(user=personas.dave, community_id=a)
    tomorrow = timezone.localdate() + timedelta(days=1)
    log_in_as(client, personas.alice)

    refused = write(
        client, a, kind="absence", absence_from=tomorrow.isoformat(),
        absence_until=(tomorrow + timedelta(days=5)).isoformat(), shown_to=[unlisted.pk],
    )  # fmt: skip

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "shown_to"
    assert not Post.objects.exists()


def test_it_pages_the_feed_by_cursor(client: Client, personas: Personas) -> None:
    a = neighbourhood_a()
    for number in range(25):
        Post.objects.create(
            community=a, author=personas.alice, kind="information", title=f"N{number}", body="."
        )
    log_in_as(client, personas.dave)

    first = client.get(f"/api/v1/communities/{a.pk}/posts").json()
    second = client.get(
        f"/api/v1/communities/{a.pk}/posts", {"cursor": first["next_cursor"]}
    ).json()

    titles = [post["title"] for post in first["items"] + second["items"]]
    assert titles == [f"N{number}" for number in range(24, -1, -1)]
    assert second["next_cursor"] is None
    bad = client.get(f"/api/v1/communities/{a.pk}/posts", {"cursor": "!!!"})
    assert bad.status_code == 422


@pytest.mark.parametrize(
    "marker",
    [
        "0001-01-01T00:00:00+14:00|1",  # before the year 1 in UTC
        "9999-12-31T23:59:59-14:00|1",  # after the year 9999 in UTC
        "2026-01-01T00:00:00|1",  # no time zone
        "2026-01-01T00:00:00+00:00|" + "9" * 4000,  # an id far beyond 64 bits
        "2026-01-01T00:00:00+00:00|x",
    ],
)
def test_it_refuses_a_bad_page_marker_on_the_api_and_the_page(
    client: Client, personas: Personas, marker: str
) -> None:
    a = neighbourhood_a().pk
    cursor = base64.urlsafe_b64encode(marker.encode()).decode().rstrip("=")
    log_in_as(client, personas.alice)

    api = client.get(f"/api/v1/communities/{a}/posts", {"cursor": cursor[:200]})
    page = client.get(f"/quartiers/{a}/", {"suite": cursor})

    assert (api.status_code, api.json()["code"]) == (422, "invalid")
    assert page.status_code == 422
    assert b"Traceback" not in page.content


def feed_queries(client: Client, url: str, *, cache: str) -> int:
    if cache == "cold":
        forget_shared_cache()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("surface", ["/api/v1/communities/{id}/posts", "/quartiers/{id}/"])
def test_it_serves_the_feed_in_the_same_number_of_queries_whatever_the_data(
    client: Client, personas: Personas, surface: str
) -> None:
    a = neighbourhood_a()
    url = surface.format(id=a.pk)
    log_in_as(client, personas.dave)

    def add(count: int) -> None:
        # bulk_create sends no signal: the cache is forgotten by hand below.
        Post.objects.bulk_create(
            Post(community=a, author=personas.alice, kind="information", title=f"T{n}", body=".")
            for n in range(count)
        )

    add(10)
    with_ten = feed_queries(client, url, cache="cold")
    add(990)
    with_a_thousand = feed_queries(client, url, cache="cold")
    warm = feed_queries(client, url, cache="warm")

    assert with_ten == with_a_thousand
    assert with_ten <= 4  # session, account, memberships, posts (with the page's member count)
    # Session, account, membership, member count and feed all come from the cache.
    assert warm == 0


def test_it_keeps_a_suspended_members_posts_and_comments_from_deletion(
    personas: Personas,
) -> None:
    from vigie.communities.actions import do_lift_suspension, do_suspend_member
    from vigie.posts.actions import PostInput, do_add_comment, do_create_post
    from vigie.posts.models import Comment

    do_lift_suspension(personas.sam, acting_user=personas.carol)
    sam_member = Membership.objects.get(user=personas.sam, community=neighbourhood_a())
    post = do_create_post(
        sam_member, data=PostInput(kind="information", title="Vente", body="Tout à 1 euro.")
    )
    comment = do_add_comment(post, membership=sam_member, body="Encore dispo.")
    do_suspend_member(personas.sam, until=None, acting_user=personas.carol)
    sam = log_in_as(Client(), personas.sam)

    answers = [
        sam.delete(f"/api/v1/comments/{comment.pk}").status_code,
        sam.delete(f"/api/v1/posts/{post.pk}").status_code,
        sam.post(f"/commentaires/{comment.pk}/supprimer/").status_code,
        sam.post(f"/publications/{post.pk}/supprimer/").status_code,
    ]

    assert answers == [403, 403, 403, 403]
    assert Post.objects.filter(pk=post.pk).exists()
    assert Comment.objects.filter(pk=comment.pk).exists()
