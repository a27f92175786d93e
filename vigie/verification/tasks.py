"""Sending letters, and following them until they are posted."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from vigie.addresses.postal import envelope_lines
from vigie.operations import periodic
from vigie.verification import actions
from vigie.verification.codes import new_code
from vigie.verification.letter_pdf import render_letter
from vigie.verification.models import Letter, LetterStatus
from vigie.verification.senders import SenderError, SenderStatus, get_sender

logger = logging.getLogger(__name__)


def letter_lines(letter: Letter) -> list[str]:
    address = letter.address
    return envelope_lines(
        name=letter.user.get_full_name(),
        number=address.number,
        suffix=address.suffix,
        street=address.street,
        complement=address.complement,
        postcode=address.postcode,
        locality=address.delivery_name or address.commune,
    )


@task()
def send_letter(letter_id: int) -> str:
    """Make the code, print it into the PDF, hand the letter to the sender.

    The clear code lives only in this function's memory and in the PDF: the
    database keeps its hash, and the task's arguments hold only the letter id.
    """
    letter = Letter.objects.select_related("user", "address").filter(pk=letter_id).first()
    if letter is None or letter.status != LetterStatus.QUEUED:
        return "skipped"
    code = new_code()
    activation = actions.do_issue_activation_code(letter, code=code)
    lines = letter_lines(letter)
    pdf = render_letter(
        address_lines=lines,
        code=code,
        expires_at=activation.expires_at,
        language=letter.user.language,
        today=timezone.localtime(),
    )
    sender = get_sender()
    try:
        external_id = sender.send(letter, pdf=pdf, lines=lines)
    except SenderError as error:
        retrying = actions.do_record_letter_failure(
            letter, error=str(error), retryable=error.retryable
        )
        logger.warning(
            "letter %s not sent (%s)", letter.pk, "will retry" if retrying else "gave up"
        )
        return "retrying" if retrying else LetterStatus.FAILED
    actions.do_record_letter_handed_over(letter, sender=sender.name, external_id=external_id)
    return LetterStatus.HANDED_OVER


@task()
def refresh_letter_statuses() -> int:
    """Ask the sender where each letter in its hands stands; mark those posted."""
    sender = get_sender()
    waiting = Letter.objects.filter(
        status=LetterStatus.HANDED_OVER,
        sender=sender.name,
        handed_over_at__gte=timezone.now() - timedelta(days=30),
    )
    posted = []
    for letter in waiting:
        try:
            status = sender.status(letter)
        except SenderError:
            continue
        if status is SenderStatus.POSTED:
            posted.append(letter)
        elif status is SenderStatus.FAILED:
            actions.do_record_letter_failure(
                letter, error="rejected by the sender", retryable=False
            )
    return actions.do_mark_letters_posted(posted, acting_user=None)


periodic.register("refresh_letter_statuses", every=timedelta(hours=1), task=refresh_letter_statuses)
