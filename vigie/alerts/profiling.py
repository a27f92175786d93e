"""Spotting alerts that describe people by skin colour, origin or religion.

Neighbourhood-watch alerts are a known channel for racial profiling: "a black man in rue
des Lilas" tells neighbours nothing about a threat and points them at a neighbour for who
they are. The product rule: a description that rests only on skin colour, origin or
religion is held, and its author is told why and how to describe instead (what the person
did, clothing, height, direction, vehicle). When a real behaviour is described the alert
is not held; the terms found are still returned so that moderators see them.

The lexicon is French and English. Words are compared without accents or capitals
("Basané" == "basane"), on whole words only ("noirceur" is not "noir"), hyphens and
apostrophes split words ("l'Arabe", "asian-looking", "nord-africain").

Precision comes before recall: a false alarm blocks an honest neighbour and teaches
everyone to ignore the check, while a missed term still reaches moderators when the
alert has no behaviour. So most words count only in a context that makes them describe
a person:

- labels that hardly mean anything else count everywhere ("basané", "maghrébin",
  "rebeu", "gypsies", "Muslims", slurs);
- colour words count only next to a person ("homme noir", "black man", "un Noir",
  "des Blancs", "jeune de couleur", "people of colour") or a skin word ("peau noire",
  "dark-skinned"). "voiture noire", "vêtu de noir", "sweat blanc", "dans le noir",
  "black car", "dressed in black", "white van", "Black Forest cake" all pass;
- nationality, ethnic and religious adjectives count next to a person ("femme voilée",
  "Muslim woman"), after a word of origin ("type africain", "d'origine roumaine",
  "asian-looking", "of Arab descent") or used as a noun ("un Roumain", "l'Arabe",
  "des Gitans", "an Arab who…"). "plaque roumaine", "restaurant chinois", "roue
  voilée", "vélo Gitane", "parlait arabe", "Chinese takeaway" pass.

Decisions worth knowing:

- street names are places, not people: "rue des Arabes", "rue des Blancs-Manteaux",
  "rue Noire" pass;
- a capitalised "Blanche" after a person word is read as the first name ("ma voisine
  Blanche a vu…"), so "une femme Blanche" written with a capital is missed;
- "le" and "la" are not read as determiners ("dans le noir", "devant le chinois" is the
  shop), nor is "petit" skipped after one ("un petit noir" is a coffee);
- "typé" is recognised with its accent or in the unambiguous "typée(s)": without the
  accent "type" is the everyday word for a guy;
- punctuation (commas included) breaks the context: "un homme, noir" is missed, but
  "voiture noire, homme au volant" is not read as "noire homme".

- a number counts people only before a plural ("3 Roumains"): "la 308 noire" and "Golf 7
  blanche" are cars;
- "blanc de peur", "les blancs d'oeufs" and "chez les Chinois" (the shop) pass;
- Cyrillic and Greek lookalikes and digits inside a word are read as the Latin letters
  they imitate ("n0ir");
- the hold is the caller's: a missing person's alert describes them as they look, so
  ``alerts.actions`` only records the terms there, for the team.

Known limits: misspellings and slang outside the lexicon, country names ("venu
d'Afrique"), euphemisms that are also directions ("des gens de l'Est"), and a
behaviour that is judged by counting meaningful words, not by understanding them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# Fewer distinct meaningful words than this is no description of behaviour: "rôdait",
# "looked suspicious" and "homme noir" all fall short, "essayait d'ouvrir les portières"
# does not.
MIN_BEHAVIOUR_WORDS = 3

_HELD_MESSAGE = _(
    "This alert cannot be sent as it is: it describes someone by skin colour, origin or "
    "religion without saying what they did. These words say nothing about a danger and "
    "point neighbours at people for who they are. Describe what the person did, then their "
    "clothing, height, the direction they took and any vehicle (type, colour, part of the "
    "plate)."
)
_MENTIONED_MESSAGE = _(
    "Your description mentions skin colour, origin or religion. Neighbours need what the "
    "person did, their clothing, height, direction and vehicle: please leave the rest out."
)


@dataclass(frozen=True)
class ProfilingCheck:
    held: bool
    terms: tuple[str, ...]
    message: str


def check_description(*, behaviour: str, texts: Sequence[str]) -> ProfilingCheck:
    """Hold a description that rests on skin colour, origin or religion alone.

    The message is translated here, in the language active for the author's request.
    """
    terms = _unique(term for text in (*texts, behaviour) for term in profiling_terms(text))
    if not terms:
        return ProfilingCheck(held=False, terms=(), message="")
    if _describes_behaviour(behaviour):
        return ProfilingCheck(held=False, terms=terms, message=str(_MENTIONED_MESSAGE))
    return ProfilingCheck(held=True, terms=terms, message=str(_HELD_MESSAGE))


def profiling_terms(text: str) -> tuple[str, ...]:
    """The words of `text` that describe a person by skin colour, origin or religion.

    Lower case, as written otherwise (accents kept), each once, in order of appearance.
    """
    tokens = _tokenize(text)
    return _unique(_spoken(text, tokens, start, end) for start, end in _matches(tokens))


@dataclass(frozen=True)
class _Token:
    written: str
    key: str
    start: int
    end: int
    # Only spaces, hyphens or apostrophes since the previous word: the two read together.
    joined: bool


@dataclass(frozen=True)
class _Usage:
    """The contexts in which a lexicon entry describes a person."""

    anywhere: bool = False
    # French word order and "of colour": "homme noir", "people of colour"; also used as a
    # French noun ("un Noir", "l'Arabe") or after a word of origin ("type africain").
    after_person: bool = False
    # English word order: "black man", "asian-looking", "an Arab who…".
    before_person: bool = False
    colour: bool = False
    skin: bool = False


_WORD = re.compile(r"[^\W_]+")
_JOINING_GAP = re.compile(r"[ \t\u00a0\-\u2010\u2011'\u2019\u02bc`\u00b4]*")


# Cyrillic and Greek letters that look Latin, and digits written for letters inside a
# word ("noir" written with a Cyrillic o, "n0ir"): read as the Latin word they imitate.
_LOOKALIKES = str.maketrans(
    "аеорсухіјѕԁӏαεικνορτυχ",
    "aeopcyxijsdlaeikvoptux",
)
_DIGITS_AS_LETTERS = str.maketrans("013457", "oieast")


def _key(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    plain = "".join(character for character in decomposed if not unicodedata.combining(character))
    plain = plain.translate(_LOOKALIKES)
    # "208", "A4" and "308" stay numbers and models; only a word mixing both is read so.
    if (
        any(character.isdigit() for character in plain)
        and sum(character.isalpha() for character in plain) >= 2
    ):
        plain = plain.translate(_DIGITS_AS_LETTERS)
    return plain


def _tokenize(text: str) -> list[_Token]:
    text = unicodedata.normalize("NFC", text)
    tokens: list[_Token] = []
    for match in _WORD.finditer(text):
        joined = bool(tokens) and _JOINING_GAP.fullmatch(text, tokens[-1].end, match.start())
        tokens.append(
            _Token(match.group(), _key(match.group()), match.start(), match.end(), bool(joined))
        )
    return tokens


def _keys(phrase: str) -> tuple[str, ...]:
    return tuple(_key(word) for word in _WORD.findall(phrase))


def _french(masculine: str, feminine: str | None = None) -> tuple[str, ...]:
    """Masculine, feminine and their plurals ("noir" -> noir, noire, noirs, noires)."""
    singulars = (masculine, masculine + "e" if feminine is None else feminine)
    plurals = tuple(form if form.endswith(("s", "x")) else form + "s" for form in singulars)
    return tuple(dict.fromkeys(singulars + plurals))


def _many(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(form for group in groups for form in group)


_LABELS = _many(
    _french("basané"),
    ("typée", "typées"),
    _french("maghrébin"),
    ("rebeu", "rebeus", "reubeu", "reubeus", "beur", "beurs", "beurette", "beurettes"),
    ("renoi", "renois", "renoie", "renoies", "noich", "feuj", "feujs"),
    ("manouche", "manouches", "tsigane", "tsiganes", "tzigane", "tziganes"),
    _french("romanichel", "romanichelle"),
    ("rom", "roms", "rrom", "rroms", "gens du voyage"),
    _french("métis", "métisse"),
    ("nègre", "nègres", "négresse", "négresses", "négro", "négros"),
    _french("bougnoule", "bougnoule"),
    _french("bicot"),
    _french("chinetoque", "chinetoque"),
    _french("niakoué"),
    _french("youpin", "youpine"),
    ("yeux bridés",),
    # English plurals of origin are nouns: "Romanians", "Asians" always mean people.
    ("asians", "africans", "arabs", "romanians", "albanians", "bulgarians", "chechens"),
    ("afghans", "pakistanis", "indians", "turks", "kurds", "algerians", "moroccans"),
    ("tunisians", "somalis", "nigerians", "eritreans", "hispanics", "latinos", "mexicans"),
    ("muslims", "moslems", "jew", "jews", "gypsy", "gypsies", "gipsy", "gipsies", "romanies"),
    ("gyppo", "gyppos", "pikey", "pikeys", "swarthy", "mulatto", "mulattos", "mulattoes"),
    ("half-caste", "mixed-race", "foreigner", "foreigners", "slant-eyed"),
    ("darkie", "darkies", "negro", "negroes", "nigger", "niggers", "nigga", "niggas"),
    ("paki", "pakis", "towelhead", "towelheads", "raghead", "ragheads", "wog", "wogs"),
)
_FRENCH_COLOURS = _many(_french("noir"), _french("blanc", "blanche"), ("black", "blacks"))
_FRENCH_ORIGINS = _many(
    _french("africain"),
    _french("nord-africain"),
    _french("subsaharien", "subsaharienne"),
    _french("sud-américain"),
    _french("antillais"),
    _french("asiatique", "asiatique"),
    _french("asiat", "asiat"),
    _french("chinois"),
    _french("arabe", "arabe"),
    _french("roumain"),
    _french("bulgare", "bulgare"),
    _french("albanais"),
    _french("tchétchène", "tchétchène"),
    _french("afghan"),
    _french("pakistanais"),
    _french("indien", "indienne"),
    _french("turc", "turque"),
    _french("kurde", "kurde"),
    _french("algérien", "algérienne"),
    _french("marocain"),
    _french("tunisien", "tunisienne"),
    _french("sénégalais"),
    _french("malien", "malienne"),
    _french("comorien", "comorienne"),
    _french("ivoirien", "ivoirienne"),
    _french("congolais"),
    _french("camerounais"),
    _french("somalien", "somalienne"),
    _french("érythréen", "érythréenne"),
    _french("européen", "européenne"),
    _french("méditerranéen", "méditerranéenne"),
    _french("oriental", "orientale"),
    ("orientaux",),
    _french("caucasien", "caucasienne"),
    _french("latino", "latina"),
    _french("gitan"),
    _french("musulman"),
    _french("juif", "juive"),
    _french("voilé"),
    _french("étranger", "étrangère"),
    _french("immigré"),
    ("de couleur", "of colour", "of color"),
)
_ENGLISH_COLOURS = ("black", "white", "brown", "coloured", "colored")
# "the blacks", "a group of whites": English colour nouns need a determiner.
_ENGLISH_COLOUR_NOUNS = ("blacks", "whites", "coloureds", "coloreds")
_ENGLISH_ORIGINS = (
    "african", "north african", "asian", "east asian", "south asian", "oriental", "chinese",
    "arab", "middle eastern", "eastern european", "european", "mediterranean", "hispanic",
    "latino", "latina", "mexican", "romanian", "bulgarian", "albanian", "chechen", "afghan",
    "pakistani", "indian", "turkish", "kurdish", "algerian", "moroccan", "tunisian",
    "somali", "nigerian", "eritrean", "roma", "romani", "romany", "gypsy", "muslim",
    "moslem", "jewish", "caucasian", "ethnic", "foreign", "african american",
)  # fmt: skip
_SKIN_COLOURS = _many(
    _FRENCH_COLOURS,
    _ENGLISH_COLOURS,
    _french("mat"),
    _french("foncé"),
    _french("clair"),
    _french("brun"),
    _french("cuivré"),
    ("marron", "dark", "darker", "fair", "light", "olive", "pale"),
)


def _lexicon() -> dict[tuple[str, ...], _Usage]:
    lexicon: dict[tuple[str, ...], _Usage] = {}

    def add(forms: Iterable[str], usage: _Usage) -> None:
        for form in forms:
            known = lexicon.get(_keys(form), _Usage())
            lexicon[_keys(form)] = _Usage(
                anywhere=known.anywhere or usage.anywhere,
                after_person=known.after_person or usage.after_person,
                before_person=known.before_person or usage.before_person,
                colour=known.colour or usage.colour,
                skin=known.skin or usage.skin,
            )

    add(_LABELS, _Usage(anywhere=True))
    add(_FRENCH_COLOURS, _Usage(after_person=True, colour=True))
    add(_FRENCH_ORIGINS, _Usage(after_person=True))
    add(_ENGLISH_COLOURS + _ENGLISH_COLOUR_NOUNS, _Usage(before_person=True, colour=True))
    add(_ENGLISH_ORIGINS, _Usage(before_person=True))
    add(_SKIN_COLOURS, _Usage(skin=True))
    return lexicon


_LEXICON = _lexicon()
_LONGEST = max(len(key) for key in _LEXICON)
# Without its accent "typé" is "type", the everyday word for a guy.
_ACCENTED_LABELS = frozenset({"typé", "typés"})


def _key_set(*words: str | Iterable[str]) -> frozenset[str]:
    return frozenset(
        _key(form) for word in words for form in ((word,) if isinstance(word, str) else word)
    )


_PEOPLE = _key_set(
    _french("homme", "homme"), _french("femme", "femme"), _french("mec", "mec"),
    _french("meuf", "meuf"), "gars", _french("type", "type"), _french("individu", "individu"),
    _french("personne", "personne"), _french("garçon", "garçon"), _french("fille", "fille"),
    _french("jeune", "jeune"), _french("ado", "ado"), _french("adolescent"), _french("gamin"),
    _french("enfant", "enfant"), _french("gosse", "gosse"), "monsieur", "messieurs",
    _french("dame", "dame"), "gens", _french("suspect"), _french("inconnu"), _french("voisin"),
    _french("passant"), _french("couple", "couple"), _french("famille", "famille"),
    _french("nana", "nana"), "keum", "keums", _french("livreur", "livreuse"),
    _french("vendeur", "vendeuse"), _french("conducteur", "conductrice"),
    _french("chauffeur", "chauffeur"), _french("cycliste", "cycliste"), _french("motard"),
    _french("piéton", "piétonne"), _french("démarcheur", "démarcheuse"), "quidam", "bonhomme",
    "man", "men", "woman", "women", "guy", "guys", "bloke", "blokes", "lad", "lads", "boy",
    "boys", "girl", "girls", "kid", "kids", "child", "children", "teen", "teens", "teenager",
    "teenagers", "youth", "youths", "youngster", "youngsters", "person", "persons", "people",
    "male", "males", "female", "females", "lady", "ladies", "gentleman", "gentlemen", "dude",
    "dudes", "individual", "individuals", "suspect", "suspects", "stranger", "strangers",
    "neighbour", "neighbours", "neighbor", "neighbors", "family", "families", "couple",
    "couples", "driver", "drivers", "cyclist", "cyclists", "rider", "riders", "pedestrian",
    "pedestrians", "fellow", "fellows", "fella", "fellas", "chap", "chaps", "folk", "folks",
    "salesman",
    "salesmen", "canvasser", "canvassers", "courier", "couriers",
)  # fmt: skip
# Words that may stand between a person and the word describing them: "jeune homme
# grand", "tall black man", "young Asian woman".
_BUILD = _key_set(
    _french("grand"), _french("gros", "grosse"), _french("costaud"), _french("mince", "mince"),
    _french("jeune", "jeune"), "vieux", "vieil", _french("vieille", "vieille"), _french("âgé"),
    _french("maigre", "maigre"), _french("trapu"), _french("petit"),
    "tall", "short", "young", "old", "older", "elderly", "teenage", "teenaged", "big", "small",
    "little", "large", "skinny", "thin", "slim", "fat", "heavy", "heavyset", "stocky",
    "middle", "aged", "well", "built",
)  # fmt: skip
# "un petit noir" is a coffee and "un petit blanc" a glass of wine.
_BUILD_AFTER_DETERMINER = _BUILD - _key_set(_french("petit"))
_FRENCH_DETERMINERS = _key_set(
    "un", "une", "des", "les", "l", "aux", "ce", "cet", "cette", "ces", "deux", "trois",
    "quatre", "cinq", "six", "plusieurs", "quelques",
)  # fmt: skip
# "de" and "d'" make a noun only of a plural: "un groupe de Noirs", not "vêtu de noir".
_FRENCH_PLURAL_DETERMINERS = _key_set("de", "d")
_ENGLISH_PLURAL_DETERMINERS = _key_set(
    "the", "two", "three", "four", "five", "several", "some", "these", "those", "many", "of",
)  # fmt: skip
# "an Arab who…" reads as a noun, "an Arab horse" does not; "the" is left out because
# "the Indian" is as often the restaurant.
_ENGLISH_SINGULAR_DETERMINERS = _key_set("a", "an", "one")
_ENGLISH_AFTER_NOUN = _key_set(
    "was", "were", "is", "are", "who", "that", "and", "with", "in", "on", "at", "near", "by",
    "outside", "behind", "walking", "running", "standing", "hanging", "came", "went", "ran",
    "tried", "trying",
)  # fmt: skip
_ORIGIN_BEFORE = _key_set(
    "type",
    "origine",
    "origines",
    "apparence",
    "allure",
    "faciès",
    "physique",
    "typé",
    "typée",
    "confession",
)
_ORIGIN_AFTER = _key_set(
    "looking", "origin", "origins", "descent", "appearance", "heritage", "extraction",
    "features", "background",
)  # fmt: skip
_SKIN_WORDS = _key_set("peau", "teint", "skin", "skinned", "complexion", "complexioned")
_SKIN_GAP = _key_set(
    "de", "d", "la", "l", "a", "à", "au", "the", "very", "très", "plutôt", "assez", "un", "peu",
    "quite", "rather", "fairly", "bien",
)  # fmt: skip
_STREETS = _key_set(
    "rue", "ruelle", "avenue", "av", "boulevard", "bd", "place", "impasse", "allée", "chemin",
    "quai", "route", "cours", "square", "passage", "sentier", "voie", "cité", "résidence",
    "quartier", "lotissement", "parc", "jardin", "street", "st", "road", "rd", "lane",
    "drive", "way", "close", "crescent",
    # "chez les Chinois", "chez l'Arabe": the shop, as people say it.
    "chez",
)  # fmt: skip
_STREET_CONNECTORS = _key_set("de", "du", "des", "d", "la", "l", "le", "les", "of", "the")
# A colour then these words is no person's: "blanc de peur", "les blancs d'oeufs".
_NOT_A_PERSON_AFTER_COLOUR = frozenset(
    {("de", "peur"), ("de", "rage"), ("de", "colere"), ("d", "oeuf"), ("d", "oeufs"),
     ("de", "poulet"), ("comme", "neige"), ("comme", "linge")}
)  # fmt: skip


def _matches(tokens: Sequence[_Token]) -> Iterator[tuple[int, int]]:
    """(start, end) token ranges of profiling terms, longest entries first."""
    index = 0
    while index < len(tokens):
        span = _match_at(tokens, index)
        if span is None:
            index += 1
            continue
        yield span
        index = max(span[1], index + 1)


def _match_at(tokens: Sequence[_Token], start: int) -> tuple[int, int] | None:
    if tokens[start].written.casefold() in _ACCENTED_LABELS:
        return start, start + 1
    for length in range(min(_LONGEST, len(tokens) - start), 0, -1):
        end = start + length
        if not all(token.joined for token in tokens[start + 1 : end]):
            continue
        usage = _LEXICON.get(tuple(token.key for token in tokens[start:end]))
        if usage is None or _names_a_place(tokens, start):
            continue
        if (
            usage.anywhere
            or (usage.after_person and _follows_person(tokens, start, end, usage))
            or (usage.before_person and _precedes_person(tokens, start, end, usage))
        ):
            return start, end
        if usage.skin and (skin := _skin_span(tokens, start, end)) is not None:
            return skin
    return None


def _leftwards(tokens: Sequence[_Token], index: int, skippable: frozenset[str]) -> list[_Token]:
    """The word read with tokens[index] on its left, and the ones past skippable words."""
    found: list[_Token] = []
    while index > 0 and tokens[index].joined and len(found) < 3:
        index -= 1
        found.append(tokens[index])
        if tokens[index].key not in skippable:
            break
    return found


def _rightwards(tokens: Sequence[_Token], end: int, skippable: frozenset[str]) -> list[_Token]:
    found: list[_Token] = []
    while end < len(tokens) and tokens[end].joined and len(found) < 3:
        found.append(tokens[end])
        if tokens[end].key not in skippable:
            break
        end += 1
    return found


def _names_a_place(tokens: Sequence[_Token], start: int) -> bool:
    """'rue des Arabes', 'rue de l'Arabe', 'rue Noire': a street, not a person."""
    return any(token.key in _STREETS for token in _leftwards(tokens, start, _STREET_CONNECTORS))


