"""Sanctions that meet: stacked suspensions, bans, overturns, late reports, deleted evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from vigie.accounts.models import User
from vigie.alerts.models import Alert, State
from vigie.communities.models import Membership, MembershipState
from vigie.lib.visibility import Visibility
from vigie.moderation.actions import (
    DecisionInput,
    do_appeal,
    do_confirm_ban,
    do_decide_appeal,
    do_lift_ended_suspensions,
    do_sanction_member,
)
from vigie.moderation.models import BannedAddress, Decision
from vigie.moderation.tests.helpers import (
    decide,
    neighbour,
    post_by,
    report,
    second_moderator,
    team,
    three_reporters,
)
from vigie.notifications.models import Delivery, DeliveryState, InboxItem
from vigie.posts.models import Post
from vigie.test import Personas, log_in_as, neighbourhood_a, run_tasks

pytestmark = pytest.mark.django_db


def sanction(subject: User, moderator: User, kind: str, days: int | None = None) -> Decision:
    return do_sanction_member(
        subject,
        acting_user=moderator,
        data=DecisionInput(kind=kind, clause="4", explanation="Insultes.", suspension_days=days),
        community_id=None,
    )


def state_of(user: User) -> str:
    return str(Membership.objects.get(user=user, community=neighbourhood_a()).state)


def test_it_keeps_the_longer_of_two_suspensions_and_what_an_overturn_leaves(
    personas: Personas,
) -> None:
    hugo = neighbour(personas, "Hugo", 44)
    long_one = sanction(hugo, personas.carol, "suspended", days=30)
    short_one = sanction(hugo, personas.carol, "suspended", days=1)
    erin = second_moderator()

    with time_machine.travel(timezone.now() + timedelta(days=2)):
        do_lift_ended_suspensions()
        after_the_short_one = state_of(hugo)
        appeal = do_appeal(long_one, appellant=hugo, text="Trop long.")
        do_decide_appeal(appeal, acting_user=erin, outcome="overturned", answer="Trop long.")
        after_the_overturn = state_of(hugo)

    assert Membership.objects.get(user=hugo, community=neighbourhood_a()).suspended_until is None
    assert after_the_short_one == MembershipState.SUSPENDED
    assert after_the_overturn == MembershipState.ACTIVE  # the short one had ended
    assert short_one.state == "in_force"


def test_it_reopens_a_banned_account_and_its_address_when_the_ban_is_overturned(
    personas: Personas,
) -> None:
    hugo = neighbour(personas, "Hugo", 44)
    erin = second_moderator()
    ban = sanction(hugo, personas.carol, "banned")
    do_confirm_ban(ban, acting_user=erin, confirm=True)
    hugo.refresh_from_db()
    closed = hugo.is_active

    appeal = do_appeal(ban, appellant=hugo, text="Une erreur d'homonyme.")
    third = User.objects.get(pk=third_moderator_id())
    do_decide_appeal(appeal, acting_user=third, outcome="overturned", answer="Erreur.")
    hugo.refresh_from_db()

    assert closed is False
    assert hugo.is_active is True
    assert not BannedAddress.objects.exists()
    assert state_of(hugo) == MembershipState.ACTIVE


def third_moderator_id() -> int:
    """Neither the moderator who asked for a ban nor the one who confirmed it may judge it."""
    from vigie.accounts.models import TOTPDevice
    from vigie.test import TOTP_KEY_HEX, make_user

    frank = make_user("frank.team@example.org", "Frank", "Moreau", is_staff=True)
    TOTPDevice.objects.create(user=frank, name="authenticator", key=TOTP_KEY_HEX, confirmed=True)
    return frank.pk


def test_it_withdraws_the_alerts_a_banned_member_had_waiting(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)
    alert_id = alice.post(
        f"/api/v1/communities/{neighbourhood_a().pk}/alerts",
        {
            "category": "other",
            "happened_at": timezone.now().isoformat(),
            "place": "Rue des Lilas",
            "description": "Encore une rumeur sur le voisin du 14.",
        },
        content_type="application/json",
    ).json()["id"]
    ban = sanction(personas.alice, personas.carol, "banned")

    do_confirm_ban(ban, acting_user=second_moderator(), confirm=True)
    approve = team(personas.carol).post(
        f"/api/v1/moderation/alerts/{alert_id}/decision",
        {"decision": "approve"},
        content_type="application/json",
    )
    run_tasks()

    assert Alert.objects.get(pk=alert_id).state == State.WITHDRAWN
    assert approve.status_code == 409
    assert not Delivery.objects.filter(subject_type="alert", subject_id=alert_id).exists()


def test_it_never_shows_again_removed_content_when_a_late_report_is_dismissed(
    personas: Personas,
) -> None:
    post = post_by(neighbour(personas, "Hugo", 44))
    first, second, _third = three_reporters(personas)
    made = [report(client, "post", post.pk).json()["id"] for client in (first, second)]
    carol = team(personas.carol)
    decide(carol, made[0], "removed")
    # Made as the decision went through, it was not among those decided.
    from vigie.moderation.models import Report

    late = Report.objects.create(
        reporter=personas.dave,
        target_type="post",
        target_id=post.pk,
        subject=post.author,
        community=neighbourhood_a(),
        reason="spam",
    )

    decide(carol, late.pk, "dismissed", clause="10")

    assert Post.objects.get(pk=post.pk).visibility == Visibility.REMOVED


def test_it_keeps_what_was_reported_when_its_author_deletes_it(personas: Personas) -> None:
    hugo = neighbour(personas, "Hugo", 44)
    post = post_by(hugo, title="Annonce douteuse")
    made = report(log_in_as(Client(), personas.alice), "post", post.pk).json()["id"]

    log_in_as(Client(), hugo).delete(f"/api/v1/posts/{post.pk}")
    page = team(personas.carol).get(f"/equipe/moderation/signalements/{made}/").content.decode()

    assert not Post.objects.filter(pk=post.pk).exists()
    assert "Annonce douteuse" in page


def test_it_lets_no_moderator_decide_their_own_case(personas: Personas) -> None:
    erin = second_moderator()
    post = post_by(erin, title="Mon annonce")
    made = report(log_in_as(Client(), personas.alice), "post", post.pk).json()["id"]

    own = decide(team(erin), made, "dismissed", clause="10")
    by_another = decide(team(personas.carol), made, "dismissed", clause="10")

    assert (own.status_code, own.json()["code"]) == (403, "own_case")
    assert by_another.status_code == 200


def test_it_refuses_a_sanction_counted_in_a_community_the_member_is_not_in(
    personas: Personas,
) -> None:
    carol = team(personas.carol)
    b = Membership.objects.get(user=personas.mallory, community__kind="neighbourhood").community

    answer = carol.post(
        f"/api/v1/moderation/users/{personas.alice.pk}/sanctions",
        {"kind": "warned", "clause": "4", "explanation": "Ton.", "community_id": b.pk},
        content_type="application/json",
    )
    missing = carol.post(
        f"/api/v1/moderation/users/{personas.alice.pk}/sanctions",
        {"kind": "warned", "clause": "4", "explanation": "Ton.", "community_id": 999_999},
        content_type="application/json",
    )

    assert answer.status_code == missing.status_code == 422
    assert not Decision.objects.exists()


def test_it_takes_held_alerts_out_of_inboxes_and_sends_what_waited_once_shown_again(
    personas: Personas,
) -> None:
    from vigie.alerts import actions as alert_actions

    alice = log_in_as(Client(), personas.alice)
    alert_id = alice.post(
        f"/api/v1/communities/{neighbourhood_a().pk}/alerts",
        {
            "category": "suspicious_vehicle",
            "happened_at": timezone.now().isoformat(),
            "place": "Rue des Lilas",
            "description": "Une camionnette tourne dans le quartier depuis une heure.",
        },
        content_type="application/json",
    ).json()["id"]
    alert_actions.do_approve_alert(Alert.objects.get(pk=alert_id), acting_user=personas.carol)
    from vigie.alerts.tasks import fan_out_alert

    fan_out_alert.call(alert_id)  # deliveries made, not sent yet
    made = report(log_in_as(Client(), personas.dave), "alert", alert_id).json()["id"]
    run_tasks()
    stopped = set(
        Delivery.objects.filter(subject_type="alert", subject_id=alert_id).values_list(
            "state", flat=True
        )
    )

    decide(team(personas.carol), made, "dismissed", clause="7")
    run_tasks()

    assert stopped == {DeliveryState.CANCELLED}
    assert set(
        Delivery.objects.filter(subject_type="alert", subject_id=alert_id).values_list(
            "state", flat=True
        )
    ) == {DeliveryState.SENT}
    assert InboxItem.objects.filter(recipient=personas.dave, subject_type="alert").exists()


def test_it_ends_with_a_warning_a_report_about_a_member(personas: Personas) -> None:
    from vigie.moderation.tests.helpers import directory_id

    made = report(
        log_in_as(Client(), personas.alice),
        "member",
        directory_id(personas.dave),
        reason="harassment",
    ).json()["id"]

    answer = decide(team(personas.carol), made, "warned", clause="4")
    run_tasks()

    assert answer.json()["kind"] == "warned"
    [email] = [message for message in mail.outbox if message.to == [personas.dave.email]]
    assert "Alice" not in email.body
    assert "alice@example.org" not in email.body
