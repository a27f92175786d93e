"""Benchmark: the resident memory of one web worker after 1,000 mixed requests.

Migrates and seeds a Vigie of its own on SQLite in other processes
(``bench/embedded.py``, then ``--seed``: the personas, 60 posts with comments),
so that this process starts as a worker does: it imports ``vigie.wsgi`` and
calls its WSGI application with each request's environ, whole middleware
included (in-process: no network server, no test machinery). The requests
go round a mix of pages and API reads, anonymous and as Alice (a verified
member), all answered 200.

Resident memory is VmRSS of /proc/self/status (VmHWM for the peak), read
before Django, once the application is loaded, half-way and at the end.
Target: under 120 MB after 1,000 requests. It measures the Python
application, not granian's own runtime around it.

    .venv/bin/python bench/memory.py [--requests 1000]     # 200 with BENCH_QUICK=1
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's vigie and bench, before any installed one
BENCHMARK = "memory"
LIMIT_MB = 120

from bench.embedded import prepare  # noqa: E402
from bench.results import Figure, machine_info, quick, results_dir, write_results  # noqa: E402


def status_mb(field: str) -> float:
    """A field of /proc/self/status in MB (10^6 bytes): VmRSS now, VmHWM the peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError(f"{field} not in /proc/self/status")


WSGIApplication = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def get(application: WSGIApplication, path: str, *, cookie: str = "") -> tuple[int, bytes]:
    """One GET as granian hands it to the application: status and body."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT_LANGUAGE": "fr",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    answer: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], *_: object) -> None:
        answer.append(status)

    body = application(environ, start_response)
    try:
        content = b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return int(answer[0].split()[0]), content


def seed() -> dict[str, Any]:
    import django

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from vigie.posts.models import Comment, Post, PostKind
    from vigie.test import load_address_reference, log_in_as, make_personas, neighbourhood_a

    load_address_reference()
    personas = make_personas()
    a = neighbourhood_a()
    now = timezone.now()
    posts = Post.objects.bulk_create(
        Post(
            community=a,
            author=personas.dave if number % 2 else personas.alice,
            kind=PostKind.INFORMATION,
            title=f"Message numéro {number} du quartier",
            body="Bonjour à tous, " * 20,
            created_at=now - timedelta(minutes=37 * number),
        )
        for number in range(60)
    )
    Comment.objects.bulk_create(
        Comment(post=post, author=personas.dave, body="Merci !", created_at=now)
        for post in posts[:20]
    )
    alice = log_in_as(Client(), personas.alice)
    return {
        "community": a.pk,
        "posts": [post.pk for post in posts[:20]],
        "cookie": f"{settings.SESSION_COOKIE_NAME}="
        f"{alice.cookies[settings.SESSION_COOKIE_NAME].value}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200 if quick() else 1000)
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.seed:
        print(json.dumps(seed()))
        return
    output = results_dir()
    before_django = status_mb("VmRSS")
    data = prepare("memory", collectstatic=True)
    seeded = json.loads(
        subprocess.run(
            [sys.executable, __file__, "--seed"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()[-1]
    )

    from vigie.wsgi import application  # what a worker imports (django.setup() included)

    community, posts = seeded["community"], seeded["posts"]
    anonymous = [
        "/",
        "/connexion/",
        "/inscription/",
        "/confidentialite/",
        "/mentions-legales/",
        "/hors-ligne/",
        "/manifest.webmanifest",
        "/healthz",
        "/api/v1/openapi.json",
    ]
    member = [
        f"/quartiers/{community}/",
        f"/quartiers/{community}/alertes/",
        "/boite/",
        "/compte/",
        "/compte/notifications/",
        *(f"/publications/{post}/" for post in posts[:5]),
        "/api/v1/me",
        "/api/v1/communities",
        f"/api/v1/communities/{community}",
        f"/api/v1/communities/{community}/posts",
        f"/api/v1/communities/{community}/alerts",
        "/api/v1/me/notifications",
        "/api/v1/me/notification-preferences",
        *(f"/api/v1/posts/{post}" for post in posts),
    ]
    alice = seeded["cookie"]
    # Two member requests for one anonymous one, taken in turn from each list.
    plan = [
        (alice, member[(number // 3 * 2 + number % 3) % len(member)])
        if number % 3 < 2
        else ("", anonymous[number // 3 % len(anonymous)])
        for number in range(arguments.requests)
    ]

    statuses: Counter[int] = Counter()
    after_first = half_way = 0.0
    for number, (cookie, url) in enumerate(plan, start=1):
        status, content = get(application, url, cookie=cookie)
        statuses[status] += 1
        if status != 200:
            sys.exit(f"{url}: {status}\n{content[:500]!r}")
        if number == 1:
            after_first = status_mb("VmRSS")
        if number == len(plan) // 2:
            half_way = status_mb("VmRSS")
    final, peak = status_mb("VmRSS"), status_mb("VmHWM")

    print(f"{len(plan)} requests ({len({url for _, url in plan})} URLs), statuses {statuses}")
    print(f"  resident before Django          {before_django:>7.1f} MB")
    print(f"  after the first request         {after_first:>7.1f} MB")
    print(f"  half-way                        {half_way:>7.1f} MB")
    print(f"  after {len(plan):>5} requests          {final:>7.1f} MB   (peak {peak:.1f} MB)")
    write_results(
        BENCHMARK,
        [
            Figure("resident memory before Django", before_django, "MB"),
            Figure("resident memory after the first request", after_first, "MB"),
            Figure(f"resident memory after {len(plan):,} requests", final, "MB", "<", LIMIT_MB),
            Figure("peak resident memory (VmHWM)", peak, "MB"),
            Figure("growth over the second half", final - half_way, "MB"),
        ],
        machine=machine_info(database="SQLite", client="the WSGI application, in-process"),
        parameters={
            "requests": len(plan),
            "urls": len({url for _, url in plan}),
            "mix": "2 member (pages and API) : 1 anonymous",
        },
        directory=output,
    )
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
