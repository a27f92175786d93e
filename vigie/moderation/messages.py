"""What the people concerned read of moderation, in their own language.

The person a decision is about reads the decision, the clause of the terms it
applies, the team's explanation and how to appeal. A reporter reads only the
outcome. Neither ever reads the other's name.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vigie.moderation import terms
from vigie.moderation.access import Target, appeal_deadline
from vigie.moderation.models import (
    AppealOutcome,
    Decision,
    DecisionKind,
    DecisionState,
    Report,
    ReportState,
    TargetType,
)


@dataclass(frozen=True)
class Notice:
    title: str
    body: str
    url: str


def _what(target_type: str) -> str:
    return {
        TargetType.POST: _("your post"),
        TargetType.COMMENT: _("your comment"),
        TargetType.ALERT: _("your alert"),
        TargetType.MEMBER: _("your account"),
    }[TargetType(target_type)]


def held_notice(target: Target) -> Notice:
    from vigie.accounts.models import User

    author = User.objects.get(pk=target.subject_id)
    with translation.override(author.language or "fr"):
        return Notice(
            title=_("Hidden while the team reviews it: %(what)s") % {"what": _what(target.type)},
            body=_(
                "Neighbours reported it. It is hidden until the team decides, which you will "
                "be told, with the clause of the terms of use concerned."
            ),
            url=reverse("moderation:my_decisions"),
        )


def _title(decision: Decision) -> str:
    what = _what(decision.target_type)
    titles = {
        DecisionKind.ALERT_APPROVED: _("Your alert is approved"),
        DecisionKind.ALERT_REDACTED: _("Your alert was sent with personal data removed"),
        DecisionKind.ALERT_REJECTED: _("Your alert was not sent"),
        DecisionKind.DISMISSED: _("Shown again: %(what)s") % {"what": what},
        DecisionKind.REMOVED: _("Removed by the team: %(what)s") % {"what": what},
        DecisionKind.REMOVED_AND_WARNED: _("Removed, and a warning: %(what)s") % {"what": what},
        DecisionKind.WARNED: _("A warning from the moderation team"),
        DecisionKind.SUSPENDED: ngettext(
            "Your account is suspended for %(days)d day",
            "Your account is suspended for %(days)d days",
            decision.suspension_days or 0,
        )
        % {"days": decision.suspension_days or 0},
        DecisionKind.BANNED: _("Your account is closed by the moderation team"),
    }
    return titles[DecisionKind(decision.kind)]


def decision_notice(decision: Decision, *, language: str) -> Notice:
    with translation.override(language):
        version = terms.version(decision.terms_version) or terms.CURRENT
        clause = version.clause(decision.clause)
        parts = []
        if decision.state == DecisionState.OVERTURNED:
            parts.append(_("On appeal, this decision is overturned."))
        if decision.explanation and decision.explanation != "-":
            parts.append(decision.explanation)
        if clause is not None:
            parts.append(
                _("Clause %(number)s of the terms of use (version %(version)d): %(title)s.")
                % {"number": clause.number, "version": version.number, "title": clause.title}
            )
        appeal = getattr(decision, "appeal", None) if decision.pk else None
        deadline = appeal_deadline(decision)
        if appeal is not None and appeal.outcome:
            parts.append(
                (
                    _("Your appeal was examined by another moderator: the decision is upheld.")
                    if appeal.outcome == AppealOutcome.UPHELD
                    else _("Your appeal was examined by another moderator.")
                )
                + (" " + appeal.answer if appeal.answer else "")
            )
        elif deadline is not None and decision.state == DecisionState.IN_FORCE:
            parts.append(
                _(
                    "You may appeal once, until %(date)s: a moderator who took no part in "
                    "this decision will examine it."
                )
                % {"date": date_format(deadline, "DATE_FORMAT")}
            )
        return Notice(
            title=_title(decision),
            body="\n".join(parts),
            url=reverse("moderation:my_decisions"),
        )


def report_outcome_notice(report: Report, outcome: str, *, language: str) -> Notice:
    with translation.override(language):
        body = (
            _("The team examined it and took action, under the terms of use.")
            if outcome == ReportState.ACTION_TAKEN
            else _("The team examined it and found no breach of the terms of use.")
        )
        return Notice(
            title=_("Your report: %(outcome)s") % {"outcome": ReportState(outcome).label},
            body=body,
            url=reverse("moderation:my_reports"),
        )


def appeal_url(decision: Decision) -> str:
    """A link that lets the person concerned appeal without logging in (a closed account)."""
    from django.core import signing

    token = signing.dumps({"decision": decision.pk}, salt="vigie.moderation.appeal")
    return settings.BASE_URL + reverse("moderation:appeal_by_link", kwargs={"token": token})
