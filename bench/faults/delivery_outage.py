"""Fault drill: the SMTP server and the SMS provider fail for a while, then recover.

An urgent alert goes to members who each get it by e-mail and SMS, and each
member also has a password-reset e-mail queued (the e-mail sending task).
For ``--failures`` runs (3) the stand-ins refuse: the SMTP server is down
(connection refused), then answers 451 (try again later); the OVH stand-in
times out (a socket that never answers, with the client's timeout cut to
0.5 s), then answers 500, 503, 429. Each run is one back-off after the last
(time jumps with time_machine; the project's ``run_tasks()`` plays the
worker). Then both recover. Checked after each failing run: every delivery
and e-mail still waiting, its attempts counted, its last error recorded, its
next time on the back-off (30 s, 60 s, 120 s… plus up to 20 % jitter); at
the end: every one sent, its outcome recorded, and exactly one message per
delivery at the receiving end (SMTP by Message-ID and recipient, OVH by tag).

    .venv/bin/python bench/faults/delivery_outage.py [--members 30] [--failures 3]

The test ``vigie/notifications/tests/test_fault_drills.py`` runs the same
drill with a few members on the test database.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any
from unittest import mock

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from bench.faults._setup import django_on_a_new_database, verdict


class FlakySmtp:
    """An SMTP server (aiosmtpd) on a fixed port: ``up``, ``busy`` (451) or ``down`` (refused)."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.messages: list[tuple[list[str], bytes]] = []
        self.busy = False
        self.refused = 0
        self.controller: Any = None

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.busy:
            self.refused += 1
            return "451 4.3.2 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def mode(self, mode: str) -> None:
        from aiosmtpd.controller import Controller

        self.busy = mode == "busy"
        if mode == "down" and self.controller is not None:
            self.controller.stop()
            self.controller = None
        elif mode != "down" and self.controller is None:
            self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def stop(self) -> None:
        self.mode("down")


@dataclass
class Report:
    deliveries: int = 0
    emails: int = 0
    failures: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def check(self, condition: bool, failure: str) -> None:
        if not condition:
            self.failures.append(failure)


SMTP_MODES = ["down", "busy"]
SMS_MODES = ["timeout", "500", "503", "429"]


@contextlib.contextmanager
def standins() -> Iterator[tuple[FlakySmtp, Any, socket.socket]]:
    from django.test import override_settings

    from vigie.notifications.sms.ovh_standin import OvhStandIn
    from vigie.notifications.sms.providers import OvhSmsProvider

    smtp = FlakySmtp()
    ovh = OvhStandIn().start()
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1000)  # connections wait in the backlog; nothing ever answers
    state = {"endpoint": ovh.endpoint}

    def provider() -> OvhSmsProvider:
        return OvhSmsProvider(
            endpoint=state["endpoint"],
            application_key=ovh.application_key,
            application_secret=ovh.application_secret,
            consumer_key=ovh.consumer_key,
            service=ovh.service,
            sender="Vigie",
            timeout=(0.5, 0.5),
        )

    ovh.use = lambda endpoint: state.update(endpoint=endpoint)  # type: ignore[attr-defined]
    ovh.silent_endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}/1.0"  # type: ignore[attr-defined]
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=smtp.port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            SMS_PROVIDER="ovh",
        ),
        mock.patch("vigie.notifications.sms.providers.sms_provider", provider),
    ):
        try:
            yield smtp, ovh, silent
        finally:
            smtp.stop()
            ovh.stop()
            silent.close()


