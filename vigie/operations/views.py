from __future__ import annotations

import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from vigie.operations.actions import HEARTBEAT_NAME
from vigie.operations.models import WorkerHeartbeat


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _cache_ok() -> bool:
    probe = secrets.token_hex(8)
    try:
        cache.set("healthz-probe", probe, timeout=10)
        return cache.get("healthz-probe") == probe
    except Exception:
        return False


def _worker() -> dict[str, object]:
    try:
        beat = WorkerHeartbeat.objects.filter(name=HEARTBEAT_NAME).first()
    except Exception:
        beat = None
    if beat is None:
        return {"status": "unknown", "heartbeat_age_seconds": None}
    age = int((timezone.now() - beat.beat_at).total_seconds())
    status = "ok" if age <= settings.WORKER_HEARTBEAT_MAX_AGE else "stale"
    return {"status": status, "heartbeat_age_seconds": age}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For the proxy and monitoring: 503 when the database or the cache fails.

    A stale worker makes the status "degraded" but keeps 200: the site still
    serves pages; monitoring should alert on the worker field.
    """
    database = _database_ok()
    cache_ok = _cache_ok()
    worker = _worker() if database else {"status": "unknown", "heartbeat_age_seconds": None}
    healthy = database and cache_ok
    status = "ok" if healthy and worker["status"] == "ok" else ("degraded" if healthy else "error")
    return JsonResponse(
        {
            "status": status,
            "database": "ok" if database else "error",
            "cache": "ok" if cache_ok else "error",
            "worker": worker,
        },
        status=200 if healthy else 503,
    )
