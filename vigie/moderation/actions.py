"""Writers for moderation: terms accepted, reports, the team's decisions, bans, appeals.

Every decision cites a clause of the terms in force, is an audit event, and is
told to the person it concerns (with the clause and how to appeal) and to the
reporters (only the outcome: "action taken" or "no breach found"). A ban waits
for a second moderator. An appeal is decided by another moderator, once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.accounts.models import User
from vigie.audit import events as audit
from vigie.communities.models import Membership, MembershipState
from vigie.lib import ratelimit
from vigie.lib.errors import Conflict, Forbidden, InvalidInput, Message
from vigie.lib.validators import clean_multiline
from vigie.lib.visibility import Visibility
from vigie.moderation import terms
from vigie.moderation.access import (
    APPEALABLE,
    Target,
    any_target,
    appeal_deadline,
    took_part_in,
)
from vigie.moderation.models import (
    BREACHES,
    CONTENT_TYPES,
    REASON_CLAUSES,
    Appeal,
    AppealOutcome,
    BannedAddress,
    Decision,
    DecisionKind,
    DecisionState,
    Reason,
    Report,
    ReportState,
    TargetType,
    TermsAcceptance,
)
from vigie.notifications.models import InboxItem
from vigie.privacy.consents import record_privacy_policy_read

# --- Terms of use ------------------------------------------------------------------------------


@transaction.atomic
def do_accept_terms(user: User, *, version: int) -> TermsAcceptance:
    """Record that ``user`` accepted this version, which must be the one in force."""
    if version != terms.CURRENT.number:
        raise Conflict(
            _("These terms are no longer the ones in force: read the current version."),
            code="terms_outdated",
        )
    acceptance, created = TermsAcceptance.objects.get_or_create(user=user, version=version)
    if user.accepted_terms_version != version:
        user.accepted_terms_version = version
        user.save(update_fields=["accepted_terms_version"])
    if created:
        audit.terms_accepted(user, version=version)
    # The terms page links the privacy policy: reading one, the person was shown both.
    record_privacy_policy_read(user)
    return acceptance


# --- Reports -----------------------------------------------------------------------------------


def _content_model(target_type: str) -> type[object]:
    from vigie.alerts.models import Alert
    from vigie.posts.models import Comment, Post

    return {TargetType.POST: Post, TargetType.COMMENT: Comment, TargetType.ALERT: Alert}[
        TargetType(target_type)
    ]


def _set_visibility(
    target_type: str,
    target_id: int,
    visibility: str,
    *,
    actor_id: int | None,
    reason: str,
    only_from: str | None = None,
) -> bool:
    """Change what members see of a piece of content; True when it changed.

    ``only_from``: change it only from that visibility (a dismissal shows again
    what reports hid, never what the team removed). Saved through the model, so
    that the feeds it shows in are refreshed.
    """
    if target_type not in CONTENT_TYPES:
        return False
    model = _content_model(target_type)
    found = model.objects.select_for_update().filter(pk=target_id).first()  # type: ignore[attr-defined]
    if found is None or found.visibility == visibility:
        return False
    if only_from is not None and found.visibility != only_from:
        return False
    found.visibility = visibility
    found.save(update_fields=["visibility"])
    if target_type == TargetType.ALERT:
        _alert_visibility_changed(target_id, visibility)
    audit.content_visibility_changed(
        target_type=target_type,
        target_id=target_id,
        visibility=visibility,
        actor_id=actor_id,
        reason=reason,
    )
    return True


@transaction.atomic
def do_report(
    target: Target, *, reporter: User, membership: Membership, reason: str, details: str
) -> Report:
    """A member reports what they can see (the caller got ``target`` through access).

    ``membership`` is the reporter's, in the target's community, and may write.
    Content reported by enough distinct members, or by a référent, is hidden
    until the team decides, and its author is told (never by whom).
    """
    errors: dict[str, list[object]] = {}
    if reason not in Reason.values:
        errors["reason"] = [_("Choose why you report it.")]
    try:
        clean_details = clean_multiline(details, max_length=1000, required=False)
    except ValidationError as error:
        errors["details"] = list(error.messages)
        clean_details = ""
    if target.subject_id == reporter.pk:
        errors["target"] = [_("You cannot report yourself or what you wrote.")]
    if errors:
        raise InvalidInput(errors)  # type: ignore[arg-type]
    if Report.objects.filter(
        reporter=reporter,
        target_type=target.type,
        target_id=target.id,
        state=ReportState.OPEN,
    ).exists():
        raise Conflict(
            _("You already reported this; the team will look at it."), code="already_reported"
        )
    ratelimit.hit("report", str(reporter.pk), rate=settings.RATE_REPORT)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=reporter,
                target_type=target.type,
                target_id=target.id,
                subject_id=target.subject_id,
                community_id=target.community_id,
                reason=reason,
                details=clean_details,
                # What was reported, as it was: the evidence if its author deletes it.
                excerpt=target.excerpt[:2000],
            )
    except IntegrityError:  # the same report, sent twice at once
        raise Conflict(
            _("You already reported this; the team will look at it."), code="already_reported"
        ) from None
    audit.report_created(report)
    if target.type in CONTENT_TYPES:
        reporters = (
            Report.objects.filter(
                target_type=target.type, target_id=target.id, state=ReportState.OPEN
            )
            .values("reporter")
            .distinct()
            .count()
        )
        by_referent = membership.is_referent
        if (reporters >= settings.REPORT_HIDE_THRESHOLD or by_referent) and _set_visibility(
            target.type, target.id, Visibility.HELD, actor_id=None, reason="reports"
        ):
            _tell_held(target)
    return report


def _alert_visibility_changed(alert_id: int, visibility: str) -> None:
    """An alert hidden leaves the inboxes it reached; shown again, what waited leaves."""
    from vigie.notifications.actions import do_resume_deliveries

    if visibility == Visibility.SHOWN:
        do_resume_deliveries("alert", alert_id)
    else:
        InboxItem.objects.filter(subject_type="alert", subject_id=alert_id).delete()


def _tell_held(target: Target) -> None:
    from vigie.moderation.messages import held_notice

    notice = held_notice(target)
    InboxItem.objects.get_or_create(
        recipient_id=target.subject_id,
        subject_type=f"{target.type}_held",
        subject_id=target.id,
        defaults={"title": notice.title, "body": notice.body, "url": notice.url},
    )


# --- Decisions ---------------------------------------------------------------------------------


def _clause(number: str) -> str:
    if terms.CURRENT.clause(number) is None:
        raise InvalidInput(
            {"clause": [_("Cite a clause of the terms of use in force (1 to %(last)s).")
                        % {"last": terms.CURRENT.clauses[-1].number}]}
        )  # fmt: skip
    return number


def _explanation(text: str) -> str:
    try:
        return clean_multiline(text, max_length=1000)
    except ValidationError as error:
        raise InvalidInput({"explanation": list(error.messages)}) from None


def _days(days: int | None) -> int:
    if days is None or not 1 <= days <= settings.SUSPENSION_MAX_DAYS:
        raise InvalidInput(
            {
                "suspension_days": [
                    _("Give the suspension in days, from 1 to %(most)d.")
                    % {"most": settings.SUSPENSION_MAX_DAYS}
                ]
            }
        )
    return days


@dataclass(frozen=True)
class DecisionInput:
    kind: str
    clause: str
    explanation: str
    suspension_days: int | None = None


REPORT_DECISIONS = (
    DecisionKind.DISMISSED,
    DecisionKind.WARNED,
    DecisionKind.REMOVED,
    DecisionKind.REMOVED_AND_WARNED,
    DecisionKind.SUSPENDED,
    DecisionKind.BANNED,
)


def _not_ones_own_case(subject_id: int, acting_user: User) -> None:
    if subject_id == acting_user.pk:
        raise Forbidden(_("Another moderator decides what concerns you."), code="own_case")


def _no_sanction_on_the_team(subject: User, kind: str) -> None:
    if subject.is_staff and kind in (DecisionKind.SUSPENDED, DecisionKind.BANNED):
        raise Forbidden(_("The team's own accounts are not sanctioned here."), code="team_member")


SANCTIONS = (DecisionKind.WARNED, DecisionKind.SUSPENDED, DecisionKind.BANNED)


@transaction.atomic
def do_decide_report(report: Report, *, acting_user: User, data: DecisionInput) -> Decision:
    """Decide the open reports on ``report``'s target, all at once."""
    open_reports = list(
        Report.objects.select_for_update()
        .filter(target_type=report.target_type, target_id=report.target_id, state=ReportState.OPEN)
        .filter(decision__isnull=True)
        .order_by("created_at")
    )
    if report.pk not in {found.pk for found in open_reports}:
        raise Conflict(_("These reports are already decided."), code="already_decided")
    if data.kind not in REPORT_DECISIONS:
        raise InvalidInput({"kind": [_("Unknown decision for a report.")]})
    _not_ones_own_case(report.subject_id, acting_user)
    _no_sanction_on_the_team(report.subject, data.kind)
    if report.target_type == TargetType.MEMBER and data.kind in (
        DecisionKind.REMOVED,
        DecisionKind.REMOVED_AND_WARNED,
    ):
        raise InvalidInput({"kind": [_("A member is not content: warn, suspend or ban.")]})
    reasons = Counter(found.reason for found in open_reports)
    decision = _new_decision(
        data,
        acting_user=acting_user,
        target_type=report.target_type,
        target_id=report.target_id,
        subject_id=report.subject_id,
        community_id=report.community_id,
        waiting_since=open_reports[0].created_at,
        category=reasons.most_common(1)[0][0],
    )
    Report.objects.filter(pk__in=[found.pk for found in open_reports]).update(decision=decision)
    if decision.state == DecisionState.IN_FORCE:
        _put_in_force(decision, acting_user=acting_user)
    return decision


