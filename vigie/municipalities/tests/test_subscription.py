"""The subscription: plans by size, cancellation, the reminder before the end, SMS costs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from vigie.municipalities.actions import do_extend_subscription, do_send_renewal_reminders
from vigie.municipalities.models import Subscription, TownHall
from vigie.municipalities.plans import plans_for, vat_cents
from vigie.notifications.models import OutgoingEmail, SmsUsage
from vigie.test import Personas, log_in_as, run_tasks, town_hall

pytestmark = pytest.mark.django_db


def commune() -> TownHall:
    found = town_hall()
    assert isinstance(found, TownHall)
    return found


def test_it_offers_the_plans_of_the_communes_size_with_vat_in_integer_cents() -> None:
    assert [plan.code for plan in plans_for(4_200)] == ["bourg", "ville", "agglo"]
    assert plans_for(800)[0].code == "village"
    assert vat_cents(79_000) == 15_800
    assert vat_cents(2_900) == 580
    assert vat_cents(1) == 0  # half up, to the cent
    assert vat_cents(3) == 1


def test_it_refuses_an_order_for_a_plan_too_small_for_the_commune(personas: Personas) -> None:
    helene = log_in_as(Client(), personas.townhall, second_factor=True)

    answer = helene.post(
        f"/api/v1/municipalities/{commune().pk}/orders",
        {"plan": "village", "period": "yearly"},
        content_type="application/json",
    )

    assert answer.status_code == 422


def test_it_extends_from_the_end_of_the_period_paid(personas: Personas) -> None:
    now = timezone.now()
    first, _start = do_extend_subscription(
        commune(), plan_code="bourg", period="monthly", paid_at=now
    )
    paid_until = first.paid_until

    second, start = do_extend_subscription(
        commune(), plan_code="bourg", period="yearly", paid_at=now + timedelta(days=3)
    )

    assert start == paid_until  # paid early: nothing is lost
    assert second.paid_until.year == paid_until.year + 1


def test_it_runs_a_cancelled_subscription_to_its_end_and_never_renews(personas: Personas) -> None:
    do_extend_subscription(commune(), plan_code="bourg", period="monthly", paid_at=timezone.now())
    helene = log_in_as(Client(), personas.townhall, second_factor=True)

    cancelled = helene.post(
        f"/api/v1/municipalities/{commune().pk}/subscription/cancel",
        {},
        content_type="application/json",
    ).json()
    subscription = Subscription.objects.get()
    with time_machine.travel(subscription.paid_until + timedelta(minutes=1)):
        ended = Subscription.objects.get().is_active()

    assert (cancelled["active"], cancelled["cancelled"]) == (True, True)
    assert ended is False


def test_it_cancels_from_the_page_only_once_the_box_is_ticked(personas: Personas) -> None:
    do_extend_subscription(commune(), plan_code="bourg", period="monthly", paid_at=timezone.now())
    helene = log_in_as(Client(), personas.townhall, second_factor=True)
    url = f"/mairie/{commune().pk}/abonnement/resilier/"

    unticked = helene.post(url, {}, follow=True)
    still_running = Subscription.objects.get().cancelled_at
    ticked = helene.post(url, {"confirm": "on"}, follow=True)

    assert "Cochez la case pour confirmer la résiliation." in unticked.text
    assert still_running is None
    assert "Abonnement résilié" in ticked.text
    assert Subscription.objects.get().cancelled_at is not None


def test_it_reminds_the_town_hall_thirty_days_before_the_end_once(personas: Personas) -> None:
    subscription, _start = do_extend_subscription(
        commune(), plan_code="bourg", period="yearly", paid_at=timezone.now()
    )

    early = do_send_renewal_reminders(now=subscription.paid_until - timedelta(days=40))
    due = do_send_renewal_reminders(now=subscription.paid_until - timedelta(days=29))
    again = do_send_renewal_reminders(now=subscription.paid_until - timedelta(days=28))
    run_tasks()

    assert (early, due, again) == (0, 1, 0)
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["helene@example.org", "mairie@bourg-les-vigies.example"]
    assert "ne se renouvelle pas" in mail.outbox[0].body or "does not renew" in mail.outbox[0].body
    # The agent's copy is hers, so that erasing her account erases it too.
    owners = dict(OutgoingEmail.objects.values_list("to_address", "user_id"))
    assert owners == {
        "helene@example.org": personas.townhall.pk,
        "mairie@bourg-les-vigies.example": None,
    }


def test_it_sends_no_reminder_for_a_cancelled_subscription(personas: Personas) -> None:
    subscription, _start = do_extend_subscription(
        commune(), plan_code="bourg", period="yearly", paid_at=timezone.now()
    )
    Subscription.objects.filter(pk=subscription.pk).update(cancelled_at=timezone.now())

    assert do_send_renewal_reminders(now=subscription.paid_until - timedelta(days=10)) == 0


def test_it_shows_sms_segments_by_month_against_the_plans_credits(personas: Personas) -> None:
    do_extend_subscription(commune(), plan_code="bourg", period="yearly", paid_at=timezone.now())
    SmsUsage.objects.create(insee_code="99101", day=date(2026, 11, 3), messages=900, segments=1_000)
    SmsUsage.objects.create(insee_code="99101", day=date(2026, 11, 20), messages=500, segments=700)
    SmsUsage.objects.create(insee_code="99102", day=date(2026, 11, 20), messages=5, segments=5)
    helene = log_in_as(Client(), personas.townhall, second_factor=True)

    overview = helene.get(f"/api/v1/municipalities/{commune().pk}").json()
    page = helene.get(f"/mairie/{commune().pk}/abonnement/").content.decode()

    november = next(month for month in overview["sms"] if month["month"] == "2026-11-01")
    assert (november["segments"], november["credits"]) == (1_700, 1_500)
    assert "1700" in page.replace("\u202f", "").replace(" ", "") or "1 700" in page


def test_it_keeps_the_day_of_the_month_through_short_months(personas: Personas) -> None:
    from datetime import UTC, datetime

    start = datetime(2027, 1, 31, 10, 0, tzinfo=UTC)
    first, _start = do_extend_subscription(
        commune(), plan_code="bourg", period="monthly", paid_at=start
    )
    february = first.paid_until
    second, _start = do_extend_subscription(
        commune(), plan_code="bourg", period="monthly", paid_at=february - timedelta(days=2)
    )

    assert (february.month, february.day) == (2, 28)
    assert (second.paid_until.month, second.paid_until.day) == (3, 31)


def test_it_switches_to_a_plan_paid_early_only_when_its_period_starts(personas: Personas) -> None:
    now = timezone.now()
    first, _start = do_extend_subscription(
        commune(), plan_code="ville", period="yearly", paid_at=now
    )
    ends = first.paid_until

    second, start = do_extend_subscription(
        commune(), plan_code="bourg", period="monthly", paid_at=now + timedelta(days=1)
    )

    assert start == ends
    assert second.plan_at(now + timedelta(days=2)) == "ville"
    assert second.plan_at(ends + timedelta(days=1)) == "bourg"


def test_it_reminds_a_monthly_subscription_a_week_before_its_end(personas: Personas) -> None:
    subscription, _start = do_extend_subscription(
        commune(), plan_code="bourg", period="monthly", paid_at=timezone.now()
    )

    too_early = do_send_renewal_reminders(now=subscription.paid_until - timedelta(days=20))
    due = do_send_renewal_reminders(now=subscription.paid_until - timedelta(days=6))

    assert (too_early, due) == (0, 1)


def test_it_shows_a_plan_paid_early_and_refuses_a_third_plan_meanwhile(
    personas: Personas,
) -> None:
    now = timezone.now()
    first, _start = do_extend_subscription(
        commune(), plan_code="ville", period="yearly", paid_at=now
    )
    do_extend_subscription(commune(), plan_code="bourg", period="yearly", paid_at=now)
    helene = log_in_as(Client(), personas.townhall, second_factor=True)

    shown = helene.get(f"/api/v1/municipalities/{commune().pk}/subscription").json()
    page = helene.get(f"/mairie/{commune().pk}/abonnement/").content.decode()
    third = helene.post(
        f"/api/v1/municipalities/{commune().pk}/orders",
        {"plan": "agglo", "period": "yearly"},
        content_type="application/json",
    )
    same = helene.post(
        f"/api/v1/municipalities/{commune().pk}/orders",
        {"plan": "bourg", "period": "yearly"},
        content_type="application/json",
    )

    assert (shown["plan"], shown["next_plan"]) == ("ville", "bourg")
    assert shown["plan_changes_at"].startswith(first.paid_until.date().isoformat())
    assert "Formule Ville (jusqu\u2019à 50 000 habitants), souscription annuelle." in page
    assert "La formule Bourg (jusqu\u2019à 10 000 habitants), payée pour la période" in page
    assert third.status_code == 422
    assert third.json()["errors"][0]["message"].startswith("La formule « Bourg")
    assert same.status_code == 201
