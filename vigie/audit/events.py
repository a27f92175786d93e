"""One small function per kind of audit event.

Callers are actions, inside their transaction.  Each function decides what
the record holds: ids and facts, never a name, an address, a code or a secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from vigie.audit.log import JsonValue, append
from vigie.audit.models import AuditEvent

if TYPE_CHECKING:
    from vigie.accounts.models import AccessToken, EmailChange, User
    from vigie.addresses.models import Address
    from vigie.alerts.models import Alert
    from vigie.communities.models import Community, Membership, NeighbourhoodRequest
    from vigie.moderation.models import Appeal, Decision, Report
    from vigie.municipalities.models import Agent, ResidenceCheck, Subscription, TownHall
    from vigie.payments.models import Invoice, Order
    from vigie.posts.models import Comment, Post
    from vigie.privacy.models import Breach, DataExport
    from vigie.verification.models import ActivationCode, Letter


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


def home_address_set(address: Address, *, actor_id: int, moved_from: list[int]) -> AuditEvent:
    return append(
        "address.home_set",
        actor_id=actor_id,
        target=address,
        data={
            "user_id": address.user_id,
            "source": address.source,
            "needs_review": address.needs_review,
            "moved_from": list(moved_from),
        },
    )


def home_address_verified(address: Address, *, actor_id: int, method: str) -> AuditEvent:
    return append(
        "address.verified",
        actor_id=actor_id,
        target=address,
        data={"user_id": address.user_id, "method": method},
    )


def home_address_reviewed(address: Address, *, actor_id: int) -> AuditEvent:
    return append("address.reviewed", actor_id=actor_id, target=address)


def letter_requested(letter: Letter, *, actor_id: int) -> AuditEvent:
    return append(
        "letter.requested",
        actor_id=actor_id,
        target=letter,
        data={"user_id": letter.user_id, "address_id": letter.address_id, "reason": letter.reason},
    )


def letter_handed_over(letter: Letter) -> AuditEvent:
    return append(
        "letter.handed_over", actor_id=None, target=letter, data={"sender": letter.sender}
    )


def letter_posted(letter: Letter, *, actor_id: int | None) -> AuditEvent:
    return append("letter.posted", actor_id=actor_id, target=letter)


def letter_failed(letter: Letter) -> AuditEvent:
    return append("letter.failed", actor_id=None, target=letter, data={"attempts": letter.attempts})


def letter_cancelled(letter: Letter, *, actor_id: int | None, reason: str) -> AuditEvent:
    return append("letter.cancelled", actor_id=actor_id, target=letter, data={"reason": reason})


def letter_withdrawn(letter: Letter, *, withdrawn: bool) -> AuditEvent:
    """A cancelled letter taken back from the printer (or too late for that)."""
    return append(
        "letter.withdrawn" if withdrawn else "letter.withdrawal_failed",
        actor_id=None,
        target=letter,
    )


def activation_code_replaced(code: ActivationCode) -> AuditEvent:
    return append("activation_code.replaced", actor_id=None, target=code)


def activation_entry_refused(user: User, *, reason: str) -> AuditEvent:
    """An entry refused before any code was compared (malformed, expired, none waiting…)."""
    return append(
        "activation_code.entry_refused", actor_id=user.pk, target=user, data={"reason": reason}
    )


def activation_code_issued(code: ActivationCode) -> AuditEvent:
    return append(
        "activation_code.issued",
        actor_id=None,
        target=code,
        data={"user_id": code.user_id, "letter_id": code.letter_id},
    )


def activation_code_accepted(code: ActivationCode) -> AuditEvent:
    return append("activation_code.accepted", actor_id=code.user_id, target=code)


def activation_code_refused(code: ActivationCode, *, locked: bool) -> AuditEvent:
    return append(
        "activation_code.locked" if locked else "activation_code.refused",
        actor_id=code.user_id,
        target=code,
        data={"wrong_entries": code.wrong_entries},
    )


def reference_imported(*, file_name: str, created: int, updated: int, bad: int) -> AuditEvent:
    return append(
        "addresses.reference_imported",
        actor_id=None,
        data={"file": file_name[:100], "created": created, "updated": updated, "bad_rows": bad},
    )


def neighbourhood_created(community: Community, *, actor_id: int) -> AuditEvent:
    return append(
        "community.created",
        actor_id=actor_id,
        target=community,
        data={"insee_code": community.insee_code, "kind": community.kind},
    )


def membership_started(membership: Membership, *, actor_id: int) -> AuditEvent:
    return append(
        "membership.started",
        actor_id=actor_id,
        target=membership,
        data={"user_id": membership.user_id, "community_id": membership.community_id},
    )


def membership_ended(membership: Membership, *, actor_id: int, reason: str) -> AuditEvent:
    return append(
        "membership.ended",
        actor_id=actor_id,
        target=membership,
        data={
            "user_id": membership.user_id,
            "community_id": membership.community_id,
            "reason": reason,
        },
    )


def membership_role_changed(membership: Membership, *, actor_id: int, previous: str) -> AuditEvent:
    return append(
        "membership.role_changed",
        actor_id=actor_id,
        target=membership,
        data={"from": previous, "to": membership.role, "user_id": membership.user_id},
    )


def content_retention_changed(
    community: Community, *, actor_id: int, previous: int | None, months: int | None
) -> AuditEvent:
    return append(
        "community.retention_changed",
        actor_id=actor_id,
        target=community,
        data={"from": previous, "to": months},
    )


def member_suspended(user: User, *, actor_id: int, until: datetime | None) -> AuditEvent:
    return append(
        "member.suspended",
        actor_id=actor_id,
        target=user,
        data={"until": until.isoformat() if until else None},
    )


def member_suspension_lifted(user: User, *, actor_id: int | None) -> AuditEvent:
    return append("member.suspension_lifted", actor_id=actor_id, target=user)


def neighbourhood_requested(request: NeighbourhoodRequest) -> AuditEvent:
    return append(
        "community.requested",
        actor_id=request.requested_by_id,
        target=request,
        data={"insee_code": request.insee_code},
    )


def neighbourhood_request_rejected(request: NeighbourhoodRequest, *, actor_id: int) -> AuditEvent:
    return append("community.request_rejected", actor_id=actor_id, target=request)


def post_created(post: Post) -> AuditEvent:
    return append(
        "post.created",
        actor_id=post.author_id,
        target=post,
        data={"community_id": post.community_id, "kind": post.kind},
    )


def post_edited(post: Post, *, actor_id: int) -> AuditEvent:
    return append("post.edited", actor_id=actor_id, target=post)


def post_deleted(post: Post, *, actor_id: int) -> AuditEvent:
    return append(
        "post.deleted", actor_id=actor_id, target=post, data={"community_id": post.community_id}
    )


def comment_created(comment: Comment) -> AuditEvent:
    return append(
        "comment.created",
        actor_id=comment.author_id,
        target=comment,
        data={"post_id": comment.post_id},
    )


def comment_deleted(comment: Comment, *, actor_id: int) -> AuditEvent:
    return append(
        "comment.deleted", actor_id=actor_id, target=comment, data={"post_id": comment.post_id}
    )


def alert_created(alert: Alert) -> AuditEvent:
    return append(
        "alert.created",
        actor_id=alert.author_id,
        target=alert,
        data={
            "community_id": alert.community_id,
            "category": alert.category,
            "urgency": alert.urgency,
            "source": alert.source,
        },
    )


def alert_submitted(alert: Alert) -> AuditEvent:
    return append(
        "alert.submitted",
        actor_id=alert.author_id,
        target=alert,
        data={"fast_path": alert.fast_path, "profiling_terms": len(alert.profiling_terms)},
    )


def alert_approved(
    alert: Alert, *, actor_id: int, originals: dict[str, str | dict[str, str]]
) -> AuditEvent:
    # When the team edited personal data out, the originals stay here, and only here.
    edited: list[JsonValue] = []
    edited.extend(sorted(originals))
    data: dict[str, JsonValue] = {"edited": edited}
    for name, value in originals.items():
        data[f"original_{name}"] = value if isinstance(value, str) else dict(value)
    return append("alert.approved", actor_id=actor_id, target=alert, data=data)


def alert_rejected(alert: Alert, *, actor_id: int) -> AuditEvent:
    return append("alert.rejected", actor_id=actor_id, target=alert, data={"reason": alert.reason})


def alert_reviewed(alert: Alert, *, actor_id: int) -> AuditEvent:
    return append("alert.reviewed", actor_id=actor_id, target=alert)


def alert_withdrawn(alert: Alert, *, actor_id: int, reached: int) -> AuditEvent:
    return append(
        "alert.withdrawn",
        actor_id=actor_id,
        target=alert,
        data={"reason": alert.reason, "reached": reached},
    )


def alert_closed(alert: Alert, *, actor_id: int) -> AuditEvent:
    return append(
        "alert.closed", actor_id=actor_id, target=alert, data={"resolution": alert.resolution}
    )


def sms_alert_dropped(*, reason: str) -> AuditEvent:
    return append("alert.sms_dropped", actor_id=None, data={"reason": reason})


def phone_verified(user: User, *, replaced_other: bool) -> AuditEvent:
    return append(
        "account.phone_verified", actor_id=user.pk, target=user, data={"moved": replaced_other}
    )


def phone_removed(user: User) -> AuditEvent:
    return append("account.phone_removed", actor_id=user.pk, target=user)


def terms_accepted(user: User, *, version: int) -> AuditEvent:
    return append("terms.accepted", actor_id=user.pk, target=user, data={"version": version})


def report_created(report: Report) -> AuditEvent:
    # The reporter is the actor: the log is the team's, never shown to the person reported.
    return append(
        "report.created",
        actor_id=report.reporter_id,
        target=report,
        data={
            "target_type": report.target_type,
            "target_id": report.target_id,
            "subject_id": report.subject_id,
            "reason": report.reason,
        },
    )


def content_visibility_changed(
    *, target_type: str, target_id: int, visibility: str, actor_id: int | None, reason: str
) -> AuditEvent:
    return append(
        "content.visibility_changed",
        actor_id=actor_id,
        data={
            "target_type": target_type,
            "target_id": target_id,
            "visibility": visibility,
            "reason": reason,
        },
    )


def decision_taken(decision: Decision) -> AuditEvent:
    return append(
        "moderation.decision",
        actor_id=decision.moderator_id,
        target=decision,
        data={
            "kind": decision.kind,
            "clause": decision.clause,
            "terms_version": decision.terms_version,
            "target_type": decision.target_type,
            "target_id": decision.target_id,
            "subject_id": decision.subject_id,
            "state": decision.state,
            "suspension_days": decision.suspension_days,
        },
    )


def decision_confirmed(decision: Decision, *, actor_id: int, confirmed: bool) -> AuditEvent:
    return append(
        "moderation.confirmation",
        actor_id=actor_id,
        target=decision,
        data={"confirmed": confirmed, "state": decision.state},
    )


def appeal_made(appeal: Appeal) -> AuditEvent:
    return append(
        "moderation.appeal",
        actor_id=appeal.appellant_id,
        target=appeal,
        data={"decision_id": appeal.decision_id},
    )


def appeal_decided(appeal: Appeal) -> AuditEvent:
    return append(
        "moderation.appeal_decided",
        actor_id=appeal.decided_by_id,
        target=appeal,
        data={"decision_id": appeal.decision_id, "outcome": appeal.outcome},
    )


def account_closed(user: User, *, actor_id: int, reason: str) -> AuditEvent:
    return append("account.closed", actor_id=actor_id, target=user, data={"reason": reason})


def account_reopened(user: User, *, actor_id: int, reason: str) -> AuditEvent:
    return append("account.reopened", actor_id=actor_id, target=user, data={"reason": reason})


def alert_reopened(alert: Alert, *, actor_id: int) -> AuditEvent:
    return append("alert.reopened", actor_id=actor_id, target=alert)


def town_hall_created(town_hall: TownHall, *, actor_id: int) -> AuditEvent:
    return append(
        "town_hall.created",
        actor_id=actor_id,
        target=town_hall,
        data={"insee_code": town_hall.insee_code},
    )


def agent_invited(agent: Agent, *, actor_id: int) -> AuditEvent:
    return append(
        "town_hall.agent_invited",
        actor_id=actor_id,
        target=agent,
        data={"town_hall_id": agent.town_hall_id, "user_id": agent.user_id},
    )


def agent_removed(agent: Agent, *, actor_id: int) -> AuditEvent:
    return append(
        "town_hall.agent_removed",
        actor_id=actor_id,
        target=agent,
        data={"town_hall_id": agent.town_hall_id, "user_id": agent.user_id},
    )


def official_message_published(alert: Alert, *, actor_id: int) -> AuditEvent:
    return append(
        "town_hall.official_message",
        actor_id=actor_id,
        target=alert,
        data={
            "town_hall_id": alert.town_hall_id,
            "community_id": alert.community_id,
            "category": alert.category,
            "urgency": alert.urgency,
        },
    )


def residence_checked(check: ResidenceCheck) -> AuditEvent:
    # The fact, the agent and the date: no document, no address in clear.
    return append(
        "town_hall.residence_checked",
        actor_id=check.agent_id,
        target=check,
        data={"town_hall_id": check.town_hall_id, "address_id": check.address_id},
    )


def subscription_extended(subscription: Subscription) -> AuditEvent:
    return append(
        "subscription.extended",
        actor_id=None,
        target=subscription,
        data={
            "plan": subscription.plan,
            "period": subscription.period,
            "paid_until": subscription.paid_until.isoformat(),
        },
    )


def subscription_cancelled(subscription: Subscription, *, actor_id: int) -> AuditEvent:
    return append(
        "subscription.cancelled",
        actor_id=actor_id,
        target=subscription,
        data={"paid_until": subscription.paid_until.isoformat()},
    )


def order_created(order: Order, *, actor_id: int) -> AuditEvent:
    return append(
        "payment.order_created",
        actor_id=actor_id,
        target=order,
        data={"reference": order.reference, "total_cents": order.total_cents},
    )


def payment_notified(order: Order | None, *, reference: str, outcome: str) -> AuditEvent:
    return append(
        "payment.notified",
        actor_id=None,
        target=order,
        data={"reference": reference[:50], "outcome": outcome},
    )


def invoice_issued(invoice: Invoice) -> AuditEvent:
    return append(
        "payment.invoice_issued",
        actor_id=None,
        target=invoice,
        data={"number": invoice.number, "total_cents": invoice.total_cents},
    )


# --- Privacy rights ----------------------------------------------------------------------------


def data_export_requested(data_export: DataExport) -> AuditEvent:
    return append("privacy.export_requested", actor_id=data_export.user_id, target=data_export)


def data_export_ready(data_export: DataExport) -> AuditEvent:
    return append(
        "privacy.export_ready", actor_id=None, target=data_export, data={"size": data_export.size}
    )


def data_export_downloaded(data_export: DataExport) -> AuditEvent:
    return append("privacy.export_downloaded", actor_id=data_export.user_id, target=data_export)


def account_erased(
    user: User, *, actor_id: int | None, contributions: str, reason: str
) -> AuditEvent:
    return append(
        "privacy.account_erased",
        actor_id=actor_id,
        target=user,
        data={"contributions": contributions, "reason": reason},
    )


def consent_changed(user: User, *, kind: str, given: bool, version: int) -> AuditEvent:
    return append(
        "privacy.consent_given" if given else "privacy.consent_withdrawn",
        actor_id=user.pk,
        target=user,
        data={"kind": kind, "version": version},
    )


def processing_restricted(user: User, *, actor_id: int) -> AuditEvent:
    # The reason stays on the account, where erasure finds it; not in the log.
    return append("privacy.processing_restricted", actor_id=actor_id, target=user)


def processing_restriction_lifted(user: User, *, actor_id: int) -> AuditEvent:
    return append("privacy.processing_restriction_lifted", actor_id=actor_id, target=user)


def inactive_account_warned(user: User) -> AuditEvent:
    return append("privacy.inactive_account_warned", actor_id=None, target=user)


def retention_applied(*, rule: str, removed: int) -> AuditEvent:
    return append(
        "privacy.retention_applied", actor_id=None, data={"rule": rule, "removed": removed}
    )


# --- The breach register -----------------------------------------------------------------------


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _breach_facts(breach: Breach) -> dict[str, JsonValue]:
    # Natures and dates only: the register's texts may describe people, the log never does.
    natures: list[JsonValue] = [*breach.natures]
    return {
        "natures": natures,
        "discovered_at": _moment(breach.discovered_at),
        "people_informed_at": _moment(breach.people_informed_at),
        "cnil_notified_at": _moment(breach.cnil_notified_at),
    }


def breach_recorded(breach: Breach, *, actor_id: int) -> AuditEvent:
    return append(
        "privacy.breach_recorded", actor_id=actor_id, target=breach, data=_breach_facts(breach)
    )


def breach_edited(breach: Breach, *, actor_id: int, fields: Sequence[str]) -> AuditEvent:
    changed: list[JsonValue] = [*fields]
    return append(
        "privacy.breach_edited",
        actor_id=actor_id,
        target=breach,
        data={"fields": changed, **_breach_facts(breach)},
    )
