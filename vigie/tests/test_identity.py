"""Neighbours know each other by display names: nothing else of another member reaches them."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from vigie.communities.models import Community, Membership
from vigie.test import Personas, log_in_as, neighbourhood_a, neighbourhood_b

pytestmark = pytest.mark.django_db

PHONE = re.compile(r"(?:\+33|0)[1-9](?:[ .-]?[0-9]{2}){4}")


def everything_alice_can_read(client: Client) -> str:
    answers = []
    for url in ["/api/v1/me", "/api/v1/me/address", "/api/v1/verification", "/api/v1/communities"]:
        answers.append(client.get(url).json())
    for community in client.get("/api/v1/communities").json():
        base = f"/api/v1/communities/{community['id']}"
        answers += [client.get(base).json(), client.get(base + "/directory").json()]
        feed = client.get(base + "/posts").json()
        answers.append(feed)
        answers += [client.get(f"/api/v1/posts/{post['id']}").json() for post in feed["items"]]
    pages = [
        client.get(url).content.decode()
        for url in ["/voisinage/?liste", f"/quartiers/{neighbourhood_a().pk}/"]
    ]
    return json.dumps(answers, ensure_ascii=False) + "".join(pages)


def test_it_never_shows_alice_another_member_s_name_address_or_contact(
    client: Client, personas: Personas
) -> None:
    a, b = neighbourhood_a(), neighbourhood_b()
    commune = Community.objects.get(kind="commune")
    for person, community in [
        (personas.dave, a),
        (personas.mallory, b),
        (personas.mallory, commune),
    ]:
        writer = log_in_as(Client(), person)
        post = writer.post(
            f"/api/v1/communities/{community.pk}/posts",
            {
                "kind": "information",
                "title": f"Par {person.first_name} pour {community.name}",
                "body": "Bonjour à tous",
            },
            content_type="application/json",
        ).json()
        writer.post(
            f"/api/v1/posts/{post['id']}/comments",
            {"body": "Moi aussi"},
            content_type="application/json",
        )
    Membership.objects.filter(user__in=[personas.dave, personas.mallory]).update(
        listed_in_directory=True
    )
    log_in_as(client, personas.alice)

    seen = everything_alice_can_read(client)

    assert "Dave L." in seen  # neighbours do see display names
    for person in (personas.bob, personas.dave, personas.mallory, personas.sam, personas.carol):
        assert person.email not in seen
        assert person.last_name not in seen
    # Her post in the commune-wide community shows, by her display name; the one in B never.
    assert f"Par Mallory pour {commune.name}" in seen
    assert "Mallory R." in seen
    assert f"Par Mallory pour {b.name}" not in seen
    for street_line in (
        "7 Rue des Lilas",
        "30 Rue des Lilas",
        "15 Route de la Forêt",
        "3 Impasse du Moulin",
    ):
        assert street_line not in seen
    assert not PHONE.search(seen)
    assert b.name not in seen
