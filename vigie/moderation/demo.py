"""The demo's moderation: a report waiting for Carol, and Sam's suspension, which he may appeal.

Sam, suspended by the neighbourhoods' part of the demo, is suspended here again
as the team does it: a decision under clause 4 of the terms, for 14 days, that
he reads (and may appeal) at /compte/decisions/. Before that he had posted an
advertisement that Alice reported; the report waits in Carol's queue at
/equipe/moderation/.
"""

from __future__ import annotations

from io import TextIOBase

from vigie.accounts.models import User
from vigie.communities.actions import do_lift_suspension
from vigie.communities.models import Membership
from vigie.moderation.access import reportable_target
from vigie.moderation.actions import DecisionInput, do_report, do_sanction_member
from vigie.moderation.models import Decision
from vigie.posts.actions import PostInput, do_create_post
from vigie.posts.models import PostKind


def _member(email: str) -> Membership:
    return Membership.objects.select_related("user", "community").get(
        user__email=email, community__kind="neighbourhood"
    )


def load(out: TextIOBase) -> None:
    if Decision.objects.exists():
        return
    carol = User.objects.get(email="carol@demo.vigie.test")
    sam = _member("sam@demo.vigie.test")
    alice = _member("alice@demo.vigie.test")
    do_lift_suspension(sam.user, acting_user=carol)
    sam.refresh_from_db()
    advert = do_create_post(
        sam,
        data=PostInput(
            kind=PostKind.INFORMATION,
            title="Vends scooter 300 €",
            body="Scooter 50 cm³, 300 € à débattre, livraison possible dans tout le quartier.",
        ),
    )
    do_report(
        reportable_target(alice.user, "post", advert.pk),
        reporter=alice.user,
        membership=alice,
        reason="spam",
        details="Troisième annonce de vente cette semaine.",
    )
    do_sanction_member(
        sam.user,
        acting_user=carol,
        data=DecisionInput(
            kind="suspended",
            clause="4",
            explanation="Insultes répétées envers un voisin dans les commentaires.",
            suspension_days=14,
        ),
        community_id=sam.community_id,
    )
    out.write("  Sam suspended for 14 days (clause 4); Alice's report of his advert waits\n")
