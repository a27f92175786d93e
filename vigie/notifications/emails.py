"""Rendering e-mails by kind.

Each app registers a builder for its kinds; a builder returns the template
context (links with fresh one-time tokens included), or None when the message
no longer makes sense (the account is gone, the request was cancelled).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from vigie.notifications.models import OutgoingEmail

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
        headers={"Auto-Submitted": "auto-generated"},
    )
