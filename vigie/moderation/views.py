"""Pages: the terms of use, reporting, decisions about me and appeals, a neighbourhood's
summary; for the team, the queue, reports, members, bans to confirm, appeals, the dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vigie.accounts import actions as account_actions
from vigie.accounts.decorators import login_required, staff_required
from vigie.accounts.models import User
from vigie.alerts import access as alert_access
from vigie.alerts.charts import category_series
from vigie.communities import access as community_access
from vigie.lib import charts
from vigie.lib.forms import ran, render_form, run_action
from vigie.moderation import access, actions, terms
from vigie.moderation.forms import (
    AcceptTermsForm,
    AppealDecisionForm,
    AppealForm,
    ConfirmationForm,
    ReportDecisionForm,
    ReportForm,
    SanctionForm,
)
from vigie.moderation.models import REASON_CLAUSES, Decision, DecisionKind, TargetType

APPEAL_LINK_MAX_AGE = 60 * 60 * 24 * 31  # the appeal days, and some margin for the post


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- Terms of use --------------------------------------------------------------------------------


@require_GET
def terms_page(request: HttpRequest, version: int | None = None) -> HttpResponse:
    found = terms.CURRENT if version is None else terms.version(version)
    if found is None:
        raise Http404()
    return render(request, "moderation/terms.html", {"terms": found, "versions": terms.VERSIONS})


@login_required
@require_http_methods(["GET", "POST"])
def accept_terms(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    follow = request.GET.get("suivant") or request.POST.get("suivant") or ""
    if not url_has_allowed_host_and_scheme(follow, allowed_hosts={request.get_host()}):
        follow = ""
    form = AcceptTermsForm(request.POST or None)
    if ran(form, lambda: actions.do_accept_terms(user, version=terms.CURRENT.number)):
        messages.success(request, _("Thank you: the new terms of use are accepted."))
        return redirect(follow or "communities:mine")
    context = {"terms": terms.CURRENT, "suivant": follow}
    return render_form(request, "moderation/accept_terms.html", context, form=form)


# --- Reporting -----------------------------------------------------------------------------------


def _back_to(target: access.Target) -> str:
    from vigie.posts.models import Comment

    if target.type == TargetType.POST:
        return reverse("posts:post", kwargs={"post_id": target.id})
    if target.type == TargetType.COMMENT:
        post_id = Comment.objects.filter(pk=target.id).values_list("post_id", flat=True).first()
        return reverse("posts:post", kwargs={"post_id": post_id})
    if target.type == TargetType.ALERT:
        return reverse("alerts:alert", kwargs={"alert_id": target.id})
    return reverse("communities:directory", kwargs={"community_id": target.community_id})


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, target_type: str, target_id: int) -> HttpResponse:
    user = _user(request)
    if target_type not in TargetType.values:
        raise Http404()
    target = access.reportable_target(user, target_type, target_id)
    membership = community_access.writable_membership(user, target.community_id)
    form = ReportForm(request.POST or None)
    if form.is_valid():
        made = run_action(
            form,
            lambda: actions.do_report(
                target,
                reporter=user,
                membership=membership,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            ),
        )
        if made is not None:
            messages.success(request, _("Thank you: the team will look at your report."))
            return redirect(_back_to(target))
    context = {"target": target, "back": _back_to(target)}
    return render_form(request, "moderation/report.html", context, form=form)


@login_required
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    reports = access.reports_made_by(_user(request))[:100]
    return render(request, "moderation/my_reports.html", {"reports": reports})


# --- Decisions about me, appeals -----------------------------------------------------------------


@login_required
@require_GET
def my_decisions(request: HttpRequest) -> HttpResponse:
    decisions = [
        (decision, access.appeal_deadline(decision), access.can_appeal(decision))
        for decision in access.decisions_about(_user(request))[:100]
    ]
    context = {"decisions": decisions, "appeal_form": AppealForm()}
    return render(request, "moderation/my_decisions.html", context)


@login_required
@require_POST
def appeal(request: HttpRequest, decision_id: int) -> HttpResponse:
    user = _user(request)
    decision = access.access_my_decision(user, decision_id)
    form = AppealForm(request.POST)
    if ran(
        form, lambda: actions.do_appeal(decision, appellant=user, text=form.cleaned_data["text"])
    ):
        messages.success(request, _("Your appeal is recorded; another moderator will examine it."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("moderation:my_decisions")


def _decision_from_link(token: str) -> Decision:
    try:
        found = signing.loads(token, salt="vigie.moderation.appeal", max_age=APPEAL_LINK_MAX_AGE)
        return Decision.objects.select_related("subject").get(pk=int(found["decision"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError, Decision.DoesNotExist):
        raise Http404() from None


@require_http_methods(["GET", "POST"])
def appeal_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link of a decision's e-mail: a closed account may still appeal its ban."""
    decision = _decision_from_link(token)
    form = AppealForm(request.POST or None)
    if ran(
        form,
        lambda: actions.do_appeal(
            decision, appellant=decision.subject, text=form.cleaned_data["text"]
        ),
    ):
        messages.success(request, _("Your appeal is recorded; another moderator will examine it."))
        return redirect(request.path)
    context = {
        "decision": decision,
        "notice": _notice(decision),
        "can_appeal": access.can_appeal(decision),
    }
    return render_form(request, "moderation/appeal_by_link.html", context, form=form)


