"""Alice reports Dave's post, Carol warns him for it, Dave appeals, another moderator answers."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from vigie.communities.models import Membership
from vigie.moderation.models import Appeal, AppealOutcome, DecisionKind
from vigie.moderation.tests.helpers import second_moderator
from vigie.posts.actions import PostInput, do_create_post
from vigie.test import Personas, neighbourhood_a
from vigie.tests.browser.browser import (
    DESKTOP,
    check_accessibility,
    log_in,
    log_out,
    screenshot,
)
from vigie.tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser


def test_it_takes_a_report_through_a_warning_and_an_appeal_to_its_answer(
    open_page: OpenPage, personas: Personas
) -> None:
    membership = Membership.objects.get(user=personas.dave, community=neighbourhood_a())
    post = do_create_post(
        membership,
        data=PostInput(
            kind="information",
            title="Les voisins du 30",
            body="Ceux du 30 sont des incapables, qu’ils déménagent.",
        ),
    )

    alice = open_page()
    log_in(alice, personas.alice)
    alice.goto(f"/publications/{post.pk}/")
    check_accessibility(alice)
    alice.get_by_role("link", name="Signaler ce message").click()
    expect(alice.get_by_role("heading", name="Signaler à l’équipe de modération")).to_be_visible()
    check_accessibility(alice)
    alice.get_by_label("harcèlement ou insulte").check()
    alice.get_by_label("Précisions pour l’équipe").fill("Il vise la famille du 30 depuis un mois.")
    screenshot(alice, "report-form")
    alice.get_by_role("button", name="Envoyer le signalement").click()
    expect(alice.get_by_role("status")).to_be_visible()
    expect(alice).to_have_url(f"/publications/{post.pk}/")

    carol = open_page(viewport=DESKTOP)
    log_in(carol, personas.carol, second_factor=True)
    carol.goto("/equipe/moderation/")
    check_accessibility(carol)
    carol.get_by_role("link", name="Décider").first.click()
    expect(carol.get_by_text("Il vise la famille du 30 depuis un mois.")).to_be_visible()
    check_accessibility(carol)
    carol.get_by_label("avertissement", exact=True).check()
    carol.get_by_label("Article des conditions d’utilisation appliqué").select_option("4")
    carol.get_by_label("Explication (communiquée à la personne concernée)").fill(
        "Critiquer est permis, insulter des voisins ne l’est pas."
    )
    screenshot(carol, "report-decision")
    carol.get_by_role("button", name="Enregistrer la décision").click()
    expect(carol.get_by_role("status")).to_contain_text("Décision enregistrée.")
    check_accessibility(carol)

    dave = open_page()
    log_in(dave, personas.dave)
    dave.goto("/compte/decisions/")
    decision = dave.locator("article.decision")
    expect(decision).to_contain_text("Avertissement")
    expect(decision).to_contain_text("insulter des voisins")
    check_accessibility(dave)
    dave.get_by_label("Pourquoi contestez-vous cette décision ?").fill(
        "Je parlais du bruit, pas des personnes."
    )
    dave.get_by_role("button", name="Contester cette décision").click()
    expect(dave.get_by_role("status")).to_contain_text("Votre recours est enregistré")
    expect(dave.get_by_text("Votre recours est en attente d’examen")).to_be_visible()
    screenshot(dave, "report-appeal")
    check_accessibility(dave)
    log_out(dave)

    appeal = Appeal.objects.get()
    assert appeal.appellant == personas.dave
    assert appeal.text == "Je parlais du bruit, pas des personnes."
    assert appeal.decision.kind == DecisionKind.WARNED
    assert appeal.decision.clause == "4"

    # Carol took the decision, so another moderator answers the appeal.
    carol.goto("/equipe/moderation/")
    carol.get_by_role("link", name="Avertissement — Dave").click()
    expect(carol.get_by_role("button", name="Enregistrer la réponse")).to_have_count(0)
    expect(carol.get_by_text("qui n’a pas pris part à la décision")).to_be_visible()

    erin = second_moderator()
    moderator = open_page(viewport=DESKTOP)
    log_in(moderator, erin, second_factor=True)
    moderator.goto("/equipe/moderation/")
    moderator.get_by_role("link", name="Avertissement — Dave").click()
    expect(moderator.get_by_text("Je parlais du bruit, pas des personnes.")).to_be_visible()
    check_accessibility(moderator)
    moderator.get_by_label("décision maintenue").check()
    moderator.get_by_label("Réponse (communiquée à la personne concernée)").fill(
        "Le message visait les habitants du 30, pas le bruit."
    )
    screenshot(moderator, "appeal-answer")
    moderator.get_by_role("button", name="Enregistrer la réponse").click()
    expect(moderator.get_by_role("status")).to_be_visible()
    check_accessibility(moderator)

    log_in(dave, personas.dave)
    dave.goto("/compte/decisions/")
    answer = "Décision maintenue — Le message visait les habitants du 30, pas le bruit."
    expect(dave.get_by_text(answer)).to_be_visible()
    expect(dave.get_by_role("button", name="Contester cette décision")).to_have_count(0)
    check_accessibility(dave)

    appeal.refresh_from_db()
    assert appeal.outcome == AppealOutcome.UPHELD
    assert appeal.decided_by == erin
