from __future__ import annotations

from django_tasks import task

from vigie.accounts import actions


@task()
def mail_password_reset(email: str) -> bool:
    return actions.do_queue_password_reset_email(email=email)
