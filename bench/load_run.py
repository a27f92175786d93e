"""Benchmark: 200 neighbours reading and writing for 60 seconds against ``make serve``.

Seeds PostgreSQL with a few neighbourhoods (the demo's two and more drawn
beside them), 400 verified members, each with a session and a personal
access token, thousands of posts, comments, an approved alert per
neighbourhood and its notices; serves Vigie as ``make serve`` does
(``manage.py serve``: granian, VIGIE_WEB_WORKERS workers) with its worker
(``manage.py run_worker``); then runs locust headless (``bench/locustfile.py``,
in ``.venv-load``) with readers and writers, each a distinct member, a few
seconds between actions, writers under the per-account limits. Neither the
ramp nor the ``--warm-up`` after it (200 people's first requests, on caches
nobody has read yet) is in the latencies: they cover the ``--seconds`` after
those. The warm-up's latencies are printed apart, by window, and its errors
and writes are counted with the rest.

Prints p50, p95, p99 and requests per second per kind of request and overall,
the errors (anything but the expected status, a 429 included, or no answer),
and the writes acknowledged against those the database kept; the targets:
p99 at most 200 ms, no error, no write lost. Writes ``load.json`` through
``bench/results.py``.

    .venv/bin/python bench/load_run.py [--users 200] [--seconds 60] [--members 400]
        [--posts 6000] [--neighbourhoods 4] [--warm-up 15] [--profile]
    make load           # the same, creating .venv-load (locust) first
    # BENCH_QUICK=1: 20 users for 10 s, 60 members, 600 posts

PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
vigie_bench_load, dropped and re-created). Redis: BENCH_REDIS_URL (default
redis://127.0.0.1:6379/13, emptied). Locust: LOCUST (default .venv-load/bin/locust).
The product's rate limits are those of the settings (no bench override):
the writers keep to half of each.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's vigie and bench, before any installed one
PYTHON = sys.executable
BENCHMARK = "load"
TARGET_P99_MS = 200.0
# Statuses each kind of request must answer; anything else is an error.
EXPECTED = {"api: write post": "201", "api: comment": "201", "api: report": "201"}

from bench.feed import empty_redis, free_port, recreate_database, run  # noqa: E402
from bench.results import (  # noqa: E402
    Figure,
    machine_info,
    postgresql_version,
    quick,
    results_dir,
    table,
    write_results,
)

# --- Seeding and counting (run inside Django, in their own process) -------------------------

# Neighbourhoods drawn east of the demo's A, side by side (longitude, latitude).
EXTRA_WEST, EXTRA_WIDTH, SOUTH, NORTH = 2.4070, 0.0070, 46.7986, 46.8036
MARKER = re.compile(r"\((load-[a-z]+-\d+-\d+)\)")


def seed(*, members: int, posts: int, neighbourhoods: int, output: Path) -> dict[str, Any]:
    import django

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from vigie.accounts.actions import do_create_access_token
    from vigie.communities.actions import do_create_neighbourhood, do_set_role
    from vigie.communities.demo import COMMUNE, INSEE, INSIDE_A, INSIDE_B, _box
    from vigie.communities.models import Community, Membership, Role
    from vigie.posts.models import Comment, HelpDirection, HelpTopic, Post, PostKind
    from vigie.test import (
        give_home,
        home,
        load_address_reference,
        log_in_as,
        make_personas,
        make_user,
        neighbourhood_a,
        neighbourhood_b,
        run_tasks,
        urgent_burglary_alert,
    )

    load_address_reference()
    personas = make_personas()
    places: list[tuple[Community, tuple[float, float]]] = [
        (neighbourhood_a(), INSIDE_A),
        (neighbourhood_b(), INSIDE_B),
    ]
    for number in range(max(0, neighbourhoods - 2)):
        west = EXTRA_WEST + number * EXTRA_WIDTH
        drawn = do_create_neighbourhood(
            name=f"Quartier d'essai {number + 1}",
            insee_code=INSEE,
            commune_name=COMMUNE,
            boundary=_box(west, SOUTH, west + EXTRA_WIDTH, NORTH),
            acting_user=personas.carol,
        )
        places.append((drawn, (west + EXTRA_WIDTH / 2, (SOUTH + NORTH) / 2)))

    people = []
    for number in range(members):
        community, inside = places[number % len(places)]
        user = make_user(f"voisin{number}@charge.vigie.test", f"Voisin{number}", "Charge")
        give_home(
            user,
            home(f"Rue d'essai {number % len(places)}", 1 + number // len(places),
                 ban_street=900 + number % len(places), at=inside),
            verified=True,
            by=personas.carol,
        )  # fmt: skip
        people.append((user, community))
    by_community: dict[int, list[Any]] = {}
    for user, community in people:
        by_community.setdefault(community.pk, []).append(user)

    # A référent in each neighbourhood sends an urgent alert (the fast path): approved at
    # once, fanned out by the tasks below into every member's notices.
    alerts: dict[int, list[int]] = {}
    for community, _inside in places:
        referent = by_community[community.pk][0]
        do_set_role(
            Membership.objects.get(user=referent, community=community),
            role=Role.REFERENT,
            acting_user=personas.carol,
        )
        alerts[community.pk] = [urgent_burglary_alert(referent).pk]
    run_tasks()

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

    per_community = posts // len(places)
    for community, _inside in places:
        authors = by_community[community.pk]
        Post.objects.bulk_create(
            (
                post(number, community.pk, authors[number % len(authors)].pk)
                for number in range(per_community)
            ),
            batch_size=2000,
        )
        newest = list(Post.objects.filter(community=community).order_by("-created_at")[:100])
        Comment.objects.bulk_create(
            Comment(post=found, author=authors[(index + 1) % len(authors)], body="Merci !")
            for index, found in enumerate(newest)
            for _repeat in range(2)
        )

    cookie_name = settings.SESSION_COOKIE_NAME
    written = []
    for community_id, users in by_community.items():
        recent = list(
            Post.objects.filter(community_id=community_id)
            .order_by("-created_at")
            .values_list("pk", flat=True)[:20]
        )
        # Old posts, each reported by one member at most (three reports would hide it).
        old = list(
            Post.objects.filter(community_id=community_id)
            .order_by("created_at")
            .values_list("pk", "author_id")[: 3 * len(users)]
        )
        for user in users:
            _token, secret = do_create_access_token(user, name="charge", with_second_factor=False)
            client = log_in_as(Client(), user)
            reportable = [pk for pk, author in old[:3] if author != user.pk]
            old = old[3:]
            written.append(
                {
                    "user": user.pk,
                    "community": community_id,
                    "session": client.cookies[cookie_name].value,
                    "token": secret,
                    "posts": recent,
                    "alerts": alerts[community_id],
                    "reportable": reportable,
                }
            )
    # Interleaved, so that any number of users spans every neighbourhood.
    written.sort(key=lambda member: (member["user"] % len(places), member["user"]))
    output.write_text(json.dumps(written))
    rate = {
        "post": [settings.RATE_POST.count, settings.RATE_POST.seconds],
        "comment": [settings.RATE_COMMENT.count, settings.RATE_COMMENT.seconds],
        "report": [settings.RATE_REPORT.count, settings.RATE_REPORT.seconds],
    }
    return {
        "members": len(written),
        "neighbourhoods": len(places),
        "posts": Post.objects.count(),
        "comments": Comment.objects.count(),
        "cookie": cookie_name,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "rates": rate,
    }


def count_stored() -> dict[str, list[str]]:
    """The markers of the run's writes that the database holds."""
    import django

    django.setup()
    from vigie.moderation.models import Report
    from vigie.posts.models import Comment, Post

    found: dict[str, list[str]] = {"post": [], "comment": []}
    for kind, model in (("post", Post), ("comment", Comment)):
        for body in model.objects.filter(body__contains="(load-").values_list("body", flat=True):
            match = MARKER.search(body)
            if match:
                found[kind].append(match.group(1))
    found["report"] = [str(pk) for pk in Report.objects.values_list("pk", flat=True)]
    return found


