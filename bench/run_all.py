"""Run every benchmark of ``bench/``, each in its own process, then show all figures.

A benchmark is a script of ``bench/`` that declares ``BENCHMARK = "<name>"`` at
the top level and writes ``<results>/<name>.json`` through
``bench/results.py`` (the other files are helpers). Each one's previous JSON
file is removed before it runs, so a crash never leaves old figures behind.

The results folder is ``VIGIE_DATA_DIR/bench/`` (``var/bench/`` by default), or
``BENCH_RESULTS_DIR``; each script's standard error goes to ``<name>.log``
there. Missed targets are reported, not failed on: the exit status is 0 unless
a script crashed or wrote no figures.

    .venv/bin/python bench/run_all.py [--quick] [--only NAME ...] [--skip NAME ...]
    make bench          # every benchmark, full sizes
    make bench-quick    # BENCH_QUICK=1: small sizes, to check the chain works
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import figure_rows, results_dir, table  # noqa: E402

MARKER = re.compile(r'^BENCHMARK = "([a-z0-9_-]+)"$', re.MULTILINE)
# The quick ones first; any other benchmark after these, by name.
ORDER = ["login", "memory", "letters", "placement", "fanout", "feed"]


def discover() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for script in sorted((ROOT / "bench").glob("*.py")):
        match = MARKER.search(script.read_text(encoding="utf-8"))
        if match:
            found[match.group(1)] = script
    ranked = sorted(found, key=lambda name: (ORDER.index(name) if name in ORDER else 99, name))
    return {name: found[name] for name in ranked}


def run(name: str, script: Path, output: Path, environment: dict[str, str]) -> tuple[bool, float]:
    result_file = output / f"{name}.json"
    result_file.unlink(missing_ok=True)
    log = output / f"{name}.log"
    print(f"\n=== {name} ({script.relative_to(ROOT)}); its standard error in {log}", flush=True)
    started = time.monotonic()
    with log.open("w") as errors:
        code = subprocess.run(
            [sys.executable, str(script)], cwd=ROOT, env=environment, stderr=errors, check=False
        ).returncode
    seconds = time.monotonic() - started
    if code == 0 and result_file.exists():
        return True, seconds
    reason = f"exit status {code}" if code else "no figures written"
    print(f"!!! {name} failed ({reason}) after {seconds:.0f} s; the end of {log}:")
    print("\n".join(log.read_text(errors="replace").splitlines()[-30:]))
    return False, seconds


def summary(output: Path, order: list[str], ran: dict[str, tuple[bool, float]]) -> str:
    documents: dict[str, dict[str, Any]] = {}
    for path in output.glob("*.json"):
        try:
            documents[path.stem] = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
    names = [name for name in order if name in documents or name in ran]
    names += sorted(set(documents) - set(names))
    rows: list[list[str]] = []
    met = missed = 0
    for name in names:
        document = documents.get(name)
        if document is None:
            rows.append([name, "(crashed: no figures)", "", "", "CRASHED"])
            continue
        when = document.get("date", "?")
        notes = ["quick sizes"] if document.get("quick") else []
        if name not in ran:
            notes.append(f"earlier run, {when[:16]}")
        label = f"{name} ({', '.join(notes)})" if notes else name
        for row in figure_rows(document.get("figures", [])):
            rows.append([label, *row])
            label = ""
            met += row[3] == "met"
            missed += row[3] == "MISSED"
    heading = f"Summary: {met} targets met, {missed} missed"
    crashed = [name for name, (ok, _) in ran.items() if not ok]
    if crashed:
        heading += f"; crashed: {', '.join(crashed)}"
    return heading + "\n" + table(rows, ("benchmark", "figure", "value", "target", "met"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (BENCH_QUICK=1)")
    parser.add_argument("--only", nargs="+", metavar="NAME", default=[])
    parser.add_argument("--skip", nargs="+", metavar="NAME", default=[])
    parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")
    arguments = parser.parse_args()

    scripts = discover()
    if arguments.list:
        for name, script in scripts.items():
            print(f"{name:<12} {script.relative_to(ROOT)}")
        return
    unknown = set(arguments.only + arguments.skip) - set(scripts)
    if unknown:
        sys.exit(f"unknown benchmarks: {', '.join(sorted(unknown))} (known: {', '.join(scripts)})")
    selected = [
        name
        for name in scripts
        if (not arguments.only or name in arguments.only) and name not in arguments.skip
    ]

    output = results_dir()
    output.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "BENCH_RESULTS_DIR": str(output), "PYTHONPATH": str(ROOT)}
    if arguments.quick:
        environment["BENCH_QUICK"] = "1"
    quick = environment.get("BENCH_QUICK", "") not in ("", "0")
    print(f"Benchmarks: {', '.join(selected)}{' (quick sizes)' if quick else ''}; into {output}")

    ran: dict[str, tuple[bool, float]] = {}
    for name in selected:
        ran[name] = run(name, scripts[name], output, environment)

    print("\n" + summary(output, list(scripts), ran))
    print("Times: " + ", ".join(f"{name} {seconds:.0f} s" for name, (_, seconds) in ran.items()))
    if not all(ok for ok, _ in ran.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
