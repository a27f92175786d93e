from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from vigie.accounts.models import User
from vigie.audit import events as audit
from vigie.audit.log import verify_chain
from vigie.audit.models import AuditEvent
from vigie.communities.models import Community
from vigie.moderation.actions import DecisionInput, do_sanction_member
from vigie.moderation.models import Decision
from vigie.notifications.models import Delivery, InboxItem
from vigie.posts.models import Post
from vigie.privacy import retention
from vigie.privacy.actions import do_restrict_processing
from vigie.test import (
    Personas,
    gone_account_id,
    log_in_as,
    neighbourhood_a,
    neighbourhood_b,
    run_tasks,
)
from vigie.verification.models import ActivationCode

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def later(days: float) -> Any:
    return time_machine.travel(timezone.now() + timedelta(days=days), tick=False)


def post(user: User, community_id: int, **fields: Any) -> int:
    body = {"kind": "information", "title": "Bonjour", "body": "Un message", **fields}
    answer = log_in_as(Client(), user).post(
        f"/api/v1/communities/{community_id}/posts", body, content_type="application/json"
    )
    post_id: int = answer.json()["id"]
    return post_id


def erased(user: User) -> bool:
    return User.objects.get(pk=user.pk).erased_at is not None


def test_it_deletes_an_account_never_verified_ninety_days_after_sign_up(
    personas: Personas,
) -> None:
    with later(89):
        early = retention.purge_accounts(timezone.now(), dry_run=False)
    with later(91):
        counted = retention.purge_accounts(timezone.now(), dry_run=True)
        removed = retention.purge_accounts(timezone.now(), dry_run=False)

    assert early == 0
    assert counted == removed == 1
    assert erased(personas.bob)
    assert not erased(personas.alice)  # verified
    assert not erased(personas.carol)  # the team


def test_it_never_takes_a_member_who_moved_for_an_account_never_verified(
    personas: Personas,
) -> None:
    from vigie.addresses.models import Address

    # She moved long ago: her proven former home went with its retention, and the new
    # one still waits for its letter.
    Address.objects.filter(user=personas.alice).delete()

    with later(400):
        unverified = list(retention.unverified_accounts(timezone.now()))

    assert personas.alice not in unverified
    assert personas.bob in unverified


def test_it_warns_an_unused_account_at_23_months_and_deletes_it_at_24(
    personas: Personas,
) -> None:
    User.objects.exclude(pk=personas.alice.pk).update(last_login=timezone.now() + 800 * DAY)
    with later(23 * 30.5):
        retention.purge_accounts(timezone.now(), dry_run=False)
        warned = User.objects.get(pk=personas.alice.pk).inactivity_warned_at
        retention.purge_accounts(timezone.now(), dry_run=False)  # told once only
        run_tasks()
    with later(24 * 30.5 + 2):
        retention.purge_accounts(timezone.now(), dry_run=False)

    assert warned is not None
    assert [message.to for message in mail.outbox] == [[personas.alice.email]]
    assert "supprimé" in mail.outbox[0].subject
    assert erased(personas.alice)
    assert not erased(personas.dave)


def test_it_keeps_an_account_used_again_after_its_warning(personas: Personas) -> None:
    User.objects.exclude(pk=personas.alice.pk).update(last_login=timezone.now() + 800 * DAY)
    with later(23 * 30.5):
        retention.purge_accounts(timezone.now(), dry_run=False)
    with later(23 * 30.5 + 10):
        User.objects.filter(pk=personas.alice.pk).update(last_login=timezone.now())
    with later(24 * 30.5 + 2):
        retention.purge_accounts(timezone.now(), dry_run=False)

    assert not erased(personas.alice)


def a_letter_for(user: User) -> None:
    log_in_as(Client(), user).post("/api/v1/verification/letters", content_type="application/json")
    run_tasks()  # the letter's code is made as it is sent


def test_it_deletes_activation_codes_thirty_days_after_use(personas: Personas) -> None:
    a_letter_for(personas.bob)
    codes = ActivationCode.objects.filter(user=personas.bob)
    assert codes.exists()
    validity = codes.get().expires_at - timezone.now()

    with later(validity.days + 29):
        kept = retention.purge_verification(timezone.now(), dry_run=False)
    with later(validity.days + 31):
        removed = retention.purge_verification(timezone.now(), dry_run=False)

    assert kept == 0
    assert removed >= 1
    assert not codes.exists()


