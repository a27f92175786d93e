"""The task worker's own parts: a task interrupted is run again, never left RUNNING.

django-tasks-db marks a task RUNNING when a worker claims it and SUCCESSFUL or
FAILED when it ends. A task whose worker died (SIGKILL, a machine lost) or lost
the database mid-run stayed RUNNING for ever: nothing ever looked at it again.
Here:

- each worker (``manage.py run_worker``) registers itself and, from a thread of
  its own, says every WORKER_HEARTBEAT_SECONDS that it is alive, even while a
  long task runs (:class:`Presence`);
- a task that the database's going away interrupted is left RUNNING rather
  than marked failed, the worker waits for the database, then puts its own
  interrupted tasks back to READY (:class:`ResumingWorker`, run_worker);
- at every start, and at every heartbeat task, the RUNNING tasks whose worker
  is gone (not seen for WORKER_HEARTBEAT_MAX_AGE) go back to READY
  (``do_resume_interrupted_tasks``). A task interrupted TASK_MAX_ATTEMPTS
  times is failed instead: it may be what kills its workers.

Tasks run again from the start: each is written to be run twice safely
(docs/operations.md lists what a second run may repeat).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connections
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from vigie.lib.database import connection_lost

logger = logging.getLogger("vigie.operations.worker")


class Interrupted(Exception):
    """The task did not finish: its worker stopped or lost the database while it ran."""


class ResumingWorker(Worker):
    """django-tasks-db's worker, but a task cut off by the database stays to be resumed."""

    def run_task(self, db_task_result: DBTaskResult) -> None:
        original_set_failed = db_task_result.set_failed

        def set_failed(error: BaseException) -> None:
            # Upstream records every exception as the task's failure, a database gone or
            # a forced stop too: those are the worker's, the task is to run again.
            if isinstance(error, SystemExit | KeyboardInterrupt) or connection_lost(error):
                logger.warning(
                    "task %s (%s) interrupted (%s); it will be resumed",
                    db_task_result.id,
                    db_task_result.task_path,
                    type(error).__name__,
                )
                raise Interrupted(str(db_task_result.id)) from error
            original_set_failed(error)

        db_task_result.set_failed = set_failed
        try:
            super().run_task(db_task_result)
        except Interrupted as interrupted:
            # What stopped the task goes on stopping the worker's loop: run_worker waits
            # for the database, or the process exits, as it would have.
            raise (interrupted.__cause__ or interrupted) from None


class Presence:
    """A thread that tells, every WORKER_HEARTBEAT_SECONDS, that this worker lives."""

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="worker-presence", daemon=True)

    def start(self) -> Presence:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(timeout=10)

    def _run(self) -> None:
        from vigie.operations.actions import do_record_worker_seen

        failing = False
        try:
            while not self.stopped.wait(settings.WORKER_HEARTBEAT_SECONDS):
                try:
                    do_record_worker_seen(self.worker_id)
                    failing = False
                except Exception as error:
                    if not failing:  # once per outage, not at every beat
                        logger.warning("worker presence not recorded: %s", type(error).__name__)
                    failing = True
                    connections.close_all()  # this thread's own; a new one next time
        finally:
            connections.close_all()
