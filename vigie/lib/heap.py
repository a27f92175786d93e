"""What a long-running process loaded at its start, set aside from the garbage collector.

CPython's full collection walks every object the collector tracks. A web or task
worker, once Django, Vigie and its URLconf are loaded, holds about 140,000 to
155,000 of them for its whole life (modules, classes, functions, the API's models),
and one full collection walked them all in 88 ms on the benchmark machine
(2026-12-04, a fast hour): a fan-out of 30,000 deliveries allocates enough to start
one, which made it a third slower (docs/performance.md), and a request that starts
one waits as long. Frozen, they are left out of every later collection; what the
process creates afterwards is collected as before. A frozen object is still freed
when nothing refers to it, but never as part of a reference cycle, which is why
only the objects loaded at the start are frozen. (A test process that starts a
worker in-process freezes too: what it holds then is kept, which no test minds.)
"""

from __future__ import annotations

import gc
import threading

from django.urls import get_resolver

_frozen = threading.Event()


def freeze_loaded_objects() -> None:
    """Collect what the start left as garbage, then freeze every object still alive.

    Called by the web worker once its URLconf is loaded and by the task worker
    before its loop. Once per process: a later call (the tests start workers
    again and again in one process) would freeze what its requests and tasks
    created, which is not the start's.
    """
    if _frozen.is_set():
        return
    _frozen.set()
    gc.collect()
    gc.freeze()


def settle_worker() -> None:
    """Load what every request and task may need, then freeze all that is loaded.

    Loading the URLconf imports every view and builds every API operation's models
    (about 1.3 s on the benchmark machine). The web worker does it as granian starts
    it, before it accepts a connection, rather than in its first request with every
    request that arrives meanwhile queued behind it (a restart under load showed the
    whole load run's slowest 1 % in its first ten seconds, docs/performance.md); the
    task worker before its first task (e-mails and pushes reverse URLs too; the system
    checks load it, but not under ``--skip-checks``).
    """
    get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect
    freeze_loaded_objects()