def drill(*, failures: int) -> Report:
    """Send the alert's deliveries and the queued e-mails through ``failures`` failing runs."""
    import time_machine
    from django.utils import timezone

    from vigie.lib.tasks import RETRY_BASE_SECONDS, RETRY_MAX_SECONDS
    from vigie.notifications.emails import stable_message_id
    from vigie.notifications.models import (
        Channel,
        Delivery,
        DeliveryState,
        DeliveryStatus,
        OutgoingEmail,
    )
    from vigie.test import run_tasks

    report = Report()
    with (
        standins() as (smtp, ovh, _silent),
        time_machine.travel(timezone.now(), tick=False) as traveller,
    ):
        for attempt in range(1, failures + 2):
            failing = attempt <= failures
            smtp_mode = SMTP_MODES[(attempt - 1) % len(SMTP_MODES)] if failing else "up"
            sms_mode = SMS_MODES[(attempt - 1) % len(SMS_MODES)] if failing else "up"
            smtp.mode(smtp_mode)
            ovh.use(ovh.silent_endpoint if sms_mode == "timeout" else ovh.endpoint)
            if sms_mode.isdigit():
                waiting = Delivery.objects.filter(channel=Channel.SMS).count() or 1000
                ovh.fail_next(waiting, status=int(sms_mode))
            started = time.monotonic()
            run_tasks()
            ovh.failures.clear()
            now = timezone.now()
            deliveries = list(Delivery.objects.filter(channel__in=[Channel.EMAIL, Channel.SMS]))
            emails = list(OutgoingEmail.objects.all())
            report.deliveries, report.emails = len(deliveries), len(emails)
            line = (
                f"run {attempt}: SMTP {smtp_mode}, SMS {sms_mode}: "
                f"{len(deliveries)} deliveries {dict(Counter(d.state for d in deliveries))}, "
                f"{len(emails)} e-mails {dict(Counter(e.status for e in emails))} "
                f"({time.monotonic() - started:.1f} s)"
            )
            if not failing:
                report.lines.append(line)
                break
            delay = min(RETRY_BASE_SECONDS * 2 ** (attempt - 1), RETRY_MAX_SECONDS)
            low, high = timedelta(seconds=delay), timedelta(seconds=delay + delay // 5)
            for d in deliveries:
                report.check(
                    d.state == DeliveryState.PENDING
                    and d.attempts == attempt
                    and bool(d.last_error),
                    f"run {attempt}: delivery {d.pk} ({d.channel}) {d.state}, "
                    f"{d.attempts} attempts, error {d.last_error!r}",
                )
                report.check(
                    d.send_after is not None and low <= d.send_after - now <= high,
                    f"run {attempt}: delivery {d.pk} next at {d.send_after}, not now+{delay}s",
                )
            for e in emails:
                report.check(
                    e.status == DeliveryStatus.QUEUED
                    and e.attempts == attempt
                    and bool(e.last_error),
                    f"run {attempt}: e-mail {e.pk} {e.status}, {e.attempts} attempts",
                )
                report.check(
                    e.next_attempt_at is not None and low <= e.next_attempt_at - now <= high,
                    f"run {attempt}: e-mail {e.pk} next at {e.next_attempt_at}, not now+{delay}s",
                )
            errors = Counter(d.last_error.split(":")[0][:40] for d in deliveries)
            report.lines.append(
                f"{line}; next in {delay}-{delay + delay // 5} s; errors {dict(errors)}"
            )
            report.check(run_tasks() == 0, f"run {attempt}: something ran before its time")
            traveller.shift(high + timedelta(seconds=1))
        # The end: every one sent once, with its outcome, and received once.
        deliveries = list(Delivery.objects.filter(channel__in=[Channel.EMAIL, Channel.SMS]))
        emails = list(OutgoingEmail.objects.all())
        for d in deliveries:
            report.check(
                d.state == DeliveryState.SENT and d.attempts == failures + 1 and bool(d.sent_at),
                f"delivery {d.pk} ({d.channel}) ends {d.state} after {d.attempts} attempts",
            )
        for e in emails:
            report.check(
                e.status == DeliveryStatus.SENT and e.attempts == failures + 1 and bool(e.sent_at),
                f"e-mail {e.pk} ends {e.status} after {e.attempts} attempts",
            )
        ids = Counter(
            str(message_from_bytes(content)["Message-ID"]) for _to, content in smtp.messages
        )
        by_delivery = {stable_message_id(d) for d in deliveries if d.channel == Channel.EMAIL}
        alert_mails = Counter(key for key in ids.elements() if key in by_delivery)
        report.check(
            set(alert_mails) == by_delivery and set(alert_mails.values()) == {1},
            f"alert e-mails received {sum(alert_mails.values())} for {len(by_delivery)} deliveries",
        )
        by_email = {stable_message_id(e) for e in emails}
        resets = Counter(key for key in ids.elements() if key in by_email)
        report.check(
            set(resets) == by_email
            and set(resets.values()) <= {1}
            and sum(ids.values()) == len(by_delivery) + len(by_email),
            f"reset e-mails received {sum(resets.values())} for {len(emails)} queued "
            f"({sum(ids.values())} messages in all)",
        )
        tags = Counter(sent.tag for sent in ovh.sent)
        sms = {f"delivery-{d.pk}"[:20] for d in deliveries if d.channel == Channel.SMS}
        report.check(
            set(tags) == sms and set(tags.values()) == {1},
            f"SMS received {len(ovh.sent)} ({len(tags)} distinct) for {len(sms)} deliveries",
        )
        report.lines.append(
            f"received: {sum(alert_mails.values())} alert e-mails for {len(by_delivery)} "
            f"deliveries, {sum(resets.values())} reset e-mails for {len(emails)}, "
            f"{len(ovh.sent)} SMS for {len(sms)}; SMTP refusals (451) {smtp.refused}"
        )
    return report


def prepare(members: int) -> None:
    """Members of A with a proven mobile who want alerts by e-mail too; an urgent alert."""
    from django.db import transaction

    from vigie.notifications.actions import queue_email
    from vigie.notifications.models import ChannelPreference, PhoneNumber
    from vigie.test import (
        give_home,
        give_verified_phone,
        home,
        make_personas,
        make_user,
        urgent_burglary_alert,
    )

    personas = make_personas()
    users = [personas.alice]
    for number in range(members - 1):
        user = make_user(f"membre{number}@outage.vigie.test", f"Membre{number}", "Voisin")
        give_home(
            user,
            home("Rue des Lilas", 400 + number, ban_street=1),
            verified=True,
            by=personas.carol,
        )
        users.append(user)
    for user in users:
        if not PhoneNumber.objects.filter(user=user).exists():
            give_verified_phone(user, f"+3361{user.pk:07d}")
        ChannelPreference.objects.create(
            user=user, category="burglary", channel="email", when="always"
        )
        with transaction.atomic():
            queue_email("password_reset", to=user.email, language="fr", user_id=user.pk)
    urgent_burglary_alert(personas.dave)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--failures", type=int, default=3, help="failing runs (at most 5)")
    arguments = parser.parse_args()
    started = time.monotonic()
    django_on_a_new_database("vigie-delivery-outage-")
    from vigie.test import load_address_reference

    load_address_reference()
    prepare(arguments.members)
    report = drill(failures=arguments.failures)
    print(f"{report.deliveries} deliveries (e-mail and SMS) and {report.emails} queued e-mails")
    for line in report.lines:
        print(line)
    print(f"{time.monotonic() - started:.1f} s")
    return verdict(
        report.failures[:20], "every delivery and e-mail backed off, then left exactly once"
    )


if __name__ == "__main__":
    sys.exit(main())
