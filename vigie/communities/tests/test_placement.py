from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import translation

from vigie.communities.actions import do_create_neighbourhood
from vigie.communities.demo import INSIDE_A, INSIDE_B
from vigie.communities.models import Community, Membership, MembershipState
from vigie.communities.placement import current_index
from vigie.lib.errors import InvalidInput
from vigie.test import Personas, give_home, home, log_in_as, neighbourhood_a, neighbourhood_b

pytestmark = pytest.mark.django_db


def box(west: float, south: float, east: float, north: float) -> str:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def draw(team: object, boundary: str, name: str = "Les Vignes") -> Community:
    return do_create_neighbourhood(
        name=name, insee_code="99101", commune_name="Bourg-lès-Vigies", boundary=boundary,
        acting_user=team,  # type: ignore[arg-type]
    )  # fmt: skip


def test_it_places_points_inside_outside_and_on_the_edge(personas: Personas) -> None:
    index = current_index()
    a, b = neighbourhood_a(), neighbourhood_b()

    assert index.neighbourhood_at(*INSIDE_A) == a.pk
    assert index.neighbourhood_at(*INSIDE_B) == b.pk
    assert index.neighbourhood_at(2.3970, 46.8010) is None  # between the two
    assert index.neighbourhood_at(2.398426, 46.8010) == a.pk  # on A's western edge
    assert index.neighbourhood_at(2.398426, 46.798643) == a.pk  # on its corner


def test_it_gives_a_shared_edge_to_the_older_neighbourhood(personas: Personas) -> None:
    # C touches A along A's eastern edge.
    c = draw(personas.carol, box(2.405904, 46.7990, 2.4100, 46.8030))

    assert current_index().neighbourhood_at(2.405904, 46.8010) == neighbourhood_a().pk
    assert current_index().neighbourhood_at(2.4080, 46.8010) == c.pk


def test_it_places_waiting_residents_when_their_neighbourhood_is_drawn(personas: Personas) -> None:
    from django.utils import timezone

    from vigie.addresses.models import Address

    Address.objects.filter(user=personas.alice).update(moved_out_at=timezone.now())
    Membership.objects.filter(user=personas.alice).delete()
    give_home(
        personas.alice,
        home("Rue Saint-Exupéry", 11, ban_street=6, at=(2.3970, 46.8010)),
        verified=True,
        by=personas.carol,
    )
    assert [m.community.kind for m in Membership.objects.filter(user=personas.alice)] == ["commune"]
    carol = log_in_as(Client(), personas.carol, second_factor=True)
    before = carol.get("/equipe/quartiers/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    drawn = draw(personas.carol, box(2.3960, 46.8000, 2.3980, 46.8020))

    after = carol.get("/equipe/quartiers/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert Membership.objects.filter(
        user=personas.alice, community=drawn, state=MembershipState.ACTIVE
    ).exists()
    # The team sees how many homes wait, by commune (never whose, nor where).
    assert "Bourg-lès-Vigies (99101) — 1 home waiting" in before
    assert "Rue Saint-Exupéry" not in before
    assert "Every verified home lies in a neighbourhood." in after


@pytest.mark.parametrize(
    ("boundary", "fragment"),
    [
        ("not json", "not valid GeoJSON"),
        (json.dumps({"type": "Point", "coordinates": [2.4, 46.8]}), "Polygon"),
        (json.dumps({"type": "Polygon", "coordinates": [[[2.4, 46.8]]]}), "not valid GeoJSON"),
        # A bow tie: the ring crosses itself.
        (
            json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [[2.41, 46.81], [2.42, 46.82], [2.42, 46.81], [2.41, 46.82], [2.41, 46.81]]
                    ],
                }
            ),
            "not a valid polygon",
        ),
        (box(-74.1, 40.7, -74.0, 40.8), "lie in France"),  # New York
        (box(46.7, 2.3, 46.8, 2.4), "lie in France"),  # latitude and longitude swapped
        (box(2.42, 46.81, 2.4201, 46.8101), "between"),  # far too small
        (box(2.0, 46.0, 3.0, 47.0), "between"),  # far too big
    ],
)
def test_it_refuses_a_bad_boundary(personas: Personas, boundary: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as raised, translation.override("en"):
        draw(personas.carol, boundary)

    with translation.override("en"):
        assert fragment in str(raised.value.errors["boundary"][0])
    assert not Community.objects.filter(name="Les Vignes").exists()


def test_it_refuses_a_neighbourhood_overlapping_another(personas: Personas) -> None:
    with pytest.raises(InvalidInput) as raised:
        draw(personas.carol, box(2.4050, 46.7990, 2.4100, 46.8030))

    assert raised.value.code == "overlap"
    assert "Quartier des Lilas" in str(raised.value.errors["boundary"][0])


def test_it_ends_memberships_when_moving_home(
    client: Client, personas: Personas, address_reference: None
) -> None:
    log_in_as(client, personas.alice)

    client.put(
        "/api/v1/me/address",
        {"address": {"ban_id": "99101_0006_00011"}},
        content_type="application/json",
    )

    assert not Membership.objects.filter(
        user=personas.alice, state__in=[MembershipState.ACTIVE, MembershipState.SUSPENDED]
    ).exists()
    assert client.get("/api/v1/communities").json() == []
    assert client.get(f"/api/v1/communities/{neighbourhood_a().pk}").status_code == 404


def test_it_places_a_resident_who_enters_the_letter_code(personas: Personas) -> None:
    from vigie.addresses.models import Address, VerificationMethod
    from vigie.verification.actions import do_complete_verification

    bob_home = Address.objects.get(user=personas.bob, moved_out_at__isnull=True)
    do_complete_verification(bob_home, method=VerificationMethod.LETTER, acting_user=personas.bob)

    joined = {m.community.name for m in Membership.objects.filter(user=personas.bob)}
    assert joined == {"Bourg-lès-Vigies", "Quartier des Lilas"}
