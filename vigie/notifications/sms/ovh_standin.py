"""A local stand-in for the part of OVHcloud's API the SMS adapter uses.

It speaks closely enough for the real ``ovh`` client: ``GET /1.0/auth/time``,
then ``POST /1.0/sms/{service}/jobs`` signed with the application secret and
the consumer key (``X-Ovh-Application``, ``X-Ovh-Consumer``,
``X-Ovh-Timestamp``, ``X-Ovh-Signature``).  Errors take OVH's shape
(``{"errorCode", "httpCode", "message"}``) and statuses: an unknown
application key or consumer key is refused with 403, a bad signature with 400
``INVALID_SIGNATURE`` as OVH does.  Numbers in ``invalid_numbers`` come back
in ``invalidReceivers``; ``fail_next`` makes the next jobs answer a server
error.  Accepted messages are kept in ``sent``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any

from vigie.lib.standin import LocalService
from vigie.notifications.sms.gsm import sms_length

_JOBS = re.compile(r"/1\.0/sms/([^/?]+)/jobs")
_RECEIVER = re.compile(r"(?:\+|00)[1-9][0-9]{6,14}")
_TIMESTAMP_TOLERANCE_SECONDS = 180
_PRIORITIES = {"high", "medium", "low", "veryLow"}
_CODINGS = {"7bit", "8bit"}


def ovh_signature(
    *,
    application_secret: str,
    consumer_key: str,
    method: str,
    url: str,
    body: str,
    timestamp: str,
) -> str:
    """OVH's request signature, as the ``ovh`` client computes it."""
    # SHA-1 is what OVH's protocol prescribes; the secret inside makes it a keyed check.
    digest = hashlib.sha1(
        "+".join([application_secret, consumer_key, method, url, body, timestamp]).encode(),
        usedforsecurity=False,
    )
    return "$1$" + digest.hexdigest()


@dataclass(frozen=True)
class SentSms:
    id: int
    receiver: str
    message: str
    sender: str
    coding: str
    charset: str
    priority: str
    no_stop_clause: bool
    tag: str
    credits: int


