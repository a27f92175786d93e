"""An authenticator code lives one 30-second step, give or take one step of clock skew."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django_otp.oath import TOTP

from vigie.accounts.models import TOTPDevice
from vigie.test import PASSWORD, TOTP_KEY_HEX, Personas

pytestmark = pytest.mark.django_db

# Five seconds into a 30-second step: "n steps ago" is never ambiguous.
NOW = datetime(2027, 3, 1, 9, 0, 5, tzinfo=UTC)
STEP = timedelta(seconds=30)


def code_of(moment: datetime) -> str:
    """The code an authenticator app showed at ``moment``, its clock right."""
    totp = TOTP(bytes.fromhex(TOTP_KEY_HEX), 30, 0, 6, 0)
    totp.time = moment.timestamp()
    return f"{totp.token():06d}"


def second_factor(code: str) -> bool:
    """Log Carol in with her password, then ``code``: is her session opened?"""
    client = Client()
    client.post("/connexion/", {"email": "carol@example.org", "password": PASSWORD})
    answer = client.post("/connexion/second-facteur/", {"code": code})
    return answer.status_code == 302 and client.get("/equipe/").status_code == 200


def code_steps_away(moment: datetime, steps: int) -> bool:
    with time_machine.travel(moment, tick=False):
        return second_factor(code_of(moment + steps * STEP))


def test_it_refuses_a_code_two_steps_old_and_accepts_one_a_step_old(personas: Personas) -> None:
    # A few seconds apart, inside one step: a failure slows the next attempt down.
    answers = [
        code_steps_away(NOW, -2),
        code_steps_away(NOW + timedelta(seconds=3), +2),
        code_steps_away(NOW + timedelta(seconds=9), -3),
        code_steps_away(NOW + timedelta(seconds=20), -1),
    ]

    assert answers == [False, False, False, True]


def test_it_never_lets_a_slow_clock_stretch_a_codes_lifetime(personas: Personas) -> None:
    # Carol's phone runs a step late, every time she logs in.
    late = [code_steps_away(NOW + timedelta(days=day), -1) for day in range(3)]

    later = NOW + timedelta(days=4)
    stale = code_steps_away(later, -2)
    staler = code_steps_away(later + timedelta(seconds=3), -3)

    assert late == [True, True, True]
    assert (stale, staler) == (False, False)
    assert abs(TOTPDevice.objects.get(user=personas.carol).drift) <= 1
