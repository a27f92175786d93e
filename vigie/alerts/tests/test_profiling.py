from __future__ import annotations

import pytest
from django.utils import translation

from vigie.alerts.profiling import ProfilingCheck, check_description, profiling_terms

HELD_IN_FRENCH = [
    "Un homme noir rôdait rue des Lilas",
    "Un Noir devant l'école",
    "Deux Roumains près du parking",
    "C'est encore l'Arabe du deuxième",
    "Des jeunes maghrébins au pied de l'immeuble",
    "Un mec typé près des garages",
    "Un individu basané",
    "Une femme voilée sonne aux portes",
    "Un jeune de couleur dans le hall",
    "Un gitan avec une camionnette",
    "Homme d'origine africaine",
    "Homme de type nord-africain",
    "Une femme à la peau noire",
    "Un groupe de Noirs sur la place",
    "Un grand black",
    "Des gens du voyage",
    "Un homme blanc",
    "Un homme aux yeux bridés",
    "Trois Roumains devant le parking",
    "3 Roumains devant le parking",
    "Un homme étranger au quartier",
    "Une femme d'origine étrangère",
    "Un homme de confession musulmane",
    "Un homme n\u043eir",  # with a Cyrillic o
    "Un homme n0ir",
]
HELD_IN_ENGLISH = [
    "A black man near the school",
    "There was an Arab who kept walking by",
    "Some gypsies by the canal",
    "Asian-looking man",
    "A Middle Eastern guy",
    "A Muslim woman outside number 12",
    "Dark-skinned youth",
    "Foreign-looking men",
    "A group of blacks",
    "Two Romanians",
    "A tall black teenage boy",
    "People of colour at the bus stop",
    "A man of Arab descent",
    "White male",
    "An African-American man",
    "A black fella by the gate",
]
PASSING_IN_FRENCH = [
    "Voiture noire garée devant le 12",
    "Un individu vêtu de noir",
    "Sweat blanc, capuche rabattue",
    "Rue des Arabes",
    "Rue des Blancs-Manteaux",
    "Rue Noire",
    "Blanche a vu un homme escalader le portail",
    "Ma voisine Blanche a entendu du bruit",
    "Un homme en noir",
    "Il a disparu dans le noir",
    "Roue voilée sur le vélo abandonné",
    "Plaque roumaine sur une camionnette",
    "Devant le restaurant chinois",
    "Il parlait arabe au téléphone",
    "Il buvait un petit noir en terrasse",
    "Veste en peau noire",
    "Vélo Gitane volé",
    "Un type louche dans le hall",
    "Voiture noire, homme au volant",
    "Une noirceur inhabituelle",
    "Une Peugeot 208 blanche",
    "La 308 noire a fait trois fois le tour",
    "Une Clio 4 noire",
    "Une Golf 7 blanche",
    "Il est devenu blanc de peur",
    "Il a acheté des nems chez les Chinois",
    "Monter les blancs d'oeufs en neige",
]
PASSING_IN_ENGLISH = [
    "Black car, partial plate AB-12",
    "Dressed in black",
    "White van parked on the pavement",
    "Near the Black Forest cake stall",
    "A man in black",
    "The whites of his eyes",
    "Queue at the Chinese takeaway",
    "Indian restaurant on the corner",
    "A foreign number plate",
    "A black cab driver",
    "Brown-haired woman",
    "A man with brown hair",
]
BEHAVIOUR = "Il essayait d'ouvrir les portières des voitures garées"


@pytest.mark.parametrize("text", HELD_IN_FRENCH + HELD_IN_ENGLISH)
def test_it_holds_a_description_resting_on_colour_origin_or_religion(text: str) -> None:
    check = check_description(behaviour="", texts=[text])

    assert check.held
    assert check.terms


@pytest.mark.parametrize("text", PASSING_IN_FRENCH + PASSING_IN_ENGLISH)
def test_it_lets_colours_of_things_places_and_names_pass(text: str) -> None:
    assert profiling_terms(text) == ()
    assert check_description(behaviour="", texts=[text]) == ProfilingCheck(
        held=False, terms=(), message=""
    )


def test_it_lets_a_held_description_through_once_the_behaviour_is_described() -> None:
    texts = ["Un homme noir rue des Lilas"]
    assert check_description(behaviour="", texts=texts).held

    check = check_description(behaviour=BEHAVIOUR, texts=texts)

    assert not check.held
    # Moderators still need to see what was said about the person.
    assert check.terms == ("noir",)
    assert check.message


@pytest.mark.parametrize(
    "behaviour",
    ["rôdait", "looked suspicious", "Il avait l'air louche", "homme noir", "un Arabe, un Noir"],
)
def test_it_keeps_holding_when_the_behaviour_is_too_vague_or_only_profiling(
    behaviour: str,
) -> None:
    assert check_description(behaviour=behaviour, texts=["Un homme noir"]).held


def test_it_finds_terms_in_the_behaviour_field_too() -> None:
    check = check_description(behaviour="un Maghrébin", texts=["Sweat gris, baskets blanches"])

    assert check.held
    assert check.terms == ("maghrébin",)


def test_it_reports_each_term_once_as_written_in_lower_case() -> None:
    check = check_description(
        behaviour="",
        texts=["Un homme Noir et un Basané", "Deux hommes noirs, dont le Basané"],
    )

    assert check.terms == ("noir", "basané", "noirs")


def test_it_tells_the_author_why_and_how_to_describe_instead() -> None:
    with translation.override("en"):
        message = check_description(behaviour="", texts=["Un individu basané"]).message

    assert "skin colour, origin or religion" in message
    for advice in ("did", "clothing", "height", "direction", "vehicle"):
        assert advice in message


@pytest.mark.parametrize(
    "text", ["un individu basané", "un individu basane", "UN INDIVIDU BASANÉ", "Un Individu Basane"]
)
def test_it_ignores_accents_and_capitals(text: str) -> None:
    assert [term.casefold() for term in profiling_terms(text)] in (["basané"], ["basane"])


def test_it_reads_typé_only_with_its_accent_since_a_type_is_just_a_guy() -> None:
    assert profiling_terms("Un mec typé") == ("typé",)
    assert profiling_terms("Une femme typée") == ("typée",)
    assert profiling_terms("Un type près des boîtes aux lettres") == ()


def test_it_reads_skin_words_with_their_colour() -> None:
    assert profiling_terms("Une femme à la peau noire") == ("peau noire",)
    assert profiling_terms("A dark-skinned man") == ("dark-skinned",)
    assert profiling_terms("Sweat teint en noir") == ()
