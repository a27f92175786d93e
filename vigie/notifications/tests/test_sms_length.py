from __future__ import annotations

import pytest

from vigie.notifications.sms.gsm import GSM_7, UCS_2, SmsLength, sms_length


def test_it_counts_a_french_verification_text_in_the_gsm_alphabet() -> None:
    text = (
        "Vigie : votre code de vérification est 482913. Il expire à 18h, après quoi écrivez-nous."
    )

    assert sms_length(text) == SmsLength(encoding=GSM_7, units=len(text), segments=1)


@pytest.mark.parametrize("character", ["é", "è", "ù", "ì", "ò", "à", "Ç", "É", "ñ", "ü", "\n"])
def test_it_keeps_the_accents_of_the_gsm_table_in_seven_bits(character: str) -> None:
    assert sms_length(f"Voil{character}").encoding == GSM_7


@pytest.mark.parametrize("character", ["ç", "ê", "â", "î", "ô", "û", "ë", "ï", "œ", "\u2019", "«"])
def test_it_switches_the_whole_text_to_ucs2_for_one_accent_outside_the_table(
    character: str,
) -> None:
    length = sms_length(f"Réunion de quartier : {character}")

    assert length.encoding == UCS_2
    assert length.units == len("Réunion de quartier : ") + 1


def test_it_fits_160_septets_in_one_segment_and_161_in_two() -> None:
    assert sms_length("a" * 160) == SmsLength(encoding=GSM_7, units=160, segments=1)
    assert sms_length("a" * 161) == SmsLength(encoding=GSM_7, units=161, segments=2)
    assert sms_length("a" * 306).segments == 2
    assert sms_length("a" * 307).segments == 3


def test_it_counts_the_euro_sign_and_the_other_extension_characters_twice() -> None:
    assert sms_length("€") == SmsLength(encoding=GSM_7, units=2, segments=1)
    assert sms_length("[]{}^~\\|").units == 16
    assert sms_length("€" * 80).segments == 1
    assert sms_length("€" * 80 + "a") == SmsLength(encoding=GSM_7, units=161, segments=2)


def test_it_never_splits_an_escape_from_its_character_across_segments() -> None:
    # 306 septets would fill two segments of 153 exactly, but the euro sign
    # falls on the boundary and moves whole into the second, pushing one out.
    text = "a" * 152 + "€" + "a" * 152

    assert sms_length(text) == SmsLength(encoding=GSM_7, units=306, segments=3)


def test_it_fits_70_ucs2_units_in_one_segment_and_71_in_two() -> None:
    assert sms_length("ç" * 70) == SmsLength(encoding=UCS_2, units=70, segments=1)
    assert sms_length("ç" * 71) == SmsLength(encoding=UCS_2, units=71, segments=2)
    assert sms_length("ç" * 134).segments == 2
    assert sms_length("ç" * 135).segments == 3


def test_it_counts_a_character_outside_the_basic_plane_as_two_units() -> None:
    assert sms_length("😀") == SmsLength(encoding=UCS_2, units=2, segments=1)
    assert sms_length("😀" * 35).segments == 1
    assert sms_length("😀" * 36) == SmsLength(encoding=UCS_2, units=72, segments=2)


def test_it_never_splits_a_surrogate_pair_across_segments() -> None:
    text = "ê" * 66 + "😀" + "ê" * 66

    assert sms_length(text) == SmsLength(encoding=UCS_2, units=134, segments=3)


def test_it_counts_an_euro_sign_in_ucs2_as_one_unit() -> None:
    assert sms_length("ça coûte 5 €") == SmsLength(encoding=UCS_2, units=12, segments=1)


def test_it_counts_an_empty_text_as_the_one_segment_it_would_take() -> None:
    assert sms_length("") == SmsLength(encoding=GSM_7, units=0, segments=1)


def test_it_folds_french_typography_outside_the_alphabet_and_keeps_what_is_inside() -> None:
    from vigie.notifications.sms.gsm import fold_to_gsm

    folded = fold_to_gsm("Fenêtre d\u2019une maison, « là-bas » — cœur… çà et là, été, où")

    assert folded == 'Fenetre d\'une maison, " là-bas " - coeur... cà et là, été, où'
    assert sms_length(folded).encoding == GSM_7


def test_it_keeps_what_has_no_reading_in_the_alphabet() -> None:
    from vigie.notifications.sms.gsm import fold_to_gsm

    assert fold_to_gsm("Attention 🔥 ici") == "Attention 🔥 ici"
    assert sms_length(fold_to_gsm("Attention 🔥 ici")).encoding == UCS_2
