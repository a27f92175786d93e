from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from vigie.accounts.models import UserSession
from vigie.operations import periodic
from vigie.operations.models import PeriodicJob, WorkerHeartbeat

HEARTBEAT_NAME = "worker"


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