class OvhStandIn(LocalService):
    def __init__(
        self,
        *,
        application_key: str = "standin-application",
        application_secret: str = "standin-secret",  # noqa: S107 - the stand-in's own
        consumer_key: str = "standin-consumer",
        service: str = "sms-standin-1",
    ) -> None:
        self.application_key = application_key
        self.application_secret = application_secret
        self.consumer_key = consumer_key
        self.service = service
        self.sent: list[SentSms] = []
        self.invalid_numbers: set[str] = set()
        self.failures: list[int] = []
        self._ids = itertools.count(170000001)
        super().__init__()

    @property
    def endpoint(self) -> str:
        """What ``OVH_ENDPOINT`` should be to reach the stand-in."""
        return f"{self.base_url}/1.0"

    def fail_next(self, count: int, status: int = 500) -> None:
        """The next ``count`` jobs answer ``status`` (``/auth/time`` keeps answering)."""
        with self.lock:
            self.failures.extend([status] * count)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: tests read standin.requests instead

            def _send(self, status: int, body: object) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("X-Ovh-Queryid", f"FR.standin.{time.monotonic_ns()}")
                self.end_headers()
                self.wfile.write(payload)

            def _error(self, status: int, message: str, code: str | None = None) -> None:
                body: dict[str, str] = {"message": message}
                if code is not None:
                    phrase = HTTPStatus(status).phrase
                    body |= {"errorCode": code, "httpCode": f"{status} {phrase}"}
                self._send(status, body)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length", "0")))

            def _injected_failure(self) -> int | None:
                with standin.lock:
                    return standin.failures.pop(0) if standin.failures else None

            def _authenticated(self, method: str, body: bytes) -> bool:
                if self.headers.get("X-Ovh-Application") != standin.application_key:
                    self._error(403, "Invalid application key", "INVALID_KEY")
                    return False
                if self.headers.get("X-Ovh-Consumer") != standin.consumer_key:
                    self._error(403, "This credential does not exist", "INVALID_CREDENTIAL")
                    return False
                timestamp = self.headers.get("X-Ovh-Timestamp", "")
                if (
                    not timestamp.isdigit()
                    or abs(int(timestamp) - time.time()) > _TIMESTAMP_TOLERANCE_SECONDS
                ):
                    self._error(400, "Query out of time", "QUERY_TIME_OUT")
                    return False
                expected = ovh_signature(
                    application_secret=standin.application_secret,
                    consumer_key=standin.consumer_key,
                    method=method,
                    # The full URL the client signed: the one it sent to this host.
                    url=f"http://{self.headers.get('Host', '')}{self.path}",
                    body=body.decode("utf-8", errors="replace"),
                    timestamp=timestamp,
                )
                signature = self.headers.get("X-Ovh-Signature", "")
                if not hmac.compare_digest(expected.encode(), signature.encode()):
                    self._error(400, "Invalid signature", "INVALID_SIGNATURE")
                    return False
                return True

            def do_GET(self) -> None:
                standin.requests.append(("GET", self.path))
                if self.path == "/1.0/auth/time":
                    self._send(200, int(time.time()))
                    return
                self._error(404, f"Got an invalid (or empty) URL: {self.path}")

            def do_POST(self) -> None:
                standin.requests.append(("POST", self.path))
                body = self._body()
                match = _JOBS.fullmatch(self.path)
                if match is None:
                    self._error(404, f"Got an invalid (or empty) URL: {self.path}")
                    return
                if (status := self._injected_failure()) is not None:
                    self._error(status, "Internal server error")
                    return
                if not self._authenticated("POST", body):
                    return
                if match.group(1) != standin.service:
                    self._error(
                        404,
                        f"This service does not exist (serviceName = {match.group(1)})",
                    )
                    return
                try:
                    job = json.loads(body)
                except ValueError:
                    self._error(400, "Invalid JSON received")
                    return
                problem = _problem(job)
                if problem is not None:
                    self._error(400, problem)
                    return
                self._send(200, self._accept(job))

            def _accept(self, job: dict[str, Any]) -> dict[str, Any]:
                segments = sms_length(job["message"]).segments
                valid: list[str] = []
                invalid: list[str] = []
                ids: list[int] = []
                with standin.lock:
                    for receiver in job["receivers"]:
                        refused = receiver in standin.invalid_numbers
                        if refused or not _RECEIVER.fullmatch(receiver):
                            invalid.append(receiver)
                            continue
                        valid.append(receiver)
                        message_id = next(standin._ids)
                        ids.append(message_id)
                        standin.sent.append(
                            SentSms(
                                id=message_id,
                                receiver=receiver,
                                message=job["message"],
                                sender=str(job.get("sender", "")),
                                coding=str(job.get("coding", "7bit")),
                                charset=str(job.get("charset", "UTF-8")),
                                priority=str(job.get("priority", "high")),
                                no_stop_clause=bool(job.get("noStopClause", False)),
                                tag=str(job.get("tag", "")),
                                credits=segments,
                            )
                        )
                answer: dict[str, Any] = {
                    "ids": ids,
                    "validReceivers": valid,
                    "invalidReceivers": invalid,
                    "totalCreditsRemoved": segments * len(valid),
                }
                if job.get("tag"):
                    answer["tag"] = job["tag"]
                return answer

        return Handler


def _problem(job: object) -> str | None:
    """What OVH would refuse in a job's parameters, if anything."""
    if not isinstance(job, dict):
        return "Invalid body: an object is expected"
    if not isinstance(job.get("message"), str) or not job["message"]:
        return "Missing parameter(s): message"
    receivers = job.get("receivers")
    if not isinstance(receivers, list) or not receivers:
        return "Missing parameter(s): receivers"
    if not all(isinstance(receiver, str) for receiver in receivers):
        return "Invalid value for parameter receivers"
    if job.get("coding", "7bit") not in _CODINGS:
        return "Invalid value for parameter coding"
    if job.get("priority", "high") not in _PRIORITIES:
        return "Invalid value for parameter priority"
    if job.get("charset", "UTF-8") != "UTF-8":
        return "Invalid value for parameter charset"
    if len(str(job.get("tag", ""))) > 20:
        return "Invalid value for parameter tag"
    return None


__all__ = ["OvhStandIn", "SentSms", "ovh_signature"]
