from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from vigie.accounts.models import UserSession
from vigie.operations import periodic
from vigie.operations.models import PeriodicJob, WorkerHeartbeat, WorkerProcess

HEARTBEAT_NAME = "worker"
logger = logging.getLogger("vigie.operations.worker")


@transaction.atomic
def do_record_heartbeat() -> None:
    WorkerHeartbeat.objects.update_or_create(
        name=HEARTBEAT_NAME, defaults={"beat_at": timezone.now()}
    )


@transaction.atomic
def do_enqueue_due_jobs() -> list[str]:
    """Enqueue every periodic job whose interval has passed; returns their names."""
    now = timezone.now()
    last_runs = dict(PeriodicJob.objects.select_for_update().values_list("name", "last_run_at"))
    enqueued = []
    for job in periodic.jobs():
        last = last_runs.get(job.name)
        if last is not None and now - last < job.every:
            continue
        job.task.enqueue()
        PeriodicJob.objects.update_or_create(name=job.name, defaults={"last_run_at": now})
        enqueued.append(job.name)
    return enqueued


@transaction.atomic
def do_schedule_heartbeat(*, at_once: bool = False) -> bool:
    """Make sure one heartbeat is waiting in the queue; True if one was added.

    A starting worker asks for one at once, so /healthz sees it within seconds.
    """
    from vigie.operations.tasks import heartbeat

    # READY covers both a heartbeat due now and one scheduled for later.
    waiting = DBTaskResult.objects.filter(
        task_path=heartbeat.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    delay = timedelta(seconds=0 if at_once else settings.WORKER_HEARTBEAT_SECONDS)
    heartbeat.using(run_after=timezone.now() + delay).enqueue()
    return True


@transaction.atomic
def do_clear_expired_sessions() -> int:
    deleted, _kinds = UserSession.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@transaction.atomic
def do_clear_expired_login_attempts() -> int:
    """Failed-login counters (hashed address and IP) are kept only for the cool-off."""
    threshold = timezone.now() - settings.AXES_COOLOFF_TIME
    deleted, _kinds = AccessAttempt.objects.filter(attempt_time__lt=threshold).delete()
    return deleted


def _this_process(now: datetime) -> dict[str, object]:
    """The presence row of the worker running here, as from its start now."""
    return {
        "host": socket.gethostname()[:255],
        "pid": os.getpid(),
        "started_at": now,
        "seen_at": now,
    }


@transaction.atomic
def do_register_worker(worker_id: str) -> None:
    WorkerProcess.objects.update_or_create(
        worker_id=worker_id, defaults=_this_process(timezone.now())
    )


@transaction.atomic
def do_record_worker_seen(worker_id: str) -> None:
    now = timezone.now()
    # Created again if another worker took this one for gone (a long outage) and forgot it.
    WorkerProcess.objects.update_or_create(
        worker_id=worker_id, defaults={"seen_at": now}, create_defaults=_this_process(now)
    )


@transaction.atomic
def do_forget_worker(worker_id: str) -> None:
    WorkerProcess.objects.filter(worker_id=worker_id).delete()


@transaction.atomic
def do_resume_interrupted_tasks(*, worker_id: str | None = None) -> list[str]:
    """Put back to READY the tasks left RUNNING by a worker that no longer runs them.

    With ``worker_id``: that worker's own, which it calls when it knows it runs
    nothing (after losing the database, on stopping). Without: those of every
    worker gone, not seen for WORKER_HEARTBEAT_MAX_AGE (killed, its machine
    lost), and claimed at least that long ago. A task claimed TASK_MAX_ATTEMPTS
    times already is failed instead: it may be the one that kills its workers.
    Answers the ids of the tasks resumed.
    """
    now = timezone.now()
    limit = now - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    if worker_id is None:
        running = running.filter(started_at__lt=limit)
        alive = set(
            WorkerProcess.objects.filter(seen_at__gte=limit).values_list("worker_id", flat=True)
        )
    resumed: list[str] = []
    for task_id, task_path, worker_ids, started_at in running.values_list(
        "id", "task_path", "worker_ids", "started_at"
    ):
        last = worker_ids[-1] if worker_ids else None
        if worker_id is not None and last != worker_id:
            continue
        if worker_id is None and last in alive:
            continue
        # Unchanged since read: another worker may have resumed and claimed it meanwhile.
        still = DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING)
        still = still.filter(started_at=started_at)
        if len(worker_ids) >= settings.TASK_MAX_ATTEMPTS:
            if still.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path="vigie.operations.worker.Interrupted",
                traceback=f"interrupted {len(worker_ids)} times: not resumed again",
            ):
                logger.error(
                    "task %s (%s) interrupted %d times: failed, not resumed",
                    task_id,
                    task_path,
                    len(worker_ids),
                )
            continue
        if still.update(status=TaskResultStatus.READY, started_at=None):
            resumed.append(str(task_id))
            logger.warning(
                "task %s (%s) resumed: its worker %s %s",
                task_id,
                task_path,
                last,
                "lost it" if worker_id is not None else "is gone",
            )
    if worker_id is None:
        WorkerProcess.objects.filter(seen_at__lt=limit).delete()
    return resumed