@transaction.atomic
def do_sanction_member(
    subject: User, *, acting_user: User, data: DecisionInput, community_id: int | None
) -> Decision:
    """A warning, a suspension or a ban, outside any report (the team saw it itself)."""
    if data.kind not in SANCTIONS:
        raise InvalidInput({"kind": [_("A sanction is a warning, a suspension or a ban.")]})
    _not_ones_own_case(subject.pk, acting_user)
    _no_sanction_on_the_team(subject, data.kind)
    homes = Membership.objects.filter(
        user=subject, state__in=[MembershipState.ACTIVE, MembershipState.SUSPENDED]
    )
    if community_id is None:
        # Counted in the neighbourhood's summary, as a report's decision would be.
        community_id = (
            homes.filter(community__kind="neighbourhood").values_list("community_id", flat=True)
        ).first()
    elif not homes.filter(community_id=community_id).exists():
        raise InvalidInput({"community_id": [_("This member is not in this community.")]})
    decision = _new_decision(
        data,
        acting_user=acting_user,
        target_type=TargetType.MEMBER,
        target_id=subject.pk,
        subject_id=subject.pk,
        community_id=community_id,
        waiting_since=timezone.now(),
        category="",
    )
    if decision.state == DecisionState.IN_FORCE:
        _put_in_force(decision, acting_user=acting_user)
    return decision


