from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from vigie.moderation import actions
from vigie.operations import periodic


@task()
def lift_ended_suspensions() -> int:
    return actions.do_lift_ended_suspensions()


periodic.register(
    "lift_ended_suspensions", every=timedelta(minutes=15), task=lift_ended_suspensions
)
