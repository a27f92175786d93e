from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP

from vigie.accounts.models import RecoveryCode, TOTPDevice
from vigie.test import PASSWORD, Personas, log_in_as, totp_code

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_it_enrols_an_authenticator_and_shows_hashed_recovery_codes_once(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.alice)

    assert client.get("/compte/double-authentification/activer/").status_code == 200
    assert not TOTPDevice.objects.filter(user=personas.alice).exists()  # nothing on GET
    started = client.post("/compte/double-authentification/activer/", {"start": "1"})
    assert started.status_code == 302
    page = client.get("/compte/double-authentification/activer/")
    assert page.status_code == 200
    qr_code = client.get("/compte/double-authentification/qr.svg")
    assert qr_code["Content-Type"] == "image/svg+xml"
    assert qr_code.content.startswith(b"<svg")
    device = TOTPDevice.objects.get(user=personas.alice, confirmed=False)
    done = client.post("/compte/double-authentification/activer/", {"code": current_code(device)})

    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    assert all(re.fullmatch(r"[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){5}", code) for code in codes)
    stored = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert not any(code in stored or code.replace("-", "") in stored for code in codes)
    device.refresh_from_db()
    assert device.confirmed


def test_it_accepts_a_recovery_code_once(client: Client, personas: Personas) -> None:
    log_in_as(client, personas.alice)
    client.post("/compte/double-authentification/activer/", {"start": "1"})
    device = TOTPDevice.objects.get(user=personas.alice, confirmed=False)
    codes = client.post(
        "/compte/double-authentification/activer/", {"code": current_code(device)}
    ).context["codes"]
    client.post("/deconnexion/")

    def log_in_with(code: str) -> int:
        fresh = Client()
        fresh.post("/connexion/", {"email": "alice@example.org", "password": PASSWORD})
        return fresh.post("/connexion/second-facteur/", {"code": code.lower()}).status_code

    assert log_in_with(codes[0]) == 302
    assert log_in_with(codes[0]) == 422


def superuser(personas: Personas) -> Personas:
    """Carol, running the installation: the admin is for superusers only."""
    personas.carol.is_superuser = True
    personas.carol.save(update_fields=["is_superuser"])
    return personas


def test_it_refuses_staff_pages_and_the_admin_without_the_second_factor(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, superuser(personas).carol, second_factor=False)

    admin = client.get("/equipe/admin/")

    assert admin.status_code == 302
    followed = client.get(admin["Location"])
    assert followed.status_code == 302
    assert followed["Location"].startswith("/compte/double-authentification/requise/")


def test_it_accepts_staff_pages_and_the_admin_with_the_second_factor(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, superuser(personas).carol, second_factor=False)
    with time_machine.travel(timezone.now() + timedelta(seconds=1)):
        response = client.post(
            "/compte/double-authentification/requise/?next=/equipe/admin/",
            {"code": totp_code(personas.carol)},
        )
        assert response.status_code == 302
        assert response["Location"] == "/equipe/admin/"
        assert client.get("/equipe/admin/").status_code == 200


def test_it_sends_staff_without_a_verified_session_to_the_second_factor(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.carol, second_factor=False)

    response = client.get("/equipe/")

    assert response.status_code == 302
    assert response["Location"] == "/compte/double-authentification/requise/"


def test_it_opens_the_team_page_to_verified_staff(client: Client, personas: Personas) -> None:
    log_in_as(client, personas.carol, second_factor=True)

    assert client.get("/equipe/").status_code == 200


@pytest.mark.parametrize("persona", ["alice", "bob", "mallory"])
def test_it_answers_404_for_the_team_page_to_residents(
    client: Client, personas: Personas, persona: str
) -> None:
    log_in_as(client, getattr(personas, persona))

    assert client.get("/equipe/").status_code == 404


def test_it_sends_an_anonymous_visitor_of_the_team_page_to_log_in(client: Client) -> None:
    response = client.get("/equipe/")

    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=/equipe/")


