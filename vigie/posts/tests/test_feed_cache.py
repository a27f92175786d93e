"""The cached feed, membership, account and session never show the past.

Every story reads first (so that everything is cached), changes something
through the product, and reads again at once.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from ninja.renderers import NinjaJSONEncoder
from pytest_django.fixtures import Settings

from vigie.accounts.actions import do_update_profile
from vigie.communities.actions import (
    do_lift_suspension,
    do_set_directory_listing,
    do_set_role,
    do_suspend_member,
)
from vigie.communities.models import Membership, Role
from vigie.posts import access
from vigie.posts.presenters import post_out
from vigie.posts.schemas import FeedOut
from vigie.test import Personas, log_in_as, neighbourhood_a

pytestmark = pytest.mark.django_db


def feed(client: Client, community_id: int) -> list[dict[str, object]]:
    response = client.get(f"/api/v1/communities/{community_id}/posts")
    assert response.status_code == 200
    items: list[dict[str, object]] = response.json()["items"]
    return items


def post(client: Client, community_id: int, title: str, **fields: object) -> int:
    body = {"kind": "information", "title": title, "body": "Texte", **fields}
    response = client.post(
        f"/api/v1/communities/{community_id}/posts", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    identifier: int = response.json()["id"]
    return identifier


def test_it_shows_a_new_post_at_once(personas: Personas) -> None:
    a = neighbourhood_a().pk
    alice, dave = log_in_as(Client(), personas.alice), log_in_as(Client(), personas.dave)
    assert feed(alice, a) == []
    alice.get(f"/quartiers/{a}/")

    post(dave, a, "Fuite d'eau rue des Lilas")

    assert [item["title"] for item in feed(alice, a)] == ["Fuite d'eau rue des Lilas"]
    assert "Fuite d&#x27;eau rue des Lilas" in alice.get(f"/quartiers/{a}/").content.decode()


def test_it_shows_an_edit_a_comment_and_a_deletion_at_once(personas: Personas) -> None:
    a = neighbourhood_a().pk
    alice, dave = log_in_as(Client(), personas.alice), log_in_as(Client(), personas.dave)
    identifier = post(dave, a, "Vide-grenier")
    assert feed(alice, a)[0]["comment_count"] == 0

    edited = dave.patch(
        f"/api/v1/posts/{identifier}",
        {"title": "Vide-grenier dimanche", "body": "Texte"},
        content_type="application/json",
    )
    assert edited.status_code == 200
    assert feed(alice, a)[0]["title"] == "Vide-grenier dimanche"

    alice.post(f"/api/v1/posts/{identifier}/comments", {"body": "J'y serai"}, "application/json")
    assert feed(alice, a)[0]["comment_count"] == 1

    dave.delete(f"/api/v1/posts/{identifier}")
    assert feed(alice, a) == []


def test_it_stops_a_suspended_member_at_once(personas: Personas) -> None:
    a = neighbourhood_a().pk
    alice = log_in_as(Client(), personas.alice)
    feed(alice, a)
    assert (
        "Write a post" in alice.get(f"/quartiers/{a}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )

    do_suspend_member(personas.alice, until=None, acting_user=personas.carol)

    refused = alice.post(
        f"/api/v1/communities/{a}/posts",
        {"kind": "information", "title": "Encore", "body": "Texte"},
        content_type="application/json",
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "suspended")
    page = alice.get(f"/quartiers/{a}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your account is suspended" in page
    assert "Write a post" not in page
    assert alice.get("/api/v1/communities").json()[0]["can_write"] is False

    do_lift_suspension(personas.alice, acting_user=personas.carol)

    assert alice.get("/api/v1/communities").json()[0]["can_write"] is True


def test_it_shows_a_new_name_and_a_new_role_at_once(personas: Personas) -> None:
    a = neighbourhood_a().pk
    alice, dave = log_in_as(Client(), personas.alice), log_in_as(Client(), personas.dave)
    post(alice, a, "Bonjour")
    assert feed(dave, a)[0]["author"] == {
        "display_name": "Alice M.",
        "role": "member",
        "is_me": False,
    }

    do_update_profile(personas.alice, acting_user=personas.alice, nickname="Alice des Lilas")
    do_set_role(
        Membership.objects.get(user=personas.alice, community_id=a),
        role=Role.DEPUTY,
        acting_user=personas.carol,
    )

    assert feed(dave, a)[0]["author"] == {
        "display_name": "Alice des Lilas",
        "role": "deputy",
        "is_me": False,
    }


def absence_for_dave(alice: Client, a: int, personas: Personas) -> int:
    """Alice's holiday absence, shown to Dave only (listed in the directory for it)."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    dave_membership = do_set_directory_listing(
        Membership.objects.get(user=personas.dave, community_id=a), listed=True
    )
    return post(
        alice,
        a,
        "Absente",
        kind="absence",
        absence_from=tomorrow.isoformat(),
        absence_until=(tomorrow + timedelta(days=5)).isoformat(),
        shown_to=[dave_membership.pk],
    )


