"""What keeps the installation running: the worker's heartbeat and periodic jobs."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row, touched by the heartbeat task: proof that tasks are being run."""

    name = models.CharField(max_length=40, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class PeriodicJob(models.Model):
    """When each periodic job last ran, so every worker agrees on what is due."""

    name = models.CharField(max_length=80, primary_key=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class WorkerProcess(models.Model):
    """A running ``manage.py run_worker``: what tells its tasks from those of a worker gone.

    Its presence thread touches ``seen_at`` every WORKER_HEARTBEAT_SECONDS; a worker not
    seen for WORKER_HEARTBEAT_MAX_AGE is gone, and the tasks it left RUNNING are resumed
    (vigie.operations.worker).
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.host}:{self.pid} ({self.worker_id})"
