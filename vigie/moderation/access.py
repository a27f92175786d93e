"""Reads for moderation: what a member may report, their own reports and decisions,
a neighbourhood's monthly summary; and, for the team, the queue and the dashboard.

A member reports only what they can see: anything else answers NotFound,
exactly as a missing object. Reporters are never named in what members read.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from vigie.accounts.models import User
from vigie.communities.access import CURRENT_STATES, membership_in
from vigie.communities.models import Membership, MembershipState
from vigie.lib.charts import last_weeks
from vigie.lib.errors import NotFound
from vigie.moderation.models import (
    Appeal,
    BannedAddress,
    Decision,
    DecisionKind,
    DecisionState,
    Report,
    ReportState,
    TargetType,
)

EXCERPT_LENGTH = 280


@dataclass(frozen=True)
class Target:
    """Something reported or decided on: a piece of content, or a member."""

    type: str
    id: int  # the content's id; a member's user id
    subject_id: int  # its author, or the member
    community_id: int
    excerpt: str


def reportable_target(user: object, target_type: str, target_id: int) -> Target:
    """What ``user`` may report: content they can see, a member of a community they share.

    A member is named by their directory id (a membership's id), never by account.
    """
    from vigie.alerts.access import access_alert
    from vigie.posts.access import access_comment, access_post

    if target_type == TargetType.POST:
        post = access_post(user, target_id)
        return Target(target_type, post.pk, post.author_id, post.community_id, post.title)
    if target_type == TargetType.COMMENT:
        comment = access_comment(user, target_id)
        return Target(
            target_type,
            comment.pk,
            comment.author_id,
            comment.post.community_id,
            comment.body[:EXCERPT_LENGTH],
        )
    if target_type == TargetType.ALERT:
        from vigie.alerts.access import withheld_from

        alert = access_alert(user, target_id)
        # A withdrawn alert's words are not shown again here either.
        withheld = not isinstance(user, User) or withheld_from(alert, user)
        excerpt = "" if withheld else alert.description[:EXCERPT_LENGTH]
        return Target(target_type, alert.pk, alert.author_id, alert.community_id, excerpt)
    if target_type == TargetType.MEMBER and isinstance(user, User):
        mine = Membership.objects.filter(user=user, state__in=CURRENT_STATES).values("community_id")
        # Only whom the directory shows: an unlisted member is not known by name here.
        member = (
            Membership.objects.select_related("user")
            .filter(
                pk=target_id,
                state=MembershipState.ACTIVE,
                listed_in_directory=True,
                community_id__in=mine,
            )
            .first()
        )
        if member is not None:
            return Target(
                target_type,
                member.user_id,
                member.user_id,
                member.community_id,
                member.user.display_name,
            )
    raise NotFound()


def any_target(target_type: str, target_id: int) -> Target | None:
    """For the team (the caller checked): the target as it is now, whoever may see it."""
    from vigie.alerts.models import Alert
    from vigie.posts.models import Comment, Post

    if target_type == TargetType.POST:
        post = Post.objects.filter(pk=target_id).first()
        if post is not None:
            return Target(target_type, post.pk, post.author_id, post.community_id, post.body)
    elif target_type == TargetType.COMMENT:
        comment = Comment.objects.select_related("post").filter(pk=target_id).first()
        if comment is not None:
            return Target(
                target_type, comment.pk, comment.author_id, comment.post.community_id, comment.body
            )
    elif target_type == TargetType.ALERT:
        alert = Alert.objects.filter(pk=target_id).first()
        if alert is not None:
            return Target(
                target_type, alert.pk, alert.author_id, alert.community_id, alert.description
            )
    else:
        member = (
            Membership.objects.select_related("user")
            .filter(user_id=target_id, state__in=CURRENT_STATES, community__kind="neighbourhood")
            .first()
        )
        if member is not None:
            return Target(
                target_type, target_id, target_id, member.community_id, member.user.display_name
            )
    return None


def reports_made_by(user: User) -> QuerySet[Report]:
    return Report.objects.filter(reporter=user).order_by("-created_at", "-id")


def decisions_about(user: User) -> QuerySet[Decision]:
    """Every decision about this person, but bans still waiting for their confirmation."""
    return (
        Decision.objects.filter(subject=user)
        .exclude(state__in=[DecisionState.AWAITING_CONFIRMATION, DecisionState.CANCELLED])
        .select_related("appeal")
        .order_by("-created_at", "-id")
    )


def took_part_in(decision: Decision, user: User) -> bool:
    """Whether the moderator took or confirmed the decision, and so may not judge its appeal."""
    return user.pk in (decision.moderator_id, decision.confirmed_by_id)


def access_my_decision(user: User, decision_id: int) -> Decision:
    decision = decisions_about(user).filter(pk=decision_id).first()
    if decision is None:
        raise NotFound()
    return decision


APPEALABLE = (
    DecisionKind.ALERT_REJECTED,
    DecisionKind.REMOVED,
    DecisionKind.REMOVED_AND_WARNED,
    DecisionKind.WARNED,
    DecisionKind.SUSPENDED,
    DecisionKind.BANNED,
)


def appeal_deadline(decision: Decision) -> datetime | None:
    from django.conf import settings

    if decision.kind not in APPEALABLE or decision.in_force_at is None:
        return None
    return decision.in_force_at + timedelta(days=settings.APPEAL_DAYS)


def can_appeal(decision: Decision, *, now: datetime | None = None) -> bool:
    deadline = appeal_deadline(decision)
    return (
        deadline is not None
        and decision.state == DecisionState.IN_FORCE
        and not Appeal.objects.filter(decision=decision).exists()
        and (now or timezone.now()) <= deadline
    )


def address_is_banned(fingerprint: str) -> bool:
    return BannedAddress.objects.filter(fingerprint=fingerprint, until__gt=timezone.now()).exists()


# --- A neighbourhood's monthly summary -------------------------------------------------------


@dataclass(frozen=True)
class MonthSummary:
    month: datetime
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def monthly_summary(user: object, community_id: int, *, months: int = 12) -> list[MonthSummary]:
    """Decisions in a neighbourhood, counted by month and kind: no name, no content."""
    membership_in(user, community_id)
    since = timezone.now() - timedelta(days=31 * months)
    rows = (
        Decision.objects.filter(community_id=community_id, created_at__gte=since)
        .exclude(state__in=[DecisionState.AWAITING_CONFIRMATION, DecisionState.CANCELLED])
        .annotate(month=TruncMonth("created_at"))
        .values("month", "kind")
        .annotate(count=Count("pk"))
        .order_by("-month", "kind")
    )
    summaries: dict[datetime, dict[str, int]] = {}
    for row in rows:
        summaries.setdefault(row["month"], {})[row["kind"]] = row["count"]
    return [MonthSummary(month=month, counts=counts) for month, counts in summaries.items()]


# --- The team's queue -------------------------------------------------------------------------


@dataclass
class ReportGroup:
    """The open reports on one target, with the history of the person they are about."""

    first: Report  # the oldest: the group's handle in URLs and the API
    target: Target | None
    reports: list[Report]
    reasons: Counter[str]
    visibility: str
    subject: User
    past_reports: int
    past_decisions: list[Decision] = field(default_factory=list)

    @property
    def reason_counts(self) -> list[tuple[str, int]]:
        # A list for templates: looking up "items" on a Counter answers 0, not the method.
        return self.reasons.most_common()

    @property
    def waiting_since(self) -> datetime:
        return self.first.created_at

    @property
    def waited(self) -> timedelta:
        return timezone.now() - self.first.created_at


def open_report_groups(*, limit: int = 100) -> list[ReportGroup]:
    """For the team (the caller checked): open reports grouped by target, oldest first."""
    open_reports = Report.objects.filter(state=ReportState.OPEN).exclude(
        decision__state=DecisionState.AWAITING_CONFIRMATION
    )
    keys = (
        open_reports.values("target_type", "target_id")
        .annotate(since=Min("created_at"))
        .order_by("since")[:limit]
    )
    groups: list[ReportGroup] = []
    for key in keys:
        reports = list(
            open_reports.filter(target_type=key["target_type"], target_id=key["target_id"])
            .select_related("subject", "reporter", "community")
            .order_by("created_at", "id")
        )
        if not reports:
            continue
        groups.append(_group(reports))
    return groups


def report_group(report_id: int) -> ReportGroup:
    """For the team: the reports on the target of this one (open first, then the rest)."""
    report = Report.objects.filter(pk=report_id).first()
    if report is None:
        raise NotFound()
    reports = list(
        Report.objects.filter(target_type=report.target_type, target_id=report.target_id)
        .filter(Q(state=ReportState.OPEN) | Q(pk=report.pk))
        .select_related("subject", "reporter", "community")
        .order_by("created_at", "id")
    )
    return _group(reports)


def _group(reports: list[Report]) -> ReportGroup:
    first = reports[0]
    target = any_target(first.target_type, first.target_id)
    return ReportGroup(
        first=first,
        target=target,
        reports=reports,
        reasons=Counter(report.reason for report in reports),
        visibility=_visibility(first.target_type, first.target_id),
        subject=first.subject,
        past_reports=Report.objects.filter(subject=first.subject)
        .exclude(pk__in=[report.pk for report in reports])
        .count(),
        past_decisions=list(
            Decision.objects.filter(subject=first.subject).order_by("-created_at")[:10]
        ),
    )


def _visibility(target_type: str, target_id: int) -> str:
    from vigie.alerts.models import Alert
    from vigie.lib.visibility import Visibility
    from vigie.posts.models import Comment, Post

    found: str | None
    if target_type == TargetType.POST:
        found = Post.objects.filter(pk=target_id).values_list("visibility", flat=True).first()
    elif target_type == TargetType.COMMENT:
        found = Comment.objects.filter(pk=target_id).values_list("visibility", flat=True).first()
    elif target_type == TargetType.ALERT:
        found = Alert.objects.filter(pk=target_id).values_list("visibility", flat=True).first()
    else:
        return ""
    return str(found or Visibility.SHOWN)


def member_history(user_id: int) -> tuple[User, list[Report], list[Decision]]:
    """For the team: a member, the reports about them and every decision about them."""
    subject = User.objects.filter(pk=user_id).first()
    if subject is None:
        raise NotFound()
    reports = list(
        Report.objects.filter(subject=subject).select_related("community").order_by("-created_at")
    )
    decisions = list(
        Decision.objects.filter(subject=subject).select_related("moderator").order_by("-created_at")
    )
    return subject, reports, decisions


def decisions_awaiting_confirmation() -> QuerySet[Decision]:
    return Decision.objects.filter(state=DecisionState.AWAITING_CONFIRMATION).select_related(
        "subject", "moderator"
    )


def any_decision(decision_id: int) -> Decision:
    decision = (
        Decision.objects.select_related("subject", "moderator", "confirmed_by")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        raise NotFound()
    return decision


def appeals_waiting() -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(outcome="")
        .select_related("decision", "decision__moderator", "appellant")
        .order_by("created_at")
    )


def any_appeal(appeal_id: int) -> Appeal:
    appeal = (
        Appeal.objects.select_related("decision", "decision__moderator", "appellant")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        raise NotFound()
    return appeal


# --- The dashboard ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    pending_alerts: int
    open_reports: int
    report_targets: int
    awaiting_confirmation: int
    appeals_waiting: int
    median_hours: float | None
    median_hours_by_category: dict[str, float]
    weeks: list[tuple[datetime, dict[str, int]]]  # decisions per week, by kind
    alert_weeks: list[tuple[datetime, dict[str, int]]] = field(default_factory=list)
    # per week: (week, decisions, median hours, 90th percentile hours)
    decision_hours: list[tuple[datetime, int, float, float]] = field(default_factory=list)


def dashboard(*, weeks: int = 12) -> Dashboard:
    from vigie.alerts.models import State

    since = timezone.now() - timedelta(weeks=weeks)
    decided = list(
        Decision.objects.filter(created_at__gte=since)
        .exclude(state=DecisionState.CANCELLED)
        .values_list("category", "waiting_since", "created_at")
    )
    hours_by_category: dict[str, list[float]] = {}
    for category, waiting_since, created_at in decided:
        hours = (created_at - waiting_since).total_seconds() / 3600
        hours_by_category.setdefault(category or "other", []).append(hours)
    all_hours = [hours for values in hours_by_category.values() for hours in values]
    per_week: dict[datetime, dict[str, int]] = {}
    for row in (
        Decision.objects.filter(created_at__gte=since)
        .exclude(state=DecisionState.CANCELLED)
        .annotate(week=TruncWeek("created_at"))
        .values("week", "kind")
        .annotate(count=Count("pk"))
        .order_by("week")
    ):
        per_week.setdefault(row["week"], {})[row["kind"]] = row["count"]
    from vigie.alerts.models import Alert

    mondays = last_weeks(weeks)
    alert_weeks: dict[datetime, dict[str, int]] = {monday: {} for monday in mondays}
    for week, category, count in (
        Alert.objects.filter(submitted_at__gte=mondays[0])
        .annotate(week=TruncWeek("submitted_at"))
        .values("week", "category")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("week", "category", "count")
    ):
        alert_weeks.setdefault(week, {})[category] = count
    hours_by_week: dict[datetime, list[float]] = {}
    for week, waiting_since, created_at in (
        Decision.objects.filter(created_at__gte=mondays[0])
        .exclude(state=DecisionState.CANCELLED)
        .annotate(week=TruncWeek("created_at"))
        .values_list("week", "waiting_since", "created_at")
    ):
        hours_by_week.setdefault(week, []).append(
            (created_at - waiting_since).total_seconds() / 3600
        )
    open_reports = Report.objects.filter(state=ReportState.OPEN)
    return Dashboard(
        pending_alerts=Alert.objects.filter(state=State.PENDING).count(),
        open_reports=open_reports.count(),
        report_targets=open_reports.values("target_type", "target_id").distinct().count(),
        awaiting_confirmation=decisions_awaiting_confirmation().count(),
        appeals_waiting=appeals_waiting().count(),
        median_hours=round(statistics.median(all_hours), 1) if all_hours else None,
        median_hours_by_category={
            category: round(statistics.median(values), 1)
            for category, values in sorted(hours_by_category.items())
        },
        weeks=sorted(per_week.items()),
        alert_weeks=sorted(alert_weeks.items()),
        decision_hours=[
            (week, len(hours), round(statistics.median(hours), 1), round(percentile(hours, 90), 1))
            for week, hours in sorted(hours_by_week.items())
        ],
    )


def percentile(values: list[float], rank: int) -> float:
    """The nearest-rank percentile: a value that really occurred, as a team reads it."""
    ordered = sorted(values)
    return ordered[max(0, -(-rank * len(ordered) // 100) - 1)]
