"""/api/v1/terms, /reports, /me/decisions…, and the team's /moderation operations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from vigie.accounts import actions as account_actions
from vigie.accounts.models import User
from vigie.alerts import access as alert_access
from vigie.alerts.api import DecisionIn, TeamAlertOut, team_alert_out
from vigie.api.auth import member_auth, team_caller
from vigie.api.schemas import ERRORS, BodyId, Id
from vigie.communities import access as community_access
from vigie.moderation import access, actions, terms
from vigie.moderation.models import Appeal, Decision, DecisionKind, Report, TargetType

public_router = Router(tags=["terms of use"], auth=None)
router = Router(tags=["moderation"], auth=member_auth)
team_router = Router(tags=["moderation"], auth=member_auth)


def _caller(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


# --- Terms of use --------------------------------------------------------------------------------


class ClauseOut(Schema):
    number: str
    title: str
    text: str


class TermsOut(Schema):
    version: int
    published_on: date
    clauses: list[ClauseOut]


def _terms_out(version: terms.TermsVersion) -> TermsOut:
    return TermsOut(
        version=version.number,
        published_on=version.published_on,
        clauses=[
            ClauseOut(number=clause.number, title=clause.title, text=clause.text)
            for clause in version.clauses
        ],
    )


@public_router.get("/terms", response={200: TermsOut, **ERRORS})
def current_terms(request: HttpRequest) -> TermsOut:
    """The terms of use in force, in the language asked (Accept-Language)."""
    return _terms_out(terms.CURRENT)


@public_router.get("/terms/{int:version}", response={200: TermsOut, **ERRORS})
def terms_version(request: HttpRequest, version: Id) -> TermsOut:
    """A version of the terms, as it was published."""
    from vigie.lib.errors import NotFound

    found = terms.version(version)
    if found is None:
        raise NotFound()
    return _terms_out(found)


class AcceptIn(Schema):
    version: int = Field(
        strict=True, ge=1, le=1000, description="the version read, which must be in force"
    )


class AcceptanceOut(Schema):
    version: int
    accepted_at: datetime


@router.post("/me/terms", response={200: AcceptanceOut, **ERRORS})
def accept_terms(request: HttpRequest, payload: AcceptIn) -> AcceptanceOut:
    """Accept the terms in force (needed again each time they change)."""
    found = actions.do_accept_terms(_caller(request), version=payload.version)
    return AcceptanceOut(version=found.version, accepted_at=found.accepted_at)


# --- Reports ----------------------------------------------------------------------------------


class ReportIn(Schema):
    target_type: Literal["post", "comment", "alert", "member"]
    target_id: BodyId = Field(description="a post, comment or alert id; a member's directory id")
    reason: str = Field(
        max_length=16,
        description="spam, harassment, discrimination, false_alert, personal_data, illegal, other",
    )
    details: str = Field(default="", max_length=1000)


class ReportOut(Schema):
    id: int
    target_type: str
    target_id: int | None = Field(description="none for a member: accounts are not shown")
    reason: str
    details: str
    state: str = Field(description="open, no_breach or action_taken")
    created_at: datetime


def _report_out(report: Report) -> ReportOut:
    return ReportOut(
        id=report.pk,
        target_type=report.target_type,
        target_id=None if report.target_type == TargetType.MEMBER else report.target_id,
        reason=report.reason,
        details=report.details,
        state=report.state,
        created_at=report.created_at,
    )


@router.post("/reports", response={201: ReportOut, **ERRORS})
def report(request: HttpRequest, payload: ReportIn) -> Status[ReportOut]:
    """Report a post, comment, alert or member you can see; nobody reported learns who did.

    404 for what you cannot see; 409 ``already_reported``; 403 ``suspended``; 429 past
    the limit.
    """
    user = _caller(request)
    target = access.reportable_target(user, payload.target_type, payload.target_id)
    membership = community_access.writable_membership(user, target.community_id)
    made = actions.do_report(
        target, reporter=user, membership=membership, reason=payload.reason, details=payload.details
    )
    return Status(201, _report_out(made))


@router.get("/me/reports", response={200: list[ReportOut], **ERRORS})
def my_reports(request: HttpRequest) -> list[ReportOut]:
    """What I reported, and what came of it."""
    return [_report_out(found) for found in access.reports_made_by(_caller(request))[:100]]


# --- Decisions about me, appeals --------------------------------------------------------------


class AppealOut(Schema):
    id: int
    text: str
    created_at: datetime
    outcome: str = Field(description="empty while waiting; upheld or overturned")
    answer: str
    decided_at: datetime | None


class DecisionOut(Schema):
    id: int
    kind: str
    kind_label: str
    state: str
    clause: str
    clause_title: str
    terms_version: int
    explanation: str
    suspension_days: int | None
    target_type: str
    created_at: datetime
    in_force_at: datetime | None
    appeal_until: datetime | None
    can_appeal: bool
    appeal: AppealOut | None


def _appeal_out(appeal: Appeal) -> AppealOut:
    return AppealOut(
        id=appeal.pk,
        text=appeal.text,
        created_at=appeal.created_at,
        outcome=appeal.outcome,
        answer=appeal.answer,
        decided_at=appeal.decided_at,
    )


def decision_out(decision: Decision) -> DecisionOut:
    version = terms.version(decision.terms_version) or terms.CURRENT
    clause = version.clause(decision.clause)
    found_appeal = getattr(decision, "appeal", None)
    return DecisionOut(
        id=decision.pk,
        kind=decision.kind,
        kind_label=str(DecisionKind(decision.kind).label),
        state=decision.state,
        clause=decision.clause,
        clause_title=clause.title if clause else "",
        terms_version=decision.terms_version,
        explanation="" if decision.explanation == "-" else decision.explanation,
        suspension_days=decision.suspension_days,
        target_type=decision.target_type,
        created_at=decision.created_at,
        in_force_at=decision.in_force_at,
        appeal_until=access.appeal_deadline(decision),
        can_appeal=access.can_appeal(decision),
        appeal=_appeal_out(found_appeal) if found_appeal else None,
    )


@router.get("/me/decisions", response={200: list[DecisionOut], **ERRORS})
def my_decisions(request: HttpRequest) -> list[DecisionOut]:
    """Every decision of the team about me, with its clause and my appeal."""
    return [decision_out(found) for found in access.decisions_about(_caller(request))[:100]]


class AppealIn(Schema):
    text: str = Field(max_length=2000, description="why the decision is wrong")


@router.post("/me/decisions/{int:decision_id}/appeal", response={201: AppealOut, **ERRORS})
def appeal(request: HttpRequest, decision_id: Id, payload: AppealIn) -> Status[AppealOut]:
    """Appeal a decision about me: once, within 20 days; another moderator decides."""
    user = _caller(request)
    found = access.access_my_decision(user, decision_id)
    return Status(201, _appeal_out(actions.do_appeal(found, appellant=user, text=payload.text)))


class MonthOut(Schema):
    month: date
    total: int
    counts: dict[str, int] = Field(description="decisions by kind")


@router.get(
    "/communities/{int:community_id}/moderation-summary",
    response={200: list[MonthOut], **ERRORS},
)
def moderation_summary(request: HttpRequest, community_id: Id) -> list[MonthOut]:
    """What the team decided in my neighbourhood, by month and kind: counts only."""
    return [
        MonthOut(month=month.month.date(), total=month.total, counts=month.counts)
        for month in access.monthly_summary(_caller(request), community_id)
    ]


# --- The team -----------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    full_name: str
    display_name: str


class TeamReportOut(Schema):
    id: int
    reason: str
    details: str
    created_at: datetime
    reporter_id: int


class PastDecisionOut(Schema):
    id: int
    kind: str
    state: str
    created_at: datetime


class ReportGroupOut(Schema):
    report_id: int = Field(description="decide the group through this report")
    target_type: str
    target_id: int
    community_id: int
    excerpt: str
    visibility: str
    reasons: dict[str, int]
    reports: list[TeamReportOut]
    subject: PersonOut
    past_reports: int
    past_decisions: list[PastDecisionOut]
    waiting_seconds: int


class TeamDecisionOut(Schema):
    id: int
    kind: str
    state: str
    clause: str
    explanation: str
    suspension_days: int | None
    target_type: str
    target_id: int
    subject: PersonOut
    moderator_id: int
    confirmed_by_id: int | None
    created_at: datetime


class TeamAppealOut(Schema):
    id: int
    decision: TeamDecisionOut
    text: str
    created_at: datetime
    outcome: str
    answer: str


class QueuedAlertOut(TeamAlertOut):
    waiting_seconds: int


class QueueOut(Schema):
    alerts: list[QueuedAlertOut] = Field(description="pending first, urgent first, then by age")
    reports: list[ReportGroupOut] = Field(description="open reports grouped by target, by age")
    awaiting_confirmation: list[TeamDecisionOut] = Field(description="bans to confirm")
    appeals: list[TeamAppealOut]


def _team_report_out(found: Report) -> TeamReportOut:
    return TeamReportOut(
        id=found.pk,
        reason=found.reason,
        details=found.details,
        created_at=found.created_at,
        reporter_id=found.reporter_id,
    )


def _person(user: User) -> PersonOut:
    return PersonOut(id=user.pk, full_name=user.get_full_name(), display_name=user.display_name)


def team_decision_out(decision: Decision) -> TeamDecisionOut:
    return TeamDecisionOut(
        id=decision.pk,
        kind=decision.kind,
        state=decision.state,
        clause=decision.clause,
        explanation=decision.explanation,
        suspension_days=decision.suspension_days,
        target_type=decision.target_type,
        target_id=decision.target_id,
        subject=_person(decision.subject),
        moderator_id=decision.moderator_id,
        confirmed_by_id=decision.confirmed_by_id,
        created_at=decision.created_at,
    )


def _team_appeal_out(found: Appeal) -> TeamAppealOut:
    return TeamAppealOut(
        id=found.pk,
        decision=team_decision_out(found.decision),
        text=found.text,
        created_at=found.created_at,
        outcome=found.outcome,
        answer=found.answer,
    )


def _group_out(group: access.ReportGroup) -> ReportGroupOut:
    return ReportGroupOut(
        report_id=group.first.pk,
        target_type=group.first.target_type,
        target_id=group.first.target_id,
        community_id=group.first.community_id,
        excerpt=group.target.excerpt[: access.EXCERPT_LENGTH] if group.target else "",
        visibility=group.visibility,
        reasons=dict(group.reasons),
        reports=[_team_report_out(found) for found in group.reports],
        subject=_person(group.subject),
        past_reports=group.past_reports,
        past_decisions=[
            PastDecisionOut(
                id=past.pk, kind=past.kind, state=past.state, created_at=past.created_at
            )
            for past in group.past_decisions
        ],
        waiting_seconds=int(group.waited.total_seconds()),
    )


@team_router.get("/queue", response={200: QueueOut, **ERRORS})
def queue(request: HttpRequest) -> QueueOut:
    """The team's work: alerts, reports by target (with the member's history), bans, appeals."""
    user = team_caller(request)
    now = timezone.now()
    return QueueOut(
        alerts=[
            QueuedAlertOut(
                **team_alert_out(alert, viewer=user).dict(),
                waiting_seconds=int(
                    (now - (alert.submitted_at or alert.created_at)).total_seconds()
                ),
            )
            for alert in alert_access.moderation_queue()[:200]
        ],
        reports=[_group_out(group) for group in access.open_report_groups()],
        awaiting_confirmation=[
            team_decision_out(found) for found in access.decisions_awaiting_confirmation()
        ],
        appeals=[_team_appeal_out(found) for found in access.appeals_waiting()],
    )


class AlertDecisionIn(DecisionIn):
    clause: str = Field(
        default="",
        max_length=8,
        description="the clause of the terms applied (default: 7, alerts; 6 for a redaction)",
    )


@team_router.post("/alerts/{int:alert_id}/decision", response={200: TeamAlertOut, **ERRORS})
def decide_alert(request: HttpRequest, alert_id: Id, payload: AlertDecisionIn) -> TeamAlertOut:
    """Approve (every neighbour is told), with personal data removed or not; reject; review a
    fast-path alert; or withdraw. Each is a decision under a clause of the terms."""
    user = team_caller(request)
    found = alert_access.any_alert(alert_id)
    actions.do_decide_alert(
        found,
        acting_user=user,
        data=actions.AlertDecisionInput(
            decision=payload.decision, clause=payload.clause, reason=payload.reason
        ),
        redaction=payload.redaction() if payload.decision == "approve" else None,
    )
    return team_alert_out(alert_access.any_alert(alert_id), viewer=user)


class DecisionCommonIn(Schema):
    clause: str = Field(max_length=8, description="the clause of the terms applied")
    explanation: str = Field(max_length=1000, description="told to the person concerned")
    suspension_days: int | None = Field(default=None, strict=True, ge=1, le=3650)


class ReportDecisionIn(DecisionCommonIn):
    kind: str = Field(
        max_length=16, description="dismissed, removed, removed_warned, suspended or banned"
    )


class SanctionIn(DecisionCommonIn):
    kind: str = Field(max_length=16, description="warned, suspended or banned")
    community_id: BodyId | None = None


def _decision_input(payload: DecisionCommonIn, kind: str) -> actions.DecisionInput:
    return actions.DecisionInput(
        kind=kind,
        clause=payload.clause,
        explanation=payload.explanation,
        suspension_days=payload.suspension_days,
    )


@team_router.post("/reports/{int:report_id}/decision", response={200: TeamDecisionOut, **ERRORS})
def decide_report(
    request: HttpRequest, report_id: Id, payload: ReportDecisionIn
) -> TeamDecisionOut:
    """Decide every open report on this report's target. A ban waits for a second moderator."""
    user = team_caller(request)
    group = access.report_group(report_id)
    decision = actions.do_decide_report(
        group.first, acting_user=user, data=_decision_input(payload, payload.kind)
    )
    return team_decision_out(access.any_decision(decision.pk))


