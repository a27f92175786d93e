"""The retention purge: each rule the registry names, applied every day.

Each rule removes in small batches, each batch in its own transaction, and
picks its rows afresh each time: a purge interrupted halfway leaves whole
rows only, and running it again finishes the work. An account whose
processing is restricted (GDPR art. 18) is left exactly as it is.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, Q
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone

from vigie.accounts.models import User

BATCH_SIZE = 500
# An unused account is deleted only if its warning went out at least this long before.
WARNING_NOTICE = timedelta(days=14)

RETAINED = settings.RETENTION


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (the month's last day if
    that month is shorter)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass
class Outcome:
    rule: str
    removed: int = 0


Progress = Callable[[int], None]


def _delete_in_batches(
    rows: models.QuerySet[Any], *, dry_run: bool, progress: Progress | None = None
) -> int:
    if dry_run:
        return rows.count()
    model = rows.model
    removed = 0
    while True:
        ids = list(rows.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
        if not ids:
            return removed
        with transaction.atomic():
            model._default_manager.filter(pk__in=ids).delete()
        removed += len(ids)
        if progress is not None:
            progress(len(ids))


def _unrestricted(rows: models.QuerySet[Any], owner: str) -> models.QuerySet[Any]:
    """The rows but those of people whose processing is restricted (GDPR art. 18).

    By their ids, not through a join to the accounts: a row whose owner is gone (a
    delivery keeps no foreign key in the database) goes when its time comes too.
    """
    restricted = User.objects.filter(processing_restricted_at__isnull=False).values("pk")
    return rows.exclude(**{f"{owner}__in": restricted})


# --- Accounts ----------------------------------------------------------------------------------


def _people() -> models.QuerySet[User]:
    return User.objects.filter(
        erased_at__isnull=True, is_superuser=False, processing_restricted_at__isnull=True
    )


def last_activity(users: models.QuerySet[User]) -> models.QuerySet[User]:
    """Annotates ``last_active_at``: the latest sign-in, session or token use, or sign-up."""
    return users.annotate(
        last_active_at=Greatest(
            "date_joined",
            Coalesce("last_login", "date_joined"),
            Coalesce(Max("sessions__last_seen_at"), "date_joined"),
            Coalesce(Max("access_tokens__last_used_at"), "date_joined"),
        )
    )


def _erase_each(
    users: Iterable[User], *, reason: str, dry_run: bool, progress: Progress | None
) -> int:
    from vigie.privacy.actions import do_erase_account
    from vigie.privacy.erasure import Contributions

    count = 0
    for user in users:
        if not dry_run:
            do_erase_account(
                user, acting_user=None, contributions=Contributions.DELETE, reason=reason
            )
            if progress is not None:
                progress(1)
        count += 1
    return count


def unverified_accounts(now: datetime) -> models.QuerySet[User]:
    return (
        _people()
        .filter(
            is_staff=False,
            is_town_hall_agent=False,
            date_joined__lt=now - timedelta(days=RETAINED["unverified_days"]),
            first_verified_at__isnull=True,
        )
        .exclude(addresses__verified_at__isnull=False)
        .distinct()
    )


def accounts_to_warn(now: datetime) -> models.QuerySet[User]:
    warn_before = months_before(now, RETAINED["inactive_warning_months"])
    return (
        last_activity(_people())
        .filter(Q(last_active_at__lt=warn_before))
        .filter(
            Q(inactivity_warned_at__isnull=True)
            | Q(inactivity_warned_at__lt=models.F("last_active_at"))
        )
    )


def inactive_accounts(now: datetime) -> models.QuerySet[User]:
    delete_before = months_before(now, RETAINED["inactive_months"])
    return last_activity(_people()).filter(
        Q(last_active_at__lt=delete_before),
        Q(inactivity_warned_at__gt=models.F("last_active_at")),
        Q(inactivity_warned_at__lte=now - WARNING_NOTICE),
    )


def purge_accounts(now: datetime, *, dry_run: bool, progress: Progress | None = None) -> int:
    from vigie.privacy.actions import do_warn_inactive_account

    removed = _erase_each(
        list(unverified_accounts(now)),
        reason="retention_unverified",
        dry_run=dry_run,
        progress=progress,
    )
    for user in list(accounts_to_warn(now)):
        if not dry_run:
            do_warn_inactive_account(user, now=now)
    return removed + _erase_each(
        list(inactive_accounts(now)),
        reason="retention_inactive",
        dry_run=dry_run,
        progress=progress,
    )


# --- Sessions, verification, addresses, memberships --------------------------------------------


def purge_sessions(now: datetime, *, dry_run: bool, progress: Progress | None = None) -> int:
    from vigie.accounts.models import UserSession

    return _delete_in_batches(
        UserSession.objects.filter(expire_date__lt=now), dry_run=dry_run, progress=progress
    )


def purge_verification(now: datetime, *, dry_run: bool, progress: Progress | None = None) -> int:
    from vigie.accounts.models import EmailChange
    from vigie.verification.models import ActivationCode, Letter

    after_use = now - timedelta(days=RETAINED["codes_days"])
    codes = ActivationCode.objects.filter(
        Q(closed_at__lt=after_use) | Q(closed_at__isnull=True, expires_at__lt=after_use)
    )
    removed = _delete_in_batches(_unrestricted(codes, "user"), dry_run=dry_run, progress=progress)
    # Letters are counted for the per-address limits over their window: they stay that long.
    letters = Letter.objects.filter(
        created_at__lt=now - timedelta(days=RETAINED["letter_window_days"]),
        status_changed_at__lt=after_use,
        code__isnull=True,
    )
    removed += _delete_in_batches(
        _unrestricted(letters, "user"), dry_run=dry_run, progress=progress
    )
    changes = EmailChange.objects.filter(requested_at__lt=after_use)
    return removed + _delete_in_batches(
        _unrestricted(changes, "user"), dry_run=dry_run, progress=progress
    )


def purge_addresses(now: datetime, *, dry_run: bool, progress: Progress | None = None) -> int:
    from vigie.addresses.models import Address

    former = Address.objects.filter(
        moved_out_at__lt=months_before(now, RETAINED["former_address_months"])
    )
    return _delete_in_batches(_unrestricted(former, "user"), dry_run=dry_run, progress=progress)


def purge_memberships(now: datetime, *, dry_run: bool, progress: Progress | None = None) -> int:
    from vigie.communities.models import Membership, NeighbourhoodRequest

    limit = months_before(now, RETAINED["security_months"])
    ended = Membership.objects.filter(left_at__lt=limit)
    removed = _delete_in_batches(_unrestricted(ended, "user"), dry_run=dry_run, progress=progress)
    answered = NeighbourhoodRequest.objects.filter(decided_at__lt=limit)
    return removed + _delete_in_batches(
        _unrestricted(answered, "requested_by"), dry_run=dry_run, progress=progress
    )


# --- Content -----------------------------------------------------------------------------------


def _past_content_retention(now: datetime) -> Q:
    """Posts and alerts past the platform's months, or their community's shorter choice."""
    from vigie.communities.models import Community

    default_months = RETAINED["content_months"]
    expired = Q(created_at__lt=months_before(now, default_months))
    for community_id, months in Community.objects.filter(
        content_retention_months__lt=default_months
    ).values_list("pk", "content_retention_months"):
        expired |= Q(community_id=community_id, created_at__lt=months_before(now, int(months or 0)))
    return expired


def expired_posts(now: datetime) -> models.QuerySet[Any]:
    from vigie.posts.models import Post, PostKind

    expired = _past_content_retention(now)
    returned = timezone.localdate(now) - timedelta(days=RETAINED["absence_days"])
    # absence_until is the day of return: the absence goes the day after it.
    expired |= Q(kind=PostKind.ABSENCE, absence_until__lte=returned)
    # A restricted neighbour's comment would go with the post: the post waits with it.
    return _unrestricted(Post.objects.filter(expired), "author").exclude(
        comments__author__processing_restricted_at__isnull=False
    )


def expired_alerts(now: datetime) -> models.QuerySet[Any]:
    from vigie.alerts.models import Alert

    return _unrestricted(Alert.objects.filter(_past_content_retention(now)), "author").exclude(
        supports__user__processing_restricted_at__isnull=False
    )


def purge_content(now: datetime, *, dry_run: bool, progress: Progress | None = None) -> int:
    from vigie.posts.models import PostImage

    posts = expired_posts(now)
    removed = 0
    if dry_run:
        removed = posts.count()
    else:
        while ids := list(posts.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE]):
            with transaction.atomic():
                files = list(
                    PostImage.objects.filter(post_id__in=ids).values_list("file", flat=True)
                )
                posts.model._default_manager.filter(pk__in=ids).delete()
                storage = PostImage._meta.get_field("file").storage
                transaction.on_commit(functools.partial(_delete_files, storage, files))
            removed += len(ids)
            if progress is not None:
                progress(len(ids))
    return removed + _delete_in_batches(expired_alerts(now), dry_run=dry_run, progress=progress)


def _delete_files(storage: Any, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


# --- Notifications, moderation, security, billing ----------------------------------------------


def purge_notifications(now: datetime, *, dry_run: bool, progress: Progress | None = None) -> int:
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from vigie.notifications.models import (
        Delivery,
        DeliveryStatus,
        InboundText,
        InboxItem,
        OutgoingEmail,
    )

    limit = now - timedelta(days=RETAINED["deliveries_days"])
    removed = 0
    for rows, owner in (
        (Delivery.objects.filter(created_at__lt=limit), "recipient"),
        (InboxItem.objects.filter(created_at__lt=limit), "recipient"),
        (
            # Its owner may be none (a town hall's address): kept unless a restricted one.
            OutgoingEmail.objects.filter(created_at__lt=limit)
            .exclude(status=DeliveryStatus.QUEUED)
            .exclude(
                user_id__in=User.objects.filter(processing_restricted_at__isnull=False).values("pk")
            ),
            None,
        ),
    ):
        kept = rows if owner is None else _unrestricted(rows, owner)
        removed += _delete_in_batches(kept, dry_run=dry_run, progress=progress)
    removed += _delete_in_batches(
        InboundText.objects.filter(received_at__lt=limit), dry_run=dry_run, progress=progress
    )
    finished = DBTaskResult.objects.filter(
        finished_at__lt=now - timedelta(days=RETAINED["task_results_days"]),
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
    )
    return removed + _delete_in_batches(finished, dry_run=dry_run, progress=progress)


def sanction_end(decision: Any) -> datetime | None:
    """When a sanction stopped weighing on the person; None while it still does."""
    from vigie.moderation.models import DecisionKind, DecisionState

    if decision.state == DecisionState.AWAITING_CONFIRMATION:
        return None
    if decision.state == DecisionState.CANCELLED:
        return decision.created_at
    if decision.state == DecisionState.OVERTURNED:
        appeal = getattr(decision, "appeal", None)
        return getattr(appeal, "decided_at", None) or decision.created_at
    started = decision.in_force_at or decision.created_at
    if decision.kind == DecisionKind.BANNED:
        return None  # a ban in force lasts
    if decision.kind == DecisionKind.SUSPENDED:
        if not decision.suspension_days:
            return None  # until the team lifts it
        return started + timedelta(days=decision.suspension_days)
    return started  # a warning or a removal: done when it is made


SANCTIONS = ("removed", "removed_warned", "warned", "suspended", "banned")
SANCTION_EVENTS_ON_ACCOUNTS = (
    "member.suspended",
    "member.suspension_lifted",
    "account.closed",
    "account.reopened",
)


def expired_decisions(now: datetime) -> list[int]:
    from vigie.moderation.models import Decision

    sanction_limit = now - timedelta(days=RETAINED["sanction_days"])
    other_limit = months_before(now, RETAINED["security_months"])
    expired: list[int] = []
    candidates = Decision.objects.filter(created_at__lt=min(sanction_limit, other_limit))
    for decision in _unrestricted(candidates, "subject").select_related("appeal").iterator():
        if decision.kind in SANCTIONS:
            ended = sanction_end(decision)
            if ended is not None and ended < sanction_limit:
                expired.append(decision.pk)
        elif decision.created_at < other_limit:
            expired.append(decision.pk)
    # Later sanctions of the same kind may be more recent; those stay by themselves.
    return expired


def purge_moderation(now: datetime, *, dry_run: bool, progress: Progress | None = None) -> int:
    from vigie.moderation.models import BannedAddress, Decision, Report, ReportState

    decisions = expired_decisions(now)
    removed = 0
    for start in range(0, len(decisions), BATCH_SIZE):
        ids = decisions[start : start + BATCH_SIZE]
        if not dry_run:
            with transaction.atomic():
                Report.objects.filter(decision_id__in=ids).delete()
                Decision.objects.filter(pk__in=ids).delete()  # its appeal and banned homes too
            if progress is not None:
                progress(len(ids))
        removed += len(ids)
    closed_reports = Report.objects.filter(
        decision__isnull=True, created_at__lt=months_before(now, RETAINED["security_months"])
    ).exclude(state=ReportState.OPEN)
    removed += _delete_in_batches(
        _unrestricted(closed_reports, "reporter"), dry_run=dry_run, progress=progress
    )
    return removed + _delete_in_batches(
        BannedAddress.objects.filter(until__lt=now), dry_run=dry_run, progress=progress
    )


def redactable_audit_events(now: datetime) -> models.QuerySet[Any]:
    """Entries past the security retention, but those about a moderation record that still
    exists: a sanction's entries last as long as its decision (see expired_decisions)."""
    from vigie.audit.models import AuditEvent
    from vigie.moderation.models import Appeal, Decision, Report

    events = AuditEvent.objects.filter(
        created_at__lt=months_before(now, RETAINED["security_months"]), redacted_at__isnull=True
    )
    for model in (Decision, Appeal, Report):
        still_there = model.objects.annotate(
            key=Cast("pk", output_field=models.CharField())
        ).values("key")
        events = events.exclude(target_type=model._meta.label_lower, target_id__in=still_there)
    # A suspension or a ban is also written on the member's account: those entries last as
    # long as a sanction decision about them is kept.
    sanctioned = (
        Decision.objects.filter(kind__in=SANCTIONS, subject__isnull=False)
        .annotate(key=Cast("subject_id", output_field=models.CharField()))
        .values("key")
    )
    return events.exclude(
        event_type__in=SANCTION_EVENTS_ON_ACCOUNTS,
        target_type=User._meta.label_lower,
        target_id__in=sanctioned,
    )


