"""Fault drill: the letters' spool folder is full, then space comes back.

Every queued letter meets a full disk when its PDF is written (ENOSPC), for
more rounds than a letter's attempt limit, each round one back-off later (time
jumps with time_machine; the project's ``run_tasks()`` plays the worker). Then
space comes back and one more run must send them all. Checked:

- while full: each letter is still queued (never failed for good), its
  attempts and next run follow the back-off, its last error names ENOSPC, the
  worker logged it at ERROR, and no file is left in the outbox (no orphan
  manifest with an address, no partial PDF);
- once space is back: each letter is handed over once, with one PDF whose code
  is the letter's live code.

The disk is full either by a patched file writer (the default, anywhere) or,
with ``--tmpfs`` as root, for real: a 2 MiB tmpfs mounted on the outbox and
filled with a ballast file (unmounted at the end).

    .venv/bin/python bench/faults/spool_full.py [--letters 20] [--rounds 8] [--tmpfs]

The test ``vigie/verification/tests/test_fault_drills.py`` runs the same drill
with the patched writer on the test database.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from bench.faults._setup import django_on_a_new_database, verdict


class _FullFile:
    """A file on a full disk: the first write fails with ENOSPC."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __enter__(self) -> _FullFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.raw.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


class _FullDiskOs(ModuleType):
    """``os`` as the spool writer sees it on a full disk; everything else is the real ``os``."""

    def __init__(self) -> None:
        super().__init__("os")

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    @staticmethod
    def fdopen(descriptor: int, *args: Any, **kwargs: Any) -> Any:
        return _FullFile(os.fdopen(descriptor, *args, **kwargs))


@contextlib.contextmanager
def full_disk_by_patch(outbox: Path) -> Iterator[None]:
    with mock.patch("vigie.verification.senders.os", _FullDiskOs()):
        yield


@contextlib.contextmanager
def full_disk_by_tmpfs(outbox: Path) -> Iterator[None]:
    """A real full disk: a small tmpfs on the outbox, filled up; emptied at the end."""
    outbox.mkdir(parents=True, exist_ok=True, mode=0o700)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(outbox)], check=True
    )
    ballast = outbox / ".ballast"
    try:
        with ballast.open("wb") as output, contextlib.suppress(OSError):
            while True:
                output.write(b"\0" * 65536)
                output.flush()
        yield
    finally:
        ballast.unlink(missing_ok=True)  # space is back


