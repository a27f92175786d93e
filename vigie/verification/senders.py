"""Letter senders: the spool folder (the team prints) or Maileva (La Poste e-courrier).

A sender takes one letter's PDF and its envelope lines, and later answers
where the letter stands.  ``get_sender()`` picks the one ``VIGIE_LETTER_SENDER``
names.  Senders never log the PDF or the lines: both carry personal data, and
the PDF carries the code.
"""

from __future__ import annotations

import enum
import errno
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from vigie.addresses.postal import Envelope
from vigie.lib import outbound
from vigie.verification.models import Letter

logger = logging.getLogger(__name__)


class SenderStatus(enum.Enum):
    HANDED_OVER = "handed_over"  # with the printer, not yet posted
    POSTED = "posted"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SenderError(Exception):
    """The sender refused or failed; ``retryable`` says if trying later may help."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class SpoolUnavailable(SenderError):
    """The spool folder cannot take letters (disk full, read-only, not ours to write).

    The letter is not at fault: it waits, queued and retried at the capped delay
    for as long as the folder refuses, and leaves at the first run after it is fixed.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


OnCreated = Callable[[str], None]


class LetterSender(Protocol):
    name: str

    def send(
        self, letter: Letter, *, pdf: bytes, envelope: Envelope, on_created: OnCreated
    ) -> str: ...

    def status(self, letter: Letter) -> SenderStatus: ...

    def cancel(self, letter: Letter) -> bool: ...


@contextmanager
def private_file(path: Path) -> Iterator[BinaryIO]:
    """A file only its owner can read, written whole or not at all (it may hold a code).

    What is written goes to a temporary file created 0600 (never readable by
    others, even for an instant), which takes its name at once when the block
    ends without an error; on an error it is removed and ``path`` is untouched.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as output:
            yield output
            output.flush()
            os.fsync(output.fileno())
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_private(path: Path, content: bytes) -> None:
    """``private_file`` for content already in memory."""
    with private_file(path) as output:
        output.write(content)


class SpoolSender:
    """Writes each letter's PDF and a manifest into the outbox; ``print_letters`` takes them."""

    name = "spool"

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox

    def paths(self, letter: Letter) -> tuple[Path, Path]:
        stem = f"letter-{letter.pk:09d}"
        return self.outbox / f"{stem}.pdf", self.outbox / f"{stem}.json"

    def send(self, letter: Letter, *, pdf: bytes, envelope: Envelope, on_created: OnCreated) -> str:
        pdf_path, manifest_path = self.paths(letter)
        manifest = {
            "letter_id": letter.pk,
            "created_at": timezone.now().isoformat(),
            "lines": envelope.lines,
            "pdf": pdf_path.name,
        }
        try:
            write_private(
                manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            )
            write_private(pdf_path, pdf)  # last: print_letters takes letters by their PDF
        except OSError as error:
            # No manifest without its PDF: it holds the address, and nothing would remove it.
            manifest_path.unlink(missing_ok=True)
            name = errno.errorcode.get(error.errno or 0, "OSError")
            raise SpoolUnavailable(
                f"the spool folder {self.outbox} refused the letter: "
                f"{name} ({error.strerror or error})"
            ) from error
        return pdf_path.name

    def status(self, letter: Letter) -> SenderStatus:
        if letter.posted_at is not None:
            return SenderStatus.POSTED
        pdf_path, _manifest = self.paths(letter)
        return SenderStatus.HANDED_OVER if pdf_path.exists() else SenderStatus.CANCELLED

    def cancel(self, letter: Letter) -> bool:
        pdf_path, manifest_path = self.paths(letter)
        if not pdf_path.exists():
            return False
        pdf_path.unlink(missing_ok=True)
        manifest_path.unlink(missing_ok=True)
        return True


def maileva_recipient(envelope: Envelope) -> dict[str, str]:
    """The address block line by line, as the PDF prints it (NF Z10-011's six lines).

    Line 1 the name; 2 and 3 the complement (flat, then building: at most two
    lines of 38 characters, never cut); 4 number and street; 6 postcode and locality.
    """
    recipient = {
        "address_line_1": envelope.name,
        "address_line_4": envelope.street_line,
        "address_line_6": envelope.last_line,
        "country_code": "FR",
    }
    for number, line in enumerate(envelope.complement_lines[:2], start=2):
        recipient[f"address_line_{number}"] = line
    return recipient