def purge_security(now: datetime, *, dry_run: bool, progress: Progress | None = None) -> int:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.admin.models import LogEntry

    from vigie.accounts.models import AccessToken
    from vigie.audit.log import redact

    limit = months_before(now, RETAINED["security_months"])
    removed = 0
    for rows in (
        LogEntry.objects.filter(action_time__lt=limit),
        AccessToken.objects.filter(Q(revoked_at__lt=limit) | Q(expires_at__lt=limit)),
        AccessFailureLog.objects.filter(attempt_time__lt=limit),
        AccessLog.objects.filter(attempt_time__lt=limit),
        AccessAttempt.objects.filter(attempt_time__lt=now - settings.AXES_COOLOFF_TIME),
    ):
        removed += _delete_in_batches(rows, dry_run=dry_run, progress=progress)
    events = redactable_audit_events(now)
    if dry_run:
        return removed + events.count()
    while ids := list(events.order_by("position").values_list("pk", flat=True)[:BATCH_SIZE]):
        with transaction.atomic():
            removed += redact(events.model.objects.filter(pk__in=ids), now=now)
        if progress is not None:
            progress(len(ids))
    return removed


def purge_exports(now: datetime, *, dry_run: bool, progress: Progress | None = None) -> int:
    from vigie.privacy.actions import expire_exports
    from vigie.privacy.models import DataExport

    if dry_run:
        removed = DataExport.objects.filter(expires_at__lte=now).exclude(file_name="").count()
    else:
        with transaction.atomic():
            removed = expire_exports(now=now)
    old = DataExport.objects.filter(
        requested_at__lt=months_before(now, RETAINED["security_months"])
    )
    removed += _delete_in_batches(old, dry_run=dry_run, progress=progress)
    return removed + _sweep_orphaned_exports(now, dry_run=dry_run)


