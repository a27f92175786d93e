from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from vigie.lib.tasks import HEARTBEAT_PRIORITY
from vigie.operations import actions, periodic


@task(priority=HEARTBEAT_PRIORITY)
def heartbeat() -> list[str]:
    actions.do_record_heartbeat()
    # Every worker alive runs this often: the tasks of one gone are found within a beat.
    actions.do_resume_interrupted_tasks()
    due = actions.do_enqueue_due_jobs()
    actions.do_schedule_heartbeat()
    return due


@task()
def clear_expired_sessions() -> int:
    return actions.do_clear_expired_sessions()


@task()
def clear_expired_login_attempts() -> int:
    return actions.do_clear_expired_login_attempts()


periodic.register("clear_expired_sessions", every=timedelta(hours=1), task=clear_expired_sessions)
periodic.register(
    "clear_expired_login_attempts", every=timedelta(hours=1), task=clear_expired_login_attempts
)
