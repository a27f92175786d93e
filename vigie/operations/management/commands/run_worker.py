"""``manage.py run_worker``: the task worker, with its heartbeat scheduled."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import connections
from django.db.utils import InterfaceError, OperationalError
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from vigie.operations.actions import do_schedule_heartbeat

logger = logging.getLogger(__name__)

# Waiting for the database after it went away: doubling from the first, capped.
RECONNECT_FIRST_SECONDS = 0.25
RECONNECT_MAX_SECONDS = 5.0
# A failure this long after the previous one starts the waits from the first again.
RECONNECT_CALM_SECONDS = 60.0


class Command(DatabaseWorkerCommand):
    help = (
        "Run the worker that does the background jobs (e-mails, SMS, push notifications, "
        "exports, purges) and tells /healthz it is alive. Ctrl-C stops it."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the worker; when the database goes away (a restart, a failover), wait for it.

        django-tasks-db's loop ends on any database error but a lock, which left
        the worker dead after a PostgreSQL restart (bench/faults/postgres_restart.py
        found it) until something restarted it. Ctrl-C and SIGTERM still stop it at once.
        """
        delay, last_failure = RECONNECT_FIRST_SECONDS, float("-inf")
        while True:
            try:
                do_schedule_heartbeat(at_once=True)
                super().handle(*args, **options)
                return
            except (OperationalError, InterfaceError) as error:
                if options.get("batch"):
                    raise
                now = time.monotonic()
                if now - last_failure > RECONNECT_CALM_SECONDS:
                    delay = RECONNECT_FIRST_SECONDS
                last_failure = now
                logger.warning(
                    "worker lost the database (%s); trying again in %.2f s",
                    str(error).splitlines()[0][:200],
                    delay,
                )
                connections.close_all()
                time.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)
