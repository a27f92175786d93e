"""Letter senders: the spool folder (the team prints) or Maileva (La Poste e-courrier).

A sender takes one letter's PDF and its envelope lines, and later answers
where the letter stands.  ``get_sender()`` picks the one ``VIGIE_LETTER_SENDER``
names.  Senders never log the PDF or the lines: both carry personal data, and
the PDF carries the code.
"""

from __future__ import annotations

import enum
import json
import logging
import time
from pathlib import Path
from typing import Any, Protocol

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

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


class LetterSender(Protocol):
    name: str

    def send(self, letter: Letter, *, pdf: bytes, lines: list[str]) -> str: ...

    def status(self, letter: Letter) -> SenderStatus: ...

    def cancel(self, letter: Letter) -> bool: ...


class SpoolSender:
    """Writes each letter's PDF and a manifest into the outbox; ``print_letters`` takes them."""

    name = "spool"

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox

    def paths(self, letter: Letter) -> tuple[Path, Path]:
        stem = f"letter-{letter.pk:09d}"
        return self.outbox / f"{stem}.pdf", self.outbox / f"{stem}.json"

    def send(self, letter: Letter, *, pdf: bytes, lines: list[str]) -> str:
        self.outbox.mkdir(parents=True, exist_ok=True)
        pdf_path, manifest_path = self.paths(letter)
        temporary = pdf_path.with_suffix(".pdf.part")
        temporary.write_bytes(pdf)
        temporary.chmod(0o600)
        temporary.replace(pdf_path)  # atomic: print_letters never sees half a file
        manifest = {
            "letter_id": letter.pk,
            "created_at": timezone.now().isoformat(),
            "lines": lines,
            "pdf": pdf_path.name,
        }
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        manifest_path.chmod(0o600)
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
        body = response.json()
        token = str(body["access_token"])
        lifetime = int(body.get("expires_in", 300))
        cache.set(self.TOKEN_CACHE_KEY, token, timeout=max(lifetime - 30, 10))
        return token

    def _request(
        self, method: str, url: str, *, authenticated: bool = True, **kwargs: Any
    ) -> requests.Response:
        for attempt in range(1, self.STEP_TRIES + 1):
            headers = dict(kwargs.pop("headers", {}) or {})
            if authenticated:
                headers["Authorization"] = f"Bearer {self._token()}"
            try:
                response = requests.request(
                    method, url, headers=headers, timeout=self.timeout, **kwargs
                )
            except requests.RequestException as error:
                if attempt == self.STEP_TRIES:
                    raise SenderError(
                        f"{method} {url}: {type(error).__name__}", retryable=True
                    ) from error
            else:
                if response.status_code == 401 and authenticated and attempt < self.STEP_TRIES:
                    cache.delete(self.TOKEN_CACHE_KEY)
                    continue
                if response.status_code < 500:
                    if response.status_code >= 400:
                        raise SenderError(
                            f"{method} {url}: {response.status_code} {response.text[:200]}",
                            retryable=False,
                        )
                    return response
                if attempt == self.STEP_TRIES:
                    raise SenderError(f"{method} {url}: {response.status_code}", retryable=True)
            time.sleep(0.2 * 2**attempt)
        raise SenderError(f"{method} {url}: no answer", retryable=True)  # pragma: no cover

    # --- Protocol ------------------------------------------------------------------------

    def send(self, letter: Letter, *, pdf: bytes, lines: list[str]) -> str:
        sending = self._request(
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
        ).json()
        sending_id = str(sending["id"])
        name, *middle, last = lines
        recipient = {"address_line_2": name, "address_line_6": last, "country_code": "FR"}
        # Lines 3 (complement, building) to 5 (unused) then street on line 4.
        *complements, street = middle
        if complements:
            recipient["address_line_3"] = " ".join(complements)[:38]
        recipient["address_line_4"] = street
        self._request("POST", f"{self.api_url}/sendings/{sending_id}/recipients", json=recipient)
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
        return sending_id

    def status(self, letter: Letter) -> SenderStatus:
        body = self._request("GET", f"{self.api_url}/sendings/{letter.external_id}").json()
        status = str(body.get("status", ""))
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
