"""The team's breach register (GDPR art. 33(5)): recording, completing, the 72 hours, access."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from vigie.audit.models import AuditEvent
from vigie.privacy.actions import BreachInput, do_record_breach
from vigie.privacy.models import Breach
from vigie.test import Personas, Response, log_in_as

pytestmark = pytest.mark.django_db

DESCRIPTION = "Un export des membres du Quartier des Lilas envoyé par erreur à un voisin."


@pytest.fixture
def now() -> Iterator[datetime]:
    """A clock that stands still, so that the time left reads the same on every run."""
    moment = timezone.now().replace(second=0, microsecond=0)
    with time_machine.travel(moment, tick=False):
        yield moment


def team(personas: Personas) -> Client:
    return log_in_as(Client(), personas.carol, second_factor=True)


def api_body(**fields: Any) -> dict[str, Any]:
    return {
        "discovered_at": (timezone.now() - timedelta(hours=5)).isoformat(),
        "natures": ["confidentiality"],
        "description": DESCRIPTION,
        "people_categories": "Membres du Quartier des Lilas",
        "people_count": 40,
        "data_categories": "Noms et adresses électroniques",
        **fields,
    }


def local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def page_form(**fields: Any) -> dict[str, Any]:
    return {
        "discovered_at": local(timezone.now() - timedelta(hours=5)),
        "natures": ["confidentiality", "availability"],
        "description": DESCRIPTION,
        "people_categories": "Membres du Quartier des Lilas",
        "people_count": "40",
        "data_categories": "Noms et adresses électroniques",
        **fields,
    }


def recorded(personas: Personas, *, hours_ago: float, **fields: Any) -> Breach:
    data = BreachInput(
        discovered_at=timezone.now() - timedelta(hours=hours_ago),
        natures=["confidentiality"],
        description=DESCRIPTION,
        people_categories="Membres du Quartier des Lilas",
        data_categories="Noms et adresses électroniques",
        **fields,
    )
    return do_record_breach(data, acting_user=personas.carol)


def post_json(client: Client, url: str, body: dict[str, Any]) -> Response:
    return client.post(url, body, content_type="application/json")


def patch_json(client: Client, url: str, body: dict[str, Any]) -> Response:
    return client.patch(url, body, content_type="application/json")


def field_errors(answer: Response) -> set[str]:
    return {error["field"] for error in answer.json()["errors"]}


# --- Recording and completing -------------------------------------------------------------------


def test_it_records_a_breach_from_the_team_page_and_audits_it_without_its_text(
    personas: Personas,
) -> None:
    answer = team(personas).post("/equipe/violations/nouvelle/", page_form())

    breach = Breach.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/equipe/violations/{breach.pk}/"
    assert breach.natures == ["confidentiality", "availability"]
    assert (breach.people_count, breach.records_count) == (40, None)
    assert breach.recorded_by == personas.carol
    assert timezone.is_aware(breach.discovered_at)
    event = AuditEvent.objects.get(event_type="privacy.breach_recorded")
    assert (event.actor_id, event.target_id) == (personas.carol.pk, str(breach.pk))
    assert event.data["natures"] == ["confidentiality", "availability"]
    assert "Lilas" not in str(event.data)
    assert "Noms" not in str(event.data)


def test_it_completes_a_breach_on_its_page_as_the_investigation_goes(personas: Personas) -> None:
    breach = recorded(personas, hours_ago=30)
    carol = team(personas)
    told = timezone.now() - timedelta(hours=2)

    answer = carol.post(
        f"/equipe/violations/{breach.pk}/",
        page_form(
            discovered_at=local(breach.discovered_at),
            natures=["confidentiality"],
            measures="Le voisin a supprimé le fichier ; l'export est désormais réservé à l'équipe.",
            cnil_notified_at=local(told),
            people_informed_at=local(told),
        ),
    )

    breach.refresh_from_db()
    assert answer.status_code == 302
    assert breach.cnil_notified_at == told.replace(second=0, microsecond=0)
    assert breach.people_informed_at is not None
    assert breach.measures.startswith("Le voisin a supprimé")
    event = AuditEvent.objects.get(event_type="privacy.breach_edited")
    assert set(event.data["fields"]) == {
        "measures",
        "cnil_notified_at",
        "people_informed_at",
        "people_count",
    }
    assert "supprimé" not in str(event.data)


def test_it_records_lists_reads_and_completes_a_breach_through_the_api(personas: Personas) -> None:
    carol = team(personas)

    made = post_json(carol, "/api/v1/privacy/breaches", api_body(occurred_at=None))
    url = f"/api/v1/privacy/breaches/{made.json()['id']}"
    listed = carol.get("/api/v1/privacy/breaches")
    edited = patch_json(carol, url, {"records_count": 40, "measures": "Fichier supprimé."})
    emptied = patch_json(carol, url, {"people_count": None})
    read = carol.get(url)

    assert made.status_code == 201
    assert [breach["id"] for breach in listed.json()] == [made.json()["id"]]
    assert edited.status_code == 200
    assert (edited.json()["records_count"], edited.json()["measures"]) == (40, "Fichier supprimé.")
    assert edited.json()["description"] == DESCRIPTION  # what was not sent stays
    assert emptied.json()["people_count"] is None
    assert read.json()["deadline"]["state"] == "running"
    assert AuditEvent.objects.filter(event_type="privacy.breach_edited").count() == 2


def test_it_records_an_edit_that_changes_nothing_without_an_audit_event(
    personas: Personas,
) -> None:
    breach = recorded(personas, hours_ago=3)

    answer = patch_json(
        team(personas), f"/api/v1/privacy/breaches/{breach.pk}", {"description": DESCRIPTION}
    )

    assert answer.status_code == 200
    assert not AuditEvent.objects.filter(event_type="privacy.breach_edited").exists()


# --- Bad input changes nothing ------------------------------------------------------------------


def test_it_refuses_a_cnil_notification_before_the_discovery(personas: Personas) -> None:
    breach = recorded(personas, hours_ago=3)
    carol = team(personas)
    too_early = breach.discovered_at - timedelta(hours=1)

    by_api = patch_json(
        carol, f"/api/v1/privacy/breaches/{breach.pk}", {"cnil_notified_at": too_early.isoformat()}
    )
    by_page = carol.post(
        f"/equipe/violations/{breach.pk}/",
        page_form(discovered_at=local(breach.discovered_at), cnil_notified_at=local(too_early)),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert (by_api.status_code, by_api.json()["code"]) == (422, "invalid")
    assert field_errors(by_api) == {"cnil_notified_at"}
    assert by_page.status_code == 422
    assert "The CNIL cannot be told before the breach is discovered." in by_page.content.decode()
    breach.refresh_from_db()
    assert breach.cnil_notified_at is None
    assert breach.people_count is None
    assert not AuditEvent.objects.filter(event_type="privacy.breach_edited").exists()


def test_it_refuses_a_breach_discovered_in_the_future(personas: Personas) -> None:
    carol = team(personas)
    tomorrow = timezone.now() + timedelta(days=1)

    by_api = post_json(
        carol, "/api/v1/privacy/breaches", api_body(discovered_at=tomorrow.isoformat())
    )
    by_page = carol.post("/equipe/violations/nouvelle/", page_form(discovered_at=local(tomorrow)))

    assert (by_api.status_code, field_errors(by_api)) == (422, {"discovered_at"})
    assert by_page.status_code == 422
    assert not Breach.objects.exists()
    assert not AuditEvent.objects.filter(event_type="privacy.breach_recorded").exists()


def test_it_names_every_missing_field_and_records_nothing(personas: Personas) -> None:
    carol = team(personas)

    by_api = post_json(carol, "/api/v1/privacy/breaches", {"natures": []})
    empty_natures = post_json(carol, "/api/v1/privacy/breaches", api_body(natures=[]))
    by_page = carol.post(
        "/equipe/violations/nouvelle/",
        {"description": "", "natures": []},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert by_api.status_code == 422
    assert field_errors(by_api) == {
        "discovered_at",
        "description",
        "people_categories",
        "data_categories",
    }
    assert (empty_natures.status_code, field_errors(empty_natures)) == (422, {"natures"})
    assert by_page.status_code == 422
    assert "This field is required." in by_page.content.decode()
    assert "Traceback" not in by_page.content.decode()
    assert not Breach.objects.exists()


def test_it_asks_why_the_cnil_was_told_after_the_72_hours(personas: Personas) -> None:
    breach = recorded(personas, hours_ago=100)
    carol = team(personas)
    url = f"/api/v1/privacy/breaches/{breach.pk}"
    late = (timezone.now() - timedelta(hours=1)).isoformat()

    without_reasons = patch_json(carol, url, {"cnil_notified_at": late})
    with_reasons = patch_json(
        carol,
        url,
        {"cnil_notified_at": late, "cnil_late_reason": "Le fichier n'a été retrouvé qu'hier."},
    )

    assert (without_reasons.status_code, field_errors(without_reasons)) == (
        422,
        {"cnil_late_reason"},
    )
    assert with_reasons.status_code == 200
    assert with_reasons.json()["deadline"]["state"] == "notified_late"


def test_it_refuses_a_notification_and_a_reason_not_to_notify_together(
    personas: Personas,
) -> None:
    breach = recorded(personas, hours_ago=3)

    answer = patch_json(
        team(personas),
        f"/api/v1/privacy/breaches/{breach.pk}",
        {
            "cnil_notified_at": timezone.now().isoformat(),
            "cnil_not_notified_reason": "Données chiffrées.",
            "people_informed_at": timezone.now().isoformat(),
            "people_not_informed_reason": "Données chiffrées.",
        },
    )

    assert answer.status_code == 422
    assert field_errors(answer) == {"cnil_not_notified_reason", "people_not_informed_reason"}
    breach.refresh_from_db()
    assert (breach.cnil_notified_at, breach.cnil_not_notified_reason) == (None, "")


def test_it_refuses_a_field_it_does_not_know_rather_than_drop_it(personas: Personas) -> None:
    breach = recorded(personas, hours_ago=3)

    answer = patch_json(
        team(personas),
        f"/api/v1/privacy/breaches/{breach.pk}",
        {"cnil_notifed_at": timezone.now().isoformat()},
    )

    assert (answer.status_code, field_errors(answer)) == (422, {"cnil_notifed_at"})


# --- The 72 hours -------------------------------------------------------------------------------


def test_it_shows_the_deadline_and_the_time_left(personas: Personas, now: datetime) -> None:
    breach = recorded(personas, hours_ago=10)
    carol = team(personas)

    listed = carol.get("/equipe/violations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    detail = carol.get(f"/equipe/violations/{breach.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    by_api = carol.get(f"/api/v1/privacy/breaches/{breach.pk}").json()

    deadline = timezone.localtime(now + timedelta(hours=62)).isoformat()
    for html in (listed, detail.content.decode()):
        assert f'datetime="{deadline}"' in html
        assert "62 h 00 min left" in html
        assert "alert-warning" not in html
        assert "alert-error" not in html
    assert by_api["deadline"] == {
        "at": by_api["deadline"]["at"],
        "state": "running",
        "seconds_left": 62 * 3600,
    }
    assert datetime.fromisoformat(by_api["deadline"]["at"]) == now + timedelta(hours=62)


def test_it_warns_when_the_deadline_is_near(personas: Personas, now: datetime) -> None:
    breach = recorded(personas, hours_ago=60)
    carol = team(personas)

    listed = carol.get("/equipe/violations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    detail = carol.get(f"/equipe/violations/{breach.pk}/", HTTP_ACCEPT_LANGUAGE="en")

    assert "12 h 00 min left" in listed
    assert "1 breach is not notified to the CNIL" in listed
    html = detail.content.decode()
    assert 'class="alert alert-warning" role="alert"' in html
    assert "The CNIL has not been told yet." in html
    assert "in 12 h 00 min" in html


def test_it_warns_when_the_deadline_is_past(personas: Personas, now: datetime) -> None:
    breach = recorded(personas, hours_ago=75)
    carol = team(personas)

    detail = carol.get(f"/equipe/violations/{breach.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    by_api = carol.get(f"/api/v1/privacy/breaches/{breach.pk}").json()

    html = detail.content.decode()
    assert 'class="alert alert-error" role="alert"' in html
    assert "The 72 hours ended on" in html
    assert "3 h 00 min past the limit" in html
    assert (by_api["deadline"]["state"], by_api["deadline"]["seconds_left"]) == ("past", -3 * 3600)


def test_it_stops_warning_once_the_cnil_is_told_or_the_risk_is_ruled_out(
    personas: Personas, now: datetime
) -> None:
    notified = recorded(personas, hours_ago=75, cnil_notified_at=now - timedelta(hours=10))
    ruled_out = recorded(
        personas,
        hours_ago=75,
        cnil_not_notified_reason="Les adresses étaient chiffrées et la clé n'a pas fuité.",
    )
    carol = team(personas)

    listed = carol.get("/equipe/violations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    pages = [
        carol.get(f"/equipe/violations/{breach.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        for breach in (notified, ruled_out)
    ]

    assert "CNIL told in time" in listed
    assert "not notified: unlikely to result in a risk" in listed
    for html in (listed, *pages):
        assert "alert-warning" not in html
        assert "alert-error" not in html
        assert "past the limit" not in html


# --- Who may see it ---------------------------------------------------------------------------


def test_it_opens_the_register_to_the_team_only_as_other_team_pages(personas: Personas) -> None:
    breach = recorded(personas, hours_ago=3)
    pages = [
        "/equipe/violations/",
        "/equipe/violations/nouvelle/",
        f"/equipe/violations/{breach.pk}/",
    ]
    endpoints = ["/api/v1/privacy/breaches", f"/api/v1/privacy/breaches/{breach.pk}"]
    others = [personas.alice, personas.mallory, personas.bob, personas.townhall]

    carol = team(personas)
    assert [carol.get(page).status_code for page in pages] == [200, 200, 200]
    assert [carol.get(endpoint).status_code for endpoint in endpoints] == [200, 200]
    for person in others:
        client = log_in_as(Client(), person, second_factor=person == personas.townhall)
        assert [client.get(page).status_code for page in pages] == [404, 404, 404], person
        assert [client.get(endpoint).status_code for endpoint in endpoints] == [404, 404], person
        assert client.post("/equipe/violations/nouvelle/", page_form()).status_code == 404
        assert post_json(client, endpoints[0], api_body()).status_code == 404
        assert patch_json(client, endpoints[1], {"measures": "x"}).status_code == 404
    anonymous = Client()
    assert all(anonymous.get(page).status_code == 302 for page in pages)
    assert anonymous.get(pages[0])["Location"].startswith("/connexion/")
    assert [anonymous.get(endpoint).status_code for endpoint in endpoints] == [401, 401]
    assert post_json(anonymous, endpoints[0], api_body()).status_code == 401
    assert Breach.objects.count() == 1
    assert Breach.objects.get().measures == ""


def test_it_asks_the_team_for_its_second_factor_first(personas: Personas) -> None:
    carol = log_in_as(Client(), personas.carol)

    page = carol.get("/equipe/violations/")
    endpoint = carol.get("/api/v1/privacy/breaches")

    assert page.status_code == 302
    assert page["Location"].startswith("/compte/double-authentification/requise/")
    assert endpoint.status_code == 404


def test_it_links_the_register_from_the_team_home(personas: Personas) -> None:
    home = team(personas).get("/equipe/").content.decode()

    assert 'href="/equipe/violations/"' in home
