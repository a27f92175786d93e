"""The console's chart: the commune's sent alerts per week and category, and nobody else's."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from vigie.accounts.models import User
from vigie.alerts.models import Alert, State
from vigie.communities.models import Community
from vigie.test import Personas, log_in_as, neighbourhood_a, neighbourhood_b, town_hall

pytestmark = pytest.mark.django_db


def sent(community: Community, author: User, category: str, *, days_ago: int, state: str) -> None:
    moment = timezone.now() - timedelta(days=days_ago)
    Alert.objects.create(
        community=community, author=author, category=category, happened_at=moment,
        place="Rue des Lilas", description="Une alerte de test.", state=state,
        submitted_at=moment,
    )  # fmt: skip


def segments(page: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for kind, count in re.findall(r'data-kind="([a-z_]+)" data-count="(\d+)"', page):
        found[kind] = found.get(kind, 0) + int(count)
    return found


def test_it_draws_the_communes_sent_alerts_per_week_by_category(personas: Personas) -> None:
    from vigie.communities.actions import do_create_neighbourhood

    elsewhere = do_create_neighbourhood(
        name="Ailleurs", insee_code="99102", commune_name="Val-Vigie",
        boundary='{"type": "Polygon", "coordinates": [[[2.41, 46.81], [2.42, 46.81], '
        '[2.42, 46.82], [2.41, 46.82], [2.41, 46.81]]]}',
        acting_user=personas.carol,
    )  # fmt: skip
    for days_ago in (0, 1, 8):
        sent(neighbourhood_a(), personas.alice, "burglary", days_ago=days_ago, state=State.APPROVED)
    sent(neighbourhood_b(), personas.mallory, "fire", days_ago=0, state=State.RESOLVED)
    sent(neighbourhood_a(), personas.alice, "scam", days_ago=0, state=State.PENDING)  # not sent
    sent(neighbourhood_a(), personas.alice, "scam", days_ago=0, state=State.REJECTED)
    sent(neighbourhood_a(), personas.alice, "weather", days_ago=100, state=State.APPROVED)  # old
    sent(elsewhere, personas.mallory, "missing", days_ago=0, state=State.APPROVED)  # other commune

    agent = log_in_as(Client(), personas.townhall, second_factor=True)
    page = agent.get(f"/mairie/{town_hall().pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert segments(page) == {"burglary": 3, "fire": 1}
    assert 'role="img"' in page
    assert "4 alerts over 12 weeks, at most" in page
    table = page[page.index("<details>") : page.index("</details>")]
    assert '<th scope="col">Burglary or attempt</th>' in table
    assert "Missing" not in table
    assert "Scam" not in table


@pytest.mark.parametrize("persona", ["anonymous", "bob", "mallory", "alice"])
def test_it_shows_the_chart_to_the_town_hall_only(personas: Personas, persona: str) -> None:
    sent(neighbourhood_a(), personas.alice, "burglary", days_ago=0, state=State.APPROVED)
    client = Client() if persona == "anonymous" else log_in_as(Client(), getattr(personas, persona))

    response = client.get(f"/mairie/{town_hall().pk}/")

    assert response.status_code in (302, 404)
    assert b"data-kind" not in response.content
