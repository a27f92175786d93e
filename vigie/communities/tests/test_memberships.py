from __future__ import annotations

import json

import pytest
from django.test import Client

from vigie.communities.models import Membership, MembershipState, NeighbourhoodRequest
from vigie.test import Personas, log_in_as, neighbourhood_a, neighbourhood_b

pytestmark = pytest.mark.django_db


def test_it_lists_my_communities_and_nobody_else_s(client: Client, personas: Personas) -> None:
    log_in_as(client, personas.alice)

    names = {row["name"] for row in client.get("/api/v1/communities").json()}

    assert names == {"Bourg-lès-Vigies", "Quartier des Lilas"}
    assert client.get(f"/api/v1/communities/{neighbourhood_b().pk}").status_code == 404
    assert client.get("/api/v1/communities/999999").status_code == 404


def test_it_shows_only_listed_neighbours_by_display_name(
    client: Client, personas: Personas
) -> None:
    a = neighbourhood_a()
    log_in_as(Client(), personas.dave).put(
        f"/api/v1/communities/{a.pk}/directory", {"listed": True}, content_type="application/json"
    )
    log_in_as(client, personas.alice)

    entries = client.get(f"/api/v1/communities/{a.pk}/directory").json()

    assert [entry["display_name"] for entry in entries] == ["Dave L."]
    assert entries[0]["role"] == "referent"
    assert set(entries[0]) == {"member_id", "display_name", "role", "is_me"}


def test_it_lets_a_member_leave_and_come_back(client: Client, personas: Personas) -> None:
    a = neighbourhood_a()
    log_in_as(client, personas.alice)

    assert client.post(f"/api/v1/communities/{a.pk}/leave").status_code == 204
    assert client.get(f"/api/v1/communities/{a.pk}").status_code == 404
    back = client.post("/api/v1/communities/rejoin")

    assert back.status_code == 200
    assert {row["name"] for row in back.json()} == {"Bourg-lès-Vigies", "Quartier des Lilas"}


def test_it_keeps_a_suspended_member_from_leaving_or_writing(
    client: Client, personas: Personas
) -> None:
    a = neighbourhood_a()
    log_in_as(client, personas.sam)

    read = client.get(f"/api/v1/communities/{a.pk}/posts")
    write = client.post(
        f"/api/v1/communities/{a.pk}/posts",
        {"kind": "information", "title": "Hello", "body": "Hi"},
        content_type="application/json",
    )
    leave = client.post(f"/api/v1/communities/{a.pk}/leave")

    assert read.status_code == 200
    assert write.status_code == 403
    assert write.json()["code"] == "suspended"
    assert leave.status_code == 409
    assert (
        Membership.objects.filter(user=personas.sam, state=MembershipState.SUSPENDED).count() == 2
    )


def test_it_takes_a_request_for_a_neighbourhood_and_the_team_draws_it(
    client: Client, personas: Personas
) -> None:
    from django.utils import timezone

    from vigie.addresses.models import Address
    from vigie.test import give_home, home

    Address.objects.filter(user=personas.alice).update(moved_out_at=timezone.now())
    Membership.objects.filter(user=personas.alice).delete()
    give_home(
        personas.alice,
        home("Rue Saint-Exupéry", 11, ban_street=6, at=(2.3970, 46.8010)),
        verified=True,
        by=personas.carol,
    )
    log_in_as(client, personas.alice)
    asked = client.post(
        "/api/v1/communities/requests",
        {"name": "Rue Saint-Exupéry", "description": "Les numéros 1 à 50"},
        content_type="application/json",
    )
    assert asked.status_code == 201
    team = log_in_as(Client(), personas.carol, second_factor=True)
    request_id = NeighbourhoodRequest.objects.get().pk

    page = team.get(f"/equipe/quartiers/nouveau/?demande={request_id}")
    drawn = team.post(
        "/equipe/quartiers/nouveau/",
        {
            "name": "Rue Saint-Exupéry",
            "insee_code": "99101",
            "commune_name": "Bourg-lès-Vigies",
            "boundary": json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [2.396, 46.800],
                            [2.398, 46.800],
                            [2.398, 46.802],
                            [2.396, 46.802],
                            [2.396, 46.800],
                        ]
                    ],
                }
            ),
            "request_id": request_id,
        },
    )

    assert page.status_code == 200
    assert drawn.status_code == 302
    assert NeighbourhoodRequest.objects.get().status == "approved"
    assert "Rue Saint-Exupéry" in {row["name"] for row in client.get("/api/v1/communities").json()}


def test_it_refuses_a_request_from_someone_already_placed(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.alice)

    response = client.post(
        "/api/v1/communities/requests", {"name": "Encore"}, content_type="application/json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "already_placed"


@pytest.mark.parametrize("persona", ["alice", "bob", "mallory"])
def test_it_hides_the_team_pages_from_residents(
    client: Client, personas: Personas, persona: str
) -> None:
    log_in_as(client, getattr(personas, persona))

    assert client.get("/equipe/quartiers/").status_code == 404
    assert client.get("/equipe/quartiers/nouveau/").status_code == 404