# --- The run ------------------------------------------------------------------------------


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, math.ceil(fraction * len(sorted_values)) - 1)
    return sorted_values[max(index, 0)]


def latency_windows(
    timeline: list[tuple[float, float]], *, warm_up: float, seconds: float, width: float = 10.0
) -> list[list[str]]:
    """Rows of p50, p99 and max by window (the warm-up's first, at negative times)."""
    rows = []
    start = -warm_up
    while start < seconds:
        # The warm-up's windows stop at 0, so that none mixes it with the measure.
        end = min(start + width, 0.0) if start < 0 else min(start + width, seconds)
        values = sorted(latency for ended, latency in timeline if start <= ended < end)
        if values:
            rows.append(
                [
                    f"{round(start, 1):g} to {round(end, 1):g}"
                    + (" (warm-up)" if start < 0 else ""),
                    f"{len(values):,}",
                    f"{percentile(values, 0.50):.0f}",
                    f"{percentile(values, 0.99):.0f}",
                    f"{values[-1]:.0f}",
                ]
            )
        start = end
    return rows


def start(command: list[str], environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=output, start_new_session=True
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_healthy(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"manage.py serve stopped; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    time.sleep(1)  # every worker has imported Django
                    return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit(f"manage.py serve did not answer /healthz; see {log}")


def granian_workers(server: subprocess.Popen[bytes]) -> list[int]:
    """The processes granian runs Vigie in (its children)."""
    found = subprocess.run(
        ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False
    )
    return [int(pid) for pid in found.stdout.split()]


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes used so far (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=20 if quick() else 200)
    parser.add_argument("--seconds", type=float, default=10.0 if quick() else 60.0)
    parser.add_argument("--spawn-rate", type=float, default=50.0, help="users started per second")
    parser.add_argument(
        "--warm-up",
        type=float,
        default=2.0 if quick() else 15.0,
        help="seconds after every user started before the measure (shown apart, errors counted)",
    )
    parser.add_argument("--members", type=int, default=60 if quick() else 400)
    parser.add_argument("--posts", type=int, default=600 if quick() else 6000)
    parser.add_argument("--neighbourhoods", type=int, default=4)
    parser.add_argument(
        "--profile", action="store_true", help="py-spy record each granian worker meanwhile"
    )
    parser.add_argument("--seed", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--count", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.seed:
        summary = seed(
            members=arguments.members,
            posts=arguments.posts,
            neighbourhoods=arguments.neighbourhoods,
            output=arguments.seed,
        )
        print(json.dumps(summary))
        return
    if arguments.count:
        print(json.dumps(count_stored()))
        return
    if arguments.users > arguments.members:
        sys.exit(f"--users {arguments.users} needs at least as many --members")
    locust = Path(os.environ.get("LOCUST") or ROOT / ".venv-load/bin/locust")
    if not locust.exists():
        sys.exit(f"{locust} is missing: `make load` creates .venv-load (pip install --group load)")
    output = results_dir()  # before VIGIE_DATA_DIR points at this run's own folder

    database_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vigie_bench_load"
    )
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    data_dir = Path(tempfile.mkdtemp(prefix="vigie-load-"))
    port = free_port()
    web_workers = os.environ.get("VIGIE_WEB_WORKERS", "2")
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VIGIE_", "DATABASE_URL", "REDIS_URL", "DJANGO_", "PYTEST"))
    }
    environment.update(
        PYTHONPATH=str(ROOT),
        # Production's code paths (no debug, the real middleware, granian); plain HTTP on
        # the loopback, so not VIGIE_ENV=production, which redirects to HTTPS.
        VIGIE_ENV="development",
        VIGIE_DEBUG="false",
        VIGIE_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="vigie.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        VIGIE_EMAIL_BACKEND="file",
        VIGIE_SMS_PROVIDER="file",
        VIGIE_WEB_WORKERS=web_workers,
        HOST="127.0.0.1",
        PORT=str(port),
    )
    # Server settings a run may try (granian's own variables, the connections' age).
    for key in ("VIGIE_WEB_THREADS", "VIGIE_DB_CONN_MAX_AGE", "VIGIE_LOG_LEVEL"):
        if key in os.environ:
            environment[key] = os.environ[key]
    environment.update({k: v for k, v in os.environ.items() if k.startswith("GRANIAN_")})
    empty_redis(redis_url)
    recreate_database(database_url)
    run([PYTHON, "manage.py", "migrate", "-v", "0"], environment)
    run([PYTHON, "manage.py", "createcachetable"], environment)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], environment)
    started = time.monotonic()
    members_file = data_dir / "members.json"
    seeded = json.loads(
        run(
            [PYTHON, __file__, "--seed", str(members_file), "--members", str(arguments.members),
             "--posts", str(arguments.posts), "--neighbourhoods", str(arguments.neighbourhoods)],
            environment,
        ).strip().splitlines()[-1]
    )  # fmt: skip
    print(
        f"Seeded {seeded['neighbourhoods']} neighbourhoods, {seeded['members']} members "
        f"(sessions and tokens), {seeded['posts']:,} posts, {seeded['comments']:,} comments "
        f"in {time.monotonic() - started:.0f} s; data in {data_dir}"
    )

    measured = data_dir / "measured.json"
    ramp = arguments.users / arguments.spawn_rate
    run_time = math.ceil(ramp + arguments.warm_up + arguments.seconds)
    locust_environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("VIGIE_", "DJANGO_"))},
        "LOAD_MEMBERS": str(members_file),
        "LOAD_OUTPUT": str(measured),
        "LOAD_RATES": json.dumps(seeded["rates"]),
        "LOAD_SESSION_COOKIE": seeded["cookie"],
        "LOAD_CSRF_COOKIE": seeded["csrf_cookie"],
        "LOAD_WARM_UP": str(arguments.warm_up),
    }
    command = [
        str(locust), "-f", str(ROOT / "bench/locustfile.py"), "--headless",
        "--host", f"http://127.0.0.1:{port}", "--users", str(arguments.users),
        "--spawn-rate", str(arguments.spawn_rate), "--run-time", f"{run_time}s",
        "--stop-timeout", "10", "--csv", str(data_dir / "locust"), "--only-summary",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    web_log, worker_log = data_dir / "web.log", data_dir / "worker.log"
    server = start([PYTHON, "manage.py", "serve"], environment, web_log)
    worker = start([PYTHON, "manage.py", "run_worker", "--no-reload"], environment, worker_log)
    profiles: list[subprocess.Popen[bytes]] = []
    try:
        wait_healthy(port, server, web_log)
        if arguments.profile:
            py_spy = str(Path(PYTHON).parent / "py-spy")
            for pid in granian_workers(server):
                record = [
                    py_spy, "record", "--pid", str(pid), "--duration", str(run_time),
                    "--rate", "50", "--format", "speedscope",
                    "--output", str(data_dir / f"profile-{pid}.json"),
                ]  # fmt: skip
                profiles.append(
                    subprocess.Popen(record, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                )
        print(
            f"locust: {arguments.users} users ({arguments.spawn_rate:g}/s, {ramp:.0f} s ramp "
            f"and {arguments.warm_up:.0f} s warm-up, not in the latencies), then "
            f"{arguments.seconds:.0f} s measured; manage.py serve "
            f"({web_workers} granian workers) and run_worker, on port {port}",
            flush=True,
        )
        web_pids = granian_workers(server)
        cpu_before, load_before = cpu_seconds(web_pids), os.getloadavg()[0]
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with (data_dir / "locust.log").open("wb") as locust_log:
            subprocess.run(
                command, env=locust_environment, cwd=ROOT, stdout=locust_log,
                stderr=locust_log, check=False,
            )  # fmt: skip
        web_cpu = cpu_seconds(web_pids) - cpu_before
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        # The only child waited for meanwhile is locust: what the load itself took of the machine.
        locust_cpu = (children.ru_utime + children.ru_stime) - (
            children_before.ru_utime + children_before.ru_stime
        )
        machine_load = (load_before + os.getloadavg()[0]) / 2
        for profile in profiles:
            profile.wait(timeout=60)
        server_alive, worker_alive = server.poll() is None, worker.poll() is None
    finally:
        stop(server)
        stop(worker)
    if not measured.exists():
        sys.exit(f"locust wrote no figures; see {data_dir / 'locust.log'}")
    report(
        json.loads(measured.read_text()),
        stored=json.loads(run([PYTHON, __file__, "--count"], environment).strip()),
        arguments=arguments,
        data_dir=data_dir,
        alive={"web": server_alive, "worker": worker_alive},
        web_cpu=web_cpu,
        locust_cpu=locust_cpu,
        machine_load=machine_load,
        machine=machine_info(
            postgresql=postgresql_version(database_url),
            cache="Redis",
            server=f"manage.py serve, granian, {web_workers} workers",
        ),
        output=output,
        seeded=seeded,
    )


def report(
    measured: dict[str, Any],
    *,
    stored: dict[str, list[str]],
    arguments: argparse.Namespace,
    data_dir: Path,
    alive: dict[str, bool],
    web_cpu: float,
    locust_cpu: float,
    machine_load: float,
    machine: dict[str, Any],
    output: Path,
    seeded: dict[str, Any],
) -> None:
    seconds = float(measured["seconds"]) or float(arguments.seconds)
    latencies: dict[str, list[float]] = measured["latencies_ms"]
    statuses: dict[str, dict[str, int]] = measured["statuses"]
    rows, errors_by_kind = [], {}
    everything: list[float] = []
    for name in sorted(latencies):
        values = sorted(latencies[name])
        everything += values
        expected = EXPECTED.get(name, "200")
        errors = {status: n for status, n in statuses[name].items() if status != expected}
        errors_by_kind[name] = errors
        rows.append(
            [
                name,
                f"{len(values):,}",
                f"{len(values) / seconds:.1f}",
                f"{percentile(values, 0.50):.0f}",
                f"{percentile(values, 0.95):.0f}",
                f"{percentile(values, 0.99):.0f}",
                f"{sum(errors.values())}" + (f" {errors}" if errors else ""),
            ]
        )
    everything.sort()
    error_count = sum(sum(errors.values()) for errors in errors_by_kind.values())
    overall = {
        "requests": len(everything),
        "rate": len(everything) / seconds,
        "p50": percentile(everything, 0.50),
        "p95": percentile(everything, 0.95),
        "p99": percentile(everything, 0.99),
    }
    rows.append(
        [
            "all",
            f"{overall['requests']:,}",
            f"{overall['rate']:.1f}",
            f"{overall['p50']:.0f}",
            f"{overall['p95']:.0f}",
            f"{overall['p99']:.0f}",
            str(error_count),
        ]
    )
    print(
        f"\n{arguments.users} users, {seconds:.0f} s measured "
        f"(latencies in ms, as locust's client saw them):"
    )
    print(
        table(
            rows,
            ("request", "count", "req/s", "p50", "p95", "p99", "errors (warm-up too)"),
            right=1,
        )
    )
    windows = latency_windows(
        measured.get("timeline", []), warm_up=arguments.warm_up, seconds=seconds
    )
    print("\nOver time (all requests, by 10 s; 0 is the start of the measure):")
    print(table(windows, ("seconds", "count", "p50", "p99", "max"), right=1))

    acknowledged: dict[str, list[str]] = measured["acknowledged"]
    lost = {
        kind: sorted(set(markers) - set(stored.get(kind, [])))
        for kind, markers in acknowledged.items()
    }
    lost_count = sum(len(markers) for markers in lost.values())
    for kind in ("post", "comment", "report"):
        print(
            f"{kind}s acknowledged (201) in the whole run: {len(acknowledged.get(kind, []))}, "
            f"of which in the database: {len(acknowledged.get(kind, [])) - len(lost.get(kind, []))}"
        )
    server_errors = sum(
        line.count('"levelname": "ERROR"') for line in (data_dir / "web.log").open(errors="replace")
    )
    print(f"ERROR lines in the web server's log: {server_errors}; files in {data_dir}")
    # CPU the web workers spent per request, ramp included (so a little high): unlike the
    # latencies, it barely depends on what else the machine runs.
    requests_made = sum(sum(kinds.values()) for kinds in statuses.values())
    cpu_per_request = 1000 * web_cpu / max(requests_made, 1)
    print(
        f"web workers' CPU: {web_cpu:.1f} s, {cpu_per_request:.1f} ms per request; "
        f"locust's CPU: {locust_cpu:.1f} s; "
        f"machine load average meanwhile {machine_load:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"web {'running' if alive['web'] else 'DEAD'}, "
        f"worker {'running' if alive['worker'] else 'DEAD'}"
    )
    print(
        f"Targets: p99 ≤ {TARGET_P99_MS:.0f} ms: "
        f"{'met' if overall['p99'] <= TARGET_P99_MS else 'MISSED'} ({overall['p99']:.0f} ms); "
        f"errors = 0: {'met' if error_count == 0 else 'MISSED'} ({error_count}); "
        f"acknowledged writes lost = 0: {'met' if lost_count == 0 else 'MISSED'} ({lost_count})"
    )
    figures = [
        Figure("requests per second", overall["rate"], "req/s"),
        Figure("p50, all requests", overall["p50"], "ms"),
        Figure("p95, all requests", overall["p95"], "ms"),
        Figure("p99, all requests", overall["p99"], "ms", "<=", TARGET_P99_MS),
        Figure(
            "errors (not the expected status, 429 included; warm-up too)",
            error_count,
            "",
            "==",
            0,
        ),
        Figure("acknowledged writes not in the database", lost_count, "", "==", 0),
        Figure("web workers' CPU per request", cpu_per_request, "ms"),
        Figure("locust's CPU (the load generator, same machine)", locust_cpu, "s"),
        Figure("machine load average during the run", machine_load, ""),
    ]
    for name in sorted(latencies):
        figures.append(Figure(f"p99, {name}", percentile(sorted(latencies[name]), 0.99), "ms"))
    write_results(
        BENCHMARK,
        figures,
        machine=machine,
        parameters={
            "users": arguments.users,
            "seconds": seconds,
            "members": seeded["members"],
            "posts": seeded["posts"],
            "neighbourhoods": seeded["neighbourhoods"],
            "rates": seeded["rates"],
            "errors_by_kind": {name: errors for name, errors in errors_by_kind.items() if errors},
            "web_alive": alive["web"],
            "worker_alive": alive["worker"],
        },
        directory=output,
    )


if __name__ == "__main__":
    main()
