"""A plain-text progress bar for management commands (no dependency).

The bar is drawn only on a terminal: redrawn lines would fill a log file or a cron mail
with carriage returns, so there (and with ``-v 0``) a command prints its summary alone.
"""

from __future__ import annotations

import time
from typing import TextIO

from django.core.management.base import OutputWrapper


def progress_wanted(out: TextIO | OutputWrapper, verbosity: int) -> bool:
    """Whether a command's bar should be drawn: on a terminal, unless asked to be quiet."""
    return verbosity >= 1 and out.isatty()


class ProgressBar:
    """Redraws one line, at most ten times a second: ``[#####.....]  48 %  1,234 rows``.

    A bar made with ``enabled=False`` draws nothing, so that callers need no ``if``.
    """

    def __init__(
        self,
        out: TextIO | OutputWrapper,
        *,
        total: int,
        unit: str,
        width: int = 30,
        enabled: bool = True,
    ) -> None:
        self.out = out
        self.enabled = enabled
        self.total = max(total, 1)
        self.unit = unit
        self.width = width
        self._last_draw = 0.0

    def update(self, done: int, *, count: int | None = None, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        fraction = min(done / self.total, 1.0)
        filled = int(fraction * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        shown = done if count is None else count
        self._write(f"\r[{bar}] {fraction * 100:5.1f} %  {shown:,} {self.unit}")

    def _write(self, text: str) -> None:
        if isinstance(self.out, OutputWrapper):
            self.out.write(text, ending="")  # a command's stdout adds a newline otherwise
        else:
            self.out.write(text)
        self.out.flush()

    def update_with_count(self, done: int, total: int, count: int) -> None:
        """For callbacks reporting (done, total, items counted)."""
        self.update(done, count=count)

    def finish(self, done: int, *, count: int | None = None) -> None:
        if self.enabled:
            self.update(done, count=count, force=True)
            self._write("\n")
