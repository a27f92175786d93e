"""Periodic jobs, run by the worker: each app registers its own here.

The heartbeat task, every WORKER_HEARTBEAT_SECONDS, enqueues the jobs that
are due; a job is a plain task, so it gets the worker's logging and results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django_tasks.base import Task


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    task: Task[[], Any]


_JOBS: dict[str, Job] = {}


def register(name: str, *, every: timedelta, task: Task[[], Any]) -> None:
    _JOBS[name] = Job(name=name, every=every, task=task)


def jobs() -> list[Job]:
    return list(_JOBS.values())
