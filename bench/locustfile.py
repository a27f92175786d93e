"""The load run's people (bench/load_run.py starts locust on this file; not a benchmark).

Two kinds of neighbours, each a distinct verified member with their own session
cookie (the pages) and personal access token (the API, as the mobile app):

- readers open their neighbourhood's feed (page and API), a post, their
  notices and the alerts, a few seconds apart; every page also asks for the
  unread badge, as base.html's htmx does on load;
- writers read too, and now and then write a post, comment, mark their notices
  read, say "me too" on an alert, and rarely report a post.

Each writer keeps its own writes under the product's per-account limits
(passed in LOAD_RATES: ``{"post": [count, seconds], ...}``): a write that
would pass the limit becomes a read instead, as a real person never writes
that fast. A 429 is an error in this run.

Runs in ``.venv-load`` (locust, gevent), never in Vigie's environment. Reads
LOAD_MEMBERS (the JSON file the seeding wrote) and writes every measured
request to LOAD_OUTPUT at the end: latency, status, and the marker of each
acknowledged write, so that load_run.py counts the writes the database kept.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from collections import defaultdict, deque
from typing import Any

# Installed in .venv-load only, where mypy does not look.
from locust import FastHttpUser, between, events, task  # type: ignore[import-not-found]
from locust.env import Environment  # type: ignore[import-not-found]
from locust.runners import Runner  # type: ignore[import-not-found]

with open(os.environ["LOAD_MEMBERS"]) as members_file:
    MEMBERS: list[dict[str, Any]] = json.load(members_file)
RATES: dict[str, list[int]] = json.loads(os.environ.get("LOAD_RATES", "{}"))
SESSION_COOKIE = os.environ.get("LOAD_SESSION_COOKIE", "vigie-session")
# What a writer allows itself of each limit: well under it, as a person would be.
SHARE_OF_LIMIT = 0.5
_next_member = itertools.count()

# Filled only once every user has started and LOAD_WARM_UP seconds more have passed:
# neither the ramp nor the first requests of 200 people on caches nobody has read
# yet is the steady state measured. The warm-up stays in the timeline, apart.
WARM_UP = float(os.environ.get("LOAD_WARM_UP", "0"))
CSRF_COOKIE = os.environ.get("LOAD_CSRF_COOKIE", "vigie-csrf")
CSRF_SET_COOKIE = re.compile(rf"{re.escape(CSRF_COOKIE)}=[^;,\s]+")
latencies: dict[str, list[float]] = defaultdict(list)
# (seconds after the measure started when it ended, latency) of every request since
# all users started, the warm-up's at negative times: the tail over time tells a
# start-up burst from a steady slowness.
timeline: list[tuple[float, float]] = []
statuses: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
acknowledged: dict[str, list[str]] = defaultdict(list)
# Both 0 until set: the measure starts WARM_UP seconds after every user started, and
# ends when locust stops.
measure_started = measure_ended = 0.0


@events.spawning_complete.add_listener
def _all_started(user_count: int, **_: Any) -> None:
    global measure_started
    measure_started = time.time() + WARM_UP


@events.request.add_listener
def _record(
    request_type: str,
    name: str,
    response_time: float,
    response: Any,
    exception: BaseException | None,
    **_: Any,
) -> None:
    if not measure_started:
        return
    since_measure = time.time() - measure_started
    timeline.append((round(since_measure, 3), response_time))
    # Every status counts, the warm-up's too: an error is never left out of the run.
    status = getattr(response, "status_code", 0) or 0
    statuses[name]["failure" if exception and not status else str(status)] += 1
    if since_measure >= 0 and not measure_ended:
        latencies[name].append(response_time)


@events.quitting.add_listener
def _write(environment: Environment, **_: Any) -> None:
    output = os.environ.get("LOAD_OUTPUT")
    if not output:
        return
    with open(output, "w") as file:
        json.dump(
            {
                "seconds": (measure_ended or time.time()) - measure_started,
                "latencies_ms": latencies,
                "timeline": timeline,
                "statuses": statuses,
                "acknowledged": acknowledged,
            },
            file,
        )


@events.test_stopping.add_listener
def _stop_measuring(environment: Environment, **_: Any) -> None:
    global measure_ended
    measure_ended = time.time()


@events.init.add_listener
def _check(environment: Environment, runner: Runner | None = None, **_: Any) -> None:
    users = environment.parsed_options.num_users if environment.parsed_options else 0
    if users and users > len(MEMBERS):
        raise SystemExit(f"{users} users but only {len(MEMBERS)} members seeded")


class Neighbour(FastHttpUser):
    abstract = True
    # A neighbourhood app: a few seconds between two actions.
    wait_time = between(2, 8)

    def on_start(self) -> None:
        member = MEMBERS[next(_next_member) % len(MEMBERS)]
        self.member = member
        self.community = member["community"]
        self.post_ids: list[int] = list(member["posts"])
        self.alert_ids: list[int] = list(member["alerts"])
        self.page_headers = {
            "Cookie": f"{SESSION_COOKIE}={member['session']}",
            "Accept-Language": "fr",
        }
        self.api_headers = {"Authorization": f"Bearer {member['token']}", "Accept-Language": "fr"}

    def keep_csrf_cookie(self, response: Any) -> None:
        """Send the CSRF cookie back, as a browser does (else every page makes a new one)."""
        if f"{CSRF_COOKIE}=" in self.page_headers["Cookie"]:
            return
        for header, value in getattr(response, "headers", {}).items():
            found = CSRF_SET_COOKIE.search(value) if header.lower() == "set-cookie" else None
            if found:
                self.page_headers["Cookie"] = f"{self.page_headers['Cookie']}; {found.group(0)}"
                return

    # --- reads ---

    def page(self, path: str, name: str) -> None:
        response = self.client.get(path, headers=self.page_headers, name=name)
        self.keep_csrf_cookie(response)
        # base.html asks for the unread badge as soon as a page loads (htmx, hx-trigger load).
        self.client.get("/boite/non-lues/", headers=self.page_headers, name="page: unread badge")

    def api_get(self, path: str, name: str) -> Any:
        with self.client.get(
            path, headers=self.api_headers, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return None
            return response.json()

    def read_feed_api(self) -> None:
        feed = self.api_get(f"/api/v1/communities/{self.community}/posts", "api: feed")
        if feed and feed.get("items"):
            self.post_ids = [item["id"] for item in feed["items"]]

    def read_feed_page(self) -> None:
        self.page(f"/quartiers/{self.community}/", "page: feed")

    def read_post(self) -> None:
        post_id = random.choice(self.post_ids)
        if random.random() < 0.5:
            self.page(f"/publications/{post_id}/", "page: post")
        else:
            self.api_get(f"/api/v1/posts/{post_id}", "api: post")

    def read_notices(self) -> None:
        if random.random() < 0.5:
            self.page("/boite/", "page: notices")
        else:
            self.api_get("/api/v1/me/notifications", "api: notices")

    def read_alerts(self) -> None:
        if random.random() < 0.5:
            self.page(f"/quartiers/{self.community}/alertes/", "page: alerts")
        else:
            self.api_get(f"/api/v1/communities/{self.community}/alerts", "api: alerts")


class Reader(Neighbour):
    weight = 4

    @task(3)
    def feed_page(self) -> None:
        self.read_feed_page()

    @task(3)
    def feed_api(self) -> None:
        self.read_feed_api()

    @task(3)
    def post(self) -> None:
        self.read_post()

    @task(2)
    def notices(self) -> None:
        self.read_notices()

    @task(1)
    def alerts(self) -> None:
        self.read_alerts()


class Writer(Neighbour):
    weight = 1

    def on_start(self) -> None:
        super().on_start()
        self.written: dict[str, deque[float]] = defaultdict(deque)
        self.serial = itertools.count(1)

    def may_write(self, kind: str) -> bool:
        """Under the share of the limit this member allows itself; counts the write if so."""
        if kind not in RATES:
            return True
        count, seconds = RATES[kind]
        now = time.monotonic()
        done = self.written[kind]
        while done and now - done[0] > seconds:
            done.popleft()
        if len(done) + 1 > max(1, int(count * SHARE_OF_LIMIT)):
            return False
        done.append(now)
        return True

    def api_write(self, path: str, body: dict[str, Any], name: str, *, expect: int) -> Any:
        with self.client.post(
            path, json=body, headers=self.api_headers, name=name, catch_response=True
        ) as response:
            if response.status_code != expect:
                response.failure(f"status {response.status_code}: {response.text[:200]}")
                return None
            return response.json()

    def marker(self, kind: str) -> str:
        return f"load-{kind}-{self.member['user']}-{next(self.serial)}"

    @task(4)
    def feed(self) -> None:
        if random.random() < 0.5:
            self.read_feed_api()
        else:
            self.read_feed_page()

    @task(2)
    def post(self) -> None:
        self.read_post()

    @task(1)
    def write_post(self) -> None:
        if not self.may_write("post"):
            self.read_feed_api()
            return
        marker = self.marker("post")
        made = self.api_write(
            f"/api/v1/communities/{self.community}/posts",
            {
                "kind": "information",
                "title": "Perceuse à prêter ce week-end",
                "body": f"Bonjour, je peux prêter ma perceuse samedi. ({marker})",
            },
            "api: write post",
            expect=201,
        )
        if made is not None:
            acknowledged["post"].append(marker)
            self.post_ids.insert(0, made["id"])

    @task(2)
    def comment(self) -> None:
        if not self.may_write("comment"):
            self.read_post()
            return
        marker = self.marker("comment")
        made = self.api_write(
            f"/api/v1/posts/{random.choice(self.post_ids)}/comments",
            {"body": f"Merci, bonne idée ! ({marker})"},
            "api: comment",
            expect=201,
        )
        if made is not None:
            acknowledged["comment"].append(marker)

    @task(1)
    def mark_read(self) -> None:
        self.api_write("/api/v1/me/notifications/read", {}, "api: mark notices read", expect=200)

    @task(1)
    def support_alert(self) -> None:
        if not self.alert_ids:
            self.read_alerts()
            return
        self.api_write(
            f"/api/v1/alerts/{random.choice(self.alert_ids)}/support",
            {},
            "api: alert, me too",
            expect=200,
        )

    @task(1)
    def notices(self) -> None:
        self.read_notices()

    @task(1)
    def maybe_report(self) -> None:
        # One chance in ten: a report is a rare act, and limited (RATE_REPORT). Each member
        # has posts of its own to report, reported by nobody else: three reports would hide
        # a post from the others, who would then meet a 404.
        reportable = self.member["reportable"]
        if random.random() >= 0.1 or not reportable or not self.may_write("report"):
            self.read_feed_page()
            return
        made = self.api_write(
            "/api/v1/reports",
            {
                "target_type": "post",
                "target_id": reportable.pop(),
                "reason": "other",
                "details": "Hors sujet pour le quartier.",
            },
            "api: report",
            expect=201,
        )
        if made is not None:
            acknowledged["report"].append(str(made["id"]))
