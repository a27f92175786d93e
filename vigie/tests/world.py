"""The world of objects that fills every route's parameters: the access matrix's, the browser's.

Both ask every page of Vigie with real objects behind its ids; one builder keeps them asking
the same pages.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from django.test import Client
from django.utils import timezone
from PIL import Image

from vigie.accounts.models import AccessToken, User
from vigie.alerts.models import Alert
from vigie.communities.models import Membership, NeighbourhoodRequest
from vigie.posts.models import Comment, Post, PostImage
from vigie.privacy.models import DataExport
from vigie.test import Personas, log_in_as, neighbourhood_a


@dataclass
class World:
    personas: Personas
    values: dict[str, str]


def ready_export_of(user: User) -> DataExport:
    """A copy of her data, ready to download, as the export task leaves it."""
    from vigie.privacy.actions import exports_dir

    folder = exports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "matrix.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    return DataExport.objects.create(
        user=user, state="ready", file_name="matrix.zip", ready_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=24),
    )  # fmt: skip


def build_world(personas: Personas) -> World:
    """One of everything a route's parameter can name, each visible to its owner."""
    a = neighbourhood_a()
    post = Post.objects.create(
        community=a, author=personas.alice, kind="information", title="Chat perdu", body="Roux"
    )
    comment = Comment.objects.create(post=post, author=personas.alice, body="Retrouvé !")
    image = io.BytesIO()
    Image.new("RGB", (8, 8)).save(image, format="JPEG")
    from django.core.files.base import ContentFile

    picture = PostImage.objects.create(
        post=post, file=ContentFile(image.getvalue(), name="x.jpg"), width=8, height=8, size=1
    )
    token = AccessToken.objects.create(
        user=personas.alice, name="Phone", digest="0" * 64, prefix="vigie_xxxxxx"
    )
    other_session = log_in_as(Client(), personas.alice)
    session_id = other_session.get("/api/v1/me/sessions").json()[0]["id"]
    asked = NeighbourhoodRequest.objects.create(
        requested_by=personas.bob, insee_code="99101", commune_name="Bourg-lès-Vigies", name="X"
    )
    Membership.objects.filter(user=personas.dave, community=a).update(listed_in_directory=True)
    alert = Alert.objects.create(
        community=a,
        author=personas.alice,
        category="suspicious_vehicle",
        happened_at=timezone.now(),
        place="Rue des Lilas",
        description="Une camionnette fait le tour du quartier.",
        state="approved",
        submitted_at=timezone.now(),
        decided_at=timezone.now(),
    )
    from vigie.moderation.models import Appeal, Decision, Report
    from vigie.test import TOTP_KEY_HEX, make_user

    erin = make_user("erin@example.org", "Erin", "Garnier", is_staff=True)
    from vigie.accounts.models import TOTPDevice

    TOTPDevice.objects.create(user=erin, name="authenticator", key=TOTP_KEY_HEX, confirmed=True)
    reported = Report.objects.create(
        reporter=personas.sam,  # reported before his suspension
        target_type="post",
        target_id=post.pk,
        subject=personas.alice,
        community=a,
        reason="spam",
    )

    def decision(moderator: object, **fields: object) -> Decision:
        values: dict[str, object] = {
            "kind": "warned",
            "terms_version": 1,
            "clause": "4",
            "target_type": "member",
            "target_id": personas.alice.pk,
            "subject": personas.alice,
            "community": a,
            "moderator": moderator,
            "explanation": "Ton.",
            "waiting_since": timezone.now(),
            "in_force_at": timezone.now(),
        }
        return Decision.objects.create(**{**values, **fields})

    warned = decision(personas.carol)
    appealed = Appeal.objects.create(
        decision=decision(erin), appellant=personas.alice, text="Un malentendu."
    )
    ban = decision(
        erin, kind="banned", subject=personas.sam, target_id=personas.sam.pk, state="awaiting"
    )
    from vigie.addresses.models import Address
    from vigie.municipalities.models import Agent, Subscription, TownHall
    from vigie.payments.models import Invoice, Order

    commune = TownHall.objects.get(insee_code="99101")
    Subscription.objects.create(
        town_hall=commune,
        plan="bourg",
        period="yearly",
        paid_until=timezone.now() + timedelta(days=200),
    )
    paid = Order.objects.create(
        town_hall=commune,
        reference="VIGMATRIX0000001",
        plan="bourg",
        period="yearly",
        amount_cents=79_000,
        vat_cents=15_800,
        total_cents=94_800,
        state="paid",
        created_by=personas.townhall,
        paid_at=timezone.now(),
    )
    invoice = Invoice.objects.create(
        number="2026-000001",
        year=2026,
        sequence=1,
        order=paid,
        buyer_name=commune.billing_name,
        buyer_address="1 place de la Mairie\n99100 Bourg-lès-Vigies",
        description="Petite ville",
        period_start=timezone.localdate(),
        period_end=timezone.localdate(),
        amount_cents=79_000,
        vat_rate_percent=20,
        vat_cents=15_800,
        total_cents=94_800,
    )
    from vigie.privacy.models import Breach

    breach = Breach.objects.create(
        discovered_at=timezone.now() - timedelta(hours=5),
        affects_confidentiality=True,
        description="Un export des membres envoyé par erreur.",
        people_categories="Membres du quartier",
        data_categories="Noms et adresses électroniques",
        recorded_by=personas.carol,
    )
    return World(
        personas=personas,
        values={
            "breach_id": str(breach.pk),
            "town_hall_id": str(commune.pk),
            "address_id": str(Address.objects.get(user=personas.bob).pk),
            "membership_id": str(Membership.objects.get(user=personas.alice, community=a).pk),
            "agent_id": str(Agent.objects.get(user=personas.townhall).pk),
            "number": invoice.number,
            "report_id": str(reported.pk),
            "decision_id": str(warned.pk),
            "ban_id": str(ban.pk),
            "appeal_id": str(appealed.pk),
            "user_id": str(personas.dave.pk),
            "version": "1",
            "target_type": "post",
            "target_id": str(post.pk),
            "community_id": str(a.pk),
            "post_id": str(post.pk),
            "comment_id": str(comment.pk),
            "image_id": str(picture.pk),
            "token_id": str(token.pk),
            "session_id": session_id,
            "request_id": str(asked.pk),
            "alert_id": str(alert.pk),
            "token": "not-a-real-token",
            "uid": "MQ",
            "export_id": str(ready_export_of(personas.alice).pk),
            "kind": "push",
        },
    )
