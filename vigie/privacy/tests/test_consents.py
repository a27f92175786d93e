from __future__ import annotations

import base64

import pytest
from django.test import Client

from vigie.communities.actions import do_set_directory_listing
from vigie.communities.models import Membership
from vigie.notifications.actions import do_subscribe_push
from vigie.notifications.models import PhoneNumber, PushSubscription
from vigie.privacy.consents import PRIVACY_POLICY_VERSION
from vigie.privacy.models import Consent, ConsentKind
from vigie.test import Personas, log_in_as, neighbourhood_a

pytestmark = pytest.mark.django_db


def key(length: int, first: bytes = b"") -> str:
    return base64.urlsafe_b64encode(first + b"k" * (length - len(first))).decode().rstrip("=")


def subscribe(personas: Personas) -> None:
    do_subscribe_push(
        personas.alice,
        endpoint="http://localhost:9/push/alice",
        p256dh=key(65, b"\x04"),
        auth=key(16),
        user_agent="Firefox",
    )


def consents(client: Client) -> dict[str, bool]:
    return {entry["kind"]: entry["given"] for entry in client.get("/api/v1/me/consents").json()}


def test_it_records_each_optional_channel_when_turned_on_with_its_time(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)
    membership = Membership.objects.get(user=personas.alice, community=neighbourhood_a())

    subscribe(personas)
    do_set_directory_listing(membership, listed=True)
    shown = consents(alice)

    assert shown[ConsentKind.PUSH] is True
    assert shown[ConsentKind.DIRECTORY] is True
    assert shown[ConsentKind.SMS] is False
    push = Consent.objects.get(user=personas.alice, kind=ConsentKind.PUSH)
    assert push.given_at is not None
    assert push.withdrawn_at is None


def test_it_withdraws_a_consent_in_one_click_on_the_page(personas: Personas) -> None:
    from vigie.privacy.consents import record_consent
    from vigie.test import give_verified_phone

    alice = log_in_as(Client(), personas.alice)
    give_verified_phone(personas.alice)
    record_consent(personas.alice, ConsentKind.SMS, given=True)
    subscribe(personas)

    sms = alice.post("/compte/donnees/consentements/sms/retirer/")
    push = alice.delete("/api/v1/me/consents/push")
    refused = alice.delete("/api/v1/me/consents/privacy_policy")
    page = alice.get("/compte/donnees/").content.decode()

    assert sms.status_code == 302
    assert push.status_code == 204
    assert refused.status_code == 422
    assert not PhoneNumber.objects.filter(user=personas.alice).exists()
    assert not PushSubscription.objects.filter(user=personas.alice).exists()
    assert consents(alice)[ConsentKind.SMS] is False
    assert consents(alice)[ConsentKind.PUSH] is False
    assert "retiré le" in page


def test_it_keeps_the_version_of_the_privacy_policy_read_at_sign_up(personas: Personas) -> None:
    from vigie.addresses.models import BanAddress
    from vigie.test import load_address_reference

    load_address_reference()
    reference = BanAddress.objects.filter(insee_code="99101").first()
    assert reference is not None
    answer = Client().post(
        "/api/v1/auth/register",
        {
            "email": "nouvelle@example.org",
            "password": "Un-mot-de-passe-solide-2026!",
            "first_name": "Nora",
            "last_name": "Petit",
            "accept_terms": True,
            "address": {"ban_id": reference.ban_id},
        },
        content_type="application/json",
    )

    assert answer.status_code in (201, 202), answer.content
    consent = Consent.objects.get(user__email="nouvelle@example.org")
    assert (consent.kind, consent.version) == (ConsentKind.PRIVACY_POLICY, PRIVACY_POLICY_VERSION)


def test_it_shows_no_one_else_s_consents(personas: Personas) -> None:
    subscribe(personas)
    mallory = log_in_as(Client(), personas.mallory)

    assert consents(mallory)[ConsentKind.PUSH] is False
    assert Client().get("/api/v1/me/consents").status_code == 401
    assert mallory.delete("/api/v1/me/consents/push").status_code == 204
    assert PushSubscription.objects.filter(user=personas.alice).exists()
