"""Erasing an account (GDPR art. 17), from the registry's declarations.

One transaction: either everything personal goes, or nothing does, so an
erasure interrupted halfway leaves the account as it was and running it again
finishes it. Files (photos, letters, copies of her data) go after the commit;
a copy whose deletion failed is swept by the retention purge once no row
points to it.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from vigie.accounts.models import User
from vigie.lib.security_log import email_digest
from vigie.privacy.registry import Erasure, Holding, holdings_owned_by_a_person, owner_filter

# What neighbours are told about an alert: the alert itself, then its closing.
ALERT_SUBJECTS = ("alert", "alert_closed")


class Contributions(enum.Enum):
    """What becomes of the person's posts, comments and alerts."""

    DELETE = "delete"
    # Kept for the neighbours, shown as "former neighbour".
    KEEP = "keep"


def erase_personal_data(user: User, *, contributions: Contributions) -> list[Callable[[], None]]:
    """Delete or empty everything the registry declares about ``user``; the account row
    stays, emptied. Returns what to do after the commit (files). Inside the caller's
    transaction, which also writes the audit row."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An erasure runs inside the action's transaction.")
    after_commit: list[Callable[[], None]] = [
        *_letter_files(user),
        *_feeds_to_refresh(user),
    ]
    _forget_traces(user, contributions=contributions)
    for holding in _in_deletion_order(holdings_owned_by_a_person()):
        if holding.erasure is Erasure.SCRUB or holding.erasure is Erasure.PSEUDONYMISE:
            continue
        if holding.erasure is Erasure.CONTRIBUTION and contributions is Contributions.KEEP:
            continue
        rows = holding.model_class._default_manager.filter(**owner_filter(holding, user.pk))
        after_commit += _files_of(holding, rows)
        rows.delete()
    _scrub_account(user)
    return after_commit


def _in_deletion_order(found: Iterable[Holding]) -> list[Holding]:
    # Rows with files first: a post's images are found through its author, so their
    # files are listed before the post's deletion cascades to them.
    return sorted(found, key=lambda holding: holding.files == ())


def _files_of(holding: Holding, rows: models.QuerySet[models.Model]) -> list[Callable[[], None]]:
    deletions: list[Callable[[], None]] = []
    for field_name in holding.files:
        storage = holding.model_class._meta.get_field(field_name).storage  # type: ignore[union-attr]
        for name in rows.values_list(field_name, flat=True):
            if name:
                deletions.append(functools.partial(storage.delete, name))
    return deletions


def _letter_files(user: User) -> list[Callable[[], None]]:
    # Letters still waiting in the print spool carry the name and the code in clear.
    from vigie.verification.models import Letter
    from vigie.verification.senders import SpoolSender

    spool = SpoolSender(settings.LETTERS_OUTBOX)
    deletions: list[Callable[[], None]] = []
    for letter in Letter.objects.filter(user=user).only("pk"):
        for path in spool.paths(letter):
            deletions.append(functools.partial(path.unlink, missing_ok=True))
    return deletions


def _feeds_to_refresh(user: User) -> list[Callable[[], None]]:
    # Cached feeds show the author's name: they must not keep showing it.
    from vigie.communities.access import feed_families
    from vigie.communities.models import Membership
    from vigie.lib import cache
    from vigie.posts.models import Post

    communities = set(Membership.objects.filter(user=user).values_list("community_id", flat=True))
    communities |= set(Post.objects.filter(author=user).values_list("community_id", flat=True))
    families = [
        family for community_id in sorted(communities) for family in feed_families(community_id)
    ]
    return [lambda: cache.bump(*families)] if families else []


def _mentions_exactly(value: object, email: str) -> bool:
    """Whether a task's decoded arguments hold ``email`` itself as one of their strings."""
    if isinstance(value, str):
        return value.casefold() == email.casefold()
    if isinstance(value, dict):
        return any(_mentions_exactly(item, email) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_mentions_exactly(item, email) for item in value)
    return False