def _new_decision(
    data: DecisionInput,
    *,
    acting_user: User,
    target_type: str,
    target_id: int,
    subject_id: int,
    community_id: int | None,
    waiting_since: datetime,
    category: str,
) -> Decision:
    errors: dict[str, list[Message]] = {}
    clause = explanation = ""
    days = None
    try:
        clause = _clause(data.clause)
    except InvalidInput as error:
        errors.update(error.errors)
    try:
        explanation = _explanation(data.explanation)
    except InvalidInput as error:
        errors.update(error.errors)
    if data.kind == DecisionKind.SUSPENDED:
        try:
            days = _days(data.suspension_days)
        except InvalidInput as error:
            errors.update(error.errors)
    if errors:
        raise InvalidInput(errors)
    ban = data.kind == DecisionKind.BANNED
    decision = Decision.objects.create(
        kind=data.kind,
        terms_version=terms.CURRENT.number,
        clause=clause,
        target_type=target_type,
        target_id=target_id,
        subject_id=subject_id,
        community_id=community_id,
        moderator=acting_user,
        explanation=explanation,
        suspension_days=days,
        state=DecisionState.AWAITING_CONFIRMATION if ban else DecisionState.IN_FORCE,
        waiting_since=waiting_since,
        category=category,
        in_force_at=None if ban else timezone.now(),
    )
    audit.decision_taken(decision)
    return decision


