from __future__ import annotations

from vigie.accounts import actions
from vigie.lib.tasks import message_task


@message_task
def mail_password_reset(email: str) -> bool:
    return actions.do_queue_password_reset_email(email=email)
