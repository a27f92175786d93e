"""Small helpers shared by the account tests."""

from __future__ import annotations

import re

from django.core import mail


def mailed_link(*, to: str) -> str:
    """The path of the one-time link in the last message sent to ``to``."""
    messages = [message for message in mail.outbox if to in message.to]
    assert messages, f"no message to {to}"
    match = re.search(r"https?://[^/\s]+(/lien/\S+)", str(messages[-1].body))
    assert match, messages[-1].body
    return match.group(1)