def _put_in_force(decision: Decision, *, acting_user: User) -> None:
    """Apply the decision, close its reports, and tell the people concerned."""
    kind = decision.kind
    if kind in (DecisionKind.DISMISSED, DecisionKind.WARNED):
        # What reports hid shows again; what the team removed stays removed.
        shown_again = _set_visibility(
            decision.target_type,
            decision.target_id,
            Visibility.SHOWN,
            actor_id=acting_user.pk,
            reason=kind,
            only_from=Visibility.HELD,
        )
    else:
        shown_again = False
        if kind in (
            DecisionKind.REMOVED,
            DecisionKind.REMOVED_AND_WARNED,
            DecisionKind.SUSPENDED,
            DecisionKind.BANNED,
        ):
            _remove_content(decision, acting_user=acting_user)
        if kind == DecisionKind.BANNED:
            _ban(decision, acting_user=acting_user)
        if kind in (DecisionKind.SUSPENDED, DecisionKind.BANNED):
            apply_sanctions(decision.subject, acting_user=acting_user)
    outcome = ReportState.ACTION_TAKEN if kind in BREACHES else ReportState.NO_BREACH
    reports = list(Report.objects.filter(decision=decision))
    Report.objects.filter(pk__in=[report.pk for report in reports]).update(state=outcome)
    if kind != DecisionKind.DISMISSED or shown_again:
        tell_subject(decision)
    for report in reports:
        _tell_reporter(report, outcome)


def _remove_content(decision: Decision, *, acting_user: User) -> None:
    if decision.target_type == TargetType.ALERT:
        from vigie.alerts import actions as alert_actions
        from vigie.alerts.models import Alert, State

        alert = Alert.objects.filter(pk=decision.target_id).first()
        if alert is not None and alert.state in (
            State.DRAFT,
            State.PENDING,
            State.APPROVED,
            State.RESOLVED,
        ):
            # Everyone it reached hears that it is withdrawn.
            alert_actions.do_withdraw_alert(
                alert,
                acting_user=acting_user,
                reason=decision.explanation,
                by_team=True,
                tell_author=False,
            )
    _set_visibility(
        decision.target_type,
        decision.target_id,
        Visibility.REMOVED,
        actor_id=acting_user.pk,
        reason=decision.kind,
    )


def _ban(decision: Decision, *, acting_user: User) -> None:
    """The account closes, its memberships stop, its home cannot register again for a while."""
    from vigie.accounts.actions import do_close_account
    from vigie.addresses.models import Address
    from vigie.alerts import actions as alert_actions
    from vigie.alerts.models import Alert, State

    subject = decision.subject
    do_close_account(subject, acting_user=acting_user, reason="banned")
    # What a banned member wrote and the team has not let through never leaves.
    for alert in Alert.objects.filter(author=subject, state__in=[State.DRAFT, State.PENDING]):
        alert_actions.do_withdraw_alert(
            alert,
            acting_user=acting_user,
            reason=decision.explanation,
            by_team=True,
            tell_author=False,
        )
    until = timezone.now() + timedelta(days=settings.BAN_ADDRESS_DAYS)
    BannedAddress.objects.bulk_create(
        BannedAddress(fingerprint=fingerprint, decision=decision, until=until)
        for fingerprint in set(
            Address.objects.filter(user=subject, moved_out_at__isnull=True).values_list(
                "fingerprint", flat=True
            )
        )
    )


