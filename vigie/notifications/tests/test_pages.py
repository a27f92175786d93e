"""The notification pages: the inbox kept up to date, the settings, the mobile number."""

from __future__ import annotations

from datetime import time

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from vigie.alerts.models import Category
from vigie.notifications.forms import field_name
from vigie.notifications.models import (
    ChannelPreference,
    InboxItem,
    NotificationSettings,
    PhoneNumber,
)
from vigie.notifications.preferences import CHOOSABLE, DEFAULT_WHEN
from vigie.notifications.sms.providers import FileSmsProvider
from vigie.test import Personas, log_in_as, neighbourhood_a, run_tasks

pytestmark = pytest.mark.django_db


def defaults() -> dict[str, str]:
    return {
        field_name(category, channel): DEFAULT_WHEN[channel]
        for category in Category.values
        for channel in CHOOSABLE
    }


def test_it_shows_an_alert_in_the_inbox_and_refreshes_only_the_list(personas: Personas) -> None:
    dave = log_in_as(Client(), personas.dave)
    dave.post(
        f"/api/v1/communities/{neighbourhood_a().pk}/alerts",
        {
            "category": "fire",
            "urgency": "urgent",
            "happened_at": timezone.now().isoformat(),
            "place": "Square des Lilas",
            "description": "Feu de poubelles, les pompiers sont là.",
        },
        content_type="application/json",
    )
    run_tasks()
    alice = log_in_as(Client(), personas.alice)

    page = alice.get("/boite/").content.decode()
    refreshed = alice.get("/boite/", HTTP_HX_REQUEST="true").content.decode()
    badge = alice.get("/boite/non-lues/").content.decode()
    marked = alice.post("/boite/tout-lu/")
    badge_after = alice.get("/boite/non-lues/").content.decode()

    assert "Square des Lilas" in page
    assert 'hx-trigger="every 20s"' in page
    assert "Square des Lilas" in refreshed
    assert "<html" not in refreshed
    assert ">1<" in badge
    assert marked.status_code == 302
    assert badge_after.strip() == ""
    assert not InboxItem.objects.filter(recipient=personas.alice, read_at__isnull=True).exists()


def test_it_saves_the_settings_from_the_page(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)
    chosen = {
        **defaults(),
        field_name("weather", "push"): "never",
        "quiet_from": "22:00",
        "quiet_until": "07:00",
        "digest": "on",
    }

    answer = alice.post("/compte/notifications/", chosen)

    assert answer.status_code == 302
    assert list(ChannelPreference.objects.values_list("category", "channel", "when")) == [
        ("weather", "push", "never")
    ]
    own = NotificationSettings.objects.get(user=personas.alice)
    assert (own.quiet_from, own.quiet_until, own.digest) == (time(22), time(7), True)


def test_it_refuses_half_quiet_hours_on_the_page_and_changes_nothing(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)

    answer = alice.post(
        "/compte/notifications/", {**defaults(), "quiet_from": "22:00"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert answer.status_code == 422
    assert "Give both ends of the quiet hours, or neither." in answer.content.decode()
    assert not NotificationSettings.objects.exists()


def test_it_proves_a_mobile_number_from_the_page(personas: Personas, settings: Settings) -> None:
    alice = log_in_as(Client(), personas.alice)

    asked = alice.post("/compte/telephone/", {"number": "07 81 23 45 78"})
    run_tasks()
    [text] = FileSmsProvider(settings.DATA_DIR / "sms" / "outbox").messages()
    code = next(word.rstrip(".") for word in text["text"].split() if word.rstrip(".").isdigit())
    confirmed = alice.post("/compte/telephone/code/", {"code": code})
    page = alice.get("/compte/notifications/").content.decode()

    assert asked.status_code == confirmed.status_code == 302
    assert PhoneNumber.objects.get(user=personas.alice).verified_at is not None
    assert "•• •• •• •• 78" in page
    assert "81 23 45" not in page


def test_it_says_on_the_page_what_is_wrong_with_a_number(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)

    answer = alice.post(
        "/compte/telephone/", {"number": "01 23 45 67 89"}, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )

    assert "Enter a French mobile number, like 06 12 34 56 78." in answer.content.decode()
    assert not PhoneNumber.objects.exists()
