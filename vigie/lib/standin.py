"""The common part of the local stand-ins of outside services (push, SMS, letters).

Each stand-in speaks its service's real protocol over HTTP on a free loopback
port, in a thread of the test or benchmark that starts it: the tests and the
demo never reach the internet.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class LocalService:
    """Serve ``handler()`` on 127.0.0.1 until ``stop``; ``requests`` and ``lock`` for the subclass.

    A subclass sets its own state first, then calls ``super().__init__()``,
    since the handler it builds may read that state.
    """

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

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