def _follows_person(tokens: Sequence[_Token], start: int, end: int, usage: _Usage) -> bool:
    following = tuple(token.key for token in tokens[end : end + 2])
    if usage.colour and following in _NOT_A_PERSON_AFTER_COLOUR:
        return False
    before = _leftwards(tokens, start, _BUILD)
    # "ma voisine Blanche a vu": a capitalised Blanche after a person is her first name.
    first_name = usage.colour and tokens[start].written == "Blanche"
    if not first_name and any(token.key in _PEOPLE for token in before):
        return True
    if not usage.colour and before and before[0].key in _ORIGIN_BEFORE:
        return True
    after_determiner = _leftwards(tokens, start, _BUILD_AFTER_DETERMINER)
    if not after_determiner:
        return False
    determiner = after_determiner[-1]
    if determiner.key in _FRENCH_DETERMINERS:
        return True
    plural = tokens[end - 1].key.endswith(("s", "x"))
    # A number counts people only before a plural: "3 Roumains", but "la 308 noire"
    # and "Golf 7 blanche" are cars.
    return plural and (determiner.key in _FRENCH_PLURAL_DETERMINERS or determiner.key.isdigit())


def _precedes_person(tokens: Sequence[_Token], start: int, end: int, usage: _Usage) -> bool:
    if any(token.key in _PEOPLE for token in _rightwards(tokens, end, _BUILD)):
        return True
    after = _rightwards(tokens, end, frozenset())
    before = _leftwards(tokens, start, frozenset())
    if usage.colour:
        # "the blacks", "a group of whites", but not "the whites of his eyes".
        return (
            tokens[end - 1].key in _ENGLISH_COLOUR_NOUNS
            and bool(before)
            and (before[0].key in _ENGLISH_PLURAL_DETERMINERS or before[0].key.isdigit())
            and not (after and after[0].key == "of")
        )
    if after and after[0].key in _ORIGIN_AFTER:
        return True
    return (
        bool(before)
        and before[0].key in _ENGLISH_SINGULAR_DETERMINERS
        and (not after or after[0].key in _ENGLISH_AFTER_NOUN)
    )


