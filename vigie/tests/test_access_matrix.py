"""The access matrix: every page and every API operation, for every persona.

The test lists every URL pattern (Django's resolver) and every API operation
(the OpenAPI schema) and fails when one is missing from MATRIX below, or
when MATRIX names one that no longer exists.  Each row states the status each
persona must get; each request runs in a rolled-back transaction, so rows
never disturb one another.  Later issues add their rows (and the town hall).
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image

from vigie.alerts.models import Category
from vigie.api.api import api
from vigie.notifications.forms import field_name
from vigie.notifications.preferences import CHOOSABLE, DEFAULT_WHEN
from vigie.test import PASSWORD, Personas, Response, forget_shared_cache, log_in_as
from vigie.tests.world import World, build_world

PERSONAS = ("anonymous", "bob", "alice", "mallory", "sam", "dave", "carol", "townhall")


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, status)


def persons(status: int, *, anonymous: int) -> dict[str, int]:
    return {**everyone(status), "anonymous": anonymous}


def members_of_a(status: int, *, anonymous: int, sam: int | None = None) -> dict[str, int]:
    """Alice, Dave (référent) and Sam (suspended) are of A; Mallory of B; Bob unverified."""
    return {
        "anonymous": anonymous,
        "bob": 404,
        "alice": status,
        "mallory": 404,
        "sam": status if sam is None else sam,
        "dave": status,
        "carol": 404,
        "townhall": 404,
    }


def staff(status: int, *, anonymous: int = 302) -> dict[str, int]:
    return {**everyone(404), "anonymous": anonymous, "carol": status}


def town_hall(status: int, *, anonymous: int = 302, carol: int = 404) -> dict[str, int]:
    """Hélène, agent of the town hall of A's commune; the team for some pages."""
    return {**everyone(404), "anonymous": anonymous, "townhall": status, "carol": carol}


PAGE = persons(200, anonymous=302)  # any logged-in person
POST_ONLY = persons(405, anonymous=302)  # a GET on a form's target
MEMBER_PAGE = members_of_a(200, anonymous=302)
MEMBER_API = members_of_a(200, anonymous=401)


@dataclass(frozen=True)
class Row:
    statuses: dict[str, int]
    body: Mapping[str, object] | None = None
    files: bool = False
    query: dict[str, str] = field(default_factory=dict)
    # A route's parameter filled from another of the world's values: {"decision_id": "ban_id"}.
    values: dict[str, str] = field(default_factory=dict)