@team_router.post("/users/{int:user_id}/sanctions", response={200: TeamDecisionOut, **ERRORS})
def sanction(request: HttpRequest, user_id: Id, payload: SanctionIn) -> TeamDecisionOut:
    """Warn, suspend for some days, or ban (a second moderator confirms) a member."""
    user = team_caller(request)
    subject, _reports, _decisions = access.member_history(user_id)
    decision = actions.do_sanction_member(
        subject,
        acting_user=user,
        data=_decision_input(payload, payload.kind),
        community_id=payload.community_id,
    )
    return team_decision_out(access.any_decision(decision.pk))


class EndedSessionsOut(Schema):
    ended: int


@team_router.delete("/users/{int:user_id}/sessions", response={200: EndedSessionsOut, **ERRORS})
def end_member_sessions(request: HttpRequest, user_id: int) -> EndedSessionsOut:
    """End every session of a member and revoke their tokens; the account stays open."""
    user = team_caller(request)
    subject, _reports, _decisions = access.member_history(user_id)
    return EndedSessionsOut(ended=account_actions.do_end_member_sessions(subject, acting_user=user))


class MemberOut(Schema):
    member: PersonOut
    reports: list[TeamReportOut]
    decisions: list[TeamDecisionOut]


@team_router.get("/users/{int:user_id}", response={200: MemberOut, **ERRORS})
def member(request: HttpRequest, user_id: Id) -> MemberOut:
    """A member's history: the reports about them and every decision about them."""
    team_caller(request)
    subject, reports, decisions = access.member_history(user_id)
    return MemberOut(
        member=_person(subject),
        reports=[_team_report_out(found) for found in reports],
        decisions=[team_decision_out(found) for found in decisions],
    )


