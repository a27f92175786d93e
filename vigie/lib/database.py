"""The database going away (a restart, a failover): told apart from a bug.

Django files connection failures under ``OperationalError`` ("connection refused",
"terminating connection due to administrator command", SQLite's "database is
locked") and ``InterfaceError`` (a connection already closed). A request that
meets one answers 503 with ``Retry-After`` (vigie.errors, vigie.api): nothing it
asked for was done, as its transaction never committed, and the person may try
again in a moment: a request that may write is one transaction
(:class:`AtomicWritesMiddleware`), so a refusal kept nothing. The worker keeps a
task interrupted so to run it again (vigie.operations.worker).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("vigie.database")

# What a refused request is told to wait: about what a PostgreSQL restart takes.
RETRY_AFTER_SECONDS = 5


def is_unavailable(error: BaseException | None) -> bool:
    """The error says the database could not be reached or answer, not that a query was wrong."""
    return isinstance(error, OperationalError | InterfaceError)


def connection_lost(error: BaseException, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """``error`` came with the connection broken or impossible, rather than from a statement.

    Stricter than :func:`is_unavailable`: a lock timeout or a cancelled statement on a
    healthy connection is the task's own failure, recorded as such; a connection gone
    is the database's, and the task is to run again once it is back.
    """
    if not is_unavailable(error):
        return False
    connection = connections[using]
    if connection.connection is None:
        return True  # the connection could not even be opened
    try:
        return not connection.is_usable()
    except Exception:  # a broken connection may fail even at being asked
        return True


def log_unavailable(error: BaseException, *, request: HttpRequest) -> None:
    """One warning line, no traceback: this is an outage to watch, not a bug to fix."""
    from vigie.lib.security_log import loggable_route

    first_line = (str(error).strip().splitlines() or [""])[0][:200]
    logger.warning(
        "database unavailable: %s %s answered 503 (%s: %s)",
        request.method,
        loggable_route(request),
        type(error).__name__,
        first_line,
    )


class _Undo(Exception):
    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


class AtomicWritesMiddleware:
    """A request that may write (POST, PUT, PATCH, DELETE) is one transaction.

    Its answer is then true of the database: a refusal (503 while the database is
    away, 500 on a bug) keeps nothing of what the request did. Each action commits on
    its own otherwise, and a post committed before the database went away, while the
    view was reading it back, answered 503 although it was kept (the PostgreSQL restart
    drill found 2 in 25). Reads stay outside any transaction: they change nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return self.get_response(request)
        try:
            with transaction.atomic():
                response = self.get_response(request)
                if response.status_code >= 500:
                    raise _Undo(response)  # rolled back: nothing of it is kept
        except _Undo as undone:
            return undone.response
        return response
