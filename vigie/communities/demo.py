"""The demo's neighbourhoods in Bourg-lès-Vigies (fictional): A, around rue des Lilas,
and B, the hamlet on route de la Forêt.  Rue Saint-Exupéry and allée des Tilleuls lie
in neither: their residents wait in the commune's list."""

from __future__ import annotations

import json
from io import TextIOBase

from vigie.accounts.models import User
from vigie.communities.actions import do_create_neighbourhood, do_set_role, do_suspend_member
from vigie.communities.models import Community, Membership, MembershipState, Role


def _box(west: float, south: float, east: float, north: float) -> str:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


NEIGHBOURHOOD_A = ("Quartier des Lilas", _box(2.398426, 46.798643, 2.405904, 46.803619))
NEIGHBOURHOOD_B = ("Hameau de la Forêt", _box(2.389503, 46.800000, 2.395408, 46.804071))
INSEE = "99101"
COMMUNE = "Bourg-lès-Vigies"

# Points inside each (longitude, latitude), for homes that tests place there.
INSIDE_A = (2.4010, 46.8004)
INSIDE_B = (2.3925, 46.8021)


def create_neighbourhoods(team: User) -> tuple[Community, Community]:
    made = []
    for name, boundary in (NEIGHBOURHOOD_A, NEIGHBOURHOOD_B):
        existing = Community.objects.filter(name=name, insee_code=INSEE).first()
        made.append(
            existing
            or do_create_neighbourhood(
                name=name,
                insee_code=INSEE,
                commune_name=COMMUNE,
                boundary=boundary,
                acting_user=team,
            )
        )
    return made[0], made[1]


def load(out: TextIOBase) -> None:
    team = User.objects.get(email="carol@demo.vigie.test")
    before = Community.objects.count()
    create_neighbourhoods(team)
    if Community.objects.count() > before:
        out.write("  drew the neighbourhoods Quartier des Lilas (A) and Hameau de la Forêt (B)\n")


def load_people(out: TextIOBase) -> None:
    """After the homes are verified: Dave is référent of A, Sam is suspended."""
    team = User.objects.get(email="carol@demo.vigie.test")
    dave = Membership.objects.filter(
        user__email="dave@demo.vigie.test", community__name=NEIGHBOURHOOD_A[0]
    ).first()
    if dave is not None and dave.role != Role.REFERENT:
        do_set_role(dave, role=Role.REFERENT, acting_user=team)
        out.write("  dave@demo.vigie.test is the référent of Quartier des Lilas\n")
    sam = User.objects.get(email="sam@demo.vigie.test")
    if Membership.objects.filter(user=sam, state=MembershipState.ACTIVE).exists():
        do_suspend_member(sam, until=None, acting_user=team)
        out.write("  sam@demo.vigie.test is suspended (reads, cannot write)\n")
