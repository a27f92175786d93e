"""The team's decisions on reports and members: each path, its notices, its audit events."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from vigie.audit.models import AuditEvent
from vigie.communities.models import Membership, MembershipState
from vigie.lib.visibility import Visibility
from vigie.moderation.actions import do_lift_ended_suspensions
from vigie.moderation.models import BannedAddress, Decision, Report
from vigie.moderation.tests.helpers import (
    decide,
    neighbour,
    post_by,
    report,
    second_moderator,
    team,
    three_reporters,
)
from vigie.notifications.models import InboxItem
from vigie.posts.models import Post
from vigie.test import Personas, log_in_as, neighbourhood_a, run_tasks

pytestmark = pytest.mark.django_db


def reported_post(personas: Personas, author: object = None) -> tuple[Post, list[int]]:
    post = post_by(author or neighbour(personas, "Hugo", 44))  # type: ignore[arg-type]
    made = [report(client, "post", post.pk).json()["id"] for client in three_reporters(personas)]
    return post, made


def test_it_removes_the_content_tells_both_sides_and_records_it(personas: Personas) -> None:
    post, made = reported_post(personas)

    answer = decide(team(personas.carol), made[0], "removed")
    run_tasks()

    assert (answer.status_code, answer.json()["kind"]) == (200, "removed")
    assert Post.objects.get(pk=post.pk).visibility == Visibility.REMOVED
    assert set(Report.objects.values_list("state", flat=True)) == {"action_taken"}
    subject_notice = InboxItem.objects.get(recipient=post.author, subject_type="decision")
    assert "Annonce commerciale." in subject_notice.body
    assert "9" in subject_notice.body  # the clause
    assert InboxItem.objects.filter(subject_type="report_outcome").count() == 3
    assert any(message.to == [post.author.email] for message in mail.outbox)
    assert AuditEvent.objects.filter(event_type="moderation.decision").count() == 1
    assert AuditEvent.objects.filter(
        event_type="content.visibility_changed", data__visibility="removed"
    ).exists()
    alice = log_in_as(Client(), personas.alice)
    assert alice.get(f"/api/v1/posts/{post.pk}").status_code == 404


def test_it_refuses_to_decide_reports_already_decided(personas: Personas) -> None:
    _post, made = reported_post(personas)
    carol = team(personas.carol)

    first = decide(carol, made[0], "removed")
    again = decide(carol, made[1], "dismissed", clause="10")

    assert first.status_code == 200
    assert (again.status_code, again.json()["code"]) == (409, "already_decided")
    assert Decision.objects.count() == 1


def test_it_asks_for_a_clause_of_the_terms_and_an_explanation(personas: Personas) -> None:
    _post, made = reported_post(personas)

    answer = decide(team(personas.carol), made[0], "removed", clause="99", explanation="")

    assert answer.status_code == 422
    assert {error["field"] for error in answer.json()["errors"]} == {"clause", "explanation"}
    assert not Decision.objects.exists()


def test_it_suspends_for_some_days_then_the_member_writes_again(personas: Personas) -> None:
    hugo = neighbour(personas, "Hugo", 44)
    _post, made = reported_post(personas, hugo)

    answer = decide(team(personas.carol), made[0], "suspended", suspension_days=7)
    hugo_client = log_in_as(Client(), hugo)
    a = neighbourhood_a().pk
    tries = {
        "post": hugo_client.post(
            f"/api/v1/communities/{a}/posts",
            {"kind": "information", "title": "Bonjour", "body": "Me revoilà"},
            content_type="application/json",
        ).status_code,
        "alert": hugo_client.post(
            f"/api/v1/communities/{a}/alerts",
            {
                "category": "other",
                "happened_at": timezone.now().isoformat(),
                "place": "Rue des Lilas",
                "description": "Un arbre est tombé sur la route.",
            },
            content_type="application/json",
        ).status_code,
        "comment": hugo_client.post(
            f"/api/v1/posts/{post_by(personas.alice).pk}/comments",
            {"body": "Merci"},
            content_type="application/json",
        ).status_code,
        "report": report(hugo_client, "post", post_by(personas.dave, "Autre").pk).status_code,
    }
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        lifted = do_lift_ended_suspensions()

    assert answer.json()["suspension_days"] == 7
    assert tries == {"post": 403, "alert": 403, "comment": 403, "report": 403}
    assert lifted == 1
    assert Membership.objects.get(user=hugo, community_id=a).state == MembershipState.ACTIVE


def test_it_waits_for_a_second_moderator_before_a_ban(personas: Personas) -> None:
    hugo = neighbour(personas, "Hugo", 44)
    post, made = reported_post(personas, hugo)
    carol, erin = team(personas.carol), team(second_moderator())

    asked = decide(carol, made[0], "banned", clause="4", explanation="Menaces répétées.")
    hugo.refresh_from_db()
    still_active = hugo.is_active
    told_before = InboxItem.objects.filter(recipient=hugo, subject_type="decision").exists()
    by_the_same = carol.post(
        f"/api/v1/moderation/decisions/{asked.json()['id']}/confirmation",
        {"confirm": True},
        content_type="application/json",
    )
    confirmed = erin.post(
        f"/api/v1/moderation/decisions/{asked.json()['id']}/confirmation",
        {"confirm": True},
        content_type="application/json",
    )
    hugo.refresh_from_db()

    assert asked.json()["state"] == "awaiting"
    assert still_active is True
    assert told_before is False
    assert (by_the_same.status_code, by_the_same.json()["code"]) == (
        403,
        "second_moderator_required",
    )
    assert confirmed.json()["state"] == "in_force"
    assert hugo.is_active is False
    assert Post.objects.get(pk=post.pk).visibility == Visibility.REMOVED
    assert BannedAddress.objects.filter(decision_id=asked.json()["id"]).count() == 1
    assert set(Report.objects.values_list("state", flat=True)) == {"action_taken"}
    assert log_in_as(Client(), hugo).get("/api/v1/me").status_code == 401


def test_it_puts_reports_back_in_the_queue_when_a_ban_is_not_confirmed(
    personas: Personas,
) -> None:
    _post, made = reported_post(personas)
    carol, erin = team(personas.carol), team(second_moderator())
    asked = decide(carol, made[0], "banned", clause="4")

    erin.post(
        f"/api/v1/moderation/decisions/{asked.json()['id']}/confirmation",
        {"confirm": False},
        content_type="application/json",
    )
    queue = carol.get("/api/v1/moderation/queue").json()

    assert Decision.objects.get().state == "cancelled"
    assert [group["report_id"] for group in queue["reports"]] == [made[0]]
    assert decide(carol, made[0], "removed").status_code == 200


def test_it_keeps_a_banned_address_from_signing_up_again(personas: Personas) -> None:
    from vigie.moderation.actions import DecisionInput, do_confirm_ban, do_sanction_member
    from vigie.test import load_address_reference

    load_address_reference()
    decision = do_sanction_member(
        personas.alice,
        acting_user=personas.carol,
        data=DecisionInput(kind="banned", clause="8", explanation="Contenus illicites."),
        community_id=None,
    )
    do_confirm_ban(decision, acting_user=second_moderator(), confirm=True)

    answer = Client().post(
        "/api/v1/auth/register",
        {
            "email": "alice.bis@example.org",
            "password": "Tournesol-jaune-42!",
            "first_name": "Alice",
            "last_name": "Martin",
            "address": {
                "number": "12",
                "street": "Rue des Lilas",
                "postcode": "99100",
                "commune": "Bourg-lès-Vigies",
            },
            "accept_terms": True,
        },
        content_type="application/json",
    )

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "address.street"


def test_it_warns_a_member_outside_any_report(personas: Personas) -> None:
    carol = team(personas.carol)

    answer = carol.post(
        f"/api/v1/moderation/users/{personas.dave.pk}/sanctions",
        {"kind": "warned", "clause": "4", "explanation": "Ton agressif en réunion."},
        content_type="application/json",
    )
    seen = log_in_as(Client(), personas.dave).get("/api/v1/me/decisions").json()

    assert answer.json()["kind"] == "warned"
    assert [(decision["kind"], decision["clause"]) for decision in seen] == [("warned", "4")]
    history = carol.get(f"/api/v1/moderation/users/{personas.dave.pk}").json()
    assert [decision["kind"] for decision in history["decisions"]] == ["warned"]


def test_it_records_each_alert_decision_under_a_clause(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)
    carol = team(personas.carol)
    body = {
        "category": "scam",
        "happened_at": timezone.now().isoformat(),
        "place": "Rue des Lilas",
        "description": "Un faux agent des eaux sonne chez M. Durand.",
    }
    a = neighbourhood_a().pk
    first = alice.post(f"/api/v1/communities/{a}/alerts", body, content_type="application/json")
    second = alice.post(
        f"/api/v1/communities/{a}/alerts",
        {**body, "category": "door_to_door", "place": "Impasse du Moulin"},
        content_type="application/json",
    )

    carol.post(
        f"/api/v1/moderation/alerts/{first.json()['id']}/decision",
        {"decision": "approve", "description": "Un faux agent des eaux sonne aux portes."},
        content_type="application/json",
    )
    carol.post(
        f"/api/v1/moderation/alerts/{second.json()['id']}/decision",
        {"decision": "reject", "reason": "Déjà signalé.", "clause": "7"},
        content_type="application/json",
    )

    assert list(Decision.objects.order_by("pk").values_list("kind", "clause", "subject")) == [
        ("alert_redacted", "6", personas.alice.pk),
        ("alert_rejected", "7", personas.alice.pk),
    ]
