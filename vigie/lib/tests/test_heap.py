from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[3]

TWICE = """
import gc, json
from vigie.lib.heap import freeze_loaded_objects

garbage = []
garbage.append(garbage)  # a cycle: only a collection frees it
del garbage
before = gc.get_freeze_count()
freeze_loaded_objects()
first = gc.get_freeze_count()
created_since = [[number] for number in range(1_000)]
freeze_loaded_objects()
print(json.dumps({"before": before, "first": first, "second": gc.get_freeze_count()}))
"""


def test_it_freezes_what_is_alive_once_per_process() -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", TWICE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    counts = json.loads(result.stdout)

    assert counts["before"] == 0
    assert counts["first"] > 1_000
    assert counts["second"] == counts["first"]  # the thousand lists made since stay collectable


@pytest.mark.django_db(transaction=True)
def test_it_freezes_before_the_task_worker_runs_its_first_task(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vigie.operations.management.commands import run_worker
    from vigie.operations.worker import ResumingWorker

    events: list[str] = []
    monkeypatch.setattr(run_worker, "settle_worker", lambda: events.append("frozen"))
    original_run = ResumingWorker.run

    def run(worker: Any) -> None:
        events.append("running")
        original_run(worker)

    monkeypatch.setattr(ResumingWorker, "run", run)

    call_command("run_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    assert events == ["frozen", "running"]
