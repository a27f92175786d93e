from __future__ import annotations

from django_tasks import task

from vigie.accounts import actions
from vigie.lib.tasks import MESSAGES_PRIORITY, MESSAGES_QUEUE


@task(queue_name=MESSAGES_QUEUE, priority=MESSAGES_PRIORITY)
def mail_password_reset(email: str) -> bool:
    return actions.do_queue_password_reset_email(email=email)
