"""A task cut off (its worker killed, the database gone) is run again, never left RUNNING."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connections
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from vigie.operations.actions import do_resume_interrupted_tasks
from vigie.operations.models import WorkerProcess
from vigie.operations.tasks import clear_expired_sessions
from vigie.test import run_tasks, task_worker


def running(*, worker_ids: list[str], minutes_ago: float) -> str:
    """A task as a worker leaves it when it claimed it then stopped: RUNNING."""
    task_id = clear_expired_sessions.enqueue().id
    DBTaskResult.objects.filter(pk=task_id).update(
        status=TaskResultStatus.RUNNING,
        worker_ids=worker_ids,
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
    )
    return task_id


def status(task_id: str) -> str:
    return DBTaskResult.objects.get(pk=task_id).status


def seen(worker_id: str, *, minutes_ago: float) -> None:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    WorkerProcess.objects.create(worker_id=worker_id, host="h", pid=1, started_at=at, seen_at=at)


@pytest.mark.django_db
def test_it_resumes_the_tasks_of_a_worker_gone_and_leaves_those_of_one_alive() -> None:
    seen("killed", minutes_ago=10)
    seen("busy", minutes_ago=0)
    orphan = running(worker_ids=["killed"], minutes_ago=10)
    unregistered = running(worker_ids=["before-this-release"], minutes_ago=10)
    long_task = running(worker_ids=["busy"], minutes_ago=10)
    just_claimed = running(worker_ids=["starting"], minutes_ago=0)

    resumed = do_resume_interrupted_tasks()

    assert sorted(resumed) == sorted([orphan, unregistered])
    assert [status(orphan), status(unregistered)] == [TaskResultStatus.READY] * 2
    assert [status(long_task), status(just_claimed)] == [TaskResultStatus.RUNNING] * 2
    assert list(WorkerProcess.objects.values_list("worker_id", flat=True)) == ["busy"]
    assert run_tasks() == 2
    assert status(orphan) == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db
def test_it_fails_a_task_interrupted_as_often_as_a_task_may_be_tried(settings: Settings) -> None:
    settings.TASK_MAX_ATTEMPTS = 3
    poison = running(worker_ids=["one", "two", "three"], minutes_ago=10)

    assert do_resume_interrupted_tasks() == []
    assert status(poison) == TaskResultStatus.FAILED
    assert DBTaskResult.objects.get(pk=poison).exception_class_path.endswith("Interrupted")


@pytest.mark.django_db
def test_it_keeps_a_task_cut_off_by_the_database_to_run_it_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    task_id = clear_expired_sessions.enqueue().id
    claimed = DBTaskResult.objects.get(pk=task_id)
    claimed.claim("w1")

    def database_gone() -> int:
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr("vigie.operations.actions.do_clear_expired_sessions", database_gone)
    monkeypatch.setattr(connections["default"], "is_usable", lambda: False)
    with pytest.raises(OperationalError):
        task_worker(worker_id="w1").run_task(claimed)
    monkeypatch.undo()

    assert status(task_id) == TaskResultStatus.RUNNING  # not FAILED: nothing wrong with it
    assert do_resume_interrupted_tasks(worker_id="w2") == []  # not another worker's to take
    assert do_resume_interrupted_tasks(worker_id="w1") == [task_id]
    assert run_tasks() == 1
    assert status(task_id) == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db
def test_it_records_the_task_s_own_database_error_as_its_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    task_id = clear_expired_sessions.enqueue().id
    claimed = DBTaskResult.objects.get(pk=task_id)
    claimed.claim("w1")

    def locked() -> int:
        raise OperationalError("database is locked")  # the connection itself is fine

    monkeypatch.setattr("vigie.operations.actions.do_clear_expired_sessions", locked)
    task_worker(worker_id="w1").run_task(claimed)

    assert status(task_id) == TaskResultStatus.FAILED


@pytest.mark.django_db(transaction=True)
def test_it_runs_at_start_what_a_worker_killed_left_running() -> None:
    orphan = running(worker_ids=["killed"], minutes_ago=10)

    call_command("run_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    assert status(orphan) == TaskResultStatus.SUCCESSFUL
    assert DBTaskResult.objects.get(pk=orphan).worker_ids[0] == "killed"
    assert WorkerProcess.objects.count() == 0  # the batch worker left, and said so
