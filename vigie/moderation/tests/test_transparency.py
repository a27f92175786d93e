"""Transparency: each member's decisions, a neighbourhood's monthly summary, the dashboard."""

from __future__ import annotations

import pytest
from django.test import Client

from vigie.moderation.tests.helpers import (
    decide,
    neighbour,
    post_by,
    report,
    team,
    three_reporters,
)
from vigie.test import Personas, log_in_as, neighbourhood_a

pytestmark = pytest.mark.django_db


def test_it_counts_a_neighbourhoods_decisions_by_month_without_names(personas: Personas) -> None:
    hugo = neighbour(personas, "Hugo", 44)
    post = post_by(hugo)
    made = [report(client, "post", post.pk).json()["id"] for client in three_reporters(personas)]
    decide(team(personas.carol), made[0], "removed")
    a = neighbourhood_a().pk
    alice = log_in_as(Client(), personas.alice)

    summary = alice.get(f"/api/v1/communities/{a}/moderation-summary").json()
    page = alice.get(f"/quartiers/{a}/moderation/").content.decode()
    others = [
        log_in_as(Client(), person).get(f"/api/v1/communities/{a}/moderation-summary").status_code
        for person in (personas.mallory, personas.bob)
    ]

    assert [(month["total"], month["counts"]) for month in summary] == [(1, {"removed": 1})]
    assert "Hugo" not in page
    assert "Vends tout" not in page
    assert others == [404, 404]


def test_it_shows_the_team_its_queue_sizes_times_and_chart(personas: Personas) -> None:
    post = post_by(personas.dave)
    made = [report(client, "post", post.pk).json()["id"] for client in three_reporters(personas)]
    carol = team(personas.carol)
    before = carol.get("/api/v1/moderation/dashboard").json()
    decide(carol, made[0], "dismissed", clause="10")

    after = carol.get("/api/v1/moderation/dashboard").json()
    page = carol.get("/equipe/moderation/tableau/").content.decode()
    queue_page = carol.get("/equipe/moderation/").content.decode()

    assert (before["open_reports"], before["report_targets"]) == (3, 1)
    assert after["open_reports"] == 0
    assert after["median_hours_to_decision"] is not None
    assert "spam" in after["median_hours_by_category"]
    assert sum(sum(kinds.values()) for kinds in after["decisions_per_week"].values()) == 1
    assert "<svg" in page
    assert "<rect" in page
    assert "Moderation queue" in queue_page or "File" in queue_page


def test_it_groups_open_reports_by_target_with_the_members_history(personas: Personas) -> None:
    post = post_by(personas.dave)
    reporters = three_reporters(personas)
    made = [report(client, "post", post.pk).json()["id"] for client in reporters]
    carol = team(personas.carol)

    queue = carol.get("/api/v1/moderation/queue").json()
    page = carol.get(f"/equipe/moderation/signalements/{made[0]}/").content.decode()

    [group] = queue["reports"]
    assert group["report_id"] == made[0]
    assert len(group["reports"]) == 3
    assert group["subject"]["full_name"] == "Dave Lefèvre"
    assert group["visibility"] == "held"
    assert "Lefèvre" in page
