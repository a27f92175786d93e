"""The common part of the local stand-ins of outside services (push, SMS, letters).

Each stand-in speaks its service's real protocol over HTTP on a free loopback
port, in a thread of the test or benchmark that starts it: the tests and the
demo never reach the internet.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class _CountingServer(ThreadingHTTPServer):
    """Counts the connections it accepts: what a client's pool really opened, reconnections
    included."""

    accepted = 0
    # A service's listen backlog, not socketserver's 5: the connections of two workers'
    # 64 sending threads, opened at once, were refused past it (bench/fanout.py --workers 2).
    request_queue_size = 256

    def get_request(self) -> tuple[socket.socket, Any]:
        request = super().get_request()
        self.accepted += 1  # only the serving thread accepts
        return request


class LocalService:
    """Serve ``handler()`` on 127.0.0.1 until ``stop``; ``requests`` and ``lock`` for the subclass.

    A subclass sets its own state first, then calls ``super().__init__()``,
    since the handler it builds may read that state.
    """

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.server = _CountingServer(("127.0.0.1", 0), self.handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def connections_accepted(self) -> int:
        return self.server.accepted

    def handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Redirector(LocalService):
    """Answers every request with a redirect (302 by default) to its own ``/landed``.

    A client that follows it shows up as a request for ``/landed`` in ``requests``:
    the tests of every outbound client use it to prove they never follow one.
    """

    def __init__(self, status: int = 302) -> None:
        self.status = status
        super().__init__()

    @property
    def followed(self) -> bool:
        return any(path.startswith("/landed") for _method, path in self.requests)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                with standin.lock:
                    standin.requests.append((self.command, self.path))
                if self.path.startswith("/landed"):
                    self.send_response(200)
                    body = b'{"access_token": "x", "id": "x", "features": []}'
                else:
                    self.send_response(standin.status)
                    self.send_header("Location", f"{standin.base_url}/landed{self.path}")
                    body = b"{}"
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815 - http.server names

        return Handler
