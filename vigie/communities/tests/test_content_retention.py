from __future__ import annotations

import pytest
from django.test import Client

from vigie.audit.models import AuditEvent
from vigie.communities.models import Community
from vigie.test import Personas, log_in_as, neighbourhood_a

pytestmark = pytest.mark.django_db


def put_retention(client: Client, community: Community, months: object) -> object:
    return client.put(
        f"/api/v1/communities/{community.pk}/retention",
        {"months": months},
        content_type="application/json",
    )


def test_it_lets_a_referent_keep_content_for_fewer_months_from_the_page(
    client: Client, personas: Personas
) -> None:
    a = neighbourhood_a()
    log_in_as(client, personas.dave)

    page = client.get(f"/quartiers/{a.pk}/reglages/")
    saved = client.post(f"/quartiers/{a.pk}/reglages/", {"months": "3"}, follow=True)

    assert page.status_code == 200
    assert saved.status_code == 200
    a.refresh_from_db()
    assert a.content_retention_months == 3
    event = AuditEvent.objects.get(event_type="community.retention_changed")
    assert (event.actor_id, event.data) == (personas.dave.pk, {"from": None, "to": 3})
    assert f"/quartiers/{a.pk}/reglages/" in client.get(f"/quartiers/{a.pk}/").content.decode()


def test_it_goes_back_to_the_platform_rule_through_the_api(
    client: Client, personas: Personas
) -> None:
    a = neighbourhood_a()
    log_in_as(client, personas.dave)

    shorter = put_retention(client, a, 6)
    back = put_retention(client, a, None)

    assert shorter.status_code == 200  # type: ignore[attr-defined]
    assert shorter.json()["content_retention_months"] == 6  # type: ignore[attr-defined]
    assert back.json()["content_retention_months"] == 12  # type: ignore[attr-defined]
    a.refresh_from_db()
    assert a.content_retention_months is None


@pytest.mark.parametrize("months", [0, 12, 24, -1])
def test_it_refuses_a_time_outside_the_rule_and_changes_nothing(
    client: Client, personas: Personas, months: int
) -> None:
    a = neighbourhood_a()
    log_in_as(client, personas.dave)

    response = put_retention(client, a, months)
    page = client.post(f"/quartiers/{a.pk}/reglages/", {"months": str(months)})

    assert response.status_code == 422  # type: ignore[attr-defined]
    assert response.json()["code"] == "invalid"  # type: ignore[attr-defined]
    assert page.status_code == 422
    a.refresh_from_db()
    assert a.content_retention_months is None


def test_it_keeps_the_setting_to_the_neighbourhood_s_referents(
    client: Client, personas: Personas
) -> None:
    a = neighbourhood_a()

    member = put_retention(log_in_as(Client(), personas.alice), a, 3)
    member_page = log_in_as(Client(), personas.alice).get(f"/quartiers/{a.pk}/reglages/")
    other = put_retention(log_in_as(Client(), personas.mallory), a, 3)
    other_page = log_in_as(Client(), personas.mallory).get(f"/quartiers/{a.pk}/reglages/")
    unverified = put_retention(log_in_as(Client(), personas.bob), a, 3)
    anonymous = put_retention(client, a, 3)
    anonymous_page = client.get(f"/quartiers/{a.pk}/reglages/")

    assert member.status_code == 403  # type: ignore[attr-defined]
    assert member.json()["code"] == "not_referent"  # type: ignore[attr-defined]
    assert member_page.status_code == 403
    assert other.status_code == 404  # type: ignore[attr-defined]
    assert other_page.status_code == 404
    assert unverified.status_code == 404  # type: ignore[attr-defined]
    assert anonymous.status_code == 401  # type: ignore[attr-defined]
    assert anonymous_page.status_code == 302
    a.refresh_from_db()
    assert a.content_retention_months is None