# --- Pages: the resolver's routes, asked with GET -----------------------------------------
PAGES: dict[str, Row] = {
    "": Row(everyone(200)),
    "inscription/": Row(persons(302, anonymous=200)),
    "inscription/envoyee/": Row(everyone(200)),
    "inscription/confirmer/": Row(everyone(404)),  # no link token in the session
    "connexion/": Row(persons(302, anonymous=200)),
    "connexion/second-facteur/": Row(everyone(302)),  # no pending log-in
    "deconnexion/": Row(everyone(200)),
    "mot-de-passe-oublie/": Row(everyone(200)),
    "mot-de-passe-oublie/envoye/": Row(everyone(200)),
    "mot-de-passe-oublie/nouveau/": Row(everyone(404)),
    "compte/": Row(PAGE),
    "compte/confirmation/": Row(POST_ONLY),
    "compte/mot-de-passe/": Row(PAGE),
    "compte/email/": Row(PAGE),
    "compte/email/confirmer/": Row(everyone(404)),
    "compte/sessions/": Row(PAGE),
    "compte/jetons/": Row(PAGE),
    "compte/jetons/<int:token_id>/revoquer/": Row(POST_ONLY),
    "compte/double-authentification/": Row(PAGE),
    "compte/double-authentification/activer/": Row(PAGE),
    "compte/double-authentification/qr.svg": Row(persons(404, anonymous=302)),
    "compte/double-authentification/codes/": Row(POST_ONLY),
    "compte/double-authentification/retirer/": Row(POST_ONLY),
    "compte/double-authentification/requise/": Row(everyone(302)),
    "lien/confirmer-email/<str:token>/": Row(everyone(302)),
    "lien/mot-de-passe/<str:uid>/<str:token>/": Row(everyone(302)),
    "lien/nouvel-email/<str:token>/": Row(everyone(302)),
    "adresses/suggestions/": Row(everyone(200), query={"q": "lilas"}),
    "activer/": Row(PAGE),
    "activer/nouvelle-lettre/": Row(POST_ONLY),
    "compte/adresse/": Row(PAGE),
    "equipe/adresses/": Row(staff(200)),
    "voisinage/": Row(everyone(302)),  # to the neighbourhood, or to the letter's page
    "voisinage/revenir/": Row(POST_ONLY),
    "voisinage/demande/": Row(PAGE),
    "quartiers/<int:community_id>/": Row(MEMBER_PAGE),
    "quartiers/<int:community_id>/voisins/": Row(MEMBER_PAGE),
    # Form targets answer a GET with 405 whoever asks, before looking at the object.
    "quartiers/<int:community_id>/quitter/": Row(POST_ONLY),
    "quartiers/<int:community_id>/reglages/": Row(
        {**members_of_a(403, anonymous=302), "dave": 200}
    ),
    "quartiers/<int:community_id>/publier/": Row(members_of_a(200, anonymous=302, sam=403)),
    "equipe/quartiers/": Row(staff(200)),
    "equipe/quartiers/nouveau/": Row(staff(200)),
    "equipe/quartiers/demandes/<int:request_id>/refuser/": Row(staff(405)),
    "publications/<int:post_id>/": Row(MEMBER_PAGE),
    "publications/<int:post_id>/modifier/": Row({**members_of_a(403, anonymous=302), "alice": 200}),
    "publications/<int:post_id>/supprimer/": Row(POST_ONLY),
    "publications/<int:post_id>/images/<int:image_id>": Row(MEMBER_PAGE),
    "commentaires/<int:comment_id>/supprimer/": Row(POST_ONLY),
    "quartiers/<int:community_id>/alerte/": Row(members_of_a(200, anonymous=302, sam=403)),
    "quartiers/<int:community_id>/alertes/": Row(MEMBER_PAGE),
    "alertes/<int:alert_id>/": Row(MEMBER_PAGE),
    "alertes/<int:alert_id>/retirer/": Row(POST_ONLY),
    "alertes/<int:alert_id>/cloturer/": Row(POST_ONLY),
    "alertes/<int:alert_id>/rejoindre/": Row(POST_ONLY),
    "equipe/alertes/<int:alert_id>/": Row(staff(200)),
    "boite/": Row(PAGE),
    "boite/non-lues/": Row(PAGE),
    "boite/tout-lu/": Row(POST_ONLY),
    "compte/notifications/": Row(PAGE),
    "compte/telephone/": Row(POST_ONLY),
    "compte/telephone/code/": Row(POST_ONLY),
    "compte/telephone/supprimer/": Row(POST_ONLY),
    "conditions/": Row(everyone(200)),
    "conditions/version-<int:version>/": Row(everyone(200)),
    "conditions/accepter/": Row(PAGE),
    "signaler/<str:target_type>/<int:target_id>/": Row(members_of_a(200, anonymous=302, sam=403)),
    "compte/signalements/": Row(PAGE),
    "compte/decisions/": Row(PAGE),
    "compte/decisions/<int:decision_id>/recours/": Row(POST_ONLY),
    "lien/recours/<str:token>/": Row(everyone(404)),  # not a signed link
    "quartiers/<int:community_id>/moderation/": Row(MEMBER_PAGE),
    "equipe/moderation/": Row(staff(200)),
    "equipe/moderation/tableau/": Row(staff(200)),
    "equipe/moderation/signalements/<int:report_id>/": Row(staff(200)),
    "equipe/moderation/membres/<int:user_id>/": Row(staff(200)),
    "equipe/moderation/membres/<int:user_id>/sessions/": Row(staff(405)),
    "equipe/moderation/membres/<int:user_id>/restriction/": Row(staff(405)),
    "equipe/moderation/membres/<int:user_id>/restriction/lever/": Row(staff(405)),
    "compte/donnees/": Row(PAGE),
    "compte/donnees/copies/<int:export_id>/telecharger/": Row(POST_ONLY),
    "compte/donnees/consentements/<str:kind>/retirer/": Row(POST_ONLY),
    "compte/supprimer/": Row(PAGE),
    "compte/supprime/": Row(everyone(200)),
    "confidentialite/": Row(everyone(200)),
    "equipe/moderation/decisions/<int:decision_id>/": Row(staff(200)),
    "equipe/moderation/recours/<int:appeal_id>/": Row(staff(200)),
    "mairie/": Row(town_hall(302)),
    "mairie/<int:town_hall_id>/": Row(town_hall(200)),
    "mairie/<int:town_hall_id>/messages/": Row(town_hall(200)),
    "mairie/<int:town_hall_id>/habitants/": Row(town_hall(200, carol=200)),
    # The town hall's guard comes first, then the method: a GET is 405 for the agent only.
    "mairie/<int:town_hall_id>/habitants/<int:address_id>/verifier/": Row(town_hall(405)),
    "mairie/<int:town_hall_id>/roles/<int:membership_id>/": Row(town_hall(405, carol=405)),
    "mairie/<int:town_hall_id>/abonnement/": Row(town_hall(200)),
    "mairie/<int:town_hall_id>/abonnement/resilier/": Row(town_hall(405)),
    "mairie/<int:town_hall_id>/factures/<str:number>.pdf": Row(town_hall(200)),
    "mairie/<int:town_hall_id>/export.csv": Row(town_hall(200)),
    "equipe/mairies/": Row(staff(200)),
    "equipe/mairies/<int:town_hall_id>/": Row(staff(200)),
    "equipe/mairies/<int:town_hall_id>/agents/<int:agent_id>/retirer/": Row(staff(405)),
    "mentions-legales/": Row(everyone(200)),
    "equipe/violations/": Row(staff(200)),
    "equipe/violations/nouvelle/": Row(staff(200)),
    "equipe/violations/<int:breach_id>/": Row(staff(200)),
    "paiement/retour/": Row(everyone(200)),
    "payments/monetico/notify": Row(everyone(405)),
    "banque-test/paiement.cgi": Row(everyone(405)),
    "banque-test/payer/": Row(everyone(405)),
    "sw.js": Row(everyone(200)),
    "manifest.webmanifest": Row(everyone(200)),
    "hors-ligne/": Row(everyone(200)),
    "healthz": Row(everyone(200)),
    "langue/": Row(everyone(302)),
    "equipe/": Row(staff(200)),
    # The Django admin's many routes are guarded by its site (second factor included);
    # its entry stands for all of them.
    # Superusers only (tested in accounts/tests/test_two_factor.py): none of the personas.
    "equipe/admin/": Row(everyone(302)),
    "api/v1/docs": Row(everyone(200)),
    "api/v1/openapi.json": Row(everyone(200)),
}

