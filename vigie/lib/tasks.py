"""Helpers for background tasks: every side effect retries, then records its outcome."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

# The queues (settings.TASKS lists them), so that a deployment can give each kind of work
# its own workers: a batch of letters or a data export never holds up an alert's sending.
MESSAGES_QUEUE = "messages"  # what reaches people: alerts' fan-outs, deliveries, e-mails, texts
LETTERS_QUEUE = "letters"  # the postal letters: rendering them, handing them to the printer
# Every other task stays on "default": periodic housekeeping, data exports, purges.
# A worker serving several queues takes the messages first, and the heartbeat before
# them: it tells /healthz that the workers live and enqueues the periodic jobs, and a
# commune-wide message's thousand sending batches must not make it late.
MESSAGES_PRIORITY = 10
HEARTBEAT_PRIORITY = 50

P = ParamSpec("P")
T = TypeVar("T")


def message_task(function: Callable[P, T]) -> Task[P, T]:
    """``@task`` for what reaches people: on the messages queue, ahead of the rest."""
    return task(function, queue_name=MESSAGES_QUEUE, priority=MESSAGES_PRIORITY)


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