class ConfirmationIn(Schema):
    confirm: bool = Field(strict=True)


@team_router.post(
    "/decisions/{int:decision_id}/confirmation", response={200: TeamDecisionOut, **ERRORS}
)
def confirm(request: HttpRequest, decision_id: Id, payload: ConfirmationIn) -> TeamDecisionOut:
    """A second moderator confirms a ban (it takes effect) or does not (its reports return)."""
    user = team_caller(request)
    found = access.any_decision(decision_id)
    actions.do_confirm_ban(found, acting_user=user, confirm=payload.confirm)
    return team_decision_out(access.any_decision(decision_id))


class AppealDecisionIn(Schema):
    outcome: Literal["upheld", "overturned"]
    answer: str = Field(max_length=1000, description="told to the person concerned")


@team_router.post("/appeals/{int:appeal_id}/decision", response={200: TeamAppealOut, **ERRORS})
def decide_appeal(request: HttpRequest, appeal_id: Id, payload: AppealDecisionIn) -> TeamAppealOut:
    """Uphold or overturn, by a moderator who took no part in the decision: final."""
    user = team_caller(request)
    found = access.any_appeal(appeal_id)
    actions.do_decide_appeal(
        found, acting_user=user, outcome=payload.outcome, answer=payload.answer
    )
    return _team_appeal_out(access.any_appeal(appeal_id))


class DashboardOut(Schema):
    pending_alerts: int
    open_reports: int
    report_targets: int
    awaiting_confirmation: int
    appeals_waiting: int
    median_hours_to_decision: float | None
    median_hours_by_category: dict[str, float]
    decisions_per_week: dict[str, dict[str, int]]


@team_router.get("/dashboard", response={200: DashboardOut, **ERRORS})
def dashboard(request: HttpRequest) -> DashboardOut:
    """Queue sizes, the median time to a decision (overall and by category), decisions per week."""
    team_caller(request)
    found = access.dashboard()
    return DashboardOut(
        pending_alerts=found.pending_alerts,
        open_reports=found.open_reports,
        report_targets=found.report_targets,
        awaiting_confirmation=found.awaiting_confirmation,
        appeals_waiting=found.appeals_waiting,
        median_hours_to_decision=found.median_hours,
        median_hours_by_category=found.median_hours_by_category,
        decisions_per_week={week.date().isoformat(): kinds for week, kinds in found.weeks},
    )