def test_it_keeps_each_neighbours_absences_to_those_picked(personas: Personas) -> None:
    a = neighbourhood_a().pk
    alice, dave = log_in_as(Client(), personas.alice), log_in_as(Client(), personas.dave)
    sam = log_in_as(Client(), personas.sam)
    post(alice, a, "Information pour tous")
    for reader in (alice, dave, sam):
        feed(reader, a)  # everything cached, shared part included

    absence_for_dave(alice, a, personas)

    assert [item["title"] for item in feed(dave, a)] == ["Absente", "Information pour tous"]
    assert [item["title"] for item in feed(alice, a)] == ["Absente", "Information pour tous"]
    assert [item["title"] for item in feed(sam, a)] == ["Information pour tous"]


def test_it_keeps_each_neighbours_absences_when_the_rest_of_the_feed_changes(
    personas: Personas,
) -> None:
    a = neighbourhood_a().pk
    alice, dave = log_in_as(Client(), personas.alice), log_in_as(Client(), personas.dave)
    sam = log_in_as(Client(), personas.sam)
    information = post(alice, a, "Information pour tous")
    absence_for_dave(alice, a, personas)
    for reader in (alice, dave, sam):
        feed(reader, a)

    alice.post(f"/api/v1/posts/{information}/comments", {"body": "Merci"}, "application/json")

    # The first reader after the comment reads the shared part again, once for everyone;
    # the next one's own absences were not touched by a comment elsewhere: nothing to read.
    with CaptureQueriesContext(connection) as first:
        assert [item["comment_count"] for item in feed(sam, a)] == [1]
    with CaptureQueriesContext(connection) as next_reader:
        titles = [(item["title"], item["comment_count"]) for item in feed(dave, a)]
    assert titles == [("Absente", 0), ("Information pour tous", 1)]
    assert len(first) == 1
    assert len(next_reader) == 0


def test_it_shows_a_change_to_an_absence_at_once(personas: Personas) -> None:
    a = neighbourhood_a().pk
    alice, dave = log_in_as(Client(), personas.alice), log_in_as(Client(), personas.dave)
    absence = absence_for_dave(alice, a, personas)
    assert [item["comment_count"] for item in feed(dave, a)] == [0]

    dave.post(f"/api/v1/posts/{absence}/comments", {"body": "Bonnes vacances"}, "application/json")
    assert [item["comment_count"] for item in feed(dave, a)] == [1]
    assert [item["comment_count"] for item in feed(alice, a)] == [1]

    alice.delete(f"/api/v1/posts/{absence}")
    assert feed(dave, a) == []
    assert feed(alice, a) == []


def test_it_ends_a_cached_session_at_once(personas: Personas) -> None:
    a = neighbourhood_a().pk
    phone, laptop = log_in_as(Client(), personas.alice), log_in_as(Client(), personas.alice)
    feed(phone, a)
    feed(laptop, a)

    ended = laptop.delete("/api/v1/me/sessions")

    assert ended.json() == {"ended": 1}
    assert phone.get(f"/api/v1/communities/{a}/posts").status_code == 401
    assert laptop.get(f"/api/v1/communities/{a}/posts").status_code == 200


def test_it_logs_out_a_deactivated_account_at_once(personas: Personas) -> None:
    a = neighbourhood_a().pk
    alice = log_in_as(Client(), personas.alice)
    feed(alice, a)

    personas.alice.is_active = False
    personas.alice.save(update_fields=["is_active"])

    assert alice.get(f"/api/v1/communities/{a}/posts").status_code == 401


def test_it_answers_the_feed_as_its_schema_says(personas: Personas) -> None:
    """The feed's JSON is assembled by hand for speed: it must stay FeedOut's."""
    a = neighbourhood_a().pk
    alice, dave = log_in_as(Client(), personas.alice), log_in_as(Client(), personas.dave)
    post(alice, a, "Réunion « voisins » à 18 h", kind="event", event_place="Salle des fêtes",
         event_starts_at=(timezone.now() + timedelta(days=2)).isoformat())  # fmt: skip
    post(dave, a, 'Des "guillemets" et des \\ barres')
    for number in range(3):
        post(dave, a, f"Message {number}")

    answer = dave.get(f"/api/v1/communities/{a}/posts?limit=4")

    page = access.feed_page(Membership.objects.get(user=personas.dave, community_id=a), limit=4)
    expected = FeedOut(
        items=[post_out(item, viewer=personas.dave) for item in page.items],
        next_cursor=page.next_cursor,
    )
    assert answer["Content-Type"] == "application/json"
    assert answer.json() == json.loads(json.dumps(expected.model_dump(), cls=NinjaJSONEncoder))
    assert FeedOut.model_validate(answer.json()).next_cursor is not None


def test_it_serves_from_the_database_when_the_cache_is_down(
    personas: Personas, settings: Settings
) -> None:
    """Redis unreachable: reading is slower, still correct (the health check reports it)."""
    a = neighbourhood_a().pk
    dave = log_in_as(Client(), personas.dave)
    post(dave, a, "Sans cache")
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "vigie.lib.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        },
    }

    assert [item["title"] for item in feed(dave, a)] == ["Sans cache"]
    assert dave.get(f"/quartiers/{a}/").status_code == 200
