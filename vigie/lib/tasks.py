"""Helpers for background tasks: every side effect retries, then records its outcome."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 3600


def next_attempt_at(attempt: int) -> datetime:
    """When to try again after ``attempt`` failures: exponential, capped, jittered.

    Jitter spreads retries so a provider coming back is not hit by all at once.
    """
    delay = min(RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0), RETRY_MAX_SECONDS)
    jitter = secrets.randbelow(max(delay // 5, 1) + 1)
    return timezone.now() + timedelta(seconds=delay + jitter)


def attempts_left(attempt: int) -> bool:
    return attempt < settings.TASK_MAX_ATTEMPTS
