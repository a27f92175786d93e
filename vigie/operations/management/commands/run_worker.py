"""``manage.py run_worker``: the task worker, with its heartbeat scheduled."""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from vigie.operations.actions import do_schedule_heartbeat


class Command(DatabaseWorkerCommand):
    help = (
        "Run the worker that does the background jobs (e-mails, SMS, push notifications, "
        "exports, purges) and tells /healthz it is alive. Ctrl-C stops it."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        do_schedule_heartbeat(at_once=True)
        super().handle(*args, **options)
