"""Sending letters, following them until they are posted, and cleaning up after them."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from vigie.addresses.postal import Envelope, envelope
from vigie.lib.tasks import LETTERS_QUEUE
from vigie.operations import periodic
from vigie.verification import actions
from vigie.verification.codes import new_code
from vigie.verification.models import Letter, LetterStatus
from vigie.verification.senders import SenderError, SenderStatus, SpoolUnavailable, get_sender

logger = logging.getLogger(__name__)


def letter_envelope(letter: Letter) -> Envelope:
    address = letter.address
    with override(letter.user.language):
        fallback = _("The resident")
    return envelope(
        name=letter.user.get_full_name(),
        number=address.number,
        suffix=address.suffix,
        street=address.street,
        complement=address.complement,
        postcode=address.postcode,
        locality=address.delivery_name or address.commune,
        fallback_name=fallback,
    )


def render_letter(
    *, address_lines: list[str], code: str, expires_at: datetime, language: str, today: datetime
) -> bytes:
    """letter_pdf's, imported here on the first letter: reportlab stays out of web workers."""
    from vigie.verification import letter_pdf

    return letter_pdf.render_letter(
        address_lines=address_lines,
        code=code,
        expires_at=expires_at,
        language=language,
        today=today,
    )


@task(queue_name=LETTERS_QUEUE)
def send_letter(letter_id: int) -> str:
    """Make the code, print it into the PDF, hand the letter to the sender.

    The clear code lives only in this function's memory and in the PDF: the
    database keeps its hash, and the task's arguments hold only the letter id.
    Whatever fails, the letter is either handed over, queued again or marked
    failed: never left half-way.
    """
    letter = actions.do_claim_letter(letter_id)
    if letter is None:
        return "skipped"
    sender = get_sender()
    try:
        code = new_code()
        activation = actions.do_issue_activation_code(letter, code=code)
        address_block = letter_envelope(letter)
        pdf = render_letter(
            address_lines=address_block.lines,
            code=code,
            expires_at=activation.expires_at,
            language=letter.user.language,
            today=timezone.localtime(),
        )
        del code
        external_id = sender.send(
            letter,
            pdf=pdf,
            envelope=address_block,
            on_created=lambda sending_id: actions.do_record_sending_created(
                letter, external_id=sending_id
            ),
        )
    except SpoolUnavailable as error:
        # The folder's fault, not the letter's: no attempt limit, and said loudly (the
        # message holds the folder and the errno, nothing personal).
        actions.do_record_letter_failure(letter, error=str(error), retryable=True, limited=False)
        logger.error("letter %s waits for the spool folder: %s", letter.pk, error)
        return "retrying"
    except SenderError as error:
        retrying = actions.do_record_letter_failure(
            letter, error=str(error), retryable=error.retryable
        )
        logger.warning("letter %s not sent (%s)", letter.pk, "retrying" if retrying else "gave up")
        return "retrying" if retrying else LetterStatus.FAILED
    except Exception as error:
        # Never the exception's text in the log line: keep the record in the letter.
        logger.exception("letter %s failed unexpectedly", letter.pk)
        actions.do_record_letter_failure(
            letter, error=f"{type(error).__name__}: {error}", retryable=True
        )
        return "retrying"
    if not actions.do_record_letter_handed_over(
        letter, sender=sender.name, external_id=external_id
    ):
        # Cancelled while it was being made (a newer letter, a move): take it back.
        letter.external_id = external_id
        actions.do_record_letter_withdrawn(letter, withdrawn=sender.cancel(letter))
        return LetterStatus.CANCELLED
    return LetterStatus.HANDED_OVER


@task(queue_name=LETTERS_QUEUE)
def withdraw_letter(letter_id: int) -> bool:
    """Take a cancelled letter back from the printer, if it is not too late."""
    letter = Letter.objects.filter(pk=letter_id, status=LetterStatus.CANCELLED).first()
    if letter is None or not letter.sender:
        return False
    withdrawn = get_sender().cancel(letter)
    actions.do_record_letter_withdrawn(letter, withdrawn=withdrawn)
    return withdrawn


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


@task()
def requeue_stuck_letters() -> int:
    return actions.do_requeue_stuck_letters()


@task()
def purge_print_files() -> int:
    """Merged print files hold codes in clear: they go after the retention period."""
    limit = timezone.now() - timedelta(days=settings.LETTER_PRINT_RETENTION_DAYS)
    removed = 0
    for folder, pattern in (
        (settings.LETTERS_DIR / "print", "*.pdf"),
        (settings.LETTERS_OUTBOX, ".*.part"),
    ):
        for path in folder.glob(pattern) if folder.exists() else []:
            modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
            if modified < limit:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


periodic.register("refresh_letter_statuses", every=timedelta(hours=1), task=refresh_letter_statuses)
periodic.register("requeue_stuck_letters", every=timedelta(minutes=30), task=requeue_stuck_letters)
periodic.register("purge_print_files", every=timedelta(hours=6), task=purge_print_files)
