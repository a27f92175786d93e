"""Benchmark: a neighbourhood's feed under load, against two hello worlds.

Seeds a neighbourhood with 10,000 posts on PostgreSQL (and another with 10),
serves Vigie with granian (2 workers), loads it from a second process
(``bench/load.py``) as a logged-in member, and prints in one run:

- requests per second, p50 and p99 of the feed (the API's and the page's);
- the same for a logged-in hello world on the same server and middleware,
  and the feed's share of it (the feed's own cost): the three measured in
  interleaved rounds (3 by default), each share the median of the rounds' own;
- the same for a bare hello world (Django with no middleware and no
  database) on the same server, and the feed's share of it (the ceiling);
- the API's feed again with only the essential middleware (sessions and
  authentication), to show what the security middleware costs;
- SQL queries per feed page for 10 and for 10,000 posts, cache cold and warm;

and writes them through ``bench/results.py``, each beside its target: the feed
(API and page) at least 0.5 of the logged-in hello and 0.25 of the bare one,
at most 4 SQL queries per page, the same for 10 posts as for 10,000.

    .venv/bin/python bench/feed.py [--posts 10000] [--seconds 6] [--rounds 3] [--no-redis]
    # BENCH_QUICK=1: 200 posts, 3 s per measure

PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
vigie_bench, dropped and re-created). Redis, unless --no-redis: BENCH_REDIS_URL
(default redis://127.0.0.1:6379/12, emptied).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's vigie and bench, before any installed one
PYTHON = sys.executable
GRANIAN = str(Path(PYTHON).parent / "granian")
WORKERS = 2
BENCHMARK = "feed"
MAX_QUERIES = 4

from bench.results import (  # noqa: E402
    Figure,
    machine_info,
    postgresql_version,
    quick,
    results_dir,
    write_results,
)

# --- Seeding (runs inside Django, in its own process) ---------------------------------------


def seed(post_count: int) -> dict[str, Any]:
    import django

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from vigie.communities.models import Membership
    from vigie.posts.models import Comment, HelpDirection, HelpTopic, Post, PostKind
    from vigie.test import (
        give_home,
        home,
        load_address_reference,
        log_in_as,
        make_personas,
        make_user,
    )

    load_address_reference()
    personas = make_personas()
    a = Membership.objects.get(user=personas.alice, community__kind="neighbourhood").community
    b = Membership.objects.get(user=personas.mallory, community__kind="neighbourhood").community
    neighbours = [
        make_user(f"voisin{number}@bench.vigie.test", f"Voisin{number}", "Banc")
        for number in range(50)
    ]
    for number, neighbour in enumerate(neighbours):
        street_number = 100 + number
        give_home(
            neighbour,
            home("Rue des Lilas", street_number, ban_street=1),
            verified=True,
            by=personas.carol,
        )
    authors = [personas.alice, personas.dave, *neighbours]

    now = timezone.now()
    kinds = [PostKind.INFORMATION, PostKind.MUTUAL_HELP, PostKind.EVENT, PostKind.INFORMATION]

    def post(number: int, community_id: int, author_id: int) -> Post:
        kind = kinds[number % len(kinds)]
        created_at = now - timedelta(minutes=37 * number)
        return Post(
            community_id=community_id,
            author_id=author_id,
            kind=kind,
            title=f"Message numéro {number} du quartier",
            body="Bonjour à tous, " * 20,
            help_direction=HelpDirection.OFFER if kind == PostKind.MUTUAL_HELP else "",
            help_topic=HelpTopic.LENDING if kind == PostKind.MUTUAL_HELP else "",
            event_starts_at=created_at + timedelta(days=3) if kind == PostKind.EVENT else None,
            event_place="Place de la Mairie" if kind == PostKind.EVENT else "",
            created_at=created_at,
        )

    Post.objects.bulk_create(
        (post(number, a.pk, authors[number % len(authors)].pk) for number in range(post_count)),
        batch_size=2000,
    )
    Post.objects.bulk_create(post(number, b.pk, personas.mallory.pk) for number in range(10))
    # Holiday absences among the newest posts: some shown to alice, some not.
    today = timezone.localdate()
    for number, shown in ((1, True), (3, False), (7, True)):
        absence = Post.objects.create(
            community=a,
            author=personas.dave,
            kind=PostKind.ABSENCE,
            title="Absent quelques jours",
            body="Merci de jeter un œil.",
            absence_from=today,
            absence_until=today + timedelta(days=number),
            created_at=now - timedelta(minutes=number),
        )
        if shown:
            absence.shown_to.add(personas.alice)
    newest = Post.objects.filter(community=a).order_by("-created_at")[:200]
    Comment.objects.bulk_create(
        Comment(post=found, author=personas.alice, body="Merci !", created_at=now)
        for found in newest
        for _repeat in range(2)
    )
    if connection.vendor == "postgresql":
        # A live database has statistics (autovacuum analyses new rows); without them the
        # planner guesses, which no production feed meets.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def queries(client: Client, url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            status = client.get(url).status_code
        assert status == 200, (url, status)
        return len(captured)

    alice = log_in_as(Client(), personas.alice)
    mallory = log_in_as(Client(), personas.mallory)
    counts: dict[str, int] = {}
    for label, client, community in (("10", mallory, b), (str(post_count), alice, a)):
        for surface, url in (
            ("api", f"/api/v1/communities/{community.pk}/posts"),
            ("page", f"/quartiers/{community.pk}/"),
        ):
            cache.clear()
            counts[f"{surface} {label} posts, cold"] = queries(client, url)
            counts[f"{surface} {label} posts, warm"] = queries(client, url)
    cookie = f"{settings.SESSION_COOKIE_NAME}={alice.cookies[settings.SESSION_COOKIE_NAME].value}"
    return {"community": a.pk, "cookie": cookie, "queries": counts}


# --- The run ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def empty_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def run(command: list[str], environment: dict[str, str]) -> str:
    result = subprocess.run(
        command, env=environment, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class Server:
    """granian with WORKERS workers, started and stopped around a measurement."""

    def __init__(self, settings_module: str, environment: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.environment = {**environment, "DJANGO_SETTINGS_MODULE": settings_module}
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        command = [
            GRANIAN, "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(self.port),
            "--workers", str(WORKERS), "--no-ws", "--log-level", "warning",
            "vigie.wsgi:application",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.environment, cwd=ROOT, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
            except OSError:
                time.sleep(0.2)
                continue
            # The port opens before the workers have imported Vigie: ready once a few
            # requests in a row have been answered (they reach both workers).
            if self.answers(count=8):
                return self
            time.sleep(0.2)
        sys.exit(f"granian did not start; see {self.log}")

    def answers(self, *, count: int) -> bool:
        for _ in range(count):
            probe = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                probe.request("GET", "/pret")  # any answer, a 404 included
                if probe.getresponse().status >= 500:
                    return False
            except (OSError, http.client.HTTPException):
                return False
            finally:
                probe.close()
        return True

    def __exit__(self, *exception: object) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=30)

    def load(self, path: str, *, cookie: str | None, seconds: float) -> dict[str, Any]:
        command = [PYTHON, str(ROOT / "bench/load.py"), f"http://127.0.0.1:{self.port}{path}"]
        command += ["--seconds", str(seconds)]
        if cookie:
            command += ["--cookie", cookie]
        figures: dict[str, Any] = json.loads(run(command, self.environment).strip())
        statuses = figures["statuses"]
        if set(statuses) != {"200"} or figures["failures"]:
            sys.exit(f"{path}: not only successes: {statuses}, {figures['failures']} failures")
        return figures


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median rate (its own p50 and p99 with it); the lower middle of an even count."""
    ordered = sorted(runs, key=lambda run: run["requests_per_second"])
    return ordered[(len(ordered) - 1) // 2]


def line(label: str, figures: dict[str, Any], *, shares: str = "") -> str:
    return (
        f"{label:<34} {figures['requests_per_second']:>8.0f} req/s"
        f"   p50 {figures['p50_ms']:>6.1f} ms   p99 {figures['p99_ms']:>6.1f} ms{shares}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=200 if quick() else 10_000)
    parser.add_argument("--seconds", type=float, default=3.0 if quick() else 6.0)
    parser.add_argument("--rounds", type=int, default=1 if quick() else 3)
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.rounds < 1 or arguments.seconds <= 0 or arguments.posts < 10:
        parser.error("--rounds at least 1, --seconds above 0, --posts at least 10")
    if arguments.seed:
        print(json.dumps(seed(arguments.posts)))
        return
    output = results_dir()  # before VIGIE_DATA_DIR points at this run's own folder

    database_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vigie_bench"
    )
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    data_dir = Path(tempfile.mkdtemp(prefix="vigie-bench-"))
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "VIGIE_ENV": "development",
        "VIGIE_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
    }
    environment.pop("REDIS_URL", None)
    if not arguments.no_redis:
        environment["REDIS_URL"] = redis_url
        empty_redis(redis_url)
    recreate_database(database_url)
    run([PYTHON, "manage.py", "migrate", "-v", "0"], environment)
    run([PYTHON, "manage.py", "createcachetable"], environment)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], environment)
    started = time.monotonic()
    seeded = json.loads(
        run([PYTHON, __file__, "--seed", "--posts", str(arguments.posts)], environment)
        .strip()
        .splitlines()[-1]
    )
    print(f"Seeded {arguments.posts} posts in {time.monotonic() - started:.0f} s")
    cookie, community = seeded["cookie"], seeded["community"]
    seconds = arguments.seconds
    log = data_dir / "granian.log"

    feed_url = f"/api/v1/communities/{community}/posts"
    paths = {"hello": "/bench/hello/", "api": feed_url, "page": f"/quartiers/{community}/"}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in paths}
    with Server("bench.settings", environment, log) as server:
        # Rounds of the three, interleaved: this machine's speed moves within a minute, and
        # a ratio is only fair between measures taken at the same moment.
        for _round in range(arguments.rounds):
            for name, path in paths.items():
                runs[name].append(server.load(path, cookie=cookie, seconds=seconds))
    hello, api, page = (median_run(runs[name]) for name in paths)
    round_shares = {
        name: [
            run["requests_per_second"] / hello_run["requests_per_second"]
            for run, hello_run in zip(runs[name], runs["hello"], strict=True)
        ]
        for name in ("api", "page")
    }
    of_hello = {name: statistics.median(shares) for name, shares in round_shares.items()}
    with Server("bench.essential_settings", environment, log) as server:
        essential = server.load(feed_url, cookie=cookie, seconds=seconds)
    with Server("bench.bare_settings", environment, log) as server:
        bare = server.load("/bench/hello/", cookie=None, seconds=seconds)

    def shares(figures: dict[str, Any], of_logged_in: float) -> str:
        rate = figures["requests_per_second"]
        return (
            f"   {of_logged_in:.2f} of logged-in hello"
            f"   {rate / bare['requests_per_second']:.2f} of bare hello"
        )

    cache = "Redis" if not arguments.no_redis else "database cache"
    print(
        f"granian, {WORKERS} workers, PostgreSQL, {cache}; {seconds:.0f} s per measure; "
        f"logged-in hello, API and page: medians of {arguments.rounds} interleaved rounds"
    )
    print(line("bare hello (no middleware, no DB)", bare))
    print(line("logged-in hello (all middleware)", hello))
    print(line("feed, API (20 posts)", api, shares=shares(api, of_hello["api"])))
    print(line("feed, page (20 posts)", page, shares=shares(page, of_hello["page"])))
    essential_share = essential["requests_per_second"] / hello["requests_per_second"]
    print(
        line(
            "feed, API, essential middleware", essential, shares=shares(essential, essential_share)
        )
    )
    for name, each in round_shares.items():
        listed = ", ".join(f"{share:.2f}" for share in each)
        print(f"  feed {name} ÷ logged-in hello, round by round: {listed}")
    print("SQL queries per feed request:")
    for label, count in seeded["queries"].items():
        print(f"  {label:<28} {count}")
    print(
        "Targets: at least 0.50 of the logged-in hello and 0.25 of the bare one; "
        f"at most {MAX_QUERIES} SQL queries per page, the same for 10 posts as for "
        f"{arguments.posts:,}."
    )

    queries = seeded["queries"]
    many = str(arguments.posts)
    figures = [
        Figure("bare hello", bare["requests_per_second"], "req/s"),
        Figure("logged-in hello", hello["requests_per_second"], "req/s"),
    ]
    for surface, label, measured in (("api", "API", api), ("page", "page", page)):
        rate = measured["requests_per_second"]
        figures += [
            Figure(f"feed {label}", rate, "req/s"),
            Figure(f"feed {label} p50", measured["p50_ms"], "ms"),
            Figure(f"feed {label} p99", measured["p99_ms"], "ms"),
            Figure(
                f"feed {label} ÷ logged-in hello",
                of_hello[surface],
                "",
                ">=",
                0.5,
            ),
            Figure(
                f"feed {label} ÷ bare hello", rate / bare["requests_per_second"], "", ">=", 0.25
            ),
        ]
        for posts in ("10", many):
            for cache_state in ("cold", "warm"):
                figures.append(
                    Figure(
                        f"SQL queries, {label}, {int(posts):,} posts, cache {cache_state}",
                        queries[f"{surface} {posts} posts, {cache_state}"],
                        "",
                        "<=",
                        MAX_QUERIES,
                    )
                )
        for cache_state in ("cold", "warm"):
            figures.append(
                Figure(
                    f"SQL queries, {label}, {int(many):,} posts minus 10 posts, {cache_state}",
                    queries[f"{surface} {many} posts, {cache_state}"]
                    - queries[f"{surface} 10 posts, {cache_state}"],
                    "",
                    "==",
                    0,
                    target="= 0 (unchanged with size)",
                )
            )
    figures.append(
        Figure(
            "feed API, essential middleware ÷ logged-in hello",
            essential_share,
        )
    )
    write_results(
        BENCHMARK,
        figures,
        machine=machine_info(
            postgresql=postgresql_version(database_url),
            cache=cache,
            server=f"granian, {WORKERS} workers",
        ),
        parameters={
            "posts": arguments.posts,
            "seconds": seconds,
            "rounds": arguments.rounds,
            "redis": not arguments.no_redis,
        },
        directory=output,
    )


if __name__ == "__main__":
    main()
