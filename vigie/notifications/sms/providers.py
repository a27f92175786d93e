"""Text message providers: a folder (demo, tests) or OVHcloud's SMS API.

A provider sends one message to one E.164 number and answers its own id for
the message.  ``sms_provider()`` picks the one ``SMS_PROVIDER`` names.
Failures are raised as the delivery errors (``TemporaryFailure``,
``PermanentFailure``, ``RecipientGone``) so the caller retries or gives up.
Providers never log the number or the text: the text may carry a code.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import ovh  # type: ignore[import-untyped, unused-ignore]
from django.conf import settings
from django.utils import timezone

from vigie.lib import outbound
from vigie.notifications.errors import PermanentFailure, RecipientGone, TemporaryFailure
from vigie.notifications.sms.gsm import GSM_7, sms_length


class SmsProvider(Protocol):
    # True when a second send under the same reference reaches no one: the sending may
    # then claim, send and record many at once (a worker killed between sending and
    # recording sends them again, harmlessly).
    recognises_repeats: bool

    def send(self, *, to: str, text: str, reference: str) -> str:
        """Send ``text`` to ``to`` (E.164); ``reference`` is ours, for idempotency.

        Returns the provider's id for the message.
        """
        ...


# The reference names a file: nothing that could climb out of the outbox.
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def _make_private_folder(folder: Path) -> None:
    missing = []
    for parent in [folder, *folder.parents]:
        if parent.exists():
            break
        missing.append(parent)
    for parent in reversed(missing):
        parent.mkdir(mode=0o700, exist_ok=True)


class FileSmsProvider:
    """Writes each message as one JSON file into the outbox, once per reference.

    A message written under a reference is never written again: a second send
    answers the first one's id, as a provider with idempotency keys would.
    """

    name = "file"
    recognises_repeats = True

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox

    def path(self, reference: str) -> Path:
        if not _REFERENCE.fullmatch(reference):
            raise ValueError("An SMS reference is 1 to 100 letters, digits, dashes or underscores.")
        return self.outbox / f"{reference}.json"

    def send(self, *, to: str, text: str, reference: str) -> str:
        path = self.path(reference)
        if path.exists():
            return self._message_id(path)
        if not _E164.fullmatch(to):
            raise PermanentFailure("the receiver is not an E.164 number")
        if not text:
            raise PermanentFailure("the message is empty")
        length = sms_length(text)
        message_id = f"file-{secrets.token_hex(8)}"
        record = {
            "id": message_id,
            "to": to,
            "text": text,
            "reference": reference,
            "sent_at": timezone.now().isoformat(),
            "encoding": length.encoding,
            "segments": length.segments,
        }
        content = json.dumps(record, ensure_ascii=False, indent=1).encode()
        if not self._write_once(path, content):
            return self._message_id(path)  # another worker sent it a moment ago
        return message_id

    def messages(self) -> list[dict[str, Any]]:
        """Every message in the outbox, oldest first (for the demo and tests)."""
        if not self.outbox.is_dir():
            return []
        found = [json.loads(path.read_text()) for path in self.outbox.glob("*.json")]
        return sorted(found, key=lambda message: str(message["sent_at"]))

    def _message_id(self, path: Path) -> str:
        return str(json.loads(path.read_text())["id"])

    def _write_once(self, path: Path, content: bytes) -> bool:
        """Write the whole file under its name unless the name is taken; say if written.

        The content goes to a temporary 0600 file first; a hard link then gives
        it its name, which fails rather than replace a file already there, so
        two workers sending the same reference write it once, and a reader
        never sees half a message.
        """
        _make_private_folder(path.parent)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as output:
                output.write(content)
                output.flush()
                os.fsync(output.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                return False
            return True
        finally:
            temporary.unlink(missing_ok=True)


# Answers worth trying again: the request timed out, was throttled, or the service failed.
_RETRYABLE_STATUSES = {408, 425, 429}


class OvhSmsProvider:
    """OVHcloud's SMS API (``POST /sms/{service}/jobs``) through the ``ovh`` client.

    ``endpoint`` is an ``ovh`` endpoint name (``ovh-eu``) or, for the local
    stand-in, the full URL of an API root (``http://127.0.0.1:8123/1.0``).
    OVH has no idempotency key: after a timeout the message may have left, and
    a retry may send it twice.  The reference goes in the job's tag so the two
    can be told apart in OVH's history.
    """

    name = "ovh"
    recognises_repeats = False
    TIMEOUT_SECONDS = (5.0, 20.0)  # connecting, then reading the answer
    TAG_LENGTH = 20

    def __init__(
        self,
        *,
        endpoint: str,
        application_key: str,
        application_secret: str,
        consumer_key: str,
        service: str,
        sender: str,
        timeout: tuple[float, float] = TIMEOUT_SECONDS,
    ) -> None:
        self.endpoint = endpoint
        self.application_key = application_key
        self.application_secret = application_secret
        self.consumer_key = consumer_key
        self.service = service
        self.sender = sender
        self.timeout = timeout
        self._client: Any = None
        # A chunk's texts leave from several threads through this one provider.
        self._client_lock = threading.Lock()

    def client(self) -> Any:
        """The ``ovh.Client``, made once: it asks the server's time on its first call."""
        with self._client_lock:
            if self._client is None:
                self._make_client()
            return self._client

    def _make_client(self) -> Any:
        is_url = self.endpoint.startswith(("http://", "https://"))
        try:
            client = ovh.Client(
                endpoint="ovh-eu" if is_url else self.endpoint,
                application_key=self.application_key,
                application_secret=self.application_secret,
                consumer_key=self.consumer_key,
                timeout=self.timeout,
            )
        except ovh.exceptions.APIError as error:
            raise PermanentFailure(f"OVH client misconfigured: {error}") from error
        if is_url:
            # The client only knows endpoints by name; the stand-in is reached by
            # replacing the root it resolved, which every request is built from.
            client._endpoint = self.endpoint.rstrip("/")
        # Its own session would follow redirects, with the signed request: this one refuses
        # them (OVH never redirects its API), which ovh raises as an HTTPError.
        client._session = outbound.session()
        self._client = client
        return client

    def send(self, *, to: str, text: str, reference: str) -> str:
        length = sms_length(text)
        try:
            answer = self.client().post(
                f"/sms/{quote(self.service, safe='')}/jobs",
                message=text,
                receivers=[to],
                sender=self.sender,
                charset="UTF-8",
                coding="7bit" if length.encoding == GSM_7 else "8bit",
                noStopClause=False,
                priority="high",
                tag=reference[: self.TAG_LENGTH],
            )
        except ovh.exceptions.APIError as error:
            raise _classify(error) from error
        return _message_id(answer)


def _classify(error: Any) -> TemporaryFailure | PermanentFailure:
    response = getattr(error, "response", None)
    name = type(error).__name__
    if any(isinstance(cause, outbound.RedirectRefused) for cause in error.args):
        return PermanentFailure(f"OVH redirected ({name}): not followed")
    if response is None:
        # No answer from OVH (network, DNS, timeout, unreadable body), or a key
        # the client refused to sign with before sending anything.
        if isinstance(
            error,
            ovh.exceptions.HTTPError | ovh.exceptions.NetworkError | ovh.exceptions.InvalidResponse,
        ):
            return TemporaryFailure(f"OVH unreachable: {name}")
        return PermanentFailure(f"OVH client refused: {name}: {error}")
    status = int(response.status_code)
    message = f"OVH answered {status} ({name}): {str(error)[:200]}"
    if status >= 500 or status in _RETRYABLE_STATUSES:
        return TemporaryFailure(message)
    return PermanentFailure(message)


def _message_id(answer: Any) -> str:
    if not isinstance(answer, dict):
        raise TemporaryFailure("OVH answered without a job")
    # Only one receiver is ever sent: any invalid receiver is ours.
    if answer.get("invalidReceivers"):
        raise RecipientGone("OVH refused the receiver's number")
    ids = answer.get("ids")
    if not isinstance(ids, list) or not ids:
        raise PermanentFailure("OVH accepted the job but created no message")
    return str(ids[0])


def sms_provider() -> SmsProvider:
    if settings.SMS_PROVIDER == "ovh":
        return OvhSmsProvider(
            endpoint=settings.OVH_ENDPOINT,
            application_key=settings.OVH_APPLICATION_KEY,
            application_secret=settings.OVH_APPLICATION_SECRET,
            consumer_key=settings.OVH_CONSUMER_KEY,
            service=settings.OVH_SMS_SERVICE,
            sender=settings.OVH_SMS_SENDER,
        )
    return FileSmsProvider(Path(settings.DATA_DIR) / "sms" / "outbox")
