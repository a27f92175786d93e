from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from vigie.accounts.models import User
from vigie.alerts.models import Alert
from vigie.notifications.models import InboxItem
from vigie.notifications.sms.providers import FileSmsProvider
from vigie.test import log_in_as, run_tasks

pytestmark = pytest.mark.django_db


def test_it_gives_the_demo_a_sent_alert_a_closed_one_and_one_for_carol_to_check(
    settings: Settings,
) -> None:
    call_command("load_demo")
    call_command("load_demo")
    run_tasks()

    alice = User.objects.get(email="alice@demo.vigie.test")
    dave = User.objects.get(email="dave@demo.vigie.test")
    carol = log_in_as(Client(), User.objects.get(email="carol@demo.vigie.test"), second_factor=True)
    queue = carol.get("/api/v1/moderation/queue").json()["alerts"]
    [texted] = FileSmsProvider(settings.DATA_DIR / "sms" / "outbox").messages()

    assert sorted(Alert.objects.exclude(source="official").values_list("state", "fast_path")) == [
        ("approved", True),
        ("pending", False),
        ("resolved", True),
    ]
    # Alice's waits for a decision; Dave's two fast-path alerts, sent, are still to review.
    assert [(alert["author_id"], alert["state"]) for alert in queue] == [
        (alice.pk, "pending"),
        (dave.pk, "approved"),
        (dave.pk, "resolved"),
    ]
    assert InboxItem.objects.filter(recipient=alice, subject_type="alert", urgent=True).exists()
    assert texted["to"] == "+33639980012"
