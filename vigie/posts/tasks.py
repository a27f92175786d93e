from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from vigie.operations import periodic
from vigie.posts import actions


@task()
def remove_ended_absences() -> int:
    return actions.do_remove_ended_absences()


periodic.register("remove_ended_absences", every=timedelta(hours=6), task=remove_ended_absences)