def apply_sanctions(user: User, *, acting_user: User | None) -> None:
    """Set the member's suspension from the decisions in force about them.

    A ban suspends without end; otherwise the latest end of the suspensions in
    force; none, and the member writes again. Recomputed whenever a sanction
    starts, ends, or is overturned, so that one never cancels another.
    """
    from vigie.communities.actions import do_lift_suspension, do_suspend_member

    in_force = Decision.objects.filter(subject=user, state=DecisionState.IN_FORCE)
    now = timezone.now()
    ends = [
        decision.in_force_at + timedelta(days=decision.suspension_days)
        for decision in in_force.filter(kind=DecisionKind.SUSPENDED)
        if decision.in_force_at is not None and decision.suspension_days
    ]
    ends = [end for end in ends if end > now]
    actor = acting_user or user
    if in_force.filter(kind=DecisionKind.BANNED).exists():
        do_suspend_member(user, until=None, acting_user=actor)
    elif ends:
        do_suspend_member(user, until=max(ends), acting_user=actor)
    elif Membership.objects.filter(user=user, state=MembershipState.SUSPENDED).exists():
        do_lift_suspension(user, acting_user=acting_user)


def tell_subject(decision: Decision) -> None:
    """The person concerned: the decision, the clause, and how to appeal (inbox and e-mail)."""
    from vigie.moderation.messages import decision_notice
    from vigie.notifications.actions import queue_email

    subject = decision.subject
    notice = decision_notice(decision, language=subject.language or "fr")
    InboxItem.objects.update_or_create(
        recipient_id=subject.pk,
        subject_type="decision",
        subject_id=decision.pk,
        defaults={"title": notice.title, "body": notice.body, "url": notice.url, "read_at": None},
    )
    # A closed account still hears of its ban, and of how to appeal, by e-mail.
    if subject.email_confirmed_at is not None:
        queue_email(
            "moderation_decision",
            to=subject.email,
            language=subject.language or "fr",
            user_id=subject.pk,
            context={"decision_id": decision.pk},
        )


def _tell_reporter(report: Report, outcome: str) -> None:
    from vigie.moderation.messages import report_outcome_notice

    notice = report_outcome_notice(report, outcome, language=report.reporter.language or "fr")
    InboxItem.objects.get_or_create(
        recipient_id=report.reporter_id,
        subject_type="report_outcome",
        subject_id=report.pk,
        defaults={"title": notice.title, "body": notice.body, "url": notice.url},
    )


@transaction.atomic
def do_confirm_ban(decision: Decision, *, acting_user: User, confirm: bool) -> Decision:
    """The second moderator's word on a ban: it takes effect, or it does not."""
    decision = Decision.objects.select_for_update().select_related("subject").get(pk=decision.pk)
    if decision.state != DecisionState.AWAITING_CONFIRMATION:
        raise Conflict(_("This decision is not waiting for a confirmation."), code="not_awaiting")
    if decision.moderator_id == acting_user.pk:
        raise Forbidden(
            _("A ban is confirmed by another moderator than the one who asked for it."),
            code="second_moderator_required",
        )
    _not_ones_own_case(decision.subject_id, acting_user)
    decision.confirmed_by = acting_user
    if confirm:
        decision.state = DecisionState.IN_FORCE
        decision.in_force_at = timezone.now()
        decision.save(update_fields=["state", "confirmed_by", "in_force_at"])
        audit.decision_confirmed(decision, actor_id=acting_user.pk, confirmed=True)
        _put_in_force(decision, acting_user=acting_user)
    else:
        decision.state = DecisionState.CANCELLED
        decision.save(update_fields=["state", "confirmed_by"])
        # Its reports go back to the queue, for another decision.
        Report.objects.filter(decision=decision, state=ReportState.OPEN).update(decision=None)
        audit.decision_confirmed(decision, actor_id=acting_user.pk, confirmed=False)
    return decision


# --- Decisions on alerts -------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertDecisionInput:
    decision: str  # approve, reject, review, withdraw
    clause: str = ""
    reason: str = ""


