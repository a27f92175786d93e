from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from vigie.accounts.models import User
from vigie.privacy.models import Breach
from vigie.test import log_in_as

pytestmark = pytest.mark.django_db


def test_it_gives_the_demo_one_closed_breach_that_carol_reads_in_the_register() -> None:
    call_command("load_demo")
    call_command("load_demo")
    carol = log_in_as(Client(), User.objects.get(email="carol@demo.vigie.test"), second_factor=True)

    [breach] = Breach.objects.all()
    page = carol.get("/equipe/violations/")

    assert breach.cnil_not_notified_reason
    assert breach.people_informed_at is not None
    assert page.status_code == 200
    assert f"/equipe/violations/{breach.pk}/" in page.content.decode()
