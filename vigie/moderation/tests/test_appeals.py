"""Appeals: once, within the days of the terms, decided by another moderator, final."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from vigie.lib.visibility import Visibility
from vigie.moderation.models import Appeal, Decision
from vigie.moderation.tests.helpers import (
    decide,
    neighbour,
    post_by,
    report,
    second_moderator,
    team,
    three_reporters,
)
from vigie.posts.models import Post
from vigie.test import Personas, log_in_as, neighbourhood_a, run_tasks

pytestmark = pytest.mark.django_db


def removed_post(personas: Personas) -> tuple[Post, int, Client]:
    hugo = neighbour(personas, "Hugo", 44)
    post = post_by(hugo)
    made = [report(client, "post", post.pk).json()["id"] for client in three_reporters(personas)]
    decision = decide(team(personas.carol), made[0], "removed").json()["id"]
    return post, decision, log_in_as(Client(), hugo)


def appeal(
    client: Client, decision_id: int, text: str = "C'était un don, pas une vente."
) -> object:
    return client.post(
        f"/api/v1/me/decisions/{decision_id}/appeal",
        {"text": text},
        content_type="application/json",
    )


def test_it_takes_one_appeal_decided_by_another_moderator_and_restores_the_post(
    personas: Personas,
) -> None:
    post, decision_id, hugo = removed_post(personas)
    erin = team(second_moderator())

    made = appeal(hugo, decision_id)
    again = appeal(hugo, decision_id, "Encore.")
    appeal_id = made.json()["id"]  # type: ignore[attr-defined]
    by_carol = team(personas.carol).post(
        f"/api/v1/moderation/appeals/{appeal_id}/decision",
        {"outcome": "overturned", "answer": "Je me suis trompée."},
        content_type="application/json",
    )
    by_erin = erin.post(
        f"/api/v1/moderation/appeals/{appeal_id}/decision",
        {"outcome": "overturned", "answer": "C'était bien un don : la publication revient."},
        content_type="application/json",
    )
    final = erin.post(
        f"/api/v1/moderation/appeals/{appeal_id}/decision",
        {"outcome": "upheld", "answer": "Finalement non."},
        content_type="application/json",
    )

    assert made.status_code == 201  # type: ignore[attr-defined]
    assert (again.status_code, again.json()["code"]) == (409, "already_appealed")  # type: ignore[attr-defined]
    assert (by_carol.status_code, by_carol.json()["code"]) == (403, "own_decision")
    assert by_erin.json()["outcome"] == "overturned"
    assert (final.status_code, final.json()["code"]) == (409, "already_decided")
    assert Decision.objects.get(pk=decision_id).state == "overturned"
    assert Post.objects.get(pk=post.pk).visibility == Visibility.SHOWN
    seen = hugo.get("/api/v1/me/decisions").json()[0]
    assert (seen["state"], seen["appeal"]["outcome"], seen["can_appeal"]) == (
        "overturned",
        "overturned",
        False,
    )


def test_it_refuses_an_appeal_after_twenty_days(personas: Personas) -> None:
    _post, decision_id, hugo = removed_post(personas)

    with time_machine.travel(timezone.now() + timedelta(days=21)):
        late = appeal(log_in_as(hugo, Decision.objects.get(pk=decision_id).subject), decision_id)

    assert (late.status_code, late.json()["code"]) == (409, "appeal_too_late")  # type: ignore[attr-defined]
    assert not Appeal.objects.exists()


def test_it_answers_another_persons_decision_like_a_missing_one(personas: Personas) -> None:
    _post, decision_id, _hugo = removed_post(personas)

    answers = [
        appeal(log_in_as(Client(), person), decision_id).status_code  # type: ignore[attr-defined]
        for person in (personas.alice, personas.mallory, personas.bob)
    ]

    assert answers == [404, 404, 404]
    assert appeal(Client(), decision_id).status_code == 401  # type: ignore[attr-defined]


def test_it_lets_a_banned_member_appeal_through_the_link_of_the_email(personas: Personas) -> None:
    from vigie.moderation.actions import DecisionInput, do_confirm_ban, do_sanction_member

    decision = do_sanction_member(
        personas.sam,
        acting_user=personas.carol,
        data=DecisionInput(kind="banned", clause="4", explanation="Menaces."),
        community_id=None,
    )
    do_confirm_ban(decision, acting_user=second_moderator(), confirm=True)
    run_tasks()
    [email] = [message for message in mail.outbox if message.to == [personas.sam.email]]
    link = re.search(r"http://[^\s]+/recours/[^\s]+/", str(email.body))
    assert link is not None
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]

    page = Client().get(f"/{path}")
    sent = Client().post(f"/{path}", {"text": "Je n'ai menacé personne."})
    forged = Client().get("/recours/not-a-signed-token/")

    assert page.status_code == 200
    assert sent.status_code == 302
    assert Appeal.objects.get().appellant == personas.sam
    assert forged.status_code == 404


def test_it_appeals_from_the_page_of_my_decisions(personas: Personas) -> None:
    _post, decision_id, hugo = removed_post(personas)

    page = hugo.get("/compte/decisions/").content.decode()
    sent = hugo.post(f"/compte/decisions/{decision_id}/recours/", {"text": "Un malentendu."})

    assert f"/compte/decisions/{decision_id}/recours/" in page
    assert sent.status_code == 302
    assert Appeal.objects.get().text == "Un malentendu."


def test_it_puts_a_rejected_alert_back_in_the_queue_when_the_refusal_is_overturned(
    personas: Personas,
) -> None:
    from vigie.alerts.models import Alert

    alice = log_in_as(Client(), personas.alice)
    alert_id = alice.post(
        f"/api/v1/communities/{neighbourhood_a().pk}/alerts",
        {
            "category": "scam",
            "happened_at": timezone.now().isoformat(),
            "place": "Rue des Lilas",
            "description": "Un faux plombier propose des réparations à domicile.",
        },
        content_type="application/json",
    ).json()["id"]
    team(personas.carol).post(
        f"/api/v1/moderation/alerts/{alert_id}/decision",
        {"decision": "reject", "reason": "Pas assez précis."},
        content_type="application/json",
    )
    decision = Decision.objects.get(target_id=alert_id)

    made = appeal(alice, decision.pk, "Le plombier est revenu hier, trois voisins l'ont vu.")
    team(second_moderator()).post(
        f"/api/v1/moderation/appeals/{made.json()['id']}/decision",  # type: ignore[attr-defined]
        {"outcome": "overturned", "answer": "Votre alerte revient à l'équipe."},
        content_type="application/json",
    )
    queue = team(personas.carol).get("/api/v1/moderation/queue").json()

    assert Alert.objects.get(pk=alert_id).state == "pending"
    assert [alert["id"] for alert in queue["alerts"]] == [alert_id]


def test_it_offers_the_answer_form_only_to_a_moderator_who_took_no_part(
    personas: Personas,
) -> None:
    _, decision_id, hugo = removed_post(personas)
    appeal_id = appeal(hugo, decision_id).json()["id"]  # type: ignore[attr-defined]

    by_carol = team(personas.carol).get(f"/equipe/moderation/recours/{appeal_id}/")
    by_erin = team(second_moderator()).get(f"/equipe/moderation/recours/{appeal_id}/")

    assert "Enregistrer la réponse" not in by_carol.text
    assert "pas pris part à la décision" in by_carol.text
    assert "Enregistrer la réponse" in by_erin.text
