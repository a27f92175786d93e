from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from cryptography import x509
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from vigie.lib.environment import Environment
from vigie.operations.actions import do_schedule_heartbeat
from vigie.operations.management.commands.make_dev_certificate import make_certificate
from vigie.operations.management.commands.serve import granian_arguments
from vigie.operations.models import PeriodicJob, WorkerHeartbeat
from vigie.operations.tasks import heartbeat
from vigie.test import run_tasks

pytestmark = pytest.mark.django_db


def test_it_reports_the_database_the_cache_and_an_unknown_worker(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert body["worker"]["status"] == "unknown"
    assert body["status"] == "degraded"


def test_it_reports_a_fresh_heartbeat_then_a_stale_one(client: Client) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        do_schedule_heartbeat()
        traveller.shift(timedelta(seconds=31))
        assert run_tasks() >= 1
        assert client.get("/healthz").json()["status"] == "ok"
        assert client.get("/healthz").json()["worker"]["status"] == "ok"

        traveller.shift(timedelta(minutes=10))
        body = client.get("/healthz").json()

    assert body["worker"]["status"] == "stale"
    assert body["worker"]["heartbeat_age_seconds"] >= 600
    assert body["status"] == "degraded"


def test_it_keeps_exactly_one_heartbeat_waiting() -> None:
    assert do_schedule_heartbeat() is True
    assert do_schedule_heartbeat() is False
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        run_tasks()

    waiting = DBTaskResult.objects.filter(
        task_path=heartbeat.module_path, status=TaskResultStatus.READY
    )
    assert waiting.count() == 1
    assert WorkerHeartbeat.objects.count() == 1


def test_it_runs_periodic_jobs_when_they_are_due() -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        heartbeat.call()
        first_runs = dict(PeriodicJob.objects.values_list("name", "last_run_at"))
        assert "clear_expired_sessions" in first_runs
        traveller.shift(timedelta(seconds=1))
        assert heartbeat.call() == []  # nothing is due twice in a second
        traveller.shift(timedelta(hours=1))
        assert "clear_expired_sessions" in heartbeat.call()


def test_it_writes_a_self_signed_certificate_for_localhost(tmp_path: Path) -> None:
    certificate_path, key_path = make_certificate(tmp_path)

    certificate = x509.load_pem_x509_certificate(certificate_path.read_bytes())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert key_path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert oct(key_path.stat().st_mode)[-3:] == "600"


def test_it_serves_https_only_with_both_tls_files(tmp_path: Path) -> None:
    certificate, key = make_certificate(tmp_path)

    plain = granian_arguments(Environment({"PORT": "8123"}))
    secure = granian_arguments(
        Environment({"VIGIE_TLS_CERT": str(certificate), "VIGIE_TLS_KEY": str(key)})
    )

    assert "--ssl-certificate" not in plain
    assert plain[plain.index("--port") + 1] == "8123"
    assert plain[plain.index("--workers") + 1] == "2"
    # Bounded: each thread holds a database connection (granian's default would be 256).
    assert plain[plain.index("--blocking-threads") + 1] == "4"
    assert secure[secure.index("--ssl-certificate") + 1] == str(certificate)
    with pytest.raises(Exception, match="both"):
        granian_arguments(Environment({"VIGIE_TLS_CERT": str(certificate)}))


def test_it_loads_the_demo_idempotently(capsys: pytest.CaptureFixture[str]) -> None:
    from vigie.accounts.models import User
    from vigie.communities.models import Membership
    from vigie.posts.access import feed_page
    from vigie.posts.models import Post

    call_command("load_demo")
    counts = (User.objects.count(), Membership.objects.count(), Post.objects.count())
    call_command("load_demo")

    assert (User.objects.count(), Membership.objects.count(), Post.objects.count()) == counts
    assert counts == (7, 8, 6)  # bob waits for his letter; Hélène works for the town hall
    dave = Membership.objects.get(
        user__email="dave@demo.vigie.test", community__kind="neighbourhood"
    )
    assert dave.role == "referent"
    assert not Membership.objects.get(
        user__email="sam@demo.vigie.test", community__kind="neighbourhood"
    ).can_write
    alice = Membership.objects.get(
        user__email="alice@demo.vigie.test", community__kind="neighbourhood"
    )
    mallory = Membership.objects.get(
        user__email="mallory@demo.vigie.test", community__kind="neighbourhood"
    )
    assert len(feed_page(alice).items) == 5  # with Dave's absence, shown to her, and Sam's advert
    assert [item.title for item in feed_page(mallory).items] == ["Chemin forestier fermé"]


@pytest.mark.django_db(transaction=True)
def test_it_beats_as_soon_as_a_worker_starts(client: Client) -> None:
    call_command("run_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    assert WorkerHeartbeat.objects.count() == 1
    assert client.get("/healthz").json()["worker"]["status"] == "ok"
