"""Kill the worker in the middle of an alert's fan-out, twice; every member is reached once.

Seeds a neighbourhood with members who each have e-mail, a verified mobile and
a push subscription (to the local push stand-in), sends an urgent alert, runs
`manage.py run_worker`, kills it with SIGKILL while the deliveries are being
created, then again while they are being sent, restarts it, and checks:

- exactly one delivery per member and channel, all sent;
- exactly one message per member and channel at the receiving end (SMS files,
  e-mails by Message-ID, pushes by tag, inbox notices).

    .venv/bin/python .ci/fanout_kill_check.py [--members 600] [--database-url URL]
"""

from __future__ import annotations

import argparse
import email
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def environment(data: Path, database_url: str | None) -> dict[str, str]:
    kept = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VIGIE_", "DATABASE_URL", "REDIS_URL", "PYTEST", "DJANGO_"))
    }
    kept.update(
        VIGIE_ENV="development",
        VIGIE_DATA_DIR=str(data),
        DJANGO_SETTINGS_MODULE="vigie.settings",
        VIGIE_DELIVERY_BATCH_SIZE="25",
        VIGIE_FAN_OUT_BATCH_SIZE="25",
        VIGIE_DELIVERY_STALL_SECONDS="4",
        VIGIE_WORKER_HEARTBEAT_SECONDS="1",
        VIGIE_EMAIL_BACKEND="file",
        VIGIE_SMS_PROVIDER="file",
    )
    if database_url:
        kept["DATABASE_URL"] = database_url
    return kept


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    sys.exit(f"Timed out waiting for {what}")


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [PYTHON, "manage.py", "run_worker", "--interval", "0.1"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=output,
            start_new_session=True,
        )


def kill(worker: subprocess.Popen[bytes]) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=600)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="vigie-fanout-kill-"))
    env = environment(data, arguments.database_url)
    if arguments.database_url:
        from urllib.parse import urlsplit, urlunsplit

        import psycopg

        parts = urlsplit(arguments.database_url)
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
            name = parts.path.lstrip("/")
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.utils import timezone

    from vigie.alerts.models import Alert
    from vigie.communities.models import Membership, MembershipState
    from vigie.lib.crypto import fingerprint
    from vigie.notifications.models import (
        ChannelPreference,
        Delivery,
        DeliveryState,
        InboxItem,
        PhoneNumber,
        PushSubscription,
    )
    from vigie.notifications.push_standin import PushStandIn
    from vigie.notifications.sms.providers import FileSmsProvider
    from vigie.notifications.vapid import vapid_keys
    from vigie.test import (
        give_home,
        home,
        load_address_reference,
        make_personas,
        make_user,
        urgent_burglary_alert,
    )

    push = PushStandIn(application_server_key=vapid_keys().public_key).start()
    load_address_reference()
    personas = make_personas()
    for number in range(arguments.members):
        user = make_user(f"membre{number}@kill.vigie.test", f"Membre{number}", "Voisin")
        give_home(
            user,
            home("Rue des Lilas", 200 + number, ban_street=1),
            verified=True,
            by=personas.carol,
        )
    for membership in Membership.objects.filter(state=MembershipState.ACTIVE).select_related(
        "user"
    ):
        user = membership.user
        if PhoneNumber.objects.filter(user=user).exists():
            continue
        number = f"+3361{user.pk:07d}"
        PhoneNumber.objects.create(
            user=user,
            number=number,
            fingerprint=fingerprint("phone", number),
            verified_at=timezone.now(),
        )
        target, _ = push.new_subscription()
        PushSubscription.objects.create(
            user=user, endpoint=target.endpoint, p256dh=target.p256dh, auth=target.auth
        )
        # Urgent alerts go by SMS and push; these members want the e-mail too.
        ChannelPreference.objects.create(
            user=user, category="burglary", channel="email", when="always"
        )
    alert = urgent_burglary_alert(personas.dave)
    recipients = (
        Membership.objects.filter(community=alert.community, state=MembershipState.ACTIVE)
        .exclude(user=personas.dave)
        .count()
    )
    expected = recipients * 4  # in the app, push, SMS, e-mail
    print(f"{recipients} members to reach by 4 channels: {expected} deliveries")

    log = data / "worker.log"
    worker = start_worker(env, log)

    def creating() -> bool:
        return (
            Delivery.objects.filter(subject_id=alert.pk).exists()
            and not Alert.objects.filter(pk=alert.pk, fanned_out_at__isnull=False).exists()
        )

    wait_for(
        lambda: creating() or Delivery.objects.filter(subject_id=alert.pk).count() == expected,
        timeout=120,
        what="the fan-out to start",
    )
    created_at_kill = Delivery.objects.filter(subject_id=alert.pk).count()
    kill(worker)
    print(f"killed while creating: {created_at_kill} of {expected} deliveries existed")

    worker = start_worker(env, log)
    wait_for(
        lambda: (
            Delivery.objects.filter(subject_id=alert.pk, state=DeliveryState.SENT).count()
            >= expected // 3
        ),
        timeout=180,
        what="sending to start",
    )
    sent_at_kill = Delivery.objects.filter(subject_id=alert.pk, state=DeliveryState.SENT).count()
    kill(worker)
    print(f"killed while sending: {sent_at_kill} of {expected} sent")

    worker = start_worker(env, log)
    try:
        wait_for(
            lambda: (
                Delivery.objects.filter(subject_id=alert.pk, state=DeliveryState.SENT).count()
                == expected
            ),
            timeout=300,
            what="every delivery to be sent",
        )
    finally:
        kill(worker)
        push.stop()

    failures = []
    rows = Counter(
        Delivery.objects.filter(subject_id=alert.pk).values_list("recipient_id", "channel")
    )
    if len(rows) != expected or set(rows.values()) != {1}:
        failures.append(f"deliveries per member and channel: {Counter(rows.values())}")
    texts = FileSmsProvider(data / "sms" / "outbox").messages()
    if len({m["to"] for m in texts}) != recipients or len(texts) != recipients:
        failures.append(f"SMS: {len(texts)} files for {recipients} members")
    pushes = Counter((p.subscription_id, str(p.payload.get("tag"))) for p in push.received)
    if len(pushes) != recipients:
        failures.append(f"pushes: {len(pushes)} distinct for {recipients} members")
    message_ids: Counter[str] = Counter()
    for path in (data / "mail").glob("*.log"):
        for part in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if part.strip():
                message_ids[str(email.message_from_bytes(part.strip())["Message-ID"])] += 1
    if len(message_ids) != recipients:
        failures.append(f"e-mails: {len(message_ids)} distinct for {recipients} members")
    notices = InboxItem.objects.filter(subject_type="alert", subject_id=alert.pk).count()
    if notices != recipients:
        failures.append(f"inbox notices: {notices} for {recipients} members")
    repeats = sum(count - 1 for count in pushes.values()) + sum(
        count - 1 for count in message_ids.values()
    )
    print(
        f"reached {recipients} members once per channel; repeats recognised by their "
        f"identity (push tag, Message-ID): {repeats}"
    )
    if failures:
        print("\n".join(failures))
        print(f"worker log: {log}")
        sys.exit(1)
    print("fan-out survived two kills: every member reached exactly once per channel")


if __name__ == "__main__":
    main()
