from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from vigie.addresses.postal import Envelope
from vigie.test import Personas, log_in_as, run_tasks
from vigie.verification.maileva_standin import MailevaStandIn
from vigie.verification.models import Letter, LetterStatus
from vigie.verification.senders import MailevaSender, SenderError
from vigie.verification.tasks import refresh_letter_statuses

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("address_reference")]


@pytest.fixture
def maileva(settings: Settings) -> Iterator[MailevaStandIn]:
    standin = MailevaStandIn().start()
    settings.LETTER_SENDER = "maileva"
    settings.MAILEVA_API_URL = f"{standin.base_url}/mail/v2"
    settings.MAILEVA_TOKEN_URL = f"{standin.base_url}/oauth/token"
    settings.MAILEVA_CLIENT_ID = standin.client_id
    settings.MAILEVA_CLIENT_SECRET = standin.client_secret
    yield standin
    standin.stop()


def ask_letter(user_client: Client) -> None:
    user_client.post("/api/v1/verification/letters", content_type="application/json")


def test_it_creates_a_sending_uploads_the_pdf_and_submits_it(
    maileva: MailevaStandIn, personas: Personas
) -> None:
    ask_letter(log_in_as(Client(), personas.bob))

    run_tasks()

    letter = Letter.objects.get(user=personas.bob)
    assert letter.status == LetterStatus.HANDED_OVER
    assert letter.sender == "maileva"
    sending = maileva.sendings[letter.external_id]
    assert sending.status == "PENDING"
    assert sending.recipients[0]["address_line_1"] == "Bob Durand"
    assert sending.recipients[0]["address_line_4"] == "3 IMPASSE DU MOULIN"
    assert sending.recipients[0]["address_line_6"] == "99100 BOURG LES VIGIES"
    assert len(sending.documents) == 1
    paths = [path for _method, path in maileva.requests]
    assert paths[0] == "/oauth/token"
    assert paths[-1].endswith("/submit")


def test_it_reads_the_status_until_the_letter_is_posted(
    maileva: MailevaStandIn, personas: Personas
) -> None:
    ask_letter(log_in_as(Client(), personas.bob))
    run_tasks()

    refresh_letter_statuses.call()  # PENDING
    refresh_letter_statuses.call()  # ACCEPTED
    assert Letter.objects.get().status == LetterStatus.HANDED_OVER
    refresh_letter_statuses.call()  # PROCESSED

    letter = Letter.objects.get()
    assert letter.status == LetterStatus.POSTED
    assert letter.posted_at is not None


def test_it_retries_a_server_error_within_the_attempt(
    maileva: MailevaStandIn, personas: Personas
) -> None:
    maileva.fail_next("/documents", status=503, times=2)
    ask_letter(log_in_as(Client(), personas.bob))

    run_tasks()

    assert Letter.objects.get().status == LetterStatus.HANDED_OVER
    uploads = [path for method, path in maileva.requests if path.endswith("/documents")]
    assert len(uploads) == 3


def test_it_retries_the_letter_later_when_the_service_stays_down(
    maileva: MailevaStandIn, personas: Personas
) -> None:
    maileva.fail_next("/sendings", status=502, times=3)
    ask_letter(log_in_as(Client(), personas.bob))

    run_tasks()

    letter = Letter.objects.get()
    assert letter.status == LetterStatus.QUEUED
    assert letter.attempts == 1
    assert "502" in letter.last_error


def test_it_gives_up_on_a_refusal_and_says_so(maileva: MailevaStandIn, personas: Personas) -> None:
    sender = MailevaSender(
        api_url=f"{maileva.base_url}/mail/v2",
        token_url=f"{maileva.base_url}/oauth/token",
        client_id=maileva.client_id,
        client_secret="wrong",
        timeout=5,
    )
    letter = Letter(pk=1)

    with pytest.raises(SenderError) as raised:
        sender.send(
            letter,
            pdf=b"%PDF-1.4",
            envelope=Envelope(
                name="A", complement_lines=(), street_line="1 RUE X", last_line="99100 X"
            ),
            on_created=lambda sending_id: None,
        )

    assert raised.value.retryable is False


def test_it_deletes_the_draft_when_a_step_fails_for_good(
    maileva: MailevaStandIn, personas: Personas
) -> None:
    maileva.fail_next("/recipients", status=500, times=1)
    ask_letter(log_in_as(Client(), personas.bob))

    run_tasks()

    letter = Letter.objects.get()
    assert letter.status == LetterStatus.QUEUED  # to be tried again later
    assert maileva.sendings == {}  # no draft left holding an address
    assert ("DELETE", f"/mail/v2/sendings/{letter.external_id}") in maileva.requests


def test_it_takes_a_lost_submit_answer_for_a_success(
    maileva: MailevaStandIn, personas: Personas
) -> None:
    from unittest import mock

    import requests

    real_request = requests.request

    def lose_the_submit_answer(method: str, url: str, **kwargs: object) -> requests.Response:
        response = real_request(method, url, **kwargs)  # type: ignore[arg-type]
        if url.endswith("/submit"):
            raise requests.Timeout("the answer was lost")
        return response

    ask_letter(log_in_as(Client(), personas.bob))
    with mock.patch(
        "vigie.verification.senders.requests.request", side_effect=lose_the_submit_answer
    ):
        run_tasks()

    letter = Letter.objects.get()
    assert letter.status == LetterStatus.HANDED_OVER
    assert maileva.sendings[letter.external_id].status != "DRAFT"
    submits = [path for method, path in maileva.requests if path.endswith("/submit")]
    assert len(submits) == 1  # never submitted twice


def test_it_gives_maileva_the_lines_the_pdf_prints_with_both_complement_lines_whole() -> None:
    from vigie.addresses.postal import envelope, postal_upper
    from vigie.verification.senders import maileva_recipient

    complement = "Appartement 12, escalier B, résidence des Grands Chênes"
    block = envelope(
        name="Bob Durand",
        number="3",
        suffix="",
        street="Impasse du Moulin",
        complement=complement,
        postcode="99100",
        locality="Bourg-lès-Vigies",
    )

    recipient = maileva_recipient(block)

    lines = [recipient.get(f"address_line_{number}", "") for number in range(1, 7)]
    assert len(block.complement_lines) == 2
    assert [line for line in lines if line] == block.lines
    assert lines[4] == ""  # line 5 is for a lieu-dit or a PO box
    assert " ".join(lines[1:3]) == postal_upper(complement)
    assert all(len(line) <= 38 for line in lines)


@pytest.mark.parametrize("status", [302, 303, 307])
def test_it_never_follows_a_redirect_from_maileva(status: int) -> None:
    """ASVS 15.3.2: the credentials and the letter are not carried elsewhere; a redirect
    fails the attempt for good (Maileva never redirects: the address is wrong)."""
    from vigie.lib.standin import Redirector

    redirector = Redirector(status).start()
    try:
        sender = MailevaSender(
            api_url=f"{redirector.base_url}/mail/v2",
            token_url=f"{redirector.base_url}/oauth/token",
            client_id="vigie",
            client_secret="secret",
            timeout=5,
        )
        with pytest.raises(SenderError, match=str(status)) as raised:
            sender.send(
                Letter(pk=1),
                pdf=b"%PDF-1.4",
                envelope=Envelope(
                    name="A", complement_lines=(), street_line="1 RUE X", last_line="99100 X"
                ),
                on_created=lambda sending_id: None,
            )
    finally:
        redirector.stop()

    assert raised.value.retryable is False
    assert redirector.requests == [("POST", "/oauth/token")]
    assert not redirector.followed
