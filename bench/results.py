"""The common format of the benchmarks' figures: one JSON file per benchmark.

Each script in ``bench/`` that ``bench/run_all.py`` should run declares, at the
top level, ``BENCHMARK = "<name>"`` and ends by calling :func:`write_results`,
which writes ``<results dir>/<name>.json`` and prints the benchmark's table:
figure | value | target | met.

The results directory is ``BENCH_RESULTS_DIR`` when set (``run_all.py`` sets it
for every script it starts), otherwise ``VIGIE_DATA_DIR/bench/`` with
``VIGIE_DATA_DIR`` read as Vigie's settings read it (``var/`` by default, a
relative path taken from the repository's root). Call :func:`results_dir`
before a script changes ``VIGIE_DATA_DIR`` for the Vigie it measures.

Sizes: :func:`quick` is true when ``BENCH_QUICK=1``; scripts then default to
small sizes that prove the chain works, and the JSON says so.
"""

from __future__ import annotations

import datetime
import json
import math
import operator
import os
import platform
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parent.parent
FORMAT_VERSION = 1

Comparator = Literal["<", "<=", ">", ">=", "=="]
COMPARATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
}
SYMBOLS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "="}


@dataclass(frozen=True)
class Figure:
    """One measured value, with the target it is held to (if any).

    ``comparator`` and ``limit`` make the target checkable (``value <comparator>
    limit``); ``target`` is its description for people, written from them when
    left empty. A figure without a limit is shown for context and is neither
    met nor missed.
    """

    name: str
    value: float
    unit: str = ""
    comparator: Comparator | None = None
    limit: float | None = None
    target: str = ""

    @property
    def met(self) -> bool | None:
        if self.comparator is None or self.limit is None:
            return None
        if math.isnan(self.value):
            return False
        return COMPARATORS[self.comparator](self.value, self.limit)

    @property
    def target_text(self) -> str:
        if self.target:
            return self.target
        if self.comparator is None or self.limit is None:
            return ""
        unit = f" {self.unit}" if self.unit else ""
        return f"{SYMBOLS[self.comparator]} {format_value(self.limit)}{unit}"

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": None if math.isnan(self.value) else self.value,
            "unit": self.unit,
            "target": self.target_text,
            "comparator": self.comparator,
            "limit": self.limit,
            "met": self.met,
        }


def quick() -> bool:
    return os.environ.get("BENCH_QUICK", "") not in ("", "0")


def results_dir() -> Path:
    explicit = os.environ.get("BENCH_RESULTS_DIR")
    if explicit:
        return Path(explicit).resolve()
    data = Path(os.environ.get("VIGIE_DATA_DIR") or "var")
    return (data if data.is_absolute() else ROOT / data) / "bench"


# --- The machine ----------------------------------------------------------------------------


def _proc_field(path: str, key: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            name, _, value = line.partition(":")
            if name.strip() == key:
                return value.strip()
    except OSError:
        return None
    return None


def machine_info(*, postgresql: str | None = None, **extra: str) -> dict[str, Any]:
    """CPU, cores, memory, Python (and the PostgreSQL version when one was used)."""
    memory = _proc_field("/proc/meminfo", "MemTotal")  # "8131852 kB"
    info: dict[str, Any] = {
        "cpu": _proc_field("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "memory_mb": round(int(memory.split()[0]) * 1024 / 1e6) if memory else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    if postgresql is not None:
        info["postgresql"] = postgresql
    info.update(extra)
    return info


def postgresql_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


# --- Writing and showing ------------------------------------------------------------------------


def format_value(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    if float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: ""}[met]


def table(rows: Iterable[Sequence[str]], headers: Sequence[str], *, right: int = -3) -> str:
    """Plain-text columns; the column at index ``right`` (the value) is right-aligned."""
    lines = [list(headers), *(list(row) for row in rows)]
    widths = [max(len(line[column]) for line in lines) for column in range(len(headers))]
    aligned = right % len(headers)
    rendered = []
    for number, line in enumerate(lines):
        cells = [
            cell.rjust(width) if column == aligned else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        rendered.append("  ".join(cells).rstrip())
        if number == 0:
            rendered.append("  ".join("-" * width for width in widths))
    return "\n".join(rendered)


def figure_rows(figures: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, str, str]]:
    """Rows from figures as stored in JSON (so the runner can show any file)."""
    rows = []
    for figure in figures:
        value = figure["value"]
        shown = format_value(float("nan") if value is None else float(value))
        unit = figure.get("unit") or ""
        rows.append(
            (
                figure["name"],
                f"{shown} {unit}".rstrip(),
                figure.get("target") or "",
                verdict(figure.get("met")),
            )
        )
    return rows


def write_results(
    benchmark: str,
    figures: list[Figure],
    *,
    machine: dict[str, Any] | None = None,
    parameters: Mapping[str, Any] | None = None,
    directory: Path | None = None,
) -> Path:
    """Write ``<directory>/<benchmark>.json`` and print the benchmark's table."""
    folder = directory or results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    document: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "benchmark": benchmark,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "quick": quick(),
        "parameters": dict(parameters or {}),
        "machine": machine or machine_info(),
        "figures": [figure.as_json() for figure in figures],
    }
    path = folder / f"{benchmark}.json"
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    temporary.replace(path)
    print()
    print(f"{benchmark}{' (quick sizes)' if document['quick'] else ''}:")
    print(table(figure_rows(document["figures"]), ("figure", "value", "target", "met")))
    print(f"written to {path}")
    return path
