from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from vigie.alerts.models import Alert
from vigie.alerts.tasks import audience
from vigie.communities.access import directory_for
from vigie.communities.actions import do_set_directory_listing
from vigie.communities.models import Membership
from vigie.test import Personas, log_in_as, neighbourhood_a

pytestmark = pytest.mark.django_db


def restrict(client: Client, user_id: int, reason: str = "Conteste son adresse") -> object:
    return client.put(
        f"/api/v1/privacy/restrictions/{user_id}",
        {"reason": reason},
        content_type="application/json",
    )


def test_it_freezes_an_account_while_its_processing_is_restricted(personas: Personas) -> None:
    a = neighbourhood_a()
    do_set_directory_listing(Membership.objects.get(user=personas.alice, community=a), listed=True)
    carol = log_in_as(Client(), personas.carol, second_factor=True)

    answer = restrict(carol, personas.alice.pk)
    alice = log_in_as(Client(), personas.alice)
    writing = alice.post(
        f"/api/v1/communities/{a.pk}/posts",
        {"kind": "information", "title": "Bonjour", "body": "Un message"},
        content_type="application/json",
    )
    reading = alice.get(f"/api/v1/communities/{a.pk}/posts")
    alert = Alert(community=a, author=personas.dave, happened_at=timezone.now())

    assert answer.status_code == 200  # type: ignore[attr-defined]
    assert writing.status_code == 403
    assert writing.json()["code"] == "processing_restricted"
    assert reading.status_code == 200
    assert personas.alice.pk not in audience(alert)
    assert personas.alice.pk not in [
        entry.member_id for entry in directory_for(personas.dave, a.pk)
    ]
    assert alice.get("/compte/donnees/").status_code == 200  # her rights stay open


def test_it_lifts_a_restriction_and_says_when_there_is_none(personas: Personas) -> None:
    carol = log_in_as(Client(), personas.carol, second_factor=True)
    restrict(carol, personas.alice.pk)

    lifted = carol.delete(f"/api/v1/privacy/restrictions/{personas.alice.pk}")
    again = carol.delete(f"/api/v1/privacy/restrictions/{personas.alice.pk}")
    empty_reason = restrict(carol, personas.alice.pk, reason="   ")

    assert lifted.status_code == 200
    assert lifted.json()["restricted_at"] is None
    assert again.status_code == 409
    assert empty_reason.status_code == 422  # type: ignore[attr-defined]


def test_it_lets_only_the_team_restrict_processing(personas: Personas) -> None:
    callers = [
        log_in_as(Client(), personas.alice),
        log_in_as(Client(), personas.mallory),
        log_in_as(Client(), personas.bob),
        log_in_as(Client(), personas.townhall, second_factor=True),
        log_in_as(Client(), personas.carol),  # the team, without its second factor
    ]

    answers = [restrict(caller, personas.dave.pk).status_code for caller in callers]  # type: ignore[attr-defined]
    anonymous = restrict(Client(), personas.dave.pk).status_code  # type: ignore[attr-defined]
    page = callers[1].post(
        f"/equipe/moderation/membres/{personas.dave.pk}/restriction/", {"reason": "x"}
    )

    assert answers == [404, 404, 404, 404, 404]
    assert anonymous == 401
    assert page.status_code == 404
    personas.dave.refresh_from_db()
    assert personas.dave.processing_restricted_at is None


def test_it_restricts_from_the_team_s_page_of_a_member(personas: Personas) -> None:
    carol = log_in_as(Client(), personas.carol, second_factor=True)

    answer = carol.post(
        f"/equipe/moderation/membres/{personas.dave.pk}/restriction/", {"reason": "Litige"}
    )
    page = carol.get(f"/equipe/moderation/membres/{personas.dave.pk}/").content.decode()

    assert answer.status_code == 302
    personas.dave.refresh_from_db()
    assert personas.dave.processing_restriction_reason == "Litige"
    assert "Litige" in page