def _sweep_orphaned_exports(now: datetime, *, dry_run: bool) -> int:
    """ZIPs no row points to: a worker killed while writing one, a file whose removal
    failed after its row went. Only files older than an export's life, so a build still
    being written is never touched."""
    from vigie.privacy.actions import exports_dir
    from vigie.privacy.models import DataExport

    folder = exports_dir()
    if not folder.is_dir():
        return 0
    limit = (now - timedelta(hours=RETAINED["export_hours"])).timestamp()
    known = set(DataExport.objects.exclude(file_name="").values_list("file_name", flat=True))
    orphans = [
        found
        for found in folder.iterdir()
        if found.is_file() and found.name not in known and found.stat().st_mtime < limit
    ]
    if not dry_run:
        for found in orphans:
            found.unlink(missing_ok=True)
    return len(orphans)


def purge_accounting(now: datetime, *, dry_run: bool, progress: Progress | None = None) -> int:
    from vigie.payments.models import Invoice, Notification, Order

    limit = months_before(now, 12 * RETAINED["accounting_years"])
    removed = 0
    for rows in (
        Invoice.objects.filter(issued_at__lt=limit),
        Notification.objects.filter(received_at__lt=limit),
        Order.objects.filter(created_at__lt=limit, invoice__isnull=True),
    ):
        removed += _delete_in_batches(rows, dry_run=dry_run, progress=progress)
    return removed


Rule = Callable[..., int]

# In this order: accounts first (their erasure takes their rows with them).
RULES: dict[str, Rule] = {
    "accounts": purge_accounts,
    "sessions": purge_sessions,
    "verification": purge_verification,
    "addresses": purge_addresses,
    "memberships": purge_memberships,
    "content": purge_content,
    "notifications": purge_notifications,
    "moderation": purge_moderation,
    "security": purge_security,
    "exports": purge_exports,
    "accounting": purge_accounting,
}


def purge_expired(
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> list[Outcome]:
    """Apply every rule; each outcome is also an audit entry (not in a dry run)."""
    from vigie.audit import events as audit

    moment = now or timezone.now()
    outcomes = []
    for name, rule in RULES.items():
        step = functools.partial(progress, name) if progress is not None else None
        removed = rule(moment, dry_run=dry_run, progress=step)
        outcomes.append(Outcome(name, removed))
        if not dry_run and removed:
            with transaction.atomic():
                audit.retention_applied(rule=name, removed=removed)
    return outcomes
