"""``manage.py run_demo``: the web server and the task worker together, until Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server and the task worker side by side; Ctrl-C stops both."

    def handle(self, *args: Any, **options: Any) -> None:
        manage = [sys.executable, "manage.py"]
        children = [
            subprocess.Popen([*manage, "run_worker", "--no-reload", "--interval", "0.5"]),  # noqa: S603
            subprocess.Popen([*manage, "serve"]),  # noqa: S603
        ]
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"Vigie is running at {settings.BASE_URL}; press Ctrl-C to stop.")
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.3)
        # Ctrl-C in a terminal reaches the children too; give them time to
        # finish a running task before asking again.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(child.poll() is None for child in children):
            time.sleep(0.2)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        self.stdout.write("Vigie stopped.")
