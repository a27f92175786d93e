from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from vigie.addresses.models import Address
from vigie.audit.models import AuditEvent
from vigie.test import Personas, Response, log_in_as, run_tasks
from vigie.verification.models import ActivationCode, CodeState, Letter, LetterStatus
from vigie.verification.tests.helpers import code_in, spooled_pdfs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("address_reference")]


def ask_letter(client: Client) -> Response:
    return client.post("/api/v1/verification/letters", content_type="application/json")


def test_it_sends_a_new_letter_whose_code_replaces_the_old_one(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.bob)
    assert ask_letter(client).status_code == 202
    run_tasks()
    first = code_in(spooled_pdfs()[0])

    assert ask_letter(client).status_code == 202
    run_tasks()

    codes = ActivationCode.objects.filter(user=personas.bob)
    assert sorted(codes.values_list("state", flat=True)) == [CodeState.LIVE, CodeState.REPLACED]
    answer = client.post(
        "/api/v1/verification/activate", {"code": first}, content_type="application/json"
    )
    assert answer.json()["code"] == "wrong_code"


def test_it_sends_at_most_three_letters_per_account_in_ninety_days(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.bob)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        statuses = [ask_letter(client).status_code for _ in range(4)]
        refused = ask_letter(client)
        assert statuses == [202, 202, 202, 429]
        assert refused.json()["code"] == "letter_limit"
        assert 89 * 86400 < int(refused["Retry-After"]) <= 90 * 86400 + 1

        traveller.shift(timedelta(days=90, minutes=1))
        log_in_as(client, personas.bob)
        assert ask_letter(client).status_code == 202