def _forget_traces(user: User, *, contributions: Contributions) -> None:
    """What mentions the person without being declared as theirs."""
    from axes.models import AccessAttempt
    from django_tasks_db.models import DBTaskResult

    from vigie.alerts.models import Alert
    from vigie.moderation.models import Appeal, Report
    from vigie.notifications.models import Delivery, InboxItem, OutgoingEmail
    from vigie.posts.models import Post

    # Whom a holiday absence was shown to.
    Post.shown_to.through.objects.filter(user_id=user.pk).delete()
    # Failed sign-ins are counted under a keyed hash of the address.
    AccessAttempt.objects.filter(username=email_digest(user.email)).delete()
    # A task queued with the address (an e-mail to send) keeps it in its arguments; the
    # coarse database filter is narrowed here to the exact address, never a longer one.
    for result in DBTaskResult.objects.filter(args_kwargs__icontains=user.email).only(
        "id", "args_kwargs"
    ):
        if _mentions_exactly(result.args_kwargs, user.email):
            result.delete()
    # An e-mail sent to the address under no account (a town hall's copy, say).
    OutgoingEmail.objects.filter(to_address__iexact=user.email).delete()
    # Moderation records keep a pseudonymous id, never her words: her appeals and the
    # details of her reports may name her or say where she lives.
    Appeal.objects.filter(appellant=user).update(text="")
    Report.objects.filter(reporter=user).update(details="")
    _redact_words_in_audit(user)
    if contributions is Contributions.DELETE:
        # A report quotes what it is about: the quote is the person's words.
        Report.objects.filter(subject=user).update(excerpt="")
        # Neighbours' notifications of the person's alerts repeat their words and place.
        alerts = list(Alert.objects.filter(author=user).values_list("pk", flat=True))
        for model in (InboxItem, Delivery):
            model.objects.filter(subject_type__in=ALERT_SUBJECTS, subject_id__in=alerts).delete()


# Audit entries about an alert that repeat free text: what the team edited out of it (its
# originals), and the reasons given when it was rejected or withdrawn.
_AUDIT_EVENTS_WITH_WORDS = ("alert.approved", "alert.rejected", "alert.withdrawn")


def _redact_words_in_audit(user: User) -> None:
    """The audit log keeps ids only, except where it must keep words: those go with the person.

    Whatever the choice about contributions: the originals the team edited out of an alert
    are precisely the personal data (a plate, a name, a street) that must not outlive her.
    """
    from vigie.alerts.models import Alert
    from vigie.audit.log import redact
    from vigie.audit.models import AuditEvent

    alerts = [str(pk) for pk in Alert.objects.filter(author=user).values_list("pk", flat=True)]
    if not alerts:
        return
    about_her_alerts = AuditEvent.objects.filter(
        target_type=Alert._meta.label_lower,
        target_id__in=alerts,
        event_type__in=_AUDIT_EVENTS_WITH_WORDS,
        redacted_at__isnull=True,
    )
    worded = [
        event.pk
        for event in about_her_alerts.only("pk", "event_type", "data")
        if event.event_type != "alert.approved" or event.data.get("edited")
    ]
    if worded:
        redact(AuditEvent.objects.filter(pk__in=worded))


def _scrub_account(user: User) -> None:
    now = timezone.now()
    user.email = f"erased-{user.pk}@erased.invalid"
    user.first_name = user.last_name = user.nickname = user.display_name = ""
    user.password = make_password(None)
    user.language = settings.LANGUAGE_CODE
    user.is_active = user.is_staff = user.is_superuser = user.is_town_hall_agent = False
    user.date_joined = now
    user.last_login = None
    user.email_confirmed_at = None
    user.accepted_terms_version = None
    user.inactivity_warned_at = None
    user.processing_restricted_at = None
    user.processing_restriction_reason = ""
    user.erased_at = now
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
