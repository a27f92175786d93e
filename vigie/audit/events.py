"""One small function per kind of audit event.

Callers are actions, inside their transaction.  Each function decides what
the record holds: ids and facts, never a name, an address, a code or a secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from vigie.audit.log import append
from vigie.audit.models import AuditEvent

if TYPE_CHECKING:
    from vigie.accounts.models import AccessToken, EmailChange, User


def user_registered(user: User) -> AuditEvent:
    return append("account.registered", actor_id=user.pk, target=user)


def email_confirmed(user: User) -> AuditEvent:
    return append("account.email_confirmed", actor_id=user.pk, target=user)


def profile_updated(user: User, *, actor_id: int, fields: Sequence[str]) -> AuditEvent:
    return append(
        "account.profile_updated", actor_id=actor_id, target=user, data={"fields": list(fields)}
    )


def password_changed(user: User, *, actor_id: int | None, method: str) -> AuditEvent:
    return append(
        "account.password_changed", actor_id=actor_id, target=user, data={"method": method}
    )


def email_change_requested(change: EmailChange) -> AuditEvent:
    return append("account.email_change_requested", actor_id=change.user_id, target=change)


def email_changed(change: EmailChange) -> AuditEvent:
    return append("account.email_changed", actor_id=change.user_id, target=change.user)


def sessions_ended(user: User, *, actor_id: int | None, count: int, reason: str) -> AuditEvent:
    return append(
        "account.sessions_ended",
        actor_id=actor_id,
        target=user,
        data={"count": count, "reason": reason},
    )


def access_token_created(token: AccessToken) -> AuditEvent:
    return append("account.token_created", actor_id=token.user_id, target=token)


def access_token_revoked(token: AccessToken, *, actor_id: int) -> AuditEvent:
    return append("account.token_revoked", actor_id=actor_id, target=token)


def second_factor_enrolled(user: User) -> AuditEvent:
    return append("account.second_factor_enrolled", actor_id=user.pk, target=user)


def second_factor_removed(user: User, *, actor_id: int) -> AuditEvent:
    return append("account.second_factor_removed", actor_id=actor_id, target=user)


def recovery_code_used(user: User, *, codes_left: int) -> AuditEvent:
    return append(
        "account.recovery_code_used", actor_id=user.pk, target=user, data={"codes_left": codes_left}
    )


def recovery_codes_generated(user: User) -> AuditEvent:
    return append("account.recovery_codes_generated", actor_id=user.pk, target=user)


def account_created(user: User, *, actor_id: int | None) -> AuditEvent:
    return append("account.created", actor_id=actor_id, target=user)
