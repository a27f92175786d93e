"""Writers for privacy: the team's breach register.

A breach is recorded whatever its size, notified or not (GDPR art. 33(5)); each
record and each edit is an audit event holding ids, field names and dates, never
the texts, which may describe people.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import match_token, user_has_device

from vigie.accounts.models import User
from vigie.audit import events as audit
from vigie.lib import ratelimit
from vigie.lib.errors import Conflict, InvalidInput, Message
from vigie.lib.validators import clean_multiline
from vigie.notifications.actions import queue_email
from vigie.privacy import export
from vigie.privacy.consents import record_consent
from vigie.privacy.erasure import Contributions, erase_personal_data
from vigie.privacy.models import (
    BREACH_COUNT_MAX,
    BREACH_DESCRIPTION_MAX_LENGTH,
    BREACH_TEXT_MAX_LENGTH,
    CNIL_NOTIFICATION_DELAY,
    Breach,
    BreachNature,
    ConsentKind,
    DataExport,
    ExportState,
)

# A clock a little ahead of ours (a laptop, a phone) does not make "now" a future moment.
CLOCK_SKEW = timedelta(minutes=10)

# The texts the team may leave empty while the investigation goes on (art. 33(4)).
_OPTIONAL_TEXTS = (
    "likely_consequences",
    "measures",
    "people_not_informed_reason",
    "cnil_late_reason",
    "cnil_not_notified_reason",
)


@dataclass(frozen=True)
class BreachInput:
    """Everything the register holds about a breach, as the team enters it."""

    discovered_at: datetime | None
    natures: Sequence[str]
    description: str
    people_categories: str
    data_categories: str
    occurred_at: datetime | None = None
    people_count: int | None = None
    records_count: int | None = None
    likely_consequences: str = ""
    measures: str = ""
    people_informed_at: datetime | None = None
    people_not_informed_reason: str = ""
    cnil_notified_at: datetime | None = None
    cnil_late_reason: str = ""
    cnil_not_notified_reason: str = ""

    @classmethod
    def of(cls, breach: Breach) -> BreachInput:
        """The breach as it stands: what an edit of a few fields starts from."""
        return cls(
            discovered_at=breach.discovered_at,
            natures=breach.natures,
            description=breach.description,
            people_categories=breach.people_categories,
            data_categories=breach.data_categories,
            occurred_at=breach.occurred_at,
            people_count=breach.people_count,
            records_count=breach.records_count,
            likely_consequences=breach.likely_consequences,
            measures=breach.measures,
            people_informed_at=breach.people_informed_at,
            people_not_informed_reason=breach.people_not_informed_reason,
            cnil_notified_at=breach.cnil_notified_at,
            cnil_late_reason=breach.cnil_late_reason,
            cnil_not_notified_reason=breach.cnil_not_notified_reason,
        )


class _Errors:
    """Every field's error at once, so that a form shows them all together."""

    def __init__(self, *, now: datetime) -> None:
        self.now = now
        self.by_field: dict[str, list[Message]] = {}

    def add(self, name: str, message: Message) -> None:
        self.by_field.setdefault(name, []).append(message)

    def text(self, name: str, value: str, *, max_length: int, required: bool) -> str:
        try:
            return clean_multiline(value, max_length=max_length, required=required)
        except ValidationError as error:
            self.by_field.setdefault(name, []).extend(error.messages)
            return ""

    def moment(self, name: str, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        if value > self.now + CLOCK_SKEW:
            self.add(name, _("This moment is still to come."))
        return value

    def count(self, name: str, value: int | None) -> int | None:
        if value is not None and not 0 <= value <= BREACH_COUNT_MAX:
            self.add(
                name,
                _("Give a number from 0 to %(most)d, or leave it empty while unknown.")
                % {"most": BREACH_COUNT_MAX},
            )
        return value


def _clean(data: BreachInput) -> dict[str, object]:
    """The register's fields from what the team entered, or InvalidInput with every error."""
    errors = _Errors(now=timezone.now())
    discovered_at = errors.moment("discovered_at", data.discovered_at)
    if discovered_at is None:
        errors.add("discovered_at", _("Say when the team learnt of the breach."))
    occurred_at = errors.moment("occurred_at", data.occurred_at)
    if occurred_at and discovered_at and occurred_at > discovered_at:
        errors.add("occurred_at", _("A breach happens before it is discovered."))
    natures = set(data.natures)
    if not natures:
        errors.add("natures", _("Say what the breach did to the data: one or more."))
    elif not natures <= set(BreachNature.values):
        errors.add("natures", _("Choose among confidentiality, integrity and availability."))
    texts = {
        "description": errors.text(
            "description",
            data.description,
            max_length=BREACH_DESCRIPTION_MAX_LENGTH,
            required=True,
        ),
        **{
            name: errors.text(
                name, getattr(data, name), max_length=BREACH_TEXT_MAX_LENGTH, required=True
            )
            for name in ("people_categories", "data_categories")
        },
        **{
            name: errors.text(
                name, getattr(data, name), max_length=BREACH_TEXT_MAX_LENGTH, required=False
            )
            for name in _OPTIONAL_TEXTS
        },
    }
    people_count = errors.count("people_count", data.people_count)
    records_count = errors.count("records_count", data.records_count)
    people_informed_at = errors.moment("people_informed_at", data.people_informed_at)
    if people_informed_at and discovered_at and people_informed_at < discovered_at:
        errors.add(
            "people_informed_at", _("The people cannot be told before the breach is discovered.")
        )
    if people_informed_at and texts["people_not_informed_reason"]:
        errors.add(
            "people_not_informed_reason",
            _("Either the people were told, or this says why they were not: not both."),
        )
    cnil_notified_at = errors.moment("cnil_notified_at", data.cnil_notified_at)
    if cnil_notified_at and discovered_at and cnil_notified_at < discovered_at:
        errors.add(
            "cnil_notified_at", _("The CNIL cannot be told before the breach is discovered.")
        )
    if cnil_notified_at and texts["cnil_not_notified_reason"]:
        errors.add(
            "cnil_not_notified_reason",
            _("Either the CNIL was told, or this says why it was not: not both."),
        )
    late = bool(
        cnil_notified_at
        and discovered_at
        and cnil_notified_at > discovered_at + CNIL_NOTIFICATION_DELAY
    )
    if late and not texts["cnil_late_reason"]:
        # Art. 33(1): a notification after 72 hours comes with the reasons for the delay.
        errors.add("cnil_late_reason", _("The CNIL was told after 72 hours: give the reasons."))
    elif texts["cnil_late_reason"] and not late:
        errors.add("cnil_late_reason", _("Only a notification after 72 hours needs reasons."))
    if errors.by_field:
        raise InvalidInput(errors.by_field)
    return {
        "discovered_at": discovered_at,
        "occurred_at": occurred_at,
        "affects_confidentiality": BreachNature.CONFIDENTIALITY in natures,
        "affects_integrity": BreachNature.INTEGRITY in natures,
        "affects_availability": BreachNature.AVAILABILITY in natures,
        "people_count": people_count,
        "records_count": records_count,
        "people_informed_at": people_informed_at,
        "cnil_notified_at": cnil_notified_at,
        **texts,
    }


@transaction.atomic
def do_record_breach(data: BreachInput, *, acting_user: User) -> Breach:
    """Enter a breach in the register; the 72 hours run from ``discovered_at``."""
    breach = Breach.objects.create(**_clean(data), recorded_by=acting_user)
    audit.breach_recorded(breach, actor_id=acting_user.pk)
    return breach


@transaction.atomic
def do_edit_breach(breach: Breach, *, acting_user: User, changes: Mapping[str, Any]) -> Breach:
    """Complete or correct a breach as the investigation goes on; the edit is audited.

    ``changes`` holds the fields to set (BreachInput's names); the others keep what the
    register holds when the edit lands, not what the caller read before.
    """
    unknown = sorted(set(changes) - {field.name for field in dataclasses.fields(BreachInput)})
    if unknown:
        raise InvalidInput({name: [_("This field is not expected.")] for name in unknown})
    breach = Breach.objects.select_for_update().get(pk=breach.pk)
    clean = _clean(dataclasses.replace(BreachInput.of(breach), **changes))
    changed = [name for name, value in clean.items() if getattr(breach, name) != value]
    if not changed:
        return breach
    for name in changed:
        setattr(breach, name, clean[name])
    breach.updated_at = timezone.now()
    breach.save(update_fields=[*changed, "updated_at"])
    audit.breach_edited(breach, actor_id=acting_user.pk, fields=changed)
    return breach


EXPORT_ATTEMPTS = 3


def exports_dir() -> Path:
    return Path(settings.DATA_DIR) / "exports"


def check_reauthentication(user: User, *, password: str, second_factor_code: str) -> None:
    """Export and erasure ask again for the password, and the second factor if any:
    a session left open on a shared computer must not give either away."""
    ratelimit.hit("password-check", str(user.pk), rate=settings.RATE_PASSWORD_CHECK)
    errors: dict[str, list[object]] = {}
    if not password or not user.check_password(password):
        errors["password"] = [_("This is not your current password.")]
    if user_has_device(user, confirmed=True):
        code = second_factor_code.replace(" ", "")
        if not code or match_token(user, code) is None:
            errors["second_factor_code"] = [_("This code is not valid.")]
    if errors:
        raise InvalidInput(errors, code="reauthentication_failed")  # type: ignore[arg-type]


# --- Export (art. 15 and 20) -------------------------------------------------------------------


@transaction.atomic
def do_request_data_export(
    user: User, *, password: str, second_factor_code: str = ""
) -> DataExport:
    check_reauthentication(user, password=password, second_factor_code=second_factor_code)
    User.objects.select_for_update().filter(pk=user.pk).exists()
    if DataExport.objects.filter(user=user, state=ExportState.QUEUED).exists():
        raise Conflict(
            _("Your copy is being prepared: you will get an e-mail."), code="export_pending"
        )
    ratelimit.hit("data-export", str(user.pk), rate=settings.RATE_DATA_EXPORT)
    # A new copy replaces one not downloaded yet: one file at a time per person.
    for waiting in DataExport.objects.filter(user=user, state=ExportState.READY):
        _expire(waiting)
    data_export = DataExport.objects.create(user=user)
    audit.data_export_requested(data_export)
    # The task row commits with the request (the database is the queue): the worker builds
    # it only if the request was recorded, and always if it was.
    _enqueue_build(data_export.pk)
    return data_export


def _enqueue_build(export_id: int) -> None:
    from vigie.privacy.tasks import build_data_export

    build_data_export.enqueue(export_id)


def do_build_data_export(export_id: int) -> DataExport | None:
    """Write the ZIP outside any transaction (it may take a while), then record it."""
    with transaction.atomic():
        data_export = (
            DataExport.objects.select_for_update()
            .select_related("user")
            .filter(pk=export_id, state=ExportState.QUEUED)
            .first()
        )
        if data_export is None:
            return None
        data_export.attempts += 1
        data_export.save(update_fields=["attempts"])
    folder = exports_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    file_name = f"{secrets.token_urlsafe(24)}.zip"
    target = folder / file_name
    try:
        # Created private before a single byte is written.
        target.touch(mode=0o600, exist_ok=False)
        size = export.write_archive(data_export.user, target)
    except Exception as error:
        target.unlink(missing_ok=True)
        _record_export_failure(data_export, error=error)
        raise
    return _record_export_ready(data_export, file_name=file_name, size=size)


@transaction.atomic
def _record_export_ready(
    data_export: DataExport, *, file_name: str, size: int
) -> DataExport | None:
    """Record the ZIP, unless the export went meanwhile (an erasure, another build finished
    first): then the file goes and nobody is told. Read afresh, so a deleted row is never
    saved back and the e-mail never goes to an address erased while the ZIP was written."""
    current = (
        DataExport.objects.select_for_update()
        .select_related("user")
        .filter(pk=data_export.pk, state=ExportState.QUEUED, user__erased_at__isnull=True)
        .first()
    )
    if current is None:
        remove_export_file(file_name)
        return None
    now = timezone.now()
    current.state = ExportState.READY
    current.file_name, current.size = file_name, size
    current.ready_at = now
    current.expires_at = now + timedelta(hours=settings.RETENTION["export_hours"])
    current.last_error = ""
    current.save(
        update_fields=["state", "file_name", "size", "ready_at", "expires_at", "last_error"]
    )
    audit.data_export_ready(current)
    user = current.user
    queue_email(
        "data_export_ready",
        to=user.email,
        language=user.language,
        user_id=user.pk,
        context={"export_id": current.pk},
    )
    return current


@transaction.atomic
def _record_export_failure(data_export: DataExport, *, error: Exception) -> None:
    state = ExportState.FAILED if data_export.attempts >= EXPORT_ATTEMPTS else ExportState.QUEUED
    # An update, never a save: the row may have gone with an erasure meanwhile.
    DataExport.objects.filter(pk=data_export.pk, state=ExportState.QUEUED).update(
        last_error=type(error).__name__[:300], state=state
    )


def do_retry_stalled_exports(*, now: datetime | None = None) -> int:
    """A worker that died mid-build leaves an export queued: try it again, a few times."""
    moment = now or timezone.now()
    stalled = DataExport.objects.filter(
        state=ExportState.QUEUED,
        requested_at__lt=moment - timedelta(minutes=10),
        attempts__lt=EXPORT_ATTEMPTS,
    ).values_list("pk", flat=True)
    count = 0
    for export_id in stalled:
        _enqueue_build(export_id)
        count += 1
    return count


@transaction.atomic
def do_take_data_export(data_export: DataExport) -> Path:
    """The one download: the file's path, after which no one may download it again.

    The caller opens the file before the commit's file removal; an open file stays
    readable on POSIX after its name is gone.
    """
    locked = DataExport.objects.select_for_update().get(pk=data_export.pk)
    if locked.state != ExportState.READY or (
        locked.expires_at is not None and locked.expires_at <= timezone.now()
    ):
        raise Conflict(_("This copy was already downloaded or has expired."), code="export_gone")
    locked.state = ExportState.DOWNLOADED
    locked.downloaded_at = timezone.now()
    locked.save(update_fields=["state", "downloaded_at"])
    audit.data_export_downloaded(locked)
    return exports_dir() / locked.file_name


def remove_export_file(file_name: str) -> None:
    if file_name:
        (exports_dir() / os.path.basename(file_name)).unlink(missing_ok=True)


def _expire(data_export: DataExport) -> None:
    file_name = data_export.file_name
    data_export.state = ExportState.EXPIRED
    data_export.file_name = ""
    data_export.save(update_fields=["state", "file_name"])
    transaction.on_commit(lambda: remove_export_file(file_name))


def expire_exports(*, now: datetime) -> int:
    """Ready exports past their day, and downloaded ones, lose their file."""
    count = 0
    for data_export in (
        DataExport.objects.select_for_update()
        .filter(state__in=[ExportState.READY, ExportState.DOWNLOADED], expires_at__lte=now)
        .exclude(file_name="", state=ExportState.DOWNLOADED)
    ):
        if data_export.state == ExportState.READY:
            _expire(data_export)
        else:
            file_name = data_export.file_name
            data_export.file_name = ""
            data_export.save(update_fields=["file_name"])
            transaction.on_commit(functools.partial(remove_export_file, file_name))
        count += 1
    return count


# --- Erasure (art. 17) -------------------------------------------------------------------------


@transaction.atomic
def do_erase_own_account(
    user: User, *, password: str, second_factor_code: str = "", contributions: Contributions
) -> None:
    check_reauthentication(user, password=password, second_factor_code=second_factor_code)
    do_erase_account(user, acting_user=user, contributions=contributions, reason="own_request")


@transaction.atomic
def do_erase_account(
    user: User, *, acting_user: User | None, contributions: Contributions, reason: str
) -> None:
    """Every session ends, personal data goes, the account row stays as an empty pseudonym."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.erased_at is not None:
        raise Conflict(_("This account was already deleted."), code="already_erased")
    export_files = list(
        DataExport.objects.filter(user=locked)
        .exclude(file_name="")
        .values_list("file_name", flat=True)
    )
    after_commit = erase_personal_data(locked, contributions=contributions)
    audit.account_erased(
        locked,
        actor_id=acting_user.pk if acting_user is not None else None,
        contributions=contributions.value,
        reason=reason,
    )
    for action in after_commit:
        transaction.on_commit(action)
    for file_name in export_files:
        transaction.on_commit(functools.partial(remove_export_file, file_name))
    user.refresh_from_db()


# --- Restriction of processing (art. 18) -------------------------------------------------------


@transaction.atomic
def do_restrict_processing(user: User, *, acting_user: User, reason: str) -> User:
    """While the person contests their data (or its use), it is kept as it is and used
    for nothing: no purge, no notification, no listing, no publishing."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    clean_reason = reason.strip()
    if not clean_reason:
        raise InvalidInput({"reason": [_("Say why processing is restricted.")]})
    if locked.erased_at is not None:
        raise Conflict(_("This account was already deleted."), code="already_erased")
    if locked.processing_restricted_at is not None:
        raise Conflict(_("Processing is already restricted."), code="already_restricted")
    locked.processing_restricted_at = timezone.now()
    locked.processing_restriction_reason = clean_reason[:300]
    locked.save(update_fields=["processing_restricted_at", "processing_restriction_reason"])
    audit.processing_restricted(locked, actor_id=acting_user.pk)
    return locked


@transaction.atomic
def do_lift_processing_restriction(user: User, *, acting_user: User) -> User:
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.processing_restricted_at is None:
        raise Conflict(_("Processing is not restricted."), code="not_restricted")
    locked.processing_restricted_at = None
    locked.processing_restriction_reason = ""
    locked.save(update_fields=["processing_restricted_at", "processing_restriction_reason"])
    audit.processing_restriction_lifted(locked, actor_id=acting_user.pk)
    return locked


# --- Retention ---------------------------------------------------------------------------------


@transaction.atomic
def do_warn_inactive_account(user: User, *, now: datetime) -> None:
    """An unused account is told, by e-mail, before the purge deletes it."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.inactivity_warned_at = now
    locked.save(update_fields=["inactivity_warned_at"])
    audit.inactive_account_warned(locked)
    queue_email(
        "inactive_account_warning", to=locked.email, language=locked.language, user_id=locked.pk
    )


# --- Withdrawing a consent ---------------------------------------------------------------------


@transaction.atomic
def do_withdraw_consent(user: User, *, kind: str) -> None:
    """One step, as giving it was: the channel or the listing stops at once."""
    from vigie.communities.actions import do_set_directory_listing
    from vigie.communities.models import Membership
    from vigie.notifications.actions import do_remove_phone, do_unsubscribe_push
    from vigie.notifications.models import PushSubscription

    if kind == ConsentKind.SMS:
        do_remove_phone(user)
    elif kind == ConsentKind.PUSH:
        endpoints = list(
            PushSubscription.objects.filter(user=user).values_list("endpoint", flat=True)
        )
        for endpoint in endpoints:
            do_unsubscribe_push(user, endpoint=endpoint)
        record_consent(user, ConsentKind.PUSH, given=False)
    elif kind == ConsentKind.DIRECTORY:
        for membership in Membership.objects.filter(user=user, listed_in_directory=True):
            do_set_directory_listing(membership, listed=False)
        record_consent(user, ConsentKind.DIRECTORY, given=False)
    else:
        raise InvalidInput({"kind": [_("This consent cannot be withdrawn here.")]})