def test_it_deletes_posts_after_twelve_months_or_what_the_neighbourhood_chose(
    personas: Personas,
) -> None:
    a, b = neighbourhood_a(), neighbourhood_b()
    in_a = post(personas.alice, a.pk)
    in_b = post(personas.mallory, b.pk)
    Community.objects.filter(pk=a.pk).update(content_retention_months=3)

    with later(80):
        early = retention.purge_content(timezone.now(), dry_run=False)
    with later(100):
        after_three_months = retention.purge_content(timezone.now(), dry_run=False)
        a_kept, b_kept = (
            Post.objects.filter(pk=in_a).exists(),
            Post.objects.filter(pk=in_b).exists(),
        )
    with later(370):
        retention.purge_content(timezone.now(), dry_run=False)

    assert (early, after_three_months) == (0, 1)
    assert (a_kept, b_kept) == (False, True)
    assert not Post.objects.filter(pk=in_b).exists()


def test_it_deletes_a_holiday_absence_the_day_after_the_return(personas: Personas) -> None:
    from vigie.communities.actions import do_set_directory_listing
    from vigie.communities.models import Membership

    a = neighbourhood_a().pk
    dave = do_set_directory_listing(
        Membership.objects.get(user=personas.dave, community_id=a), listed=True
    )
    start = timezone.localdate() + DAY
    absence = post(
        personas.alice, a, kind="absence", absence_from=start.isoformat(),
        absence_until=(start + 5 * DAY).isoformat(), shown_to=[dave.pk],
    )  # fmt: skip
    other = post(personas.alice, a)

    with later(6):
        on_the_return_day = retention.purge_content(timezone.now(), dry_run=False)
    with later(7):
        day_after = retention.purge_content(timezone.now(), dry_run=False)

    assert (on_the_return_day, day_after) == (0, 1)
    assert not Post.objects.filter(pk=absence).exists()
    assert Post.objects.filter(pk=other).exists()


def test_it_deletes_deliveries_and_notifications_after_three_months(personas: Personas) -> None:
    a = neighbourhood_a().pk
    dave = log_in_as(Client(), personas.dave)
    dave.post(
        f"/api/v1/communities/{a}/alerts",
        {
            "category": "other",
            "happened_at": timezone.now().isoformat(),
            "place": "Place du marché",
            "description": "Le marché de demain est annulé, prévenez vos voisins âgés.",
        },
        content_type="application/json",
    )
    run_tasks()
    assert Delivery.objects.exists()
    assert InboxItem.objects.exists()

    with later(89):
        retention.purge_notifications(timezone.now(), dry_run=False)
        kept = Delivery.objects.exists(), InboxItem.objects.exists()
    with later(91):
        retention.purge_notifications(timezone.now(), dry_run=False)

    assert kept == (True, True)
    assert not Delivery.objects.exists()
    assert not InboxItem.objects.exists()


def test_it_deletes_an_old_delivery_whose_account_is_gone_and_keeps_a_restricted_ones(
    personas: Personas,
) -> None:
    # A delivery keeps no foreign key in the database: one left by an account deleted
    # behind Django's back still goes at three months; a restricted person's stays.
    nobody = gone_account_id()
    for recipient_id in (nobody, personas.bob.pk):
        Delivery.objects.create(
            subject_type="alert", subject_id=1, recipient_id=recipient_id, channel="in_app"
        )
    do_restrict_processing(personas.bob, acting_user=personas.carol, reason="Conteste la lettre")

    with later(91):
        retention.purge_notifications(timezone.now(), dry_run=False)

    assert list(Delivery.objects.values_list("recipient_id", flat=True)) == [personas.bob.pk]


