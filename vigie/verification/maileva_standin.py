"""A local stand-in for Maileva's mail/v2 API and its OAuth2 token endpoint.

It speaks the same HTTP and JSON as the real service closely enough for the
adapter's tests and for a demo without the internet: client-credentials
tokens, sendings, recipients (lines of 38 characters at most, line 6 ``CP
VILLE``), PDF documents, submission, status that moves on as it is read.
``fail_next`` makes the next requests answer a server error.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any

from vigie.lib.standin import LocalService

_PROGRESSION = ["PENDING", "ACCEPTED", "PROCESSED"]


@dataclass
class Sending:
    id: str
    name: str
    status: str = "DRAFT"
    recipients: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    reads_after_submit: int = 0


class MailevaStandIn(LocalService):
    def __init__(
        self,
        *,
        client_id: str = "vigie",
        client_secret: str = "standin-secret",  # noqa: S107 - the stand-in's own
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.tokens: set[str] = set()
        self.sendings: dict[str, Sending] = {}
        self.failures: list[tuple[str, int]] = []
        super().__init__()

    def fail_next(self, path_contains: str, *, status: int = 503, times: int = 1) -> None:
        with self.lock:
            self.failures.extend([(path_contains, status)] * times)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: tests read standin.requests instead

            def _send(self, status: int, body: object | None = None) -> None:
                payload = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length", "0")))

            def _authorised(self) -> bool:
                header = self.headers.get("Authorization", "")
                return header.startswith("Bearer ") and header[7:] in standin.tokens

            def _injected_failure(self) -> int | None:
                with standin.lock:
                    for index, (fragment, status) in enumerate(standin.failures):
                        if fragment in self.path:
                            del standin.failures[index]
                            return status
                return None

            def _route(self, method: str) -> None:
                standin.requests.append((method, self.path))
                body = self._body()
                if (status := self._injected_failure()) is not None:
                    self._send(status, {"code": "UNAVAILABLE", "message": "try later"})
                    return
                if self.path == "/oauth/token" and method == "POST":
                    self._token(body)
                    return
                if not self._authorised():
                    self._send(401, {"code": "UNAUTHORIZED", "message": "invalid token"})
                    return
                self._api(method, body)

            def _token(self, body: bytes) -> None:
                expected = base64.b64encode(
                    f"{standin.client_id}:{standin.client_secret}".encode()
                ).decode()
                if self.headers.get("Authorization") != f"Basic {expected}":
                    self._send(401, {"error": "invalid_client"})
                    return
                if b"grant_type=client_credentials" not in body:
                    self._send(400, {"error": "unsupported_grant_type"})
                    return
                token = secrets.token_urlsafe(24)
                standin.tokens.add(token)
                self._send(200, {"access_token": token, "expires_in": 900, "token_type": "Bearer"})

            def _api(self, method: str, body: bytes) -> None:
                match = re.fullmatch(r"/mail/v2/sendings(?:/([\w-]+))?(?:/(\w+))?", self.path)
                if not match:
                    self._send(404, {"code": "NOT_FOUND", "message": self.path})
                    return
                sending_id, part = match.groups()
                if sending_id is None:
                    if method == "POST":
                        data = json.loads(body or b"{}")
                        sending = Sending(id=secrets.token_hex(8), name=str(data.get("name", "")))
                        standin.sendings[sending.id] = sending
                        self._send(201, {"id": sending.id, "name": sending.name, "status": "DRAFT"})
                    else:
                        self._send(405)
                    return
                found = standin.sendings.get(sending_id)
                if found is None:
                    self._send(
                        404,
                        {"code": "SENDING_NOT_FOUND", "message": "Ressource SENDING introuvable"},
                    )
                    return
                sending = found
                if part is None and method == "GET":
                    if sending.status != "DRAFT":
                        sending.reads_after_submit += 1
                        step = min(sending.reads_after_submit - 1, len(_PROGRESSION) - 1)
                        sending.status = _PROGRESSION[step]
                    self._send(
                        200, {"id": sending.id, "name": sending.name, "status": sending.status}
                    )
                elif part is None and method == "DELETE":
                    if sending.status != "DRAFT":
                        self._send(
                            400,
                            {
                                "errors": [
                                    {"code": "SENDING_STATUS_IS_NOT_DRAFT", "message": "not draft"}
                                ]
                            },
                        )
                        return
                    del standin.sendings[sending_id]
                    self._send(204)
                elif sending.status != "DRAFT":
                    self._send(
                        400,
                        {
                            "errors": [
                                {"code": "SENDING_STATUS_IS_NOT_DRAFT", "message": "not draft"}
                            ]
                        },
                    )
                elif part == "recipients" and method == "POST":
                    self._recipient(sending, json.loads(body or b"{}"))
                elif part == "documents" and method == "POST":
                    self._document(sending, body)
                elif part == "submit" and method == "POST":
                    if not sending.recipients or not sending.documents:
                        self._send(
                            400,
                            {"errors": [{"code": "INVALID_RECIPIENTS_COUNT", "message": "empty"}]},
                        )
                        return
                    sending.status = "PENDING"
                    self._send(200)
                else:
                    self._send(404, {"code": "NOT_FOUND", "message": self.path})

            def _recipient(self, sending: Sending, data: dict[str, Any]) -> None:
                errors = [
                    {"code": f"ADDRESS_LINE_{n}_TOO_LONG", "message": "38 characters at most"}
                    for n in range(1, 7)
                    if len(str(data.get(f"address_line_{n}", ""))) > 38
                ]
                if not data.get("address_line_1") and not data.get("address_line_2"):
                    errors.append(
                        {"code": "EMPTY_ADDRESS_LINE_1_OR_ADDRESS_LINE_2", "message": "empty"}
                    )
                if not re.fullmatch(r"\d{5} .+", str(data.get("address_line_6", ""))):
                    errors.append({"code": "ADDRESS_LINE_6_WRONG_FORMAT", "message": "CP VILLE"})
                if errors:
                    self._send(400, {"errors": errors})
                    return
                recipient = {"id": secrets.token_hex(8), **data}
                sending.recipients.append(recipient)
                self._send(201, recipient)

            def _document(self, sending: Sending, body: bytes) -> None:
                if b"%PDF-" not in body or b'name="metadata"' not in body:
                    self._send(
                        400, {"errors": [{"code": "CORRUPTED_DOCUMENT", "message": "not a PDF"}]}
                    )
                    return
                document = {
                    "id": secrets.token_hex(8),
                    "size": len(body),
                    "type": "application/pdf",
                }
                sending.documents.append(document)
                self._send(201, document)

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def do_DELETE(self) -> None:
                self._route("DELETE")

        return Handler


__all__ = ["HTTPStatus", "MailevaStandIn"]
