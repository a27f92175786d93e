from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from vigie.municipalities import actions
from vigie.operations import periodic


@task()
def send_renewal_reminders() -> int:
    return actions.do_send_renewal_reminders()


periodic.register("send_renewal_reminders", every=timedelta(hours=6), task=send_renewal_reminders)
