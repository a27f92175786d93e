"""Fault drills that are cheap enough to be tests (bench/faults/README.md lists them all)."""

from __future__ import annotations

import pytest

from bench.faults.delivery_outage import drill, prepare

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("address_reference")]


def test_it_backs_off_while_smtp_and_sms_fail_then_delivers_each_message_once() -> None:
    prepare(members=3)

    # Refused connections, 451s, timeouts, 500/503 from OVH: three runs, then both recover.
    report = drill(failures=3)

    assert report.deliveries == 6  # 3 members, by e-mail and by SMS
    assert report.emails == 3
    assert report.failures == []