def _skin_span(tokens: Sequence[_Token], start: int, end: int) -> tuple[int, int] | None:
    """The range from a colour to a skin word read with it: "peau noire", "noir de peau"."""
    for index in range(start - 1, max(start - 4, -1), -1):
        if not tokens[index + 1].joined:
            break
        if tokens[index].key in _SKIN_WORDS and _is_skin(tokens, index):
            return index, end
        if tokens[index].key not in _SKIN_GAP:
            break
    for index in range(end, min(end + 3, len(tokens))):
        if not tokens[index].joined:
            break
        if tokens[index].key in _SKIN_WORDS and _is_skin(tokens, index):
            return start, index + 1
        if tokens[index].key not in _SKIN_GAP:
            break
    return None


def _is_skin(tokens: Sequence[_Token], index: int) -> bool:
    # "veste en peau noire" is leather, "sweat teint en noir" is dyed.
    before = _leftwards(tokens, index, frozenset())
    after = _rightwards(tokens, index + 1, frozenset())
    leather = tokens[index].key == "peau" and bool(before) and before[0].key == "en"
    dyed = tokens[index].key == "teint" and bool(after) and after[0].key == "en"
    return not (leather or dyed)


def _spoken(text: str, tokens: Sequence[_Token], start: int, end: int) -> str:
    written = unicodedata.normalize("NFC", text)[tokens[start].start : tokens[end - 1].end]
    return " ".join(written.lower().split())


