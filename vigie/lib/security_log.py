"""Security events as structured JSON log lines.

An event names what happened, its outcome and the ids involved.  It never
carries a password, a code, a token or personal data beyond ids: e-mail
addresses appear only as a keyed hash (``email_digest``), good for spotting
repeated attempts against one account, useless for reading the address.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from vigie.lib.http import client_ip

logger = logging.getLogger("vigie.security")

FieldValue = str | int | bool | None


def email_digest(email: str) -> str:
    return salted_hmac("vigie.security.email", email.strip().lower()).hexdigest()[:32]


def log_security_event(
    event: str,
    *,
    outcome: str,
    request: HttpRequest | None = None,
    user_id: int | None = None,
    **fields: FieldValue,
) -> None:
    """Write one security event, e.g. ``login`` with outcome ``failure``."""
    record: dict[str, FieldValue] = {"event": event, "outcome": outcome}
    if user_id is not None:
        record["user_id"] = user_id
    if request is not None:
        record["ip"] = client_ip(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name:
            # The route's name, never its path: some paths carry one-time tokens.
            record["view"] = match.view_name
    record.update(fields)
    logger.info(event, extra={"security": record})


class JsonFormatter(logging.Formatter):
    """One JSON object per line; json.dumps escapes newlines, so no log injection."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
        }
        security = getattr(record, "security", None)
        if isinstance(security, dict):
            entry.update(security)
        else:
            entry["message"] = record.getMessage()
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RoutesNotPathsFilter(logging.Filter):
    """Django's request log says "Not Found: /the/path": a path may carry a one-time token
    (a confirmation or appeal link), so the route's pattern replaces it."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest) and isinstance(record.args, tuple) and record.args:
            record.args = (*record.args[:-1], loggable_route(request))
        return True


def loggable_route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    route = getattr(match, "route", None)
    return f"/{route}" if route else "(no route)"