def test_it_sends_a_new_letter_from_the_page_and_says_when_the_limit_is_reached(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.bob)

    with time_machine.travel(timezone.now(), tick=False):
        answers = [
            client.post("/activer/nouvelle-lettre/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
            for _ in range(4)
        ]
    run_tasks()

    said = [answer.content.decode() for answer in answers]
    assert all(answer.redirect_chain == [("/activer/", 302)] for answer in answers)
    assert all("A new letter is on its way" in page for page in said[:3])
    assert "A new letter is on its way" not in said[3]
    assert "alert-error" in said[3]
    assert Letter.objects.filter(user=personas.bob).count() == 3
    assert len(spooled_pdfs()) == 1  # each new letter withdrew the one before from the printer


def test_it_sends_at_most_three_letters_per_address_whoever_asks(
    personas: Personas,
) -> None:
    from vigie.test import give_home, home

    # Four people at the same home: the fourth gets no letter.
    neighbours = [personas.alice, personas.dave, personas.sam, personas.mallory]
    answers = []
    for person in neighbours:
        Address.objects.filter(user=person).update(moved_out_at=timezone.now())
        give_home(
            person, home("Impasse du Moulin", 9, ban_street=5), verified=False, by=personas.carol
        )
        answers.append(ask_letter(log_in_as(Client(), person)).status_code)

    assert answers == [202, 202, 202, 429]


def test_it_prints_every_spooled_letter_into_one_pdf_and_marks_them_posted(
    personas: Personas, capsys: pytest.CaptureFixture[str]
) -> None:
    for person in (personas.bob,):
        ask_letter(log_in_as(Client(), person))
    from vigie.test import give_home, home

    Address.objects.filter(user=personas.alice).update(moved_out_at=timezone.now())
    give_home(
        personas.alice, home("Rue des Lilas", 44, ban_street=1), verified=False, by=personas.carol
    )
    ask_letter(log_in_as(Client(), personas.alice))
    run_tasks()
    codes = sorted(code_in(pdf) for pdf in spooled_pdfs())

    call_command("print_letters")

    output = capsys.readouterr().out
    assert "2 letters in" in output
    (print_file,) = (Path(settings.LETTERS_DIR) / "print").glob("*.pdf")
    reader = PdfReader(print_file)
    assert len(reader.pages) == 2
    assert sorted(code_in_text(page.extract_text()) for page in reader.pages) == codes
    assert spooled_pdfs() == []  # single letters with their codes are gone
    assert set(Letter.objects.values_list("status", flat=True)) == {LetterStatus.POSTED}
    assert AuditEvent.objects.filter(event_type="letter.posted").count() == 2


def code_in_text(text: str) -> str:
    from vigie.verification.tests.helpers import CODE_PATTERN

    match = CODE_PATTERN.search(text)
    assert match
    return match.group(0)


def test_it_tells_when_the_letter_should_arrive(client: Client, personas: Personas) -> None:
    log_in_as(client, personas.bob)
    ask_letter(client)
    run_tasks()
    call_command("print_letters", verbosity=0)

    letter = client.get("/api/v1/verification").json()["letter"]

    assert letter["status"] == "posted"
    assert letter["expected_from"] < letter["expected_until"]
    assert "2 à 4 jours ouvrés" in client.get("/activer/").content.decode()


def test_it_moves_home_and_unverifies_until_the_new_letter(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.alice)

    response = client.put(
        "/api/v1/me/address",
        {"address": {"ban_id": "99101_0006_00011"}},
        content_type="application/json",
    )

    assert response.status_code == 202
    body = response.json()
    assert body["address_verified"] is False
    assert body["address"]["street_line"] == "11 Rue Saint-Exupéry"
    assert body["letter"]["status"] == "queued"
    old = Address.objects.get(user=personas.alice, moved_out_at__isnull=False)
    assert old.verified_at is not None  # the record of the former home stays
    run_tasks()
    assert len(spooled_pdfs()) == 1


def test_it_moves_through_the_page_and_reports_a_bad_address(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.alice)

    bad = client.post(
        "/compte/adresse/",
        {
            "number": "5",
            "street": "Rue des Lilas",
            "postcode": "99999",
            "commune": "Bourg-lès-Vigies",
        },
    )
    good = client.post("/compte/adresse/", {"ban_id": "99101_0003_00004"})

    assert bad.status_code == 422
    assert "postcode" in bad.context["address_form"].errors
    assert good.status_code == 302
    assert (
        Address.objects.get(user=personas.alice, moved_out_at__isnull=True).street
        == "Place de la Mairie"
    )


def test_it_lists_search_results_on_the_page_without_javascript(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.alice)

    response = client.post(
        "/compte/adresse/", {"address_query": "4 place de la mairie", "search": "1"}
    )

    assert response.status_code == 200
    assert 'value="99101_0003_00004"' in response.content.decode()
    assert Address.objects.filter(user=personas.alice).count() == 1


def test_it_refuses_a_letter_when_already_verified(client: Client, personas: Personas) -> None:
    log_in_as(client, personas.alice)

    response = ask_letter(client)

    assert response.status_code == 409
    assert response.json()["code"] == "already_verified"


def test_it_holds_the_letter_of_a_typed_address_until_the_team_checks_it(
    client: Client, personas: Personas
) -> None:
    from vigie.verification.actions import do_approve_typed_address

    log_in_as(client, personas.alice)
    client.put(
        "/api/v1/me/address",
        {
            "address": {
                "number": "150",
                "street": "Chemin Neuf",
                "postcode": "99100",
                "commune": "Bourg-lès-Vigies",
            }
        },
        content_type="application/json",
    )
    run_tasks()
    letter = Letter.objects.get(user=personas.alice)
    assert letter.status == LetterStatus.AWAITING_REVIEW
    assert spooled_pdfs() == []

    address = Address.objects.get(user=personas.alice, moved_out_at__isnull=True)
    do_approve_typed_address(address, acting_user=personas.carol)
    run_tasks()

    letter.refresh_from_db()
    assert letter.status == LetterStatus.HANDED_OVER
    assert len(spooled_pdfs()) == 1
    assert AuditEvent.objects.filter(
        event_type="address.reviewed", actor_id=personas.carol.pk
    ).exists()


def test_it_lets_the_team_check_a_typed_address_from_its_page(
    client: Client, personas: Personas
) -> None:
    alice = log_in_as(Client(), personas.alice)
    alice.put(
        "/api/v1/me/address",
        {"address": {"number": "150", "street": "Chemin Neuf", "postcode": "99100",
                     "commune": "Bourg-lès-Vigies"}},
        content_type="application/json",
    )  # fmt: skip
    address = Address.objects.get(user=personas.alice, moved_out_at__isnull=True)
    carol = log_in_as(client, personas.carol, second_factor=True)

    page = carol.get("/equipe/adresses/").content.decode()
    answer = carol.post("/equipe/adresses/", {"address_id": address.pk})
    again = carol.post("/equipe/adresses/", {"address_id": address.pk})
    by_a_resident = alice.post("/equipe/adresses/", {"address_id": address.pk})
    run_tasks()

    address.refresh_from_db()
    assert "Chemin Neuf" in page
    assert answer.status_code == 302
    assert again.status_code == 404  # checked already: no longer waiting
    assert by_a_resident.status_code == 404
    assert address.needs_review is False
    assert Letter.objects.get(user=personas.alice).status == LetterStatus.HANDED_OVER
    assert AuditEvent.objects.filter(
        event_type="address.reviewed", actor_id=personas.carol.pk
    ).exists()


def test_it_limits_letters_to_one_building_whatever_the_flat(personas: Personas) -> None:
    from django.test import override_settings

    from vigie.test import give_home, home

    neighbours = [personas.alice, personas.dave, personas.sam, personas.mallory]
    answers = []
    with override_settings(LETTERS_PER_BUILDING=3):
        for number, person in enumerate(neighbours):
            Address.objects.filter(user=person).update(moved_out_at=timezone.now())
            flat = home("Impasse du Moulin", 9, ban_street=5)
            flat = type(flat)(**{**flat.__dict__, "complement": f"Appartement {number}"})
            give_home(person, flat, verified=False, by=personas.carol)
            answers.append(ask_letter(log_in_as(Client(), person)).status_code)

    assert answers == [202, 202, 202, 429]


def test_it_withdraws_a_letter_from_the_printer_when_a_new_one_is_asked(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.bob)
    ask_letter(client)
    run_tasks()
    (first_pdf,) = spooled_pdfs()

    ask_letter(client)
    run_tasks()

    remaining = spooled_pdfs()
    assert first_pdf not in remaining
    assert len(remaining) == 1
    first = Letter.objects.filter(user=personas.bob).order_by("pk").first()
    assert first is not None
    assert first.status == LetterStatus.CANCELLED
    assert AuditEvent.objects.filter(
        event_type="letter.withdrawn", target_id=str(first.pk)
    ).exists()
    call_command("print_letters", verbosity=0)
    assert Letter.objects.filter(user=personas.bob, status=LetterStatus.POSTED).count() == 1


def test_it_takes_back_a_letter_cancelled_while_it_was_being_made(personas: Personas) -> None:
    from vigie.verification.actions import do_request_letter
    from vigie.verification.models import LetterReason
    from vigie.verification.tasks import send_letter

    first = do_request_letter(
        personas.bob, reason=LetterReason.NEW_LETTER, acting_user=personas.bob
    )
    real_render = __import__("vigie.verification.tasks", fromlist=["render_letter"]).render_letter

    def render_then_cancel(**kwargs: object) -> bytes:
        # Meanwhile, Bob asks again: the first letter is cancelled mid-way.
        do_request_letter(personas.bob, reason=LetterReason.NEW_LETTER, acting_user=personas.bob)
        return real_render(**kwargs)

    from unittest import mock

    with mock.patch("vigie.verification.tasks.render_letter", side_effect=render_then_cancel):
        assert send_letter.call(first.pk) == LetterStatus.CANCELLED

    first.refresh_from_db()
    assert first.status == LetterStatus.CANCELLED
    assert spooled_pdfs() == []  # the first letter's PDF did not stay for the printer


def test_it_never_strands_a_letter_when_its_task_crashes(personas: Personas) -> None:
    from unittest import mock

    from vigie.verification.actions import do_request_letter
    from vigie.verification.models import LetterReason

    letter = do_request_letter(
        personas.bob, reason=LetterReason.NEW_LETTER, acting_user=personas.bob
    )
    with mock.patch(
        "vigie.verification.senders.SpoolSender.send", side_effect=PermissionError("read-only disk")
    ):
        run_tasks()

    letter.refresh_from_db()
    assert letter.status == LetterStatus.QUEUED
    assert letter.attempts == 1
    assert "PermissionError" in letter.last_error
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        run_tasks()
    letter.refresh_from_db()
    assert letter.status == LetterStatus.HANDED_OVER


def test_it_queues_again_a_letter_whose_task_was_lost(personas: Personas) -> None:
    from vigie.verification.actions import do_request_letter, do_requeue_stuck_letters
    from vigie.verification.models import LetterReason

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        letter = do_request_letter(
            personas.bob, reason=LetterReason.NEW_LETTER, acting_user=personas.bob
        )
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.all().delete()  # the worker lost it
        traveller.shift(timedelta(hours=3))
        assert do_requeue_stuck_letters() == 1
        run_tasks()

    letter.refresh_from_db()
    assert letter.status == LetterStatus.HANDED_OVER


def test_it_writes_letters_readable_by_their_owner_only(client: Client, personas: Personas) -> None:
    log_in_as(client, personas.bob)
    ask_letter(client)
    run_tasks()
    (pdf,) = spooled_pdfs()

    assert oct(pdf.stat().st_mode)[-3:] == "600"
    assert oct(pdf.parent.stat().st_mode)[-3:] == "700"
    call_command("print_letters", verbosity=0)
    (printed,) = (Path(settings.LETTERS_DIR) / "print").glob("*.pdf")
    assert oct(printed.stat().st_mode)[-3:] == "600"


def test_it_purges_old_print_files(personas: Personas, client: Client) -> None:
    from vigie.verification.tasks import purge_print_files

    log_in_as(client, personas.bob)
    ask_letter(client)
    run_tasks()
    call_command("print_letters", verbosity=0)

    assert purge_print_files.call() == 0
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        import os

        for path in (Path(settings.LETTERS_DIR) / "print").glob("*.pdf"):
            old = (timezone.now() - timedelta(days=8)).timestamp()
            os.utime(path, (old, old))
        assert purge_print_files.call() == 1
    assert list((Path(settings.LETTERS_DIR) / "print").glob("*.pdf")) == []
