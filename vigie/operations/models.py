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
