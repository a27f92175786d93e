from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from vigie.accounts.models import User
from vigie.accounts.tests.helpers import mailed_link
from vigie.addresses.models import Address
from vigie.test import Personas, Response, log_in_as, run_tasks
from vigie.verification.models import ActivationCode, CodeState, Letter, LetterStatus
from vigie.verification.tests.helpers import code_in, pdf_text, spooled_pdfs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("address_reference")]

PASSWORD = "Tournesol-jaune-42!"


def sign_up_and_confirm(client: Client, email: str = "jeanne@example.org") -> User:
    client.post(
        "/inscription/",
        {
            "first_name": "Jeanne",
            "last_name": "Dupont",
            "email": email,
            "password": PASSWORD,
            "password_again": PASSWORD,
            "ban_id": "99101_0002_00021",
            "complement": "Appartement 3",
            "accept_terms": "on",
        },
    )
    run_tasks()
    client.get(mailed_link(to=email))
    client.post("/inscription/confirmer/")
    run_tasks()
    user = User.objects.get(email=email)
    log_in_as(client, user)
    return user


def enter(client: Client, code: str) -> Response:
    return client.post(
        "/api/v1/verification/activate", {"code": code}, content_type="application/json"
    )


def test_it_goes_from_sign_up_to_a_verified_address_with_the_letter(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        user = sign_up_and_confirm(client)
        (pdf,) = spooled_pdfs()
        code = code_in(pdf)
        assert "APPARTEMENT 3" in pdf_text(pdf)
        assert "en préparation" in client.get("/activer/").content.decode()
        response = client.post("/activer/", {"code": code.lower().replace("-", " ")})

    assert response.status_code == 302
    address = Address.objects.get(user=user, moved_out_at__isnull=True)
    assert address.verified_at is not None
    assert address.verification_method == "letter"
    assert client.get("/api/v1/me").json()["verification"]["address_verified"] is True
    # The clear code is nowhere but in the letter: not in the database, not in the logs.
    compact = code.replace("-", "")
    for table in connection.introspection.table_names():
        with connection.cursor() as cursor:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - names from the schema
            dump = repr(cursor.fetchall())
        assert code not in dump, table
        assert compact not in dump, table
    assert code not in caplog.text
    assert compact not in caplog.text


def test_it_waits_for_the_email_confirmation_before_making_the_letter(client: Client) -> None:
    client.post(
        "/api/v1/auth/register",
        {
            "email": "jeanne@example.org",
            "password": PASSWORD,
            "first_name": "Jeanne",
            "last_name": "Dupont",
            "address": {"ban_id": "99101_0002_00021"},
            "accept_terms": True,
        },
        content_type="application/json",
    )
    run_tasks()

    assert Letter.objects.get().status == LetterStatus.AWAITING_EMAIL
    assert spooled_pdfs() == []
    client.get(mailed_link(to="jeanne@example.org"))
    client.post("/inscription/confirmer/")
    run_tasks()
    assert Letter.objects.get().status == LetterStatus.HANDED_OVER
    assert len(spooled_pdfs()) == 1


def test_it_locks_the_code_after_five_wrong_entries(client: Client) -> None:
    user = sign_up_and_confirm(client)
    code = code_in(spooled_pdfs()[0])
    wrong = "2222-2222-22" if code != "2222-2222-22" else "3333-3333-33"

    answers = [enter(client, wrong) for _ in range(5)]
    after = enter(client, code)

    assert [a.json()["code"] for a in answers] == ["wrong_code"] * 4 + ["code_locked"]
    assert "1" in answers[3].json()["errors"][0]["message"]
    assert after.json()["code"] == "code_locked"
    assert ActivationCode.objects.get(user=user).state == CodeState.LOCKED
    assert not Address.objects.get(user=user).verified_at


def test_it_refuses_an_expired_code(client: Client) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        user = sign_up_and_confirm(client)
        code = code_in(spooled_pdfs()[0])
        traveller.shift(timedelta(days=10))
        call_command("print_letters", verbosity=0)  # posted late: valid 30 days from posting
        traveller.shift(timedelta(days=30))
        # Valid through the 30th day after posting, to its end, in France's time.
        expires_at = timezone.localtime(ActivationCode.objects.get().expires_at)
        assert expires_at > timezone.now()
        assert (expires_at.hour, expires_at.minute) == (23, 59)
        traveller.move_to(expires_at + timedelta(seconds=2))
        log_in_as(client, user)  # the earlier session ran out meanwhile
        response = enter(client, code)

    assert response.status_code == 422
    assert response.json()["code"] == "code_expired"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("ABC", "malformed_code"),
        ("K7QM-R2XD-9F-ZZ", "malformed_code"),
        ("K7QM-R2XD-1F", "malformed_code"),
    ],
)
def test_it_explains_a_malformed_code_without_counting_it(
    client: Client, typed: str, code: str
) -> None:
    user = sign_up_and_confirm(client)

    response = enter(client, typed)

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert ActivationCode.objects.get(user=user).wrong_entries == 0


def test_it_counts_the_code_of_another_account_as_a_wrong_code(client: Client) -> None:
    sign_up_and_confirm(Client(), email="other@example.org")
    other_code = code_in(spooled_pdfs()[0])
    user = sign_up_and_confirm(client)

    response = enter(client, other_code)

    assert response.json()["code"] == "wrong_code"
    assert ActivationCode.objects.get(user=user).wrong_entries == 1


@pytest.mark.parametrize("persona", ["mallory", "bob", "anonymous"])
def test_it_shows_each_person_only_their_own_verification(
    client: Client, personas: Personas, persona: str
) -> None:
    if persona == "anonymous":
        assert client.get("/api/v1/verification").status_code == 401
        assert client.get("/activer/").status_code == 302
        assert enter(client, "K7QM-R2XD-9F").status_code == 401
        return
    log_in_as(client, getattr(personas, persona))

    state = client.get("/api/v1/verification").json()

    own = Address.objects.get(user=getattr(personas, persona), moved_out_at__isnull=True)
    assert state["address"]["street_line"] == own.street_line
    assert state["address_verified"] is (persona == "mallory")


def test_it_keeps_addresses_encrypted_at_rest(personas: Personas) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT street, number, ban_id, postcode FROM addresses_address")
        rows = cursor.fetchall()

    assert rows
    for street, number, ban_id, postcode in rows:
        for word in ("Rue", "Route", "Impasse"):
            assert word not in street
        assert street.startswith("gAAAA")  # a Fernet token
        assert not number.isdigit()
        assert "99101" not in ban_id
        assert postcode == "99100"  # the commune stays searchable
    assert mail.outbox == []


def test_it_records_every_refused_entry(client: Client) -> None:
    from vigie.audit.models import AuditEvent

    user = sign_up_and_confirm(client)

    enter(client, "bad")
    enter(client, "2222-2222-22")

    reasons = [
        event.data.get("reason") or event.event_type
        for event in AuditEvent.objects.filter(actor_id=user.pk).order_by("position")
        if event.event_type.startswith("activation_code.")
    ]
    assert reasons[-2:] == ["malformed", "activation_code.refused"]
