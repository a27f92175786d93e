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
