"""A person with a full life on Vigie, made through the same API members use."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from vigie.accounts.actions import do_create_access_token
from vigie.accounts.models import User
from vigie.communities.actions import do_set_directory_listing
from vigie.communities.models import Membership
from vigie.notifications.actions import do_subscribe_push
from vigie.test import (
    Personas,
    give_home,
    give_verified_phone,
    home,
    log_in_as,
    make_user,
    neighbourhood_a,
    run_tasks,
)


@dataclass(frozen=True)
class Life:
    person: User
    client: Client
    post_id: int
    comment_id: int
    alert_id: int
    image_name: str


def jpeg() -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", (32, 24), (20, 120, 200)).save(output, format="JPEG")
    return SimpleUploadedFile("photo.jpg", output.getvalue(), "image/jpeg")


def push_key() -> str:
    return base64.urlsafe_b64encode(b"\x04" + b"k" * 64).decode().rstrip("=")


def zephyrine(personas: Personas) -> User:
    """A neighbour of A whose every string is her own: a dump can be searched for them."""
    person = make_user("zephyrine.quintal@example.org", "Zéphyrine", "Quintal-Brocard")
    person.nickname = "Zézé977"
    person.display_name = "Zézé977"
    person.save(update_fields=["nickname", "display_name"])
    give_home(
        person, home("Allée des Hirondelles", 977, ban_street=99), verified=True, by=personas.carol
    )
    return person


def live(person: User, personas: Personas) -> Life:
    """Posts, a photo, a comment, an alert approved, a report, a decision, a phone, a push
    subscription, a directory listing, a token, deliveries and e-mails."""
    a = neighbourhood_a().pk
    client = log_in_as(Client(), person)
    carol = log_in_as(Client(), personas.carol, second_factor=True)
    dave = log_in_as(Client(), personas.dave)
    post_id = client.post(
        f"/api/v1/communities/{a}/posts",
        {"kind": "information", "title": f"Chat de {person.first_name}", "body": "Tigré."},
        content_type="application/json",
    ).json()["id"]
    client.post(f"/api/v1/posts/{post_id}/images", {"images": [jpeg()]})
    comment_id = client.post(
        f"/api/v1/posts/{post_id}/comments",
        {"body": f"Merci, signé {person.display_name}"},
        content_type="application/json",
    ).json()["id"]
    alert_id = client.post(
        f"/api/v1/communities/{a}/alerts",
        {
            "category": "suspicious_vehicle",
            "happened_at": timezone.now().isoformat(),
            "place": "977 Allée des Hirondelles",
            "description": "Une camionnette blanche tourne autour des garages depuis une heure.",
            "send_anyway": True,
        },
        content_type="application/json",
    ).json()["id"]
    # The team edits her house number out: the original stays in the audit log.
    carol.post(
        f"/api/v1/moderation/alerts/{alert_id}/decision",
        {"decision": "approve", "place": "Allée des Hirondelles"},
        content_type="application/json",
    )
    dave_post = dave.post(
        f"/api/v1/communities/{a}/posts",
        {"kind": "information", "title": "Réunion", "body": "Jeudi à 19 h."},
        content_type="application/json",
    ).json()["id"]
    client.post(
        "/api/v1/reports",
        {
            "target_type": "post",
            "target_id": dave_post,
            "reason": "spam",
            "details": f"Pub. Signalé par {person.first_name} {person.last_name}",
        },
        content_type="application/json",
    )
    warning = carol.post(
        f"/api/v1/moderation/users/{person.pk}/sanctions",
        {"kind": "warned", "clause": "4", "explanation": "Ton un peu vif dans un commentaire."},
        content_type="application/json",
    ).json()["id"]
    appealed = client.post(
        f"/api/v1/me/decisions/{warning}/appeal",
        {"text": f"Je suis {person.first_name} {person.last_name}, du 977 : c'était une blague."},
        content_type="application/json",
    )
    assert appealed.status_code == 201, appealed.content
    dave_alert = dave.post(
        f"/api/v1/communities/{a}/alerts",
        {
            "category": "other",
            "happened_at": timezone.now().isoformat(),
            "place": "Place du marché",
            "description": "Le marché de demain est annulé, prévenez vos voisins âgés.",
            "send_anyway": True,
        },
        content_type="application/json",
    ).json()["id"]
    carol.post(
        f"/api/v1/moderation/alerts/{dave_alert}/decision",
        {"decision": "approve"},
        content_type="application/json",
    )
    give_verified_phone(person, f"+336987{person.pk:05d}")
    do_subscribe_push(
        person,
        endpoint="http://localhost:9/push/zephyrine",
        p256dh=push_key(),
        auth=base64.urlsafe_b64encode(b"a" * 16).decode().rstrip("="),
        user_agent="Firefox",
    )
    do_set_directory_listing(Membership.objects.get(user=person, community_id=a), listed=True)
    do_create_access_token(person, name="Téléphone", with_second_factor=False)
    run_tasks()
    from vigie.posts.models import PostImage

    image = PostImage.objects.get(post_id=post_id)
    return Life(person, client, post_id, comment_id, alert_id, str(image.file.name))
