"""Creating a fan-out's deliveries: COPY on PostgreSQL, bulk_create on SQLite, same rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from vigie.accounts.models import User
from vigie.lib.bulk_tasks import enqueue_many
from vigie.lib.id_runs import expand
from vigie.notifications import bulk
from vigie.notifications.actions import do_create_deliveries
from vigie.notifications.models import (
    Channel,
    Delivery,
    DeliveryState,
    NotificationSettings,
    PushSubscription,
)
from vigie.notifications.preferences import Plan, reach
from vigie.notifications.tasks import send_deliveries
from vigie.test import Personas, give_verified_phone

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's"
)


def some_plans(personas: Personas) -> list[Plan]:
    later = timezone.now() + timedelta(hours=3)
    return [
        Plan(personas.alice.pk, Channel.IN_APP, DeliveryState.PENDING),
        Plan(personas.alice.pk, Channel.SMS, DeliveryState.PENDING),
        Plan(personas.alice.pk, Channel.PUSH, DeliveryState.HELD, later),
        Plan(personas.dave.pk, Channel.IN_APP, DeliveryState.PENDING),
        Plan(personas.dave.pk, Channel.EMAIL, DeliveryState.HELD, later, digest=True),
        Plan(personas.mallory.pk, Channel.IN_APP, DeliveryState.PENDING),
    ]


def rows(subject_id: int) -> set[tuple[Any, ...]]:
    return set(
        Delivery.objects.filter(subject_type="alert", subject_id=subject_id).values_list(
            "recipient_id", "channel", "state", "send_after", "digest", "attempts", "last_error"
        )
    )


def pending_ids(subject_id: int) -> list[int]:
    return list(
        Delivery.objects.filter(
            subject_type="alert", subject_id=subject_id, state=DeliveryState.PENDING
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def test_it_creates_nothing_when_the_same_deliveries_are_made_again(personas: Personas) -> None:
    plans = some_plans(personas)

    first = do_create_deliveries("alert", 7001, plans)
    made = rows(7001)
    again = do_create_deliveries("alert", 7001, plans)

    assert len(made) == Delivery.objects.filter(subject_id=7001).count() == 6
    assert rows(7001) == made
    # The pending ones are queued again (the sending claims first); the held ones are not.
    assert sorted(first) == sorted(again) == pending_ids(7001)
    assert len(first) == 4


def test_it_makes_only_what_a_killed_fan_out_left_missing(personas: Personas) -> None:
    plans = some_plans(personas)
    do_create_deliveries("alert", 7002, plans[:2])  # the worker died after these
    before = set(Delivery.objects.filter(subject_id=7002).values_list("pk", flat=True))

    ready = do_create_deliveries("alert", 7002, plans)

    assert Delivery.objects.filter(subject_id=7002).count() == 6
    assert before <= set(ready)  # those already there, still pending, go too
    assert sorted(ready) == pending_ids(7002)


@on_postgresql
def test_it_makes_by_copy_the_rows_bulk_create_makes(personas: Personas) -> None:
    plans = some_plans(personas)

    copied = bulk._copy_missing("alert", 7003, plans)
    created = bulk._bulk_create_missing("alert", 7004, plans)

    assert rows(7003) == rows(7004)
    assert sorted(copied) == pending_ids(7003)
    assert sorted(created) == pending_ids(7004)
    assert Delivery.objects.get(pk=copied[0]).created_at <= timezone.now()


@on_postgresql
def test_it_copies_texts_and_moments_as_they_are(personas: Personas) -> None:
    # Texts that COPY's format would read as the next column or row, and a moment
    # given in Paris time: each comes back as it went.
    awkward = "a\tb\\c\nd\re\\N"
    in_paris = timezone.localtime(timezone.now(), ZoneInfo("Europe/Paris")) + timedelta(hours=2)
    plans = [
        Plan(personas.alice.pk, Channel.IN_APP, DeliveryState.PENDING),
        Plan(personas.dave.pk, Channel.PUSH, DeliveryState.HELD, in_paris),
    ]

    copied = bulk._copy_missing(awkward, 7006, plans)

    made = Delivery.objects.filter(subject_type=awkward, subject_id=7006).order_by("pk")
    assert [(row.recipient_id, row.send_after, row.last_error) for row in made] == [
        (personas.alice.pk, None, ""),
        (personas.dave.pk, in_paris, ""),
    ]
    assert copied == [made[0].pk]


@on_postgresql
def test_it_copies_both_half_past_twos_of_the_night_the_clocks_go_back(
    personas: Personas,
) -> None:
    paris = ZoneInfo("Europe/Paris")
    summer_time = datetime(2026, 10, 25, 2, 30, tzinfo=paris)
    winter_time = summer_time.replace(fold=1)  # an hour later, the same on the clock
    plans = [
        Plan(personas.alice.pk, Channel.PUSH, DeliveryState.HELD, summer_time),
        Plan(personas.dave.pk, Channel.PUSH, DeliveryState.HELD, winter_time),
    ]

    bulk._copy_missing("alert", 7008, plans)

    held = dict(Delivery.objects.filter(subject_id=7008).values_list("recipient_id", "send_after"))
    first, second = held[personas.alice.pk], held[personas.dave.pk]
    assert first is not None
    assert second is not None
    assert second - first == timedelta(hours=1)


def test_it_refuses_to_copy_a_moment_without_its_time_zone(personas: Personas) -> None:
    naive = datetime(2026, 12, 4, 8, 0)  # noqa: DTZ001 - the mistake refused
    plan = Plan(personas.alice.pk, Channel.PUSH, DeliveryState.HELD, naive)

    with pytest.raises(ValueError, match="naive"):
        bulk.copy_text("alert", 7007, [(1, plan)])


@on_postgresql
def test_it_starts_a_batch_again_when_another_run_made_its_rows_meanwhile(
    personas: Personas,
) -> None:
    plans = some_plans(personas)
    do_create_deliveries("alert", 7005, plans[:3])  # made by the other run
    real = bulk.existing_deliveries
    seen: list[int] = []

    def blind_the_first_time(*args: Any) -> Any:
        seen.append(1)
        return {} if len(seen) == 1 else real(*args)

    with mock.patch.object(bulk, "existing_deliveries", side_effect=blind_the_first_time):
        ready = do_create_deliveries("alert", 7005, plans)

    assert len(seen) == 2  # the COPY met the unique key, the batch was made again
    assert Delivery.objects.filter(subject_id=7005).count() == 6
    assert sorted(ready) == pending_ids(7005)


def test_it_reads_what_plans_need_in_two_queries_whatever_the_number(
    personas: Personas,
) -> None:
    give_verified_phone(personas.alice)
    PushSubscription.objects.create(
        user=personas.alice, endpoint="http://127.0.0.1:9/push/x", p256dh="k", auth="a"
    )
    NotificationSettings.objects.create(user=personas.dave, digest=True)
    people = [personas.alice.pk, personas.dave.pk, personas.mallory.pk, personas.bob.pk]

    with CaptureQueriesContext(connection) as queries:
        found = reach(User.objects.filter(pk__in=people).values("pk"), category="scam")
    plans = found.plans(found.people, urgent=False, now=timezone.now())

    reads = [query["sql"] for query in queries if query["sql"].startswith("SELECT")]
    assert len(reads) == 2
    others = [query["sql"] for query in queries if not query["sql"].startswith("SELECT")]
    if connection.vendor == "postgresql":
        assert "SET LOCAL jit = off" in others  # scoped to the reads' own transaction
    else:
        assert others == []  # no transaction, so no IMMEDIATE write lock for two reads
    assert [person.user_id for person in found.people] == sorted(people)
    planned = {(plan.recipient_id, plan.channel): plan.state for plan in plans}
    assert planned[(personas.alice.pk, Channel.PUSH)] == DeliveryState.PENDING
    assert (personas.alice.pk, Channel.SMS) not in planned  # not urgent
    assert planned[(personas.dave.pk, Channel.EMAIL)] == DeliveryState.HELD  # the digest
    assert (personas.mallory.pk, Channel.PUSH) not in planned  # no device


def test_it_enqueues_in_one_insert_what_enqueue_writes_one_by_one(personas: Personas) -> None:
    fields = ("status", "args_kwargs", "priority", "task_path", "queue_name", "backend_name")
    send_deliveries.enqueue([1, 2])
    send_deliveries.enqueue([3])
    one_by_one = list(DBTaskResult.objects.order_by("enqueued_at").values(*fields, "run_after"))
    DBTaskResult.objects.all().delete()

    with CaptureQueriesContext(connection) as queries:
        enqueue_many(send_deliveries, [([1, 2],), ([3],)])

    in_bulk = list(DBTaskResult.objects.order_by("args_kwargs").values(*fields, "run_after"))
    assert len([query for query in queries if query["sql"].startswith("INSERT")]) == 1
    assert sorted(in_bulk, key=str) == sorted(one_by_one, key=str)


def test_it_queues_the_sending_as_runs_of_the_ids_it_created(
    personas: Personas, settings: Any
) -> None:
    settings.DELIVERY_BATCH_SIZE = 3
    ready = do_create_deliveries("alert", 7006, some_plans(personas))

    queued = sorted(
        (
            arguments["args"][0]
            for arguments in DBTaskResult.objects.filter(
                task_path=send_deliveries.module_path
            ).values_list("args_kwargs", flat=True)
        ),
        key=lambda batch: expand(batch)[0],
    )
    # Six rows in the plans' order, from the sequence; the held third and fifth not sent.
    first = ready[0]
    assert ready == [first, first + 1, first + 3, first + 5]
    assert queued == [[[first, first + 1], first + 3], [first + 5]]
