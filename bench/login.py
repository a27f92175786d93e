"""Benchmark: what a log-in costs beyond its one Argon2 verification.

Migrates a Vigie of its own on SQLite (``bench/embedded.py``), creates one
member, then, in this one process and in turns so that both see the same
machine, times:

- one Argon2id verification of the member's password alone (the hasher of
  ``PASSWORD_HASHERS``, with the parameters of the settings);
- a log-in through the API (``POST /api/v1/auth/login``) and through the page
  (``POST /connexion/``), each from a new client with Django's test client,
  which runs the whole middleware stack, the rate limit, django-axes, the
  security event and the new session.

Target: a log-in at most 25 % above the hash alone (medians). The login rate
limit is raised for the run (``VIGIE_RATE_LOGIN``): the benchmark logs in more
often than a person may.

    .venv/bin/python bench/login.py [--logins 50]     # 5 with BENCH_QUICK=1
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's vigie and bench, before any installed one
BENCHMARK = "login"
MAX_OVERHEAD_PERCENT = 25
WARM_UP = 2

from bench.embedded import prepare  # noqa: E402
from bench.results import Figure, machine_info, quick, results_dir, write_results  # noqa: E402


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--logins", type=int, default=5 if quick() else 50)
    arguments = parser.parse_args()
    output = results_dir()
    data = prepare("login", VIGIE_RATE_LOGIN="1000000/hour")

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import get_hasher
    from django.test import Client

    from vigie.test import PASSWORD, make_user

    member = make_user("alice@example.org", "Alice", "Martin")
    hasher = get_hasher("default")
    credentials = {"email": "alice@example.org", "password": PASSWORD}

    def verify() -> None:
        assert hasher.verify(PASSWORD, member.password)

    def api_login() -> None:
        response = Client().post("/api/v1/auth/login", credentials, content_type="application/json")
        assert response.status_code == 200, (response.status_code, response.content[:300])

    def page_login() -> None:
        response = Client().post("/connexion/", credentials)
        assert response.status_code == 302, (response.status_code, response.content[:300])

    samples: dict[str, list[float]] = {"hash": [], "api": [], "page": []}
    for turn in range(WARM_UP + arguments.logins):
        for name, action in (("hash", verify), ("api", api_login), ("page", page_login)):
            seconds = timed(action)
            if turn >= WARM_UP:
                samples[name].append(seconds)
    median = {name: statistics.median(values) * 1000 for name, values in samples.items()}

    print(f"{arguments.logins} of each, after {WARM_UP} to warm up; medians:")
    print(f"  Argon2id verification alone  {median['hash']:>7.1f} ms")
    print(f"  log-in, API                  {median['api']:>7.1f} ms")
    print(f"  log-in, page                 {median['page']:>7.1f} ms")

    figures = [Figure("Argon2id verification alone, median", median["hash"], "ms")]
    for name, label in (
        ("api", "API (POST /api/v1/auth/login)"),
        ("page", "page (POST /connexion/)"),
    ):
        figures += [
            Figure(f"log-in, {label}, median", median[name], "ms"),
            Figure(
                f"log-in, {label}, above the hash",
                (median[name] / median["hash"] - 1) * 100,
                "%",
                "<=",
                MAX_OVERHEAD_PERCENT,
            ),
        ]
    write_results(
        BENCHMARK,
        figures,
        machine=machine_info(database="SQLite", client="django.test.Client, in-process"),
        parameters={
            "logins": arguments.logins,
            "warm_up": WARM_UP,
            "argon2_memory_kib": settings.ARGON2_MEMORY_KIB,
            "argon2_time_cost": settings.ARGON2_TIME_COST,
            "argon2_parallelism": settings.ARGON2_PARALLELISM,
        },
        directory=output,
    )
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
