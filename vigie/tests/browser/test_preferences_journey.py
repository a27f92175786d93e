"""Alice chooses how each kind of alert reaches her, and a night without pings, then saves."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from vigie.notifications.models import ChannelPreference, NotificationSettings
from vigie.test import Personas
from vigie.tests.browser.browser import check_accessibility, log_in, screenshot
from vigie.tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser


def test_it_saves_a_residents_channels_and_quiet_hours(
    open_page: OpenPage, personas: Personas
) -> None:
    page = open_page()
    log_in(page, personas.alice)
    page.goto("/compte/notifications/")
    expect(page.get_by_role("heading", name="Comment et quand être prévenu")).to_be_visible()
    check_accessibility(page)
    # One choice per kind of alert and channel: here every SMS, urgent or not, is turned off.
    sms = page.locator("select[name$='__sms']")
    for index in range(sms.count()):
        sms.nth(index).select_option("never")
    page.get_by_label("À partir de").fill("22:30")
    page.get_by_label("jusqu’à").fill("07:00")
    screenshot(page, "notification-preferences")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("status")).to_contain_text("Vos préférences de notification")
    check_accessibility(page)
    chosen = ChannelPreference.objects.filter(user=personas.alice, channel="sms")
    assert chosen.exists()
    assert set(chosen.values_list("when", flat=True)) == {"never"}
    quiet = NotificationSettings.objects.get(user=personas.alice)
    assert (quiet.quiet_from, quiet.quiet_until) == (datetime.time(22, 30), datetime.time(7, 0))