def _unique(terms: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(terms))


# Words that say nothing about what someone did: grammar, the suspicion itself ("looked
# suspicious", "avait l'air louche") and the person ("homme", "grand").
_EMPTY_WORDS = _key_set(
    "les", "des", "une", "aux", "dans", "sur", "sous", "avec", "sans", "pour", "par",
    "vers", "chez", "ils", "elle", "elles", "nous", "vous", "ses", "son", "leur", "leurs",
    "cet", "cette", "ces", "qui", "que", "quoi", "dont", "pas", "plus", "très", "était",
    "étaient", "avait", "avaient", "est", "sont", "ont", "été", "semblait", "semblaient",
    "paraissait", "air", "rien", "particulier", "spécial", _french("suspect"),
    _french("louche", "louche"), _french("bizarre", "bizarre"), _french("étrange", "étrange"),
    _french("inquiétant"), "comportement", "attitude", "the", "and", "was", "were", "are",
    "been", "being", "had", "has", "have", "this", "that", "these", "those", "there",
    "here", "who", "which", "what", "very", "just", "his", "her", "their", "them", "they",
    "with", "from", "into", "around", "looked", "seemed", "suspicious", "strange", "weird",
    "dodgy", "shady", "sketchy", "odd", "nothing", "behaviour", "behavior",
)  # fmt: skip
_NOT_BEHAVIOUR = (
    _EMPTY_WORDS | _PEOPLE | _BUILD | frozenset(word for key in _LEXICON for word in key)
)


def _describes_behaviour(behaviour: str) -> bool:
    tokens = _tokenize(behaviour)
    profiling = {index for start, end in _matches(tokens) for index in range(start, end)}
    meaningful = {
        token.key
        for index, token in enumerate(tokens)
        if index not in profiling
        and len(token.key) >= 3
        and token.key.isalpha()
        and token.key not in _NOT_BEHAVIOUR
    }
    return len(meaningful) >= MIN_BEHAVIOUR_WORDS
