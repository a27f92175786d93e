"""The demo's address reference: the fictional commune of Bourg-lès-Vigies."""

from __future__ import annotations

from io import TextIOBase
from pathlib import Path

from vigie.addresses.ban import import_ban_file

DEMO_BAN_FILE = Path(__file__).resolve().parent / "demo" / "bourg-les-vigies.csv"
DEMO_INSEE = "99101"


def load(out: TextIOBase) -> None:
    report = import_ban_file(DEMO_BAN_FILE)
    if report.created:
        out.write(f"  imported {report.created} addresses of Bourg-lès-Vigies (fictional)\n")
