from __future__ import annotations

import io
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client

from vigie.accounts.models import User, UserSession
from vigie.addresses.models import Address
from vigie.alerts.models import Alert
from vigie.audit.log import verify_chain
from vigie.audit.models import AuditEvent
from vigie.lib.errors import Conflict
from vigie.posts.models import Comment, Post, PostImage
from vigie.privacy.actions import do_erase_account
from vigie.privacy.erasure import Contributions
from vigie.privacy.tests.helpers import Life, live, zephyrine
from vigie.test import PASSWORD, Personas, log_in_as, neighbourhood_a

pytestmark = pytest.mark.django_db


def her_strings(life: Life) -> list[str]:
    person = life.person
    return [
        "zephyrine.quintal@example.org",
        "Zéphyrine",
        "Quintal-Brocard",
        "Zézé977",
        f"+336987{person.pk:05d}",
        "Allée des Hirondelles",
    ]


def whole_database() -> str:
    """Every column of every table, as the database holds it, and as Django reads it
    (which decrypts the encrypted columns)."""
    parts: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            parts.extend(repr(row) for row in cursor.fetchall())
    output = io.StringIO()
    call_command("dumpdata", stdout=output, exclude=["contenttypes", "auth.permission"])
    return "\n".join(parts) + output.getvalue()


def erase(life: Life, **fields: Any) -> Any:
    body = {"password": PASSWORD, "contributions": "delete", **fields}
    return life.client.delete("/api/v1/me", body, content_type="application/json")


def test_it_leaves_nothing_of_hers_in_the_database_after_erasure(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    life = live(zephyrine(personas), personas)
    before = whole_database()
    assert all(text in before for text in her_strings(life))  # the search can find them
    storage = PostImage._meta.get_field("file").storage
    assert storage.exists(life.image_name)

    with django_capture_on_commit_callbacks(execute=True):
        answer = erase(life)

    assert answer.status_code == 204
    after = whole_database()
    found = [text for text in her_strings(life) if text in after]
    assert found == []
    assert '"number": "977"' not in after
    assert not storage.exists(life.image_name)
    person = User.objects.get(pk=life.person.pk)
    assert person.erased_at is not None
    assert not person.is_active
    assert not UserSession.objects.filter(user=person).exists()
    assert life.client.get("/api/v1/me").status_code == 401


def test_it_keeps_her_contributions_signed_former_neighbour_when_she_chooses(
    personas: Personas,
) -> None:
    life = live(zephyrine(personas), personas)

    answer = erase(life, contributions="keep")
    alice = log_in_as(Client(), personas.alice)
    post = alice.get(f"/api/v1/posts/{life.post_id}").json()
    page = alice.get(f"/publications/{life.post_id}/").content.decode()
    feed = alice.get(f"/api/v1/communities/{neighbourhood_a().pk}/posts").json()

    assert answer.status_code == 204
    assert Post.objects.filter(pk=life.post_id).exists()
    assert Comment.objects.filter(pk=life.comment_id).exists()
    assert Alert.objects.filter(pk=life.alert_id).exists()
    assert post["author"]["display_name"] == "Ancien voisin"
    assert "Ancien voisin" in page
    shown = next(item for item in feed["items"] if item["id"] == life.post_id)
    assert shown["author"]["display_name"] == "Ancien voisin"
    after = whole_database()
    # What she wrote stays, as she chose; who she is does not.
    for text in (
        "zephyrine.quintal@example.org",
        "Quintal-Brocard",
        f"+336987{life.person.pk:05d}",
        "977 Allée des Hirondelles",  # the place as she wrote it, before the team's edit
    ):
        assert text not in after
    assert not Address.objects.filter(user=life.person).exists()
    # The approval of her alert is emptied, and the chain still holds.
    [approval] = AuditEvent.objects.filter(event_type="alert.approved")
    assert (approval.data, approval.target_id) == ({}, "")
    assert approval.redacted_at is not None
    assert AuditEvent.objects.filter(event_type="alert.submitted", target_id=life.alert_id).exists()
    assert verify_chain().broken is None


def test_it_deletes_her_posts_comments_and_alerts_when_she_chooses(personas: Personas) -> None:
    life = live(zephyrine(personas), personas)

    erase(life)

    assert not Post.objects.filter(pk=life.post_id).exists()
    assert not Comment.objects.filter(pk=life.comment_id).exists()
    assert not Alert.objects.filter(pk=life.alert_id).exists()
    assert not PostImage.objects.filter(post_id=life.post_id).exists()


def test_it_changes_nothing_without_the_password_or_the_confirmation(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)
    carol = log_in_as(Client(), personas.carol, second_factor=True)

    answers = [
        alice.delete("/api/v1/me", {"password": "wrong", "contributions": "delete"},
                     content_type="application/json"),
        alice.delete("/api/v1/me", {"password": PASSWORD, "contributions": "maybe"},
                     content_type="application/json"),
        carol.delete("/api/v1/me", {"password": PASSWORD, "contributions": "delete"},
                     content_type="application/json"),
        alice.post("/compte/supprimer/", {"password": PASSWORD, "contributions": "delete"}),
    ]  # fmt: skip

    assert [answer.status_code for answer in answers] == [422, 422, 422, 422]
    assert "Cochez la case" in answers[3].content.decode()
    assert User.objects.filter(erased_at__isnull=False).count() == 0
    assert alice.get("/api/v1/me").status_code == 200


def test_it_erases_from_the_page_and_logs_out(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)

    answer = alice.post(
        "/compte/supprimer/", {"password": PASSWORD, "contributions": "keep", "confirm": "on"}
    )

    assert answer.status_code == 302
    assert answer["Location"] == "/compte/supprime/"
    assert User.objects.get(pk=personas.alice.pk).erased_at is not None
    assert alice.get("/compte/").status_code == 302  # back to the log-in page


def test_it_refuses_a_second_erasure(personas: Personas) -> None:
    do_erase_account(
        personas.bob, acting_user=None, contributions=Contributions.DELETE, reason="test"
    )

    with pytest.raises(Conflict) as raised:
        do_erase_account(
            personas.bob, acting_user=None, contributions=Contributions.DELETE, reason="test"
        )
    assert raised.value.code == "already_erased"


def test_it_asks_a_team_member_for_their_second_factor_too(personas: Personas) -> None:
    from vigie.test import totp_code

    carol = log_in_as(Client(), personas.carol, second_factor=True)

    answer = carol.delete(
        "/api/v1/me",
        {
            "password": PASSWORD,
            "contributions": "delete",
            "second_factor_code": totp_code(personas.carol),
        },
        content_type="application/json",
    )

    assert answer.status_code == 204
    assert (
        apps.get_model("moderation", "Decision").objects.filter(moderator=personas.carol).count()
        == 0
    )