WRITE_POST = {"kind": "information", "title": "Bonjour", "body": "Un message"}
WRITE_ALERT = {
    "category": "burglary",
    "happened_at": timezone.now().isoformat(),
    "place": "Impasse du Moulin",
    "description": "Une porte forcée cette nuit au bout de l'impasse.",
}
PUSH_SUBSCRIPTION = {
    "endpoint": "http://127.0.0.1:9/push/matrix",
    "keys": {
        "p256dh": base64.urlsafe_b64encode(b"\x04" + b"k" * 64).decode().rstrip("="),
        "auth": base64.urlsafe_b64encode(b"a" * 16).decode().rstrip("="),
    },
}
TEAM_API = {**persons(404, anonymous=401), "carol": 200}
TOWN_HALL_API = town_hall(200, anonymous=401)
OFFICIAL_MESSAGE = {"category": "weather", "place": "Toute la commune", "text": "Vigilance orange."}
NEW_TOWN_HALL = {
    "insee_code": "99102",
    "commune_name": "Val-Vigie",
    "population": "800",
    "billing_name": "Mairie de Val-Vigie",
    "billing_address": "2 rue de l'Église",
    "billing_postcode": "99110",
    "billing_city": "Val-Vigie",
    "contact_email": "mairie@val-vigie.example",
    "siret": "21991020000015",
}
NEW_AGENT = {"first_name": "Paul", "last_name": "Roux", "email": "paul@val-vigie.example"}
REPORT_POST = {"target_type": "post", "target_id": "{post_id}", "reason": "spam"}
NEW_BREACH = {
    "discovered_at": (timezone.now() - timedelta(hours=2)).isoformat(),
    "natures": ["confidentiality"],
    "description": "Un export des membres envoyé par erreur.",
    "people_categories": "Membres du quartier",
    "data_categories": "Noms et adresses électroniques",
}
NEW_BREACH_FORM = {
    **NEW_BREACH,
    "discovered_at": timezone.localtime(timezone.now() - timedelta(hours=2)).strftime(
        "%Y-%m-%dT%H:%M"
    ),
}

WRITE_ALERT_FORM = {
    **WRITE_ALERT,
    "happened_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    "urgency": "normal",
}
DEFAULT_PREFERENCES = {
    field_name(category, channel): DEFAULT_WHEN[channel]
    for category in Category.values
    for channel in CHOOSABLE
}