class MailevaSender:
    """Maileva's "courrier simple" API (mail/v2), with OAuth2 client credentials.

    A sending is created, the recipient's six lines added, the PDF uploaded,
    then submitted; its status is read later.  Server errors (5xx) and
    timeouts are retried a few times inside one attempt; the task retries the
    whole letter later if they persist.
    """

    name = "maileva"
    TOKEN_CACHE_KEY = "verification:maileva-token"  # noqa: S105 - a cache key's name
    STEP_TRIES = 3

    def __init__(
        self, *, api_url: str, token_url: str, client_id: str, client_secret: str, timeout: float
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.timeout = timeout

    # --- HTTP ----------------------------------------------------------------------------

    def _token(self, *, refresh: bool = False) -> str:
        token = None if refresh else cache.get(self.TOKEN_CACHE_KEY)
        if token:
            return str(token)
        response = self._request(
            "POST",
            self.token_url,
            authenticated=False,
            data={"grant_type": "client_credentials"},
            auth=(self.client_id, self.client_secret),
        )
        token = self._json(response, "access_token")
        try:
            lifetime = int(response.json().get("expires_in", 300))
        except (ValueError, TypeError, AttributeError):
            lifetime = 300
        cache.set(self.TOKEN_CACHE_KEY, token, timeout=max(lifetime - 30, 10))
        return token

    # Answers meaning "not processed, try again": the gateway never reached the service.
    NOT_PROCESSED = {502, 503, 504}

    def _request(
        self, method: str, url: str, *, authenticated: bool = True, **kwargs: Any
    ) -> requests.Response:
        """One call, retried a few times when that cannot do anything twice.

        GET and DELETE are retried after any failure. A POST is retried only
        when the answer says it was not processed (502, 503, 504): after a
        timeout the service may have acted, so the caller decides.
        """
        idempotent = method in ("GET", "DELETE")
        headers = dict(kwargs.pop("headers", {}) or {})
        for attempt in range(1, self.STEP_TRIES + 1):
            if authenticated:
                headers["Authorization"] = f"Bearer {self._token()}"
            try:
                with outbound.session() as session:
                    response = session.request(
                        method, url, headers=headers, timeout=self.timeout, **kwargs
                    )
            except outbound.RedirectRefused as error:
                # Maileva never redirects: the address is wrong or someone is in the way.
                raise SenderError(f"{method} {url}: {error}", retryable=False) from error
            except requests.RequestException as error:
                if not idempotent or attempt == self.STEP_TRIES:
                    raise SenderError(
                        f"{method} {url}: {type(error).__name__}", retryable=True
                    ) from error
            else:
                status = response.status_code
                if status == 401 and authenticated and attempt < self.STEP_TRIES:
                    cache.delete(self.TOKEN_CACHE_KEY)
                    continue
                if status < 400:
                    return response
                if status < 500:
                    raise SenderError(
                        f"{method} {url}: {status} {response.text[:200]}", retryable=False
                    )
                if (
                    not idempotent and status not in self.NOT_PROCESSED
                ) or attempt == self.STEP_TRIES:
                    raise SenderError(f"{method} {url}: {status}", retryable=True)
            time.sleep(0.2 * 2**attempt)
        raise SenderError(f"{method} {url}: no answer", retryable=True)  # pragma: no cover

    def _json(self, response: requests.Response, key: str) -> str:
        try:
            return str(response.json()[key])
        except (ValueError, KeyError, TypeError):
            raise SenderError(f"unexpected answer: no {key!r}", retryable=True) from None

    # --- Protocol ------------------------------------------------------------------------

    def send(self, letter: Letter, *, pdf: bytes, envelope: Envelope, on_created: OnCreated) -> str:
        if letter.external_id:
            # A draft left by an earlier attempt holds an address and an old code: clear it.
            self._discard(letter.external_id)
        sending_id = self._json(
            self._request(
                "POST",
                f"{self.api_url}/sendings",
                json={
                    "name": f"vigie-letter-{letter.pk}",
                    "custom_id": f"vigie-{letter.pk}",
                    "color_printing": False,
                    "duplex_printing": False,
                    "optional_address_sheet": False,
                    "envelope_windows_type": "SIMPLE",
                    "postage_type": "FAST",
                    "archiving_duration": 0,
                },
            ),
            "id",
        )
        on_created(sending_id)
        recipient = maileva_recipient(envelope)
        try:
            self._request(
                "POST", f"{self.api_url}/sendings/{sending_id}/recipients", json=recipient
            )
            self._request(
                "POST",
                f"{self.api_url}/sendings/{sending_id}/documents",
                files={
                    "document": (f"vigie-{letter.pk}.pdf", pdf, "application/pdf"),
                    "metadata": (
                        None,
                        json.dumps({"priority": 1, "name": f"vigie-{letter.pk}.pdf"}),
                        "application/json",
                    ),
                },
            )
            self._request("POST", f"{self.api_url}/sendings/{sending_id}/submit")
        except SenderError:
            if self._submitted(sending_id):
                return sending_id  # the submit went through; only its answer was lost
            self._discard(sending_id)
            raise
        return sending_id

    def _submitted(self, sending_id: str) -> bool:
        try:
            response = self._request("GET", f"{self.api_url}/sendings/{sending_id}")
            return str(response.json().get("status", "DRAFT")) != "DRAFT"
        except (SenderError, ValueError, AttributeError):
            return False

    def _discard(self, sending_id: str) -> None:
        try:
            self._request("DELETE", f"{self.api_url}/sendings/{sending_id}")
        except SenderError:
            logger.warning("could not delete the Maileva draft of a failed letter")

    def status(self, letter: Letter) -> SenderStatus:
        response = self._request("GET", f"{self.api_url}/sendings/{letter.external_id}")
        status = self._json(response, "status")
        if status in ("PROCESSED", "PROCESSED_WITH_ERRORS"):
            return SenderStatus.POSTED
        if status == "REJECTED":
            return SenderStatus.FAILED
        return SenderStatus.HANDED_OVER

    def cancel(self, letter: Letter) -> bool:
        try:
            self._request("DELETE", f"{self.api_url}/sendings/{letter.external_id}")
        except SenderError:
            return False  # submitted sendings cannot be cancelled
        return True


def get_sender() -> LetterSender:
    if settings.LETTER_SENDER == "maileva":
        return MailevaSender(
            api_url=settings.MAILEVA_API_URL,
            token_url=settings.MAILEVA_TOKEN_URL,
            client_id=settings.MAILEVA_CLIENT_ID,
            client_secret=settings.MAILEVA_CLIENT_SECRET,
            timeout=settings.MAILEVA_TIMEOUT_SECONDS,
        )
    return SpoolSender(settings.LETTERS_OUTBOX)
