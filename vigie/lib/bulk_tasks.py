"""Enqueue many runs of one task at once: one INSERT instead of one per run.

The database backend (django-tasks-db) writes one row per ``enqueue``; a
fan-out queues dozens of sending batches, each its own round trip. Here the
same rows are built as the backend builds them and written with one
``bulk_create``, in the caller's transaction like ``enqueue``'s: the worker sees
them when the change that caused them commits. Any other backend is given
the runs one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import normalize_json, task_enqueued
from django_tasks_db.models import DBTaskResult, get_date_max


def enqueue_many(task: Task[Any, Any], arguments: Sequence[Sequence[Any]]) -> None:
    """Queue ``task(*args)`` for each ``args`` of ``arguments``."""
    if not arguments:
        return
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        for args in arguments:
            task.enqueue(*args)
        return
    backend.validate_task(task)
    rows: list[DBTaskResult[Any, Any]] = [
        DBTaskResult(
            # What DatabaseBackend._task_to_db_task writes (a test holds the two equal).
            id=backend._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": {}}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            # The backend's pre_save signal sets this; bulk_create sends no signal.
            run_after=task.run_after or get_date_max(),
            backend_name=backend.alias,
        )
        for args in arguments
    ]
    DBTaskResult.objects.bulk_create(rows)
    for row in rows:
        task_enqueued.send(DatabaseBackend, task_result=row.task_result)