# --- Pages: the same routes, asked with POST and a form's fields ----------------------------
# Every route that takes a form is here (a GET-only route is absent); a new form target
# missing from this table fails test_it_posts_to_every_form_target.
PAGE_POSTS: dict[str, Row] = {
    "compte/confirmation/": Row(everyone(302), body={}),
    "compte/jetons/<int:token_id>/revoquer/": Row(
        {**persons(404, anonymous=302), "alice": 302}, body={}
    ),
    # Without a second factor there is nothing to renew or remove: back to the page.
    "compte/double-authentification/codes/": Row(
        {**everyone(302), "carol": 200, "townhall": 200}, body={"password": PASSWORD}
    ),
    "compte/double-authentification/retirer/": Row(
        {**everyone(302), "carol": 422, "townhall": 422},
        body={"password": PASSWORD},  # the team and town halls keep their second factor
    ),
    # Form targets that answer on the page they came from (302), said in a message there.
    "activer/nouvelle-lettre/": Row(everyone(302), body={}),
    "voisinage/revenir/": Row(everyone(302), body={}),
    "quartiers/<int:community_id>/quitter/": Row(members_of_a(302, anonymous=302), body={}),
    "quartiers/<int:community_id>/reglages/": Row(
        {**members_of_a(403, anonymous=302), "dave": 302}, body={"months": "6"}
    ),
    "quartiers/<int:community_id>/voisins/": Row(
        members_of_a(302, anonymous=302), body={"listed": "on"}
    ),
    "quartiers/<int:community_id>/publier/": Row(
        members_of_a(302, anonymous=302, sam=403), body=WRITE_POST
    ),
    # A suspended member's comment is refused on the form (422), as any invalid one.
    "publications/<int:post_id>/": Row(
        members_of_a(302, anonymous=302, sam=422), body={"body": "Merci !"}
    ),
    "publications/<int:post_id>/modifier/": Row(
        {**members_of_a(403, anonymous=302), "alice": 302},
        body={"kind": "information", "title": "Nouveau", "body": "Un texte"},
    ),
    "publications/<int:post_id>/supprimer/": Row(
        {**members_of_a(403, anonymous=302), "alice": 302}, body={}
    ),
    "commentaires/<int:comment_id>/supprimer/": Row(
        {**members_of_a(403, anonymous=302), "alice": 302}, body={}
    ),
    "equipe/quartiers/nouveau/": Row(
        staff(302),
        body={
            "name": "Les Près",
            "insee_code": "99101",
            "commune_name": "Bourg-lès-Vigies",
            "boundary": json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [[2.41, 46.81], [2.42, 46.81], [2.42, 46.82], [2.41, 46.82], [2.41, 46.81]]
                    ],
                }
            ),
        },
    ),
    "equipe/quartiers/demandes/<int:request_id>/refuser/": Row(staff(302), body={"reason": "Non"}),
    "quartiers/<int:community_id>/alerte/": Row(
        members_of_a(302, anonymous=302, sam=403), body={**WRITE_ALERT_FORM}
    ),
    "alertes/<int:alert_id>/retirer/": Row(members_of_a(302, anonymous=302), body={"reason": ""}),
    "alertes/<int:alert_id>/cloturer/": Row(
        members_of_a(302, anonymous=302), body={"resolution": "resolved"}
    ),
    "alertes/<int:alert_id>/rejoindre/": Row(members_of_a(302, anonymous=302, sam=403), body={}),
    "equipe/alertes/<int:alert_id>/": Row(
        staff(302), body={"decision": "withdraw", "reason": "Doublon"}
    ),
    "boite/tout-lu/": Row(everyone(302), body={}),
    "compte/notifications/": Row(everyone(302), body=DEFAULT_PREFERENCES),
    "compte/telephone/": Row(everyone(302), body={"number": "06 12 34 56 78"}),
    "compte/telephone/code/": Row(everyone(302), body={"code": "123456"}),
    "compte/telephone/supprimer/": Row(everyone(302), body={}),
    "conditions/accepter/": Row(everyone(302), body={"accept": "on"}),
    # Alice reports her own post: refused on the form.
    "signaler/<str:target_type>/<int:target_id>/": Row(
        {**members_of_a(302, anonymous=302, sam=403), "alice": 422}, body={"reason": "spam"}
    ),
    "compte/decisions/<int:decision_id>/recours/": Row(
        {**persons(404, anonymous=302), "alice": 302}, body={"text": "Un malentendu."}
    ),
    "lien/recours/<str:token>/": Row(everyone(404), body={"text": "Un malentendu."}),
    "equipe/moderation/signalements/<int:report_id>/": Row(
        staff(302), body={"kind": "dismissed", "clause": "10", "explanation": "Rien."}
    ),
    "equipe/moderation/membres/<int:user_id>/": Row(
        staff(302), body={"kind": "warned", "clause": "4", "explanation": "Ton."}
    ),
    "equipe/moderation/membres/<int:user_id>/sessions/": Row(staff(302), body={}),
    "equipe/moderation/membres/<int:user_id>/restriction/": Row(
        staff(302), body={"reason": "Conteste son adresse."}
    ),
    "equipe/moderation/membres/<int:user_id>/restriction/lever/": Row(staff(302), body={}),
    # A copy, or erasure, asks for the password again; and the second factor where there is one.
    "compte/donnees/": Row(
        {**persons(302, anonymous=302), "carol": 422, "townhall": 422}, body={"password": PASSWORD}
    ),
    "compte/donnees/copies/<int:export_id>/telecharger/": Row(
        {**persons(404, anonymous=302), "alice": 200}, body={}
    ),
    "compte/donnees/consentements/<str:kind>/retirer/": Row(everyone(302), body={}),
    "compte/supprimer/": Row(
        {**persons(302, anonymous=302), "carol": 422, "townhall": 422},
        body={"password": PASSWORD, "contributions": "keep", "confirm": "on"},
    ),
    "equipe/moderation/decisions/<int:decision_id>/": Row(
        staff(302), body={"confirm": "1"}, values={"decision_id": "ban_id"}
    ),
    "equipe/moderation/recours/<int:appeal_id>/": Row(
        staff(302), body={"outcome": "upheld", "answer": "Maintenue."}
    ),
    "mairie/<int:town_hall_id>/messages/": Row(town_hall(302), body=OFFICIAL_MESSAGE),
    "mairie/<int:town_hall_id>/habitants/<int:address_id>/verifier/": Row(town_hall(302), body={}),
    "mairie/<int:town_hall_id>/roles/<int:membership_id>/": Row(
        town_hall(302, carol=302), body={"role": "deputy"}
    ),
    "mairie/<int:town_hall_id>/abonnement/": Row(
        town_hall(200), body={"plan": "bourg", "period": "yearly"}
    ),
    "mairie/<int:town_hall_id>/abonnement/resilier/": Row(town_hall(302), body={}),
    "equipe/mairies/": Row(staff(302), body=NEW_TOWN_HALL),
    "equipe/mairies/<int:town_hall_id>/": Row(staff(302), body=NEW_AGENT),
    "equipe/mairies/<int:town_hall_id>/agents/<int:agent_id>/retirer/": Row(staff(302), body={}),
    "equipe/violations/nouvelle/": Row(staff(302), body=NEW_BREACH_FORM),
    "equipe/violations/<int:breach_id>/": Row(
        staff(302), body={**NEW_BREACH_FORM, "measures": "Fichier supprimé."}
    ),
    # The bank's endpoint answers the bank's protocol to anyone: cdr=1 for a bad seal.
    "payments/monetico/notify": Row(everyone(200), body={"reference": "X"}),
    "banque-test/paiement.cgi": Row(everyone(400), body={"reference": "X"}),
    "banque-test/payer/": Row(everyone(400), body={"reference": "X"}),
}


