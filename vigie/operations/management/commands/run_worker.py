"""``manage.py run_worker``: the task worker, with its heartbeat scheduled."""

from __future__ import annotations

import logging
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.db import connections
from django.db.utils import InterfaceError, OperationalError
from django.utils.autoreload import run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from vigie.lib.heap import settle_worker
from vigie.operations.actions import (
    do_forget_worker,
    do_register_worker,
    do_resume_interrupted_tasks,
    do_schedule_heartbeat,
)
from vigie.operations.worker import Presence, ResumingWorker

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

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        # Every queue unless told (django-tasks-db's own default is "default" alone): one
        # worker with no option does all the work; a deployment that gives the messages
        # their own workers names the queues (deploy/README.md).
        parser.set_defaults(queue_name="*")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["exclude_queues"] and "*" not in options["queue_name"].split(","):
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        if options.get("reload") and not options.get("batch"):
            run_with_reloader(self.serve, **options)  # development: restarted on code changes
            return
        self.serve(**options)

    def serve(self, **options: Any) -> None:
        """Run the worker; when the database goes away (a restart, a failover), wait for it.

        django-tasks-db's loop ends on any database error but a lock, which left
        the worker dead after a PostgreSQL restart (bench/faults/postgres_restart.py
        found it) until something restarted it. Ctrl-C and SIGTERM still stop it at once.
        The task the database's going away interrupted is run again once it is back.
        """
        self.configure_logging(options["verbosity"])
        worker_id: str = options["worker_id"]
        batch = bool(options.get("batch"))
        queue_names = options["queue_name"].split(",")
        worker = ResumingWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=batch,
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=(
                options["exclude_queues"].split(",") if options["exclude_queues"] else []
            ),
        )
        if threading.current_thread() is threading.main_thread():  # not under the reloader
            worker.configure_signals()
        presence = None if batch else Presence(worker_id)
        settle_worker()  # before the first task: what it loads lives as long as the worker
        delay, last_failure = RECONNECT_FIRST_SECONDS, float("-inf")
        started = False
        try:
            while True:
                try:
                    if not started:
                        do_register_worker(worker_id)
                        # Those a worker gone left: it will not come back for them.
                        do_resume_interrupted_tasks()
                        if presence is not None:
                            presence.start()
                        started = True
                    else:
                        # This worker runs nothing now: what it left RUNNING was cut off.
                        do_resume_interrupted_tasks(worker_id=worker_id)
                    do_schedule_heartbeat(at_once=True)
                    worker.run()
                    return
                except (OperationalError, InterfaceError) as error:
                    if batch:
                        raise
                    now = time.monotonic()
                    if now - last_failure > RECONNECT_CALM_SECONDS:
                        delay = RECONNECT_FIRST_SECONDS
                    last_failure = now
                    logger.warning(
                        "worker lost the database (%s); trying again in %.2f s",
                        str(error).splitlines()[0][:200] if str(error) else type(error).__name__,
                        delay,
                    )
                    connections.close_all()
                    time.sleep(delay)
                    delay = min(delay * 2, RECONNECT_MAX_SECONDS)
        finally:
            if presence is not None:
                presence.stop()
            self.leave(worker_id)

    def leave(self, worker_id: str) -> None:
        """On the way out (a task cut off by a forced stop among the reasons): hand back."""
        try:
            connections.close_all()
            do_resume_interrupted_tasks(worker_id=worker_id)
            do_forget_worker(worker_id)
        except (OperationalError, InterfaceError):
            # The database is away: the tasks wait for the next worker's start.
            logger.warning("worker %s left without handing back its tasks", worker_id)
        finally:
            connections.close_all()
