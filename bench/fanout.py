"""Benchmark: an urgent alert to 10,000 members by 3 channels each, on PostgreSQL.

Prints, in one run:
- seconds from the approval to every delivery created (the fan-out task);
- the same rows inserted raw (COPY into a copy of the table), and the ratio;
  both the medians of three rounds, each a fan-out then its COPY;
- deliveries per second through the stand-in providers (Web Push to the local
  push service, SMS to files, the inbox) with one worker (`run_worker --batch`, or
  ``--workers`` of them at once, on the messages queue), and that each member got
  each message once (pushes received, SMS files written, inbox notices),
  from the first claim to the last delivery recorded (the process's start-up is
  printed beside it: it is paid once per worker, not per delivery).

and writes them through ``bench/results.py``. Targets, for 10,000 members (held
pro rata for fewer): every row created within 1 s, at least half the raw insert
rate, at least 5,000 deliveries sent per second.

    .venv/bin/python bench/fanout.py [--members 10000]   # 200 with BENCH_QUICK=1
    .venv/bin/python bench/fanout.py --skip-sending       # the creation half only
    .venv/bin/python bench/fanout.py --push-latency-ms 30 [--sending-threads 8]
        # the push service 30 ms away, as a real one is: the sending then waits on it
    .venv/bin/python bench/fanout.py --workers 2
        # two workers of the messages queue at once, each claiming its own deliveries

PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
vigie_bench_fanout, dropped and re-created).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's vigie and bench, before any installed one
PYTHON = sys.executable
BENCHMARK = "fanout"
# Fan-outs (each followed by its raw COPY) whose medians are the figures.
ROUNDS = 3

from bench.results import (  # noqa: E402
    Figure,
    machine_info,
    postgresql_version,
    quick,
    results_dir,
    write_results,
)


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
        name = parts.path.lstrip("/")
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')


def forget_deliveries() -> None:
    """Every delivery and every queued sending, gone: the next fan-out creates them all."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from vigie.notifications.models import Delivery
    from vigie.notifications.tasks import send_deliveries

    DBTaskResult.objects.filter(task_path=send_deliveries.module_path).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Delivery._meta.db_table}")