# --- API: the OpenAPI schema's operations -------------------------------------------------
OPERATIONS: dict[tuple[str, str], Row] = {
    ("POST", "/api/v1/auth/register"): Row(
        everyone(202),
        body={
            "email": "new@example.org",
            "password": "Tournesol-jaune-42!",
            "first_name": "Nouvelle",
            "last_name": "Voisine",
            "address": {
                "number": "2",
                "street": "Chemin Neuf",
                "postcode": "99100",
                "commune": "Ailleurs",
            },
            "accept_terms": True,
        },
    ),
    ("POST", "/api/v1/auth/confirm-email"): Row(everyone(400), body={"token": "not-a-token"}),
    ("POST", "/api/v1/auth/login"): Row(
        everyone(401), body={"email": "alice@example.org", "password": "Wrong-password-1!"}
    ),
    ("POST", "/api/v1/auth/logout"): Row(persons(204, anonymous=401), body={}),
    ("POST", "/api/v1/auth/password-reset"): Row(everyone(202), body={"email": "x@example.org"}),
    ("POST", "/api/v1/auth/password-reset/confirm"): Row(
        everyone(400), body={"uid": "MQ", "token": "bad", "new_password": "Tournesol-jaune-42!"}
    ),
    ("POST", "/api/v1/auth/tokens"): Row(persons(201, anonymous=401), body={"name": "Phone"}),
    ("GET", "/api/v1/auth/tokens"): Row(persons(200, anonymous=401)),
    ("DELETE", "/api/v1/auth/tokens/{token_id}"): Row(
        {**persons(404, anonymous=401), "alice": 204}
    ),
    ("GET", "/api/v1/me/address"): Row(persons(200, anonymous=401)),
    ("PUT", "/api/v1/me/address"): Row(
        persons(202, anonymous=401),
        body={
            "address": {
                "number": "9",
                "street": "Chemin Neuf",
                "postcode": "99100",
                "commune": "Ailleurs",
            }
        },
    ),
    ("GET", "/api/v1/me"): Row(persons(200, anonymous=401)),
    ("PATCH", "/api/v1/me"): Row(persons(200, anonymous=401), body={"nickname": "Voisin"}),
    ("POST", "/api/v1/me/password"): Row(
        persons(204, anonymous=401),
        body={"current_password": PASSWORD, "new_password": "Nouveau-mot-2027!"},
    ),
    ("POST", "/api/v1/me/email"): Row(
        persons(202, anonymous=401), body={"password": PASSWORD, "new_email": "other@example.org"}
    ),
    ("GET", "/api/v1/me/sessions"): Row(persons(200, anonymous=401)),
    ("DELETE", "/api/v1/me/sessions"): Row(persons(200, anonymous=401)),
    ("DELETE", "/api/v1/me/sessions/{session_id}"): Row(
        {**persons(404, anonymous=401), "alice": 204}
    ),
    ("GET", "/api/v1/addresses/search"): Row(everyone(200), query={"q": "lilas"}),
    ("GET", "/api/v1/verification"): Row(persons(200, anonymous=401)),
    ("POST", "/api/v1/verification/activate"): Row(
        persons(422, anonymous=401), body={"code": "K7QM-R2XD-9F"}
    ),
    ("POST", "/api/v1/verification/letters"): Row(
        {**persons(409, anonymous=401), "bob": 202}, body={}
    ),
    ("GET", "/api/v1/communities"): Row(persons(200, anonymous=401)),
    ("GET", "/api/v1/communities/{community_id}"): Row(MEMBER_API),
    ("GET", "/api/v1/communities/{community_id}/directory"): Row(MEMBER_API),
    ("PUT", "/api/v1/communities/{community_id}/directory"): Row(MEMBER_API, body={"listed": True}),
    ("PUT", "/api/v1/communities/{community_id}/retention"): Row(
        {**members_of_a(403, anonymous=401), "dave": 200}, body={"months": 6}
    ),
    ("POST", "/api/v1/communities/{community_id}/leave"): Row(
        members_of_a(204, anonymous=401, sam=409), body={}
    ),
    ("POST", "/api/v1/communities/rejoin"): Row(
        {**persons(200, anonymous=401), "bob": 409, "carol": 409, "townhall": 409}, body={}
    ),
    ("POST", "/api/v1/communities/requests"): Row(
        persons(409, anonymous=401), body={"name": "Encore un quartier"}
    ),
    ("GET", "/api/v1/communities/{community_id}/posts"): Row(MEMBER_API),
    ("POST", "/api/v1/communities/{community_id}/posts"): Row(
        members_of_a(201, anonymous=401, sam=403), body=WRITE_POST
    ),
    ("GET", "/api/v1/posts/{post_id}"): Row(MEMBER_API),
    ("PATCH", "/api/v1/posts/{post_id}"): Row(
        {**members_of_a(403, anonymous=401), "alice": 200}, body={"title": "Nouveau", "body": "."}
    ),
    ("DELETE", "/api/v1/posts/{post_id}"): Row({**members_of_a(403, anonymous=401), "alice": 204}),
    ("POST", "/api/v1/posts/{post_id}/images"): Row(
        {**members_of_a(403, anonymous=401), "alice": 201}, files=True
    ),
    ("GET", "/api/v1/posts/{post_id}/images/{image_id}"): Row(MEMBER_API),
    ("POST", "/api/v1/posts/{post_id}/comments"): Row(
        members_of_a(201, anonymous=401, sam=403), body={"body": "Merci !"}
    ),
    ("DELETE", "/api/v1/comments/{comment_id}"): Row(
        {**members_of_a(403, anonymous=401), "alice": 204}
    ),
    ("GET", "/api/v1/communities/{community_id}/alerts"): Row(MEMBER_API),
    ("POST", "/api/v1/communities/{community_id}/alerts"): Row(
        members_of_a(201, anonymous=401, sam=403), body=WRITE_ALERT
    ),
    ("GET", "/api/v1/alerts/{alert_id}"): Row(MEMBER_API),
    ("POST", "/api/v1/alerts/{alert_id}/submit"): Row(
        members_of_a(409, anonymous=401, sam=403), body={}
    ),
    ("POST", "/api/v1/alerts/{alert_id}/withdraw"): Row(
        {**members_of_a(403, anonymous=401), "alice": 200}, body={"reason": ""}
    ),
    ("POST", "/api/v1/alerts/{alert_id}/close"): Row(
        members_of_a(200, anonymous=401, sam=403), body={"resolution": "resolved"}
    ),
    ("POST", "/api/v1/alerts/{alert_id}/support"): Row(
        members_of_a(200, anonymous=401, sam=403), body={}
    ),
    ("GET", "/api/v1/moderation/queue"): Row(TEAM_API),
    ("POST", "/api/v1/moderation/alerts/{alert_id}/decision"): Row(
        TEAM_API, body={"decision": "withdraw", "reason": "Doublon"}
    ),
    ("GET", "/api/v1/me/notification-preferences"): Row(persons(200, anonymous=401)),
    ("PUT", "/api/v1/me/notification-preferences"): Row(
        persons(200, anonymous=401), body={"channels": []}
    ),
    ("POST", "/api/v1/me/push-subscriptions"): Row(
        persons(201, anonymous=401), body=PUSH_SUBSCRIPTION
    ),
    ("GET", "/api/v1/me/push-subscriptions"): Row(persons(200, anonymous=401)),
    ("DELETE", "/api/v1/me/push-subscriptions"): Row(
        persons(204, anonymous=401), body={"endpoint": PUSH_SUBSCRIPTION["endpoint"]}
    ),
    ("PUT", "/api/v1/me/phone"): Row(persons(202, anonymous=401), body={"number": "0612345678"}),
    ("POST", "/api/v1/me/phone/verify"): Row(persons(409, anonymous=401), body={"code": "123456"}),
    ("DELETE", "/api/v1/me/phone"): Row(persons(204, anonymous=401)),
    ("GET", "/api/v1/me/notifications"): Row(persons(200, anonymous=401)),
    ("POST", "/api/v1/me/notifications/read"): Row(persons(200, anonymous=401), body={}),
    # The provider's webhook: no signature, no entry, whoever calls.
    ("POST", "/api/v1/sms/inbound"): Row(everyone(403), body={}),
    ("GET", "/api/v1/terms"): Row(everyone(200)),
    ("GET", "/api/v1/terms/{version}"): Row(everyone(200)),
    ("POST", "/api/v1/me/terms"): Row(persons(200, anonymous=401), body={"version": 1}),
    ("GET", "/api/v1/me/export"): Row(persons(200, anonymous=401)),
    ("POST", "/api/v1/me/export"): Row(
        {**persons(202, anonymous=401), "carol": 422, "townhall": 422}, body={"password": PASSWORD}
    ),
    ("GET", "/api/v1/me/export/{export_id}/download"): Row(
        {**persons(404, anonymous=401), "alice": 200}
    ),
    ("GET", "/api/v1/me/consents"): Row(persons(200, anonymous=401)),
    ("DELETE", "/api/v1/me/consents/{kind}"): Row(persons(204, anonymous=401)),
    ("DELETE", "/api/v1/me"): Row(
        {**persons(204, anonymous=401), "carol": 422, "townhall": 422},
        body={"password": PASSWORD, "contributions": "keep"},
    ),
    ("PUT", "/api/v1/privacy/restrictions/{user_id}"): Row(
        TEAM_API, body={"reason": "Conteste son adresse."}
    ),
    ("DELETE", "/api/v1/privacy/restrictions/{user_id}"): Row(
        {**persons(404, anonymous=401), "carol": 409}
    ),
    ("POST", "/api/v1/reports"): Row(
        {**members_of_a(201, anonymous=401, sam=403), "alice": 422}, body=REPORT_POST
    ),
    ("GET", "/api/v1/me/reports"): Row(persons(200, anonymous=401)),
    ("GET", "/api/v1/me/decisions"): Row(persons(200, anonymous=401)),
    ("POST", "/api/v1/me/decisions/{decision_id}/appeal"): Row(
        {**persons(404, anonymous=401), "alice": 201}, body={"text": "Un malentendu."}
    ),
    ("GET", "/api/v1/communities/{community_id}/moderation-summary"): Row(MEMBER_API),
    ("POST", "/api/v1/moderation/reports/{report_id}/decision"): Row(
        TEAM_API, body={"kind": "dismissed", "clause": "10", "explanation": "Rien."}
    ),
    ("POST", "/api/v1/moderation/users/{user_id}/sanctions"): Row(
        TEAM_API, body={"kind": "warned", "clause": "4", "explanation": "Ton."}
    ),
    ("GET", "/api/v1/moderation/users/{user_id}"): Row(TEAM_API),
    ("DELETE", "/api/v1/moderation/users/{user_id}/sessions"): Row(TEAM_API),
    ("POST", "/api/v1/moderation/decisions/{decision_id}/confirmation"): Row(
        TEAM_API, body={"confirm": True}, values={"decision_id": "ban_id"}
    ),
    ("POST", "/api/v1/moderation/appeals/{appeal_id}/decision"): Row(
        TEAM_API, body={"outcome": "upheld", "answer": "Maintenue."}
    ),
    ("GET", "/api/v1/moderation/dashboard"): Row(TEAM_API),
    ("GET", "/api/v1/municipalities/{town_hall_id}"): Row(TOWN_HALL_API),
    ("GET", "/api/v1/municipalities/{town_hall_id}/alerts"): Row(TOWN_HALL_API),
    ("POST", "/api/v1/municipalities/{town_hall_id}/messages"): Row(
        town_hall(201, anonymous=401), body=OFFICIAL_MESSAGE
    ),
    ("GET", "/api/v1/municipalities/{town_hall_id}/residents"): Row(TOWN_HALL_API),
    ("POST", "/api/v1/municipalities/{town_hall_id}/residence-checks"): Row(
        town_hall(201, anonymous=401), body={"address_id": "{address_id}"}
    ),
    ("PUT", "/api/v1/municipalities/{town_hall_id}/roles/{membership_id}"): Row(
        town_hall(200, anonymous=401, carol=200), body={"role": "deputy"}
    ),
    ("GET", "/api/v1/municipalities/{town_hall_id}/plans"): Row(TOWN_HALL_API),
    ("POST", "/api/v1/municipalities/{town_hall_id}/orders"): Row(
        town_hall(201, anonymous=401), body={"plan": "bourg", "period": "yearly"}
    ),
    ("GET", "/api/v1/municipalities/{town_hall_id}/subscription"): Row(TOWN_HALL_API),
    ("POST", "/api/v1/municipalities/{town_hall_id}/subscription/cancel"): Row(
        TOWN_HALL_API, body={}
    ),
    ("GET", "/api/v1/municipalities/{town_hall_id}/invoices"): Row(TOWN_HALL_API),
    ("POST", "/api/v1/municipalities"): Row(
        {**persons(404, anonymous=401), "carol": 201}, body={**NEW_TOWN_HALL, "population": 800}
    ),
    ("POST", "/api/v1/municipalities/{town_hall_id}/agents"): Row(
        {**persons(404, anonymous=401), "carol": 201}, body=NEW_AGENT
    ),
    ("GET", "/api/v1/privacy/breaches"): Row(TEAM_API),
    ("POST", "/api/v1/privacy/breaches"): Row(
        {**persons(404, anonymous=401), "carol": 201}, body=NEW_BREACH
    ),
    ("GET", "/api/v1/privacy/breaches/{breach_id}"): Row(TEAM_API),
    ("PATCH", "/api/v1/privacy/breaches/{breach_id}"): Row(
        TEAM_API, body={"measures": "Fichier supprimé."}
    ),
}


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith(("equipe/admin/", "api/v1/")):
                continue  # stood for by their entries in PAGES (admin) and OPERATIONS (API)
            yield from _routes(pattern.url_patterns, route)
        else:
            yield route