@transaction.atomic
def do_decide_alert(
    alert: object,
    *,
    acting_user: User,
    data: AlertDecisionInput,
    redaction: object = None,
) -> Decision | None:
    """The team's word on an alert, recorded as a decision under a clause of the terms.

    Approving (at once, or after the fast path: a review) tells the author in
    the alert's own words; rejecting, approving with personal data removed and
    withdrawing tell them with the clause, and how to appeal a refusal.
    """
    from vigie.alerts import actions as alert_actions
    from vigie.alerts.models import Alert

    assert isinstance(alert, Alert)
    _not_ones_own_case(alert.author_id, acting_user)
    default_clause = {"approve": "7", "review": "7", "reject": "7", "withdraw": "6"}
    if data.decision not in default_clause:
        raise InvalidInput({"decision": [_("Decide: approve, reject, review or withdraw.")]})
    clause = _clause(data.clause or default_clause[data.decision])
    if data.decision == "approve":
        assert redaction is None or isinstance(redaction, alert_actions.Redaction)
        decided = alert_actions.do_approve_alert(
            alert, acting_user=acting_user, redaction=redaction
        )
        edited = bool(getattr(decided, "edited_fields", []))
        kind = DecisionKind.ALERT_REDACTED if edited else DecisionKind.ALERT_APPROVED
        explanation = str(_("Personal data removed before it was sent.")) if edited else "-"
        if edited and not data.clause:
            clause = "6"
    elif data.decision == "review":
        decided = alert_actions.do_review_alert(alert, acting_user=acting_user)
        kind, explanation = DecisionKind.ALERT_APPROVED, "-"
    elif data.decision == "reject":
        decided = alert_actions.do_reject_alert(
            alert, acting_user=acting_user, reason=data.reason, tell_author=False
        )
        kind, explanation = DecisionKind.ALERT_REJECTED, decided.reason
    else:
        decided = alert_actions.do_withdraw_alert(
            alert, acting_user=acting_user, reason=data.reason, by_team=True, tell_author=False
        )
        kind, explanation = DecisionKind.REMOVED, decided.reason
    decision = Decision.objects.create(
        kind=kind,
        terms_version=terms.CURRENT.number,
        clause=clause,
        target_type=TargetType.ALERT,
        target_id=decided.pk,
        subject_id=decided.author_id,
        community_id=decided.community_id,
        moderator=acting_user,
        explanation=explanation,
        waiting_since=decided.submitted_at or decided.created_at,
        category=decided.category,
        in_force_at=timezone.now(),
    )
    audit.decision_taken(decision)
    if kind != DecisionKind.ALERT_APPROVED:
        tell_subject(decision)
    # Reports on a withdrawn alert are decided with it.
    if kind == DecisionKind.REMOVED:
        reports = list(
            Report.objects.filter(
                target_type=TargetType.ALERT, target_id=decided.pk, state=ReportState.OPEN
            )
        )
        Report.objects.filter(pk__in=[r.pk for r in reports]).update(
            decision=decision, state=ReportState.ACTION_TAKEN
        )
        for report in reports:
            _tell_reporter(report, ReportState.ACTION_TAKEN)
    return decision


# --- Appeals -------------------------------------------------------------------------------------