@dataclass
class Report:
    letters: int = 0
    rounds: int = 0
    failures: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def check(self, condition: bool, failure: str) -> None:
        if not condition:
            self.failures.append(failure)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def drill(*, rounds: int, real_disk: bool = False) -> Report:
    """Run the drill on the letters queued in the current database."""
    import time_machine
    from django.conf import settings
    from django.utils import timezone

    from vigie.lib.tasks import RETRY_BASE_SECONDS, RETRY_MAX_SECONDS
    from vigie.test import run_tasks
    from vigie.verification.models import ActivationCode, CodeState, Letter, LetterStatus

    report = Report(rounds=rounds)
    outbox = Path(settings.LETTERS_OUTBOX)
    letters = list(Letter.objects.filter(status=LetterStatus.QUEUED).order_by("pk"))
    report.letters = len(letters)
    report.check(bool(letters), "no letter was queued")
    records = _Records()
    logger = logging.getLogger("vigie.verification.tasks")
    logger.addHandler(records)
    full = full_disk_by_tmpfs if real_disk else full_disk_by_patch
    try:
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            with full(outbox):
                for attempt in range(1, rounds + 1):
                    ran = run_tasks()
                    now = timezone.now()
                    rows = list(Letter.objects.filter(pk__in=[x.pk for x in letters]))
                    states = {row.status for row in rows}
                    report.check(
                        states == {LetterStatus.QUEUED},
                        f"round {attempt}: letters are {sorted(states)}, not all queued",
                    )
                    report.check(
                        {row.attempts for row in rows} == {attempt},
                        f"round {attempt}: attempts {sorted({row.attempts for row in rows})}",
                    )
                    report.check(
                        all("ENOSPC" in row.last_error for row in rows),
                        f"round {attempt}: a last error does not name ENOSPC",
                    )
                    delay = min(RETRY_BASE_SECONDS * 2 ** (attempt - 1), RETRY_MAX_SECONDS)
                    due = _next_runs(rows)
                    report.check(
                        len(due) == len(rows)
                        and all(
                            timedelta(seconds=delay)
                            <= moment - now
                            <= timedelta(seconds=delay + delay // 5 + 1)
                            for moment in due
                        ),
                        f"round {attempt}: next runs off the back-off of {delay} s",
                    )
                    leftovers = [p.name for p in outbox.glob("*") if p.name != ".ballast"]
                    report.check(
                        not leftovers, f"round {attempt}: files left in the outbox: {leftovers}"
                    )
                    report.lines.append(
                        f"round {attempt}: {ran} task(s) ran, {len(rows)} letters queued, "
                        f"attempt {attempt}, next run in {delay}-{delay + delay // 5} s"
                    )
                    traveller.shift(timedelta(seconds=delay + delay // 5 + 1))
            logged = [r for r in records.records if r.levelno >= logging.ERROR]
            report.check(
                len(logged) >= rounds * len(letters),
                f"{len(logged)} error log lines for {rounds * len(letters)} refusals",
            )
            report.lines.append(
                f"logged at ERROR: {len(logged)}, e.g. {logged[0].getMessage() if logged else '-'}"
            )
            run_tasks()  # space is back (the ballast is gone, or the patch)
            pdfs = sorted(outbox.glob("letter-*.pdf"))
    finally:
        logger.removeHandler(records)
        if real_disk:
            subprocess.run(["umount", str(outbox)], check=False)
    rows = list(Letter.objects.filter(pk__in=[x.pk for x in letters]))
    handed = [row for row in rows if row.status == LetterStatus.HANDED_OVER]
    report.check(len(handed) == len(rows), f"{len(handed)} of {len(rows)} handed over after")
    report.check(len(pdfs) == len(rows), f"{len(pdfs)} PDFs for {len(rows)} letters")
    live = ActivationCode.objects.filter(letter__in=rows, state=CodeState.LIVE).count()
    report.check(live == len(rows), f"{live} live codes for {len(rows)} letters")
    report.lines.append(
        f"space back: {len(handed)} of {len(rows)} letters handed over, "
        f"{len(pdfs)} PDFs, {live} live codes, "
        f"failed for good: {sum(row.status == LetterStatus.FAILED for row in rows)}"
    )
    return report


def _next_runs(rows: list[Any]) -> list[Any]:
    """When each letter's next sending task is due (its waiting task row's run_after)."""
    return waiting_tasks("vigie.verification.tasks.send_letter", rows)


def waiting_tasks(task_path: str, rows: list[Any]) -> list[Any]:
    """The latest run_after of the waiting tasks of this path, per row (by its first argument)."""
    from django_tasks_db.models import DBTaskResult

    latest: dict[object, Any] = {}
    for args_kwargs, run_after in DBTaskResult.objects.filter(
        status="READY", task_path=task_path
    ).values_list("args_kwargs", "run_after"):
        key = args_kwargs["args"][0]
        key = tuple(key) if isinstance(key, list) else key
        if key not in latest or run_after > latest[key]:
            latest[key] = run_after
    return [latest[row.pk] for row in rows if row.pk in latest]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--letters", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=8, help="runs while the disk is full")
    parser.add_argument("--tmpfs", action="store_true", help="a real full tmpfs (root only)")
    arguments = parser.parse_args()
    started = time.monotonic()
    django_on_a_new_database("vigie-spool-full-")

    from vigie.test import give_home, home, load_address_reference, make_personas, make_user
    from vigie.verification.actions import do_request_letter
    from vigie.verification.models import LetterReason

    load_address_reference()
    personas = make_personas()
    for number in range(arguments.letters):
        user = make_user(f"nouveau{number}@spool.vigie.test", f"Nouveau{number}", "Voisin")
        street = home("Rue des Lilas", 300 + number, ban_street=1)
        give_home(user, street, verified=False, by=personas.carol)
        do_request_letter(user, reason=LetterReason.NEW_LETTER, acting_user=user)
    report = drill(rounds=arguments.rounds, real_disk=arguments.tmpfs)
    how = "a real 2 MiB tmpfs, filled" if arguments.tmpfs else "a patched writer"
    print(f"{report.letters} letters, the spool disk full ({how}) for {report.rounds} runs")
    for line in report.lines:
        print(line)
    print(f"{time.monotonic() - started:.1f} s")
    return verdict(report.failures, "no letter failed or was lost; all sent once space was back")


if __name__ == "__main__":
    sys.exit(main())