def test_it_deletes_a_warning_a_year_after_it_and_keeps_a_ban_in_force(personas: Personas) -> None:
    carol = log_in_as(Client(), personas.carol, second_factor=True)
    carol.post(
        f"/api/v1/moderation/users/{personas.alice.pk}/sanctions",
        {"kind": "warned", "clause": "4", "explanation": "Ton agressif."},
        content_type="application/json",
    )
    warning = Decision.objects.get(subject=personas.alice)
    banned = Decision.objects.create(
        kind="banned", terms_version=1, clause="4", target_type="member",
        target_id=personas.mallory.pk, subject=personas.mallory, moderator=personas.carol,
        explanation="Menaces.", waiting_since=timezone.now(), in_force_at=timezone.now(),
    )  # fmt: skip

    with later(360):
        retention.purge_moderation(timezone.now(), dry_run=False)
        warning_kept = Decision.objects.filter(pk=warning.pk).exists()
    with later(370):
        retention.purge_moderation(timezone.now(), dry_run=False)

    assert warning_kept
    assert not Decision.objects.filter(pk=warning.pk).exists()
    assert Decision.objects.filter(pk=banned.pk).exists()


def test_it_redacts_audit_entries_after_a_year_but_those_of_a_decision_still_kept(
    personas: Personas,
) -> None:
    warning = do_sanction_member(
        personas.alice,
        acting_user=personas.carol,
        data=DecisionInput(kind="suspended", clause="4", explanation="Ton.", suspension_days=30),
        community_id=None,
    )
    old = set(AuditEvent.objects.values_list("pk", flat=True))

    with later(370):
        with transaction.atomic():
            recent = audit.sessions_ended(personas.alice, actor_id=None, count=1, reason="test")
        redacted = retention.purge_security(timezone.now(), dry_run=False)

    about_the_warning = AuditEvent.objects.filter(
        Q(target_type="moderation.decision", target_id=str(warning.pk))
        | Q(target_type="accounts.user", target_id=str(personas.alice.pk),
            event_type="member.suspended")
    )  # fmt: skip
    assert about_the_warning.filter(event_type="member.suspended").exists()
    assert not about_the_warning.filter(redacted_at__isnull=False).exists()
    emptied = AuditEvent.objects.filter(redacted_at__isnull=False)
    assert redacted == emptied.count() == len(old) - about_the_warning.count()
    assert {(str(event.data), event.actor_id, event.target_id) for event in emptied} == {
        ("{}", None, "")
    }
    assert AuditEvent.objects.get(pk=recent.pk).redacted_at is None
    assert verify_chain().broken is None


def test_it_keeps_an_old_post_while_a_restricted_neighbour_s_comment_hangs_on_it(
    personas: Personas,
) -> None:
    a = neighbourhood_a().pk
    kept = post(personas.alice, a)
    gone = post(personas.alice, a)
    log_in_as(Client(), personas.dave).post(
        f"/api/v1/posts/{kept}/comments", {"body": "Merci !"}, content_type="application/json"
    )
    do_restrict_processing(personas.dave, acting_user=personas.carol, reason="Conteste")

    with later(370):
        retention.purge_content(timezone.now(), dry_run=False)

    assert Post.objects.filter(pk=kept).exists()
    assert not Post.objects.filter(pk=gone).exists()


def test_it_leaves_an_account_under_restriction_as_it_is(personas: Personas) -> None:
    a_letter_for(personas.bob)
    do_restrict_processing(personas.bob, acting_user=personas.carol, reason="Conteste la lettre")

    with later(150):
        retention.purge_accounts(timezone.now(), dry_run=False)
        retention.purge_verification(timezone.now(), dry_run=False)

    assert not erased(personas.bob)
    assert ActivationCode.objects.filter(user=personas.bob).exists()


def test_it_finishes_an_interrupted_purge_when_run_again(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [post(personas.alice, neighbourhood_a().pk, title=f"n° {number}") for number in range(5)]
    monkeypatch.setattr(retention, "BATCH_SIZE", 2)

    def interrupted(count: int) -> None:
        raise KeyboardInterrupt  # the operator's Ctrl-C, after the first batch

    with later(370):
        with pytest.raises(KeyboardInterrupt):
            retention.purge_content(timezone.now(), dry_run=False, progress=interrupted)
        left_halfway = Post.objects.filter(pk__in=ids).count()
        retention.purge_content(timezone.now(), dry_run=False)

    assert left_halfway == 3  # one whole batch went, nothing half-deleted
    assert not Post.objects.filter(pk__in=ids).exists()


def test_it_changes_nothing_in_a_dry_run_and_prints_what_would_go(
    personas: Personas, capsys: pytest.CaptureFixture[str]
) -> None:
    with later(91):
        call_command("purge_expired", "--dry-run")

    printed = capsys.readouterr().out
    assert "accounts: would remove 1" in printed
    assert not erased(personas.bob)
