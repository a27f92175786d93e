"""What a delivery says, built by the app its subject belongs to, at sending time.

Each app registers a builder per subject type ("alert", "alert_withdrawn"…).
A builder runs in the recipient's language and returns the message, or None
when it no longer applies (an alert withdrawn before the message left): the
delivery is then cancelled rather than sent.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.utils import translation

from vigie.accounts.models import User


@dataclass(frozen=True)
class Message:
    title: str  # push title, e-mail subject, inbox title
    body: str  # push and inbox text, e-mail body
    url: str  # a path of the site: where the message leads
    urgent: bool
    tag: str  # a repeated message with the same tag replaces the earlier one
    sms: str  # the text message: short, with the link
    insee_code: str = ""  # the commune the SMS is counted for


Builder = Callable[[int, User], Message | None]
# Whether the subject still concerns this person, asked just before each message
# leaves: (subject id, recipient id) -> bool.
Check = Callable[[int, int], bool]
# The same for many people at once, asked before each chunk of messages leaves:
# (subject id, recipient ids) -> those it still concerns.
ManyCheck = Callable[[int, Collection[int]], set[int]]

_BUILDERS: dict[str, Builder] = {}
_CHECKS: dict[str, Check] = {}
_MANY_CHECKS: dict[str, ManyCheck] = {}


def register(
    subject_type: str, *, still_for: Check | None = None, still_for_many: ManyCheck | None = None
) -> Callable[[Builder], Builder]:
    def decorator(builder: Builder) -> Builder:
        if subject_type in _BUILDERS:
            raise RuntimeError(f"Message subject {subject_type!r} is registered twice.")
        _BUILDERS[subject_type] = builder
        if still_for is not None:
            _CHECKS[subject_type] = still_for
        if still_for_many is not None:
            _MANY_CHECKS[subject_type] = still_for_many
        return builder

    return decorator


def build(subject_type: str, subject_id: int, recipient: User) -> Message | None:
    with translation.override(recipient.language or "fr"):
        return _BUILDERS[subject_type](subject_id, recipient)


def still_applies(subject_type: str, subject_id: int, recipient_id: int) -> bool:
    check = _CHECKS.get(subject_type)
    return check is None or check(subject_id, recipient_id)


def still_applying(subject_type: str, subject_id: int, recipient_ids: Collection[int]) -> set[int]:
    """Those of ``recipient_ids`` the subject still concerns: one question for a whole chunk."""
    many = _MANY_CHECKS.get(subject_type)
    if many is not None:
        return many(subject_id, recipient_ids)
    check = _CHECKS.get(subject_type)
    if check is None:
        return set(recipient_ids)
    return {recipient_id for recipient_id in recipient_ids if check(subject_id, recipient_id)}
