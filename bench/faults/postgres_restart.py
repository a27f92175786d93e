"""Fault drill: PostgreSQL restarts under a stream of writes.

Starts a throw-away PostgreSQL cluster of its own (``initdb`` into a
temporary folder, a free port, a socket in that folder, trust
authentication: never the system's server), migrates Vigie on it, serves it
as ``make serve`` does (granian, ``manage.py serve``) with a worker
(``manage.py run_worker``), and has client threads post to the API with a
personal access token, recording which posts were acknowledged (2xx). It
enqueues e-mails due a few seconds after the restart, then restarts the
cluster (``pg_ctl restart -m fast``) in the middle of the load. Checked:

- the service accepts writes again on its own within ``--target`` seconds (5)
  of the restart command (no process restarted, no operator);
- every acknowledged post is in the database afterwards, and no refused one;
- a refusal is a 503 with Retry-After (no other 5xx), logged as the database
  being unavailable;
- the e-mails enqueued before the restart (some due at once, so that the worker
  is sending them as it restarts) are all sent, the task cut off is resumed (the
  worker's log counts them), none is left RUNNING, and the worker is still running.

Prints the counts, the seconds without service, and PASS or FAIL.

    .venv/bin/python bench/faults/postgres_restart.py [--seconds-before 4] [--seconds-after 6]
        [--threads 4] [--emails 20] [--emails-during 40] [--target 5]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    """A PostgreSQL cluster in a folder of its own; run as ``postgres`` when we are root."""

    folder: Path
    port: int = field(default_factory=free_port)

    @property
    def bin(self) -> Path:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            sys.exit("FAIL: no initdb under /usr/lib/postgresql/*/bin")
        return Path(found[-1]).parent

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/vigie"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL)

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "--no-sync", "-E", "UTF8",
        )  # fmt: skip

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"),
            "-o", options, "-w", "-t", "60", action, *extra,
        )  # fmt: skip


def environment(data: Path, database_url: str, port: int) -> dict[str, str]:
    kept = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VIGIE_", "DATABASE_URL", "REDIS_URL", "PYTEST", "DJANGO_"))
    }
    kept.update(
        VIGIE_ENV="development",
        VIGIE_DATA_DIR=str(data),
        DJANGO_SETTINGS_MODULE="vigie.settings",
        DATABASE_URL=database_url,
        VIGIE_EMAIL_BACKEND="file",
        VIGIE_SMS_PROVIDER="file",
        VIGIE_RATE_POST="1000000/hour",
        VIGIE_WORKER_HEARTBEAT_SECONDS="1",
        VIGIE_WEB_WORKERS="2",
        HOST="127.0.0.1",
        PORT=str(port),
    )
    return kept


@dataclass
class Write:
    number: int
    started: float
    ended: float
    status: int
    post_id: int | None
    retry_after: str | None = None


class Load:
    """Client threads posting continuously; every answer is recorded."""

    def __init__(self, port: int, token: str, community_id: int, threads: int) -> None:
        self.url = f"http://127.0.0.1:{port}/api/v1/communities/{community_id}/posts"
        self.token = token
        self.writes: list[Write] = []
        self.lock = threading.Lock()
        self.counter = 0
        self.running = True
        self.threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(threads)]

    def _next(self) -> int:
        with self.lock:
            self.counter += 1
            return self.counter

    def _loop(self) -> None:
        while self.running:
            number = self._next()
            body = json.dumps(
                {"kind": "information", "title": f"Essai {number}", "body": f"drill-{number}"}
            ).encode()
            request = urllib.request.Request(
                self.url,
                data=body,
                method="POST",
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
            )
            started = time.monotonic()
            post_id = retry_after = None
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    status = answer.status
                    post_id = json.loads(answer.read()).get("id")
            except urllib.error.HTTPError as error:
                status = error.code
                retry_after = error.headers.get("Retry-After")
            except (OSError, ValueError):
                status = 0  # no answer at all
            with self.lock:
                self.writes.append(
                    Write(number, started, time.monotonic(), status, post_id, retry_after)
                )
            if status != 201:
                time.sleep(0.05)

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.running = False
        for thread in self.threads:
            thread.join(timeout=15)


def wait_until(condition: object, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if condition():  # type: ignore[operator]
                return
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


def healthy(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
        return bool(answer.status == 200)


def seed() -> tuple[str, int, int]:
    """Personas, and a token for Alice: what the client posts with."""
    from vigie.accounts.actions import do_create_access_token
    from vigie.test import load_address_reference, make_personas, neighbourhood_a

    load_address_reference()
    personas = make_personas()
    _token, secret = do_create_access_token(personas.alice, name="drill", with_second_factor=False)
    return secret, neighbourhood_a().pk, personas.alice.pk


@contextlib.contextmanager
def process(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as output:
        child = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=output, start_new_session=True
        )
    try:
        yield child
    finally:
        if child.poll() is None:
            os.killpg(child.pid, 15)
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, 9)
                child.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds-before", type=float, default=4.0)
    parser.add_argument("--seconds-after", type=float, default=6.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--emails", type=int, default=20)
    parser.add_argument(
        "--emails-during", type=int, default=40, help="e-mails due at once: sent as it restarts"
    )
    parser.add_argument(
        "--target", type=float, default=5.0, help="seconds without service, at most"
    )
    arguments = parser.parse_args()
    began = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="vigie-pg-restart-"))
    os.chmod(folder, 0o755)
    cluster = Cluster(folder / "pg")
    data = folder / "vigie"
    data.mkdir()
    web_port = free_port()
    env = environment(data, cluster.url, web_port)
    cluster.init()
    cluster.pg_ctl("start")
    failures: list[str] = []
    try:
        import psycopg

        with psycopg.connect(
            f"postgres://postgres@127.0.0.1:{cluster.port}/postgres", autocommit=True
        ) as db:
            db.execute("CREATE DATABASE vigie")
        for step in (
            ["migrate", "-v", "0"],
            ["createcachetable"],
            ["collectstatic", "--noinput", "-v", "0"],
        ):
            subprocess.run([PYTHON, "manage.py", *step], cwd=ROOT, env=env, check=True)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.db import connections, transaction
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        from vigie.notifications.actions import queue_email
        from vigie.notifications.models import DeliveryStatus, OutgoingEmail
        from vigie.posts.models import Post

        token, community_id, alice_id = seed()
        serve = [PYTHON, "manage.py", "serve"]
        worker = [PYTHON, "manage.py", "run_worker", "--interval", "0.1"]
        with (
            process(serve, env, data / "web.log") as web,
            process(worker, env, data / "worker.log") as work,
        ):
            wait_until(lambda: healthy(web_port), timeout=60, what="the server")
            with Load(web_port, token, community_id, arguments.threads) as load:
                time.sleep(arguments.seconds_before)
                # Due just after the restart: enqueued before, they must run after.
                with transaction.atomic():
                    emails = [
                        queue_email(
                            "password_reset",
                            to="alice@example.org",
                            language="fr",
                            user_id=alice_id,
                        ).pk
                        for n in range(arguments.emails)
                    ]
                    DBTaskResult.objects.filter(
                        task_path="vigie.notifications.tasks.send_email", status="READY"
                    ).update(run_after=timezone.now() + datetime.timedelta(seconds=2))
                # Due now: the worker is sending them when the database goes, so some task
                # is cut off in the middle, to be resumed (not left RUNNING, nor failed).
                with transaction.atomic():
                    emails += [
                        queue_email(
                            "password_reset", to="bob@example.org", language="fr", user_id=alice_id
                        ).pk
                        for n in range(arguments.emails_during)
                    ]
                connections.close_all()
                time.sleep(0.2)
                restart_began = time.monotonic()
                cluster.pg_ctl("restart", "-m", "fast")
                restart_done = time.monotonic()
                time.sleep(arguments.seconds_after)
            worker_alive = work.poll() is None
            web_alive = web.poll() is None
            if worker_alive:
                with contextlib.suppress(TimeoutError):
                    wait_until(
                        lambda: (
                            OutgoingEmail.objects.filter(
                                pk__in=emails, status=DeliveryStatus.SENT
                            ).count()
                            == len(emails)
                        ),
                        timeout=30,
                        what="the e-mails enqueued before the restart",
                    )
        writes = sorted(load.writes, key=lambda write: write.started)
        accepted = [write for write in writes if write.status == 201]
        refused = [write for write in writes if write.status != 201]
        after = [write for write in accepted if write.started >= restart_began]
        first_back = min((write.ended for write in after), default=None)
        # Without service: from the restart command to the first write accepted after it.
        outage = (first_back - restart_began) if first_back is not None else float("inf")
        statuses: dict[int, int] = {}
        for write in refused:
            statuses[write.status] = statuses.get(write.status, 0) + 1
        texts = {f"drill-{write.number}" for write in accepted}
        stored = set(Post.objects.filter(body__in=texts).values_list("body", flat=True))
        lost = texts - stored
        # A refusal is a promise that nothing was done: none of those may be in the database.
        answered_refusals = {f"drill-{write.number}" for write in refused if write.status}
        kept_anyway = set(
            Post.objects.filter(body__in=answered_refusals).values_list("body", flat=True)
        )
        unavailable = [write for write in refused if write.status == 503]
        without_retry_after = [write for write in unavailable if not write.retry_after]
        server_errors = [write for write in refused if write.status >= 500 and write.status != 503]
        sent = OutgoingEmail.objects.filter(pk__in=emails, status=DeliveryStatus.SENT).count()
        print(f"PostgreSQL {cluster.bin.parent.name} on port {cluster.port} (throw-away cluster)")
        print(
            f"writes: {len(writes)} sent, {len(accepted)} acknowledged (201), "
            f"{len(refused)} refused {dict(sorted(statuses.items()))} (0 = no answer)"
        )
        print(
            f"pg_ctl restart -m fast took {restart_done - restart_began:.2f} s; "
            f"first write accepted {outage:.2f} s after the restart began"
        )
        print(
            f"refusals: {len(unavailable)} answered 503 ({len(without_retry_after)} without "
            f"Retry-After), {len(server_errors)} other 5xx; refused writes in the database "
            f"anyway: {len(kept_anyway)} of {len(answered_refusals)}"
        )
        worker_log = (data / "worker.log").read_text(errors="replace")
        web_log = (data / "web.log").read_text(errors="replace")
        reconnects = worker_log.count("worker lost the database")
        interrupted = worker_log.count("interrupted (")
        resumed = worker_log.count("resumed: its worker")
        still_running = DBTaskResult.objects.filter(status="RUNNING")
        print(
            f"worker waited for the database {reconnects} time(s) and carried on; tasks "
            f"interrupted {interrupted}, resumed {resumed}, left RUNNING {still_running.count()}"
        )
        print(
            f"web log: {web_log.count('database unavailable:')} 'database unavailable' "
            f"warnings, {web_log.count('Traceback')} tracebacks"
        )
        print(f"acknowledged writes in the database: {len(texts) - len(lost)} of {len(texts)}")
        print(
            f"e-mails enqueued before the restart (some sent as it restarted), all sent: "
            f"{sent} of {len(emails)}; "
            f"worker {'running' if worker_alive else 'DEAD'}, "
            f"web {'running' if web_alive else 'DEAD'}"
        )
        if outage > arguments.target:
            failures.append(f"no service for {outage:.2f} s (target {arguments.target} s)")
        if lost:
            failures.append(f"{len(lost)} acknowledged writes lost, e.g. {sorted(lost)[:3]}")
        if not after:
            failures.append("no write accepted after the restart")
        if kept_anyway:
            failures.append(f"{len(kept_anyway)} refused writes were kept all the same")
        if server_errors or without_retry_after:
            failures.append(
                f"{len(server_errors)} answers 5xx but 503, "
                f"{len(without_retry_after)} 503 without Retry-After"
            )
        if still_running.exists():
            failures.append(f"{still_running.count()} tasks left RUNNING after the restart")
        if not worker_alive:
            failures.append(f"the worker died (see {data / 'worker.log'})")
        if not web_alive:
            failures.append(f"the web server died (see {data / 'web.log'})")
        if sent != len(emails):
            failures.append(f"{len(emails) - sent} e-mails enqueued before the restart never sent")
        connections.close_all()
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.pg_ctl("stop", "-m", "immediate")
    print(f"{time.monotonic() - began:.1f} s in all; files in {folder}")
    if failures:
        for failure in failures:
            print(f"  - {failure}")
        print(f"FAIL: {len(failures)} check(s) failed")
        return 1
    shutil.rmtree(folder, ignore_errors=True)
    print("PASS: Vigie came back on its own, lost no acknowledged write, ran the queued tasks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