def all_page_routes() -> set[str]:
    return {
        *_routes(get_resolver().url_patterns),
        "equipe/admin/",
        "api/v1/docs",
        "api/v1/openapi.json",
    }


def all_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_it_lists_every_page() -> None:
    assert all_page_routes() == set(PAGES)


def test_it_lists_every_api_operation() -> None:
    assert all_operations() == set(OPERATIONS)


@pytest.fixture
def world(personas: Personas) -> World:
    return build_world(personas)


def _fill(route: str, values: dict[str, str], row: Row | None = None) -> str:
    chosen = {
        **values,
        **{name: values[other] for name, other in (row.values if row else {}).items()},
    }
    return re.sub(r"[<{](?:\w+:)?(\w+)[>}]", lambda match: chosen[match.group(1)], route)


def _client(world: World, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        log_in_as(
            client,
            getattr(world.personas, persona),
            second_factor=persona in ("carol", "townhall"),
        )
    return client


def _ask(world: World, persona: str, method: str, url: str, row: Row) -> int:
    return _answer(world, persona, method, url, row).status_code


def _answer(world: World, persona: str, method: str, url: str, row: Row) -> Response:
    """What the persona gets, on a world that the request leaves as it found it."""
    with transaction.atomic():
        client = _client(world, persona)
        if row.files:
            jpeg = io.BytesIO()
            Image.new("RGB", (8, 8)).save(jpeg, format="JPEG")
            upload = SimpleUploadedFile("a.jpg", jpeg.getvalue(), "image/jpeg")
            response = client.post(url, {"images": [upload]})
        elif row.body is not None:
            response = client.generic(
                method,
                url,
                data=_json(_bind(row.body, world.values)),
                content_type="application/json",
            )
        else:
            response = client.generic(method, url + _query(row.query))
        transaction.set_rollback(True)
    # Each persona asks on a fresh world: the rollback above undoes the database,
    # this undoes Redis (its rate-limit counters would otherwise add up).
    forget_shared_cache()
    return response


def _bind(body: Mapping[str, object], values: dict[str, str]) -> Mapping[str, object]:
    """A body's "{name}" values become the world's ids."""
    return {
        key: int(values[value[1:-1]])
        if isinstance(value, str) and value.startswith("{") and value.endswith("}")
        else value
        for key, value in body.items()
    }


def _json(body: Mapping[str, object]) -> str:
    return json.dumps(body)


def _query(query: dict[str, str]) -> str:
    return "?" + urlencode(query) if query else ""


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(PAGES))
def test_it_answers_each_page_as_the_matrix_says(world: World, route: str) -> None:
    row = PAGES[route]
    url = "/" + _fill(route, world.values, row)
    answers = {persona: _ask(world, persona, "GET", url, row) for persona in PERSONAS}

    assert answers == row.statuses


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), sorted(OPERATIONS))
def test_it_answers_each_operation_as_the_matrix_says(world: World, method: str, path: str) -> None:
    row = OPERATIONS[(method, path)]
    url = _fill(path, world.values, row)
    answers = {persona: _ask(world, persona, method, url, row) for persona in PERSONAS}

    assert answers == row.statuses


def _post_form(world: World, persona: str, url: str, row: Row) -> int:
    with transaction.atomic():
        response = _client(world, persona).post(url, row.body or {})
        transaction.set_rollback(True)
    forget_shared_cache()
    return response.status_code


def test_it_posts_to_every_form_target() -> None:
    form_targets = {route for route, row in PAGES.items() if row.statuses == POST_ONLY}

    assert form_targets <= set(PAGE_POSTS)
    assert set(PAGE_POSTS) <= all_page_routes()


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(PAGE_POSTS))
def test_it_answers_each_form_as_the_matrix_says(world: World, route: str) -> None:
    row = PAGE_POSTS[route]
    url = "/" + _fill(route, world.values, row)
    answers = {persona: _post_form(world, persona, url, row) for persona in PERSONAS}

    assert answers == row.statuses
