"""What the demo's neighbours have already shared: a few posts of each kind."""

from __future__ import annotations

from datetime import timedelta
from io import TextIOBase

from django.utils import timezone

from vigie.communities.actions import do_set_directory_listing
from vigie.communities.models import Membership
from vigie.posts.actions import PostInput, do_add_comment, do_create_post
from vigie.posts.models import HelpDirection, HelpTopic, Post, PostKind


def _member(email: str, neighbourhood: bool = True) -> Membership:
    return Membership.objects.select_related("user", "community").get(
        user__email=email, community__kind="neighbourhood" if neighbourhood else "commune"
    )


def load(out: TextIOBase) -> None:
    if Post.objects.exists():
        return
    alice = _member("alice@demo.vigie.test")
    dave = _member("dave@demo.vigie.test")
    mallory = _member("mallory@demo.vigie.test")
    for neighbour in (alice, dave):
        do_set_directory_listing(neighbour, listed=True)
    soon = timezone.localdate() + timedelta(days=3)
    do_create_post(
        dave,
        data=PostInput(
            kind=PostKind.INFORMATION,
            title="Réunion de quartier jeudi",
            body="Bonjour à tous,\nréunion des voisins jeudi à 19 h à la salle des fêtes : "
            "éclairage de la rue des Lilas et fête des voisins.",
        ),
    )
    lending = do_create_post(
        alice,
        data=PostInput(
            kind=PostKind.MUTUAL_HELP,
            title="Je prête une perceuse",
            body="Perceuse à percussion disponible le week-end, passez au 12 bis.",
            help_direction=HelpDirection.OFFER,
            help_topic=HelpTopic.LENDING,
        ),
    )
    do_add_comment(lending, membership=dave, body="Merci Alice, je passerai samedi !")
    do_create_post(
        dave,
        data=PostInput(
            kind=PostKind.EVENT,
            title="Fête des voisins",
            body="Chacun apporte un plat ; tables et chaises fournies par la mairie.",
            event_starts_at=timezone.now() + timedelta(days=10),
            event_place="Square des Lilas",
        ),
    )
    do_create_post(
        dave,
        data=PostInput(
            kind=PostKind.ABSENCE,
            title="Absent une semaine",
            body="Merci de jeter un œil à la maison et de ramasser le courrier.",
            absence_from=soon,
            absence_until=soon + timedelta(days=7),
            shown_to=[alice.pk],
        ),
    )
    do_create_post(
        mallory,
        data=PostInput(
            kind=PostKind.INFORMATION,
            title="Chemin forestier fermé",
            body="Coupe de bois toute la semaine : le chemin est fermé aux piétons.",
        ),
    )
    out.write("  five posts, one comment and one absence (shown to Alice only)\n")