def raw_copy_seconds(rows: list[tuple[str, int, int, str, str]]) -> float:
    """The ceiling: the same rows COPYed into a table like the deliveries', committed.

    Like the real one: logged (a temporary table writes no WAL), the same
    indexes, unique key and foreign keys (LIKE copies none, so any the table has
    is added from the catalogue: since 2026-12-04 it has none), and timed up to
    the commit, which the fan-out pays too (deferred foreign key checks run then).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_delivery")
        cursor.execute(
            "CREATE TABLE bench_raw_delivery (LIKE notifications_delivery INCLUDING ALL)"
        )
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'notifications_delivery'::regclass AND contype = 'f'"
        )
        for (definition,) in cursor.fetchall():
            cursor.execute(f"ALTER TABLE bench_raw_delivery ADD {definition}")
    from vigie.notifications.bulk import copy_text
    from vigie.notifications.preferences import Plan

    # In COPY's text format in one piece, as the fan-out writes it: psycopg's write_row,
    # value by value, would make this ceiling slower than the fan-out it measures.
    by_subject: dict[tuple[str, int], list[tuple[int, Plan]]] = {}
    for pk, (subject_type, subject_id, recipient_id, channel, state) in enumerate(rows, 1):
        by_subject.setdefault((subject_type, subject_id), []).append(
            (pk, Plan(recipient_id, channel, state))
        )
    raw = connection.connection
    started = time.perf_counter()
    with (
        raw.transaction(),
        raw.cursor() as cursor,
        cursor.copy(
            "COPY bench_raw_delivery (id, subject_type, subject_id, recipient_id, channel, "
            "state, send_after, digest, attempts, last_error, created_at) FROM STDIN"
        ) as copy,
    ):
        for (subject_type, subject_id), planned in by_subject.items():
            copy.write(copy_text(subject_type, subject_id, planned))
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_delivery")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=200 if quick() else 10_000)
    parser.add_argument(
        "--skip-sending",
        action="store_true",
        help="measure the creation only (the sending half takes minutes at full size)",
    )
    parser.add_argument(
        "--push-latency-ms",
        type=float,
        default=0.0,
        help="each push service answer waits this long, as across the network (default 0)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="how many workers send at once (default 1, the target's)",
    )
    parser.add_argument(
        "--sending-threads",
        type=int,
        help="the worker's VIGIE_SENDING_THREADS (default: the settings' default)",
    )
    arguments = parser.parse_args()
    if arguments.members < 1:
        parser.error("--members must be at least 1")
    if arguments.workers < 1:
        parser.error("--workers must be at least 1")
    if arguments.push_latency_ms < 0:
        parser.error("--push-latency-ms must be zero or more")
    # The settings' own bounds, said here rather than by the worker failing to start.
    if arguments.sending_threads is not None and not 1 <= arguments.sending_threads <= 256:
        parser.error("--sending-threads must be between 1 and 256")
    output = results_dir()  # before VIGIE_DATA_DIR points at this run's own folder
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vigie_bench_fanout"
    )
    data = Path(tempfile.mkdtemp(prefix="vigie-bench-fanout-"))
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VIGIE_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    environment.update(
        PYTHONPATH=str(ROOT),
        VIGIE_ENV="development",
        VIGIE_DATA_DIR=str(data),
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="vigie.settings",
        VIGIE_SMS_PROVIDER="file",
        VIGIE_EMAIL_BACKEND="file",
    )
    if arguments.sending_threads is not None:
        environment["VIGIE_SENDING_THREADS"] = str(arguments.sending_threads)
    recreate_database(url)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=environment, check=True
    )
    os.environ.update(environment)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from vigie.accounts.models import User
    from vigie.addresses.models import Address, AddressSource
    from vigie.alerts.tasks import fan_out_alert
    from vigie.communities.models import Membership
    from vigie.lib.crypto import fingerprint
    from vigie.lib.heap import settle_worker
    from vigie.notifications.models import (
        Channel,
        Delivery,
        DeliveryState,
        InboxItem,
        PhoneNumber,
        PushSubscription,
    )
    from vigie.notifications.push_standin import PushStandIn
    from vigie.notifications.vapid import vapid_keys
    from vigie.test import (
        load_address_reference,
        make_personas,
        neighbourhood_a,
        password_hash,
        urgent_burglary_alert,
    )

    push = PushStandIn(
        application_server_key=vapid_keys().public_key, latency=arguments.push_latency_ms / 1000
    ).start()
    load_address_reference()
    personas = make_personas()
    a = neighbourhood_a()
    started = time.monotonic()
    now = timezone.now()
    users = User.objects.bulk_create(
        User(
            email=f"membre{number}@bench.vigie.test",
            first_name=f"Membre{number}",
            last_name="Banc",
            display_name=f"Membre{number} B.",
            password=password_hash(),
            email_confirmed_at=now,
        )
        for number in range(arguments.members)
    )
    addresses = Address.objects.bulk_create(
        Address(
            user=user,
            number=str(number),
            street="Rue des Lilas",
            postcode="99100",
            commune="Bourg-lès-Vigies",
            insee_code="99101",
            fingerprint=fingerprint("address", f"lilas-{number}"),
            building_fingerprint=fingerprint("building", f"lilas-{number}"),
            source=AddressSource.REFERENCE,
            verified_at=now,
        )
        for number, user in enumerate(users)
    )
    Membership.objects.bulk_create(
        Membership(user=user, community=a, address=address)
        for user, address in zip(users, addresses, strict=True)
    )
    phones = []
    subscriptions = []
    for user in users:
        number = f"+3361{user.pk:07d}"
        phones.append(
            PhoneNumber(
                user=user,
                number=number,
                fingerprint=fingerprint("phone", number),
                verified_at=now,
            )
        )
        target, _ = push.new_subscription()
        subscriptions.append(
            PushSubscription(
                user=user, endpoint=target.endpoint, p256dh=target.p256dh, auth=target.auth
            )
        )
    PhoneNumber.objects.bulk_create(phones)
    PushSubscription.objects.bulk_create(subscriptions)
    print(f"Seeded {arguments.members} members in {time.monotonic() - started:.0f} s")
    # The fan-out runs here as in a task worker, which froze what it loaded before its first
    # task (vigie/lib/heap.py): without that, the 40,000 objects of the seeding would be
    # walked by each full collection the fan-out starts (0.13-0.17 s of a 0.45 s round).
    del users, addresses, phones, subscriptions
    settle_worker()
    # The statistics a database in service has (autovacuum analyses a table once a tenth of
    # it changed): without them PostgreSQL guesses one row a table, and plans the fan-out's
    # reading of 10,000 people as nested loops (82 ms, against 26 ms analysed).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    alert = urgent_burglary_alert(personas.dave)
    # One run of each is at the mercy of the machine's moment (the COPY alone took 0.25 to
    # 0.39 s from one run to the next): a few rounds, each a fan-out then the COPY of its
    # rows, compared round by round, and the medians kept. Between two rounds the alert's
    # deliveries and their queued sending go, so that each round creates every row.
    fan_out_runs: list[float] = []
    raw_runs: list[float] = []
    for round_number in range(1, ROUNDS + 1):
        if round_number > 1:
            forget_deliveries()
        started = time.perf_counter()
        fan_out_alert.call(alert.pk)
        fan_out_runs.append(time.perf_counter() - started)
        rows = list(
            Delivery.objects.filter(subject_id=alert.pk).values_list(
                "subject_type", "subject_id", "recipient_id", "channel", "state"
            )
        )
        raw_runs.append(raw_copy_seconds(rows))
        print(
            f"Round {round_number}: {len(rows)} deliveries created in {fan_out_runs[-1]:.2f} s; "
            f"raw COPY of the same rows {raw_runs[-1]:.2f} s "
            f"({raw_runs[-1] / fan_out_runs[-1]:.2f} of its rate)"
        )
    fan_out_seconds = statistics.median(fan_out_runs)
    raw_seconds = statistics.median(raw_runs)
    rate_ratio = statistics.median(
        raw / fan for raw, fan in zip(raw_runs, fan_out_runs, strict=True)
    )
    share = arguments.members / 10_000
    print(
        f"Medians of {ROUNDS} rounds: fan-out {fan_out_seconds:.2f} s, "
        f"raw COPY {raw_seconds:.2f} s; "
        f"the fan-out reaches {rate_ratio:.2f} of the COPY's rate "
        "(it reads preferences, phones and devices, and queues the sending)"
    )
    figures = [
        Figure("deliveries created", len(rows), "rows"),
        Figure(
            f"approval to every delivery created, median of {ROUNDS}",
            fan_out_seconds,
            "s",
            "<=",
            share,
        ),
        Figure(f"raw COPY of the same rows, median of {ROUNDS}", raw_seconds, "s"),
        Figure(
            f"fan-out insert rate ÷ raw insert rate, median of {ROUNDS} rounds",
            rate_ratio,
            "",
            ">=",
            0.5,
        ),
    ]
    if arguments.skip_sending:
        push.stop()
        write_results(
            BENCHMARK,
            figures,
            machine=machine_info(postgresql=postgresql_version(url)),
            parameters={
                "members": arguments.members,
                "channels": "inbox, push, sms",
                "sending": "skipped",
            },
            directory=output,
        )
        return

    # The approval queued the fan-out that the bench has just run itself, to time it: that
    # second run would create nothing and only queue the pending rows' sending again.
    from django.db.models import Count, Max, Min
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(task_path=fan_out_alert.module_path, status="READY").delete()
    connection.close()
    started = time.perf_counter()
    # Each worker claims its own tasks, then its own deliveries; each stops once none is left.
    workers = [
        subprocess.Popen(
            [PYTHON, "manage.py", "run_worker", "--batch", "--queue-name=messages"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _worker in range(arguments.workers)
    ]
    failed = [worker.args for worker in workers if worker.wait() != 0]
    if failed:
        raise SystemExit(f"a worker failed: {failed}")
    worker_seconds = time.perf_counter() - started
    sent_rows = Delivery.objects.filter(subject_id=alert.pk, state=DeliveryState.SENT)
    sent = sent_rows.count()
    span = sent_rows.aggregate(first=Min("claimed_at"), last=Max("sent_at"))
    # The rate is the sending's, from the first claim to the last delivery recorded: the
    # worker process's start (Django, the URLconf, system checks: seconds of CPU) is paid
    # once per process, not per delivery, and is shown beside it.
    sending_seconds = max((span["last"] - span["first"]).total_seconds(), 1e-6) if sent else 0.0
    push.stop()
    rate = sent / max(sending_seconds, 1e-6)
    # What each channel's receiving end holds, against the deliveries recorded sent: a
    # message sent twice (by two workers, say) shows here. Each member has one device.
    sent_by_channel = dict(
        sent_rows.order_by()
        .values("channel")
        .annotate(count=Count("pk"))
        .values_list("channel", "count")
    )
    reached = {
        "push": len({message.subscription_id for message in push.received})
        == len(push.received)
        == sent_by_channel.get(Channel.PUSH, 0),
        "sms": len(list((data / "sms" / "outbox").glob("*.json")))
        == sent_by_channel.get(Channel.SMS, 0),
        "inbox": InboxItem.objects.filter(subject_id=alert.pk).count()
        == sent_by_channel.get(Channel.IN_APP, 0),
    }
    print(
        f"{arguments.workers} worker(s): {sent} of {len(rows)} deliveries sent in "
        f"{sending_seconds:.1f} s "
        f"from the first claim to the last sent, {rate:.0f} "
        f"deliveries per second; the worker processes ran {worker_seconds:.1f} s, start-up "
        f"included (Web Push to the local service: {len(push.received)} pushes); each member "
        f"reached once by each channel: {', '.join(f'{k} {v}' for k, v in reached.items())}"
    )
    write_results(
        BENCHMARK,
        [
            *figures,
            Figure("deliveries sent", sent, "", "==", len(rows)),
            Figure(
                "channels by which each member got the alert exactly once",
                sum(reached.values()),
                "",
                "==",
                len(reached),
            ),
            Figure("worker processes, start to exit", worker_seconds, "s"),
            # The target is one worker's; more are the way past it (docs/scaling.md).
            Figure(
                "deliveries per second, one worker (first claim to last sent)",
                rate,
                "/s",
                ">=",
                5000,
            )
            if arguments.workers == 1
            else Figure(f"deliveries per second, {arguments.workers} workers at once", rate, "/s"),
        ],
        machine=machine_info(postgresql=postgresql_version(url)),
        parameters={
            "members": arguments.members,
            "channels": "inbox, push, sms",
            "workers": arguments.workers,
            "sending threads": settings.SENDING_THREADS,
            "push service latency, ms": arguments.push_latency_ms,
        },
        directory=output,
    )


if __name__ == "__main__":
    main()