@pytest.mark.parametrize("persona", ["alice", "bob", "mallory", "anonymous"])
def test_it_hides_the_admin_from_everyone_else(
    client: Client, personas: Personas, persona: str
) -> None:
    if persona != "anonymous":
        log_in_as(client, getattr(personas, persona))

    response = client.get("/equipe/admin/", follow=True)

    final_path = response.request["PATH_INFO"]
    if persona == "anonymous":
        assert final_path == "/connexion/"
    else:
        assert response.status_code == 404
    assert not final_path.startswith("/equipe/admin/") or response.status_code == 404


def test_it_keeps_staff_from_turning_the_second_factor_off(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.carol, second_factor=True)

    response = client.post("/compte/double-authentification/retirer/", {"password": PASSWORD})

    assert response.status_code == 422
    assert TOTPDevice.objects.filter(user=personas.carol, confirmed=True).exists()


def test_it_refuses_to_replace_the_authenticator_from_an_unverified_session(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.carol, second_factor=False)

    page = client.get("/compte/double-authentification/activer/")
    start = client.post("/compte/double-authentification/activer/", {"start": "1"})
    removal = client.post("/compte/double-authentification/retirer/", {"password": PASSWORD})

    for response in (page, start, removal):
        assert response.status_code == 302
        assert response["Location"].startswith("/compte/double-authentification/requise/")
    assert TOTPDevice.objects.filter(user=personas.carol).count() == 1
    assert client.get("/equipe/").status_code == 302


def test_it_ends_other_sessions_and_rotates_the_key_when_enrolling(
    client: Client, personas: Personas
) -> None:
    other = log_in_as(Client(), personas.alice)
    log_in_as(client, personas.alice)
    key_before = client.session.session_key
    client.post("/compte/double-authentification/activer/", {"start": "1"})
    device = TOTPDevice.objects.get(user=personas.alice, confirmed=False)

    client.post("/compte/double-authentification/activer/", {"code": current_code(device)})

    assert client.session.session_key != key_before
    assert client.get("/compte/").status_code == 200
    assert other.get("/compte/").status_code == 302


def test_it_records_each_recovery_code_used(client: Client, personas: Personas) -> None:
    from vigie.accounts.actions import do_regenerate_recovery_codes
    from vigie.audit.models import AuditEvent

    codes = do_regenerate_recovery_codes(personas.carol)
    client.post("/connexion/", {"email": "carol@example.org", "password": PASSWORD})
    client.post("/connexion/second-facteur/", {"code": codes[3]})

    event = AuditEvent.objects.get(event_type="account.recovery_code_used")
    assert event.data == {"codes_left": 9}


def test_it_keeps_the_admin_from_a_moderator_who_is_no_superuser(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.carol, second_factor=True)

    admin = client.get("/equipe/admin/", follow=True)
    team = client.get("/equipe/moderation/")

    assert admin.status_code == 404
    assert team.status_code == 200


def test_it_makes_recovery_codes_of_at_least_112_bits(personas: Personas) -> None:
    """ASVS 6.5.2: a lookup secret of 112 bits or more may be kept as a SHA-256 digest."""
    import math

    from vigie.accounts.actions import do_regenerate_recovery_codes
    from vigie.accounts.models import normalize_recovery_code
    from vigie.lib.codes import READABLE_ALPHABET

    codes = do_regenerate_recovery_codes(personas.carol)
    normalized = {normalize_recovery_code(code) for code in codes}
    alphabet = set(READABLE_ALPHABET)

    assert len(alphabet) == len(READABLE_ALPHABET)  # no letter counted twice
    assert all(set(code) <= alphabet for code in normalized)
    length = min(len(code) for code in normalized)
    assert length * math.log2(len(alphabet)) >= 112
    # Every letter of the alphabet is really drawn (so its size is the true one): over 1,200
    # characters a letter never drawn would be a one-in-10^15 chance.
    batches = [do_regenerate_recovery_codes(personas.carol) for _ in range(5)]
    drawn = "".join(normalize_recovery_code(code) for batch in batches for code in batch)
    assert set(drawn) == alphabet
    # Digests only, one per code of the last batch, none of them the code itself.
    stored = set(
        RecoveryCode.objects.filter(device__user=personas.carol).values_list("digest", flat=True)
    )
    assert len(stored) == 10
    assert not stored & {normalize_recovery_code(code) for code in batches[-1]}
