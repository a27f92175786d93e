from __future__ import annotations

import logging

from django_tasks import task

from vigie.notifications import actions, emails
from vigie.notifications.models import DeliveryStatus, OutgoingEmail

logger = logging.getLogger(__name__)


@task()
def send_email(outgoing_email_id: int) -> str:
    email = OutgoingEmail.objects.filter(pk=outgoing_email_id).first()
    if email is None or email.status != DeliveryStatus.QUEUED:
        return "skipped"
    # Not inside a transaction: an SMTP exchange may take seconds and must not
    # hold the database's write lock meanwhile.
    try:
        message = emails.render(email)
        if message is None:
            actions.do_record_email_cancelled(email, reason="no longer applicable")
            return DeliveryStatus.CANCELLED
        message.send()
    except Exception as error:
        # The error's type and text, never the message body: it may hold a link.
        retrying = actions.do_record_email_failure(email, error=f"{type(error).__name__}: {error}")
        logger.warning(
            "e-mail %s attempt %s failed (%s)",
            email.pk,
            email.attempts,
            "will retry" if retrying else "giving up",
        )
        return "retrying" if retrying else DeliveryStatus.FAILED
    actions.do_record_email_sent(email)
    return DeliveryStatus.SENT