def _notice(decision: Decision) -> object:
    from django.utils import translation

    from vigie.moderation.messages import decision_notice

    return decision_notice(decision, language=translation.get_language() or "fr")


@login_required
@require_GET
def community_summary(request: HttpRequest, community_id: int) -> HttpResponse:
    user = _user(request)
    membership = community_access.membership_in(user, community_id)
    months = access.monthly_summary(user, community_id)
    context = {"community": membership.community, "months": months}
    return render(request, "moderation/community_summary.html", context)


# --- The team ------------------------------------------------------------------------------------


@staff_required
@require_GET
def team_queue(request: HttpRequest) -> HttpResponse:
    context = {
        "alerts": alert_access.moderation_queue()[:200],
        "groups": access.open_report_groups(),
        "awaiting": access.decisions_awaiting_confirmation(),
        "appeals": access.appeals_waiting(),
    }
    return render(request, "moderation/team_queue.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def team_report(request: HttpRequest, report_id: int) -> HttpResponse:
    group = access.report_group(report_id)
    suggested = REASON_CLAUSES.get(group.reasons.most_common(1)[0][0], "10")
    form = ReportDecisionForm(request.POST or None, suggested_clause=suggested)
    if form.is_valid():
        decided = run_action(
            form,
            lambda: actions.do_decide_report(
                group.first, acting_user=_user(request), data=form.to_input()
            ),
        )
        if decided is not None:
            messages.success(request, _("Decision recorded."))
            return redirect("moderation:team_queue")
    return render_form(request, "moderation/team_report.html", {"group": group}, form=form)


@staff_required
@require_http_methods(["GET", "POST"])
def team_member(request: HttpRequest, user_id: int) -> HttpResponse:
    subject, reports, decisions = access.member_history(user_id)
    form = SanctionForm(request.POST or None)
    if form.is_valid():
        decided = run_action(
            form,
            lambda: actions.do_sanction_member(
                subject, acting_user=_user(request), data=form.to_input(), community_id=None
            ),
        )
        if decided is not None:
            messages.success(request, _("Decision recorded."))
            return redirect("moderation:team_member", user_id=user_id)
    context = {"subject": subject, "reports": reports, "decisions": decisions}
    return render_form(request, "moderation/team_member.html", context, form=form)


@staff_required
@require_POST
def team_end_member_sessions(request: HttpRequest, user_id: int) -> HttpResponse:
    """Every session of the member ends, and their tokens; the account stays open."""
    subject, _reports, _decisions = access.member_history(user_id)
    ended = account_actions.do_end_member_sessions(subject, acting_user=_user(request))
    messages.success(
        request,
        ngettext("%(count)d session ended.", "%(count)d sessions ended.", ended) % {"count": ended},
    )
    return redirect("moderation:team_member", user_id=subject.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def team_decision(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = access.any_decision(decision_id)
    form = ConfirmationForm(request.POST or None)
    if ran(
        form,
        lambda: actions.do_confirm_ban(
            decision, acting_user=_user(request), confirm=form.cleaned_data["confirm"]
        ),
    ):
        messages.success(request, _("Decision recorded."))
        return redirect("moderation:team_queue")
    context = {"decision": decision, "target": actions.target_of(decision)}
    return render_form(request, "moderation/team_decision.html", context, form=form)


@staff_required
@require_http_methods(["GET", "POST"])
def team_appeal(request: HttpRequest, appeal_id: int) -> HttpResponse:
    found = access.any_appeal(appeal_id)
    form = AppealDecisionForm(request.POST or None)
    if ran(
        form,
        lambda: actions.do_decide_appeal(
            found,
            acting_user=_user(request),
            outcome=form.cleaned_data["outcome"],
            answer=form.cleaned_data["answer"],
        ),
    ):
        messages.success(request, _("Decision recorded."))
        return redirect("moderation:team_queue")
    context = {
        "appeal": found,
        "target": actions.target_of(found.decision),
        "took_part": access.took_part_in(found.decision, _user(request)),
    }
    return render_form(request, "moderation/team_appeal.html", context, form=form)


@staff_required
@require_GET
def team_dashboard(request: HttpRequest) -> HttpResponse:
    found = access.dashboard()
    context = {
        "dashboard": found,
        "chart": charts.weekly_bars(found.weeks, decision_series()),
        "alerts_chart": charts.weekly_bars(found.alert_weeks, category_series()),
    }
    return render(request, "moderation/team_dashboard.html", context)


# Colours that stay apart for the common kinds of colour blindness (Okabe-Ito).
DECISION_COLOURS = {
    DecisionKind.ALERT_APPROVED: "#009E73",
    DecisionKind.ALERT_REDACTED: "#56B4E9",
    DecisionKind.ALERT_REJECTED: "#E69F00",
    DecisionKind.DISMISSED: "#999999",
    DecisionKind.REMOVED: "#D55E00",
    DecisionKind.REMOVED_AND_WARNED: "#CC79A7",
    DecisionKind.WARNED: "#F0E442",
    DecisionKind.SUSPENDED: "#0072B2",
    DecisionKind.BANNED: "#000000",
}


def decision_series() -> list[charts.Series]:
    return [
        charts.Series(kind.value, str(kind.label).capitalize(), DECISION_COLOURS[kind])
        for kind in DecisionKind
    ]
