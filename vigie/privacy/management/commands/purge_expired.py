from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vigie.lib.progress import ProgressBar, progress_wanted
from vigie.privacy.retention import RULES, purge_expired


class Command(BaseCommand):
    help = (
        "Remove what has outlived its retention period (settings.RETENTION). Safe to "
        "interrupt and run again: it goes on where it stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        # First count, so that each rule's bar knows its end.
        expected = {outcome.rule: outcome.removed for outcome in purge_expired(dry_run=True)}
        show_progress = progress_wanted(self.stdout, options["verbosity"])
        bars: dict[str, ProgressBar] = {}
        done: dict[str, int] = {}

        def progress(rule: str, count: int) -> None:
            if rule not in bars:
                for previous, bar in bars.items():  # one line per rule, the last one live
                    if previous in done and previous != rule:
                        bar.finish(done.pop(previous))
                bars[rule] = ProgressBar(
                    self.stdout, total=expected.get(rule, 0), unit=rule, enabled=show_progress
                )
            done[rule] = done.get(rule, 0) + count
            bars[rule].update(done[rule])

        outcomes = purge_expired(dry_run=True) if dry_run else purge_expired(progress=progress)
        for rule, count in done.items():
            bars[rule].finish(count)
        verb = "would remove" if dry_run else "removed"
        for outcome in outcomes:
            self.stdout.write(f"{outcome.rule:>14}: {verb} {outcome.removed}")
        total = sum(outcome.removed for outcome in outcomes)
        self.stdout.write(f"{'total':>14}: {verb} {total} (rules: {', '.join(RULES)})")
