"""Tasks by queue: what reaches people can have its own workers, and goes first anyway."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from vigie.notifications.tasks import send_deliveries, send_email
from vigie.operations.tasks import heartbeat
from vigie.privacy.tasks import purge_expired
from vigie.test import task_worker
from vigie.verification.tasks import send_letter

MISSING = 999_999  # no such row: each task finds nothing to do, and ends at once
# task_worker() closes its connections when done: the tests that run it are not inside
# a test's transaction (django_db(transaction=True)).


def finished() -> list[str]:
    """The tasks that ran, in the order they finished."""
    return [
        path.rsplit(".", 1)[1]
        for path in DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL)
        .order_by("finished_at")
        .values_list("task_path", flat=True)
    ]


def queue_one_of_each() -> None:
    send_letter.enqueue(MISSING)
    purge_expired.enqueue()
    send_email.enqueue(MISSING)
    send_deliveries.enqueue([MISSING])


@pytest.mark.django_db(transaction=True)
def test_it_lets_a_messages_worker_send_while_letters_and_housekeeping_wait() -> None:
    queue_one_of_each()

    task_worker("messages").run()

    assert sorted(finished()) == ["send_deliveries", "send_email"]
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert sorted(waiting.values_list("queue_name", flat=True)) == ["default", "letters"]


@pytest.mark.django_db(transaction=True)
def test_it_leaves_the_messages_to_their_own_workers_when_told() -> None:
    queue_one_of_each()

    task_worker("default", "letters").run()

    assert sorted(finished()) == ["purge_expired", "send_letter"]
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 2


@pytest.mark.django_db(transaction=True)
def test_it_sends_messages_first_on_a_worker_of_every_queue_and_beats_before_them() -> None:
    queue_one_of_each()  # the letter and the purge queued first
    heartbeat.using(run_after=timezone.now()).enqueue()

    for _task in range(5):
        task_worker(max_tasks=1).run()

    assert finished()[:3] == ["heartbeat", "send_email", "send_deliveries"]
    assert sorted(finished()[3:]) == ["purge_expired", "send_letter"]


@pytest.mark.django_db(transaction=True)
def test_it_serves_every_queue_when_started_without_options() -> None:
    queue_one_of_each()

    call_command("run_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    assert {"send_letter", "purge_expired", "send_email", "send_deliveries"} <= set(finished())
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exclude(
        task_path=heartbeat.module_path
    )
