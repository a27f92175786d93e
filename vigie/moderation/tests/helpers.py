"""What the moderation tests share: a second moderator, a post to report, reporting it."""

from __future__ import annotations

from typing import Any

from django.test import Client

from vigie.accounts.models import TOTPDevice, User
from vigie.communities.models import Membership
from vigie.posts.models import Post
from vigie.test import TOTP_KEY_HEX, Personas, Response, log_in_as, make_user, neighbourhood_a


def second_moderator() -> User:
    erin = make_user("erin@example.org", "Erin", "Garnier", is_staff=True)
    TOTPDevice.objects.create(user=erin, name="authenticator", key=TOTP_KEY_HEX, confirmed=True)
    return erin


def team(user: User) -> Client:
    return log_in_as(Client(), user, second_factor=True)


def post_by(user: User, title: str = "Vends tout à 1 euro") -> Post:
    return Post.objects.create(
        community=neighbourhood_a(), author=user, kind="information", title=title, body="Appelez."
    )


def report(client: Client, target_type: str, target_id: int, **fields: Any) -> Response:
    body = {"target_type": target_type, "target_id": target_id, "reason": "spam", **fields}
    return client.post("/api/v1/reports", body, content_type="application/json")


def directory_id(user: User, *, listed: bool = True) -> int:
    """The member's id in A's directory (where they are listed, unless told otherwise)."""
    membership = Membership.objects.get(user=user, community=neighbourhood_a())
    Membership.objects.filter(pk=membership.pk).update(listed_in_directory=listed)
    return membership.pk


def decide(carol: Client, report_id: int, kind: str, **fields: Any) -> Response:
    body = {"kind": kind, "clause": "9", "explanation": "Annonce commerciale.", **fields}
    return carol.post(
        f"/api/v1/moderation/reports/{report_id}/decision", body, content_type="application/json"
    )


def neighbour(personas: Personas, first_name: str, number: int) -> User:
    """Another verified member of A, who may write."""
    from vigie.test import give_home, home

    user = make_user(f"{first_name.lower()}@example.org", first_name, "Voisin")
    give_home(user, home("Rue des Lilas", number, ban_street=1), verified=True, by=personas.carol)
    return user


def three_reporters(personas: Personas) -> list[Client]:
    """Three distinct members of A, none a référent: alice, frank and gina."""
    people = [personas.alice, neighbour(personas, "Frank", 40), neighbour(personas, "Gina", 42)]
    return [log_in_as(Client(), person) for person in people]
