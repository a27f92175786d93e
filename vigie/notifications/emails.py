"""Rendering e-mails by kind.

Each app registers a builder for its kinds; a builder returns the template
context (links with fresh one-time tokens included), or None when the message
no longer makes sense (the account is gone, the request was cancelled).
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from vigie.lib.crypto import fingerprint
from vigie.notifications.actions import Claim
from vigie.notifications.errors import PermanentFailure, TemporaryFailure
from vigie.notifications.models import Delivery, OutgoingEmail

Builder = Callable[[OutgoingEmail], dict[str, object] | None]


@dataclass(frozen=True)
class EmailKind:
    template: str
    builder: Builder


_KINDS: dict[str, EmailKind] = {}


def register(kind: str, *, template: str) -> Callable[[Builder], Builder]:
    def decorator(builder: Builder) -> Builder:
        if kind in _KINDS:
            raise RuntimeError(f"E-mail kind {kind!r} is registered twice.")
        _KINDS[kind] = EmailKind(template=template, builder=builder)
        return builder

    return decorator


def is_registered(kind: str) -> bool:
    return kind in _KINDS


def render(email: OutgoingEmail) -> EmailMessage | None:
    kind = _KINDS[email.kind]
    with translation.override(email.language):
        context = kind.builder(email)
        if context is None:
            return None
        context = {"site_name": "Vigie", "base_url": settings.BASE_URL, **context}
        subject = render_to_string(f"{kind.template}_subject.txt", context).strip()
        body = render_to_string(f"{kind.template}.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[email.to_address],
        # The same Message-ID at every attempt: a worker killed between the server's
        # acceptance and our record sends it again, and the mailbox keeps one.
        headers={"Auto-Submitted": "auto-generated", "Message-ID": stable_message_id(email)},
    )


def stable_message_id(sent: OutgoingEmail | Delivery | Claim) -> str:
    """One Message-ID per thing we send, whatever the attempt: receivers drop repeats by it.

    A keyed hash of the row, not its id: a sequential id in every recipient's
    headers would tell them how many e-mails Vigie has sent.
    """
    domain = urlsplit(settings.BASE_URL).hostname
    kind = "email" if isinstance(sent, OutgoingEmail) else "delivery"
    return f"<{fingerprint('message-id', f'{kind}-{sent.pk}')[:32]}@{domain}>"


def smtp_failure(error: Exception) -> TemporaryFailure | PermanentFailure:
    """What an e-mail's failure means: a 5xx refusal is final, a 4xx or a lost connection is not.

    The server's 5xx to the sender, the recipients or the message (RFC 5321,
    4.2.1) will be the same tomorrow: no retry, the code is recorded. A 4xx,
    a timeout, a refused or dropped connection may pass. A failure of the
    session itself (connecting, greeting, logging in) says nothing about this
    message, whatever its code: it is our server or its settings, and waits for
    them to be fixed. Only codes and the server's words are kept, never the
    addresses or the message.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = list(error.recipients.values())
        codes = sorted({code for code, _reply in replies})
        text = f"{type(error).__name__} {'/'.join(map(str, codes))}: {_reply_text(replies[0][1])}"
        if codes and all(500 <= code < 600 for code in codes):
            return PermanentFailure(text)
        return TemporaryFailure(text)
    if isinstance(error, smtplib.SMTPResponseException) and not isinstance(error, _SESSION_ERRORS):
        text = f"{type(error).__name__} {error.smtp_code}: {_reply_text(error.smtp_error)}"
        if 500 <= error.smtp_code < 600:
            return PermanentFailure(text)
        return TemporaryFailure(text)
    return TemporaryFailure(f"{type(error).__name__}: {str(error)[:200]}")


# Raised while opening the session: about the server or our settings, not the message.
_SESSION_ERRORS = (
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
)


def _reply_text(reply: bytes | str) -> str:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())[:200]


def is_refusal(error: Exception) -> bool:
    """The server answered (the session is still usable), as opposed to a lost connection."""
    return isinstance(error, smtplib.SMTPRecipientsRefused) or (
        isinstance(error, smtplib.SMTPResponseException) and not isinstance(error, _SESSION_ERRORS)
    )