@transaction.atomic
def do_appeal(decision: Decision, *, appellant: User, text: str) -> Appeal:
    """The person concerned contests a decision: once, within the days the terms give."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.subject_id != appellant.pk:
        raise Forbidden(_("Only the person concerned may appeal."), code="not_concerned")
    if decision.kind not in APPEALABLE or decision.state != DecisionState.IN_FORCE:
        raise Conflict(_("This decision cannot be appealed."), code="not_appealable")
    if Appeal.objects.filter(decision=decision).exists():
        raise Conflict(_("This decision was already appealed: once only."), code="already_appealed")
    deadline = appeal_deadline(decision)
    if deadline is None or timezone.now() > deadline:
        raise Conflict(
            _("The %(days)d days to appeal this decision are over.")
            % {"days": settings.APPEAL_DAYS},
            code="appeal_too_late",
        )
    try:
        clean_text = clean_multiline(text, max_length=2000)
    except ValidationError as error:
        raise InvalidInput({"text": list(error.messages)}) from None
    appeal = Appeal.objects.create(decision=decision, appellant=appellant, text=clean_text)
    audit.appeal_made(appeal)
    return appeal


@transaction.atomic
def do_decide_appeal(appeal: Appeal, *, acting_user: User, outcome: str, answer: str) -> Appeal:
    """Another moderator upholds or overturns the decision; that answer is final."""
    appeal = Appeal.objects.select_for_update().select_related("decision").get(pk=appeal.pk)
    decision = appeal.decision
    if appeal.outcome:
        raise Conflict(_("This appeal is already decided."), code="already_decided")
    if took_part_in(decision, acting_user):
        raise Forbidden(
            _("An appeal is decided by a moderator who took no part in the decision."),
            code="own_decision",
        )
    _not_ones_own_case(decision.subject_id, acting_user)
    if outcome not in AppealOutcome.values:
        raise InvalidInput({"outcome": [_("Uphold or overturn the decision.")]})
    try:
        clean_answer = clean_multiline(answer, max_length=1000)
    except ValidationError as error:
        raise InvalidInput({"answer": list(error.messages)}) from None
    appeal.outcome = outcome
    appeal.answer = clean_answer
    appeal.decided_by = acting_user
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["outcome", "answer", "decided_by", "decided_at"])
    if outcome == AppealOutcome.OVERTURNED:
        decision.state = DecisionState.OVERTURNED
        decision.save(update_fields=["state"])
        _undo(decision, acting_user=acting_user)
    audit.appeal_decided(appeal)
    tell_subject(decision)
    return appeal


def _undo(decision: Decision, *, acting_user: User) -> None:
    """What an overturned decision had done, undone as far as it can be."""
    from vigie.accounts.actions import do_reopen_account

    if decision.kind in (
        DecisionKind.REMOVED,
        DecisionKind.REMOVED_AND_WARNED,
        DecisionKind.SUSPENDED,
        DecisionKind.BANNED,
    ):
        # A withdrawn alert was told to everyone: it stays withdrawn, its text is shown again.
        _set_visibility(
            decision.target_type,
            decision.target_id,
            Visibility.SHOWN,
            actor_id=acting_user.pk,
            reason="overturned",
        )
    if decision.kind == DecisionKind.ALERT_REJECTED:
        from vigie.alerts.actions import do_reopen_alert
        from vigie.alerts.models import Alert

        alert = Alert.objects.filter(pk=decision.target_id).first()
        if alert is not None:
            do_reopen_alert(alert, acting_user=acting_user)
    if decision.kind == DecisionKind.BANNED:
        BannedAddress.objects.filter(decision=decision).delete()
        still_banned = Decision.objects.filter(
            subject=decision.subject, kind=DecisionKind.BANNED, state=DecisionState.IN_FORCE
        ).exists()
        if not still_banned:
            do_reopen_account(decision.subject, acting_user=acting_user, reason="ban_overturned")
    if decision.kind in (DecisionKind.SUSPENDED, DecisionKind.BANNED):
        # Other sanctions in force stay: the suspension is computed from all of them.
        apply_sanctions(decision.subject, acting_user=acting_user)


# --- Suspensions that end ---------------------------------------------------------------------


@transaction.atomic
def do_lift_ended_suspensions() -> int:
    """Suspensions for a number of days end by themselves (unless another sanction holds)."""
    ended = list(
        Membership.objects.filter(
            state=MembershipState.SUSPENDED, suspended_until__lte=timezone.now()
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    for user in User.objects.filter(pk__in=ended):
        apply_sanctions(user, acting_user=None)
    return len(ended)


def target_of(decision: Decision) -> Target | None:
    return any_target(decision.target_type, decision.target_id)


def clause_for_reason(reason: str) -> str:
    return REASON_CLAUSES.get(reason, "10")
