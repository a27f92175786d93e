"""The terms of use, as versioned documents with numbered clauses, in French and English.

A version, once published, is never edited: a change is a new version appended
below, which every member accepts again (the acceptance is recorded). The text
is kept here, not in the translation catalogue, because what a person accepted
must read the same forever; each clause carries both languages.

Moderators' decisions cite a clause of the version in force when they decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import translation


@dataclass(frozen=True)
class Clause:
    number: str
    title_fr: str
    title_en: str
    text_fr: str
    text_en: str

    @property
    def title(self) -> str:
        return self.title_en if translation.get_language() == "en" else self.title_fr

    @property
    def text(self) -> str:
        return self.text_en if translation.get_language() == "en" else self.text_fr


@dataclass(frozen=True)
class TermsVersion:
    number: int
    published_on: date
    clauses: tuple[Clause, ...]

    def clause(self, number: str) -> Clause | None:
        return next((clause for clause in self.clauses if clause.number == number), None)


VERSION_1 = TermsVersion(
    number=1,
    published_on=date(2026, 12, 1),
    clauses=(
        Clause(
            "1",
            "Objet",
            "Purpose",
            "Vigie met en relation les habitants d'un même quartier, dont l'adresse a été "
            "vérifiée, pour s'informer, s'entraider et se prévenir des risques. Vigie ne "
            "remplace ni la police, ni la gendarmerie, ni les secours : en cas d'urgence, "
            "appelez le 17, le 18 ou le 112.",
            "Vigie connects the residents of one neighbourhood, whose address has been "
            "verified, to inform each other, help each other and warn each other of risks. "
            "Vigie replaces neither the police nor the emergency services: in an emergency, "
            "call 17, 18 or 112.",
        ),
        Clause(
            "2",
            "Compte et adresse",
            "Account and address",
            "Chaque compte appartient à une personne, qui y donne son vrai nom et son adresse "
            "de résidence, prouvée par le code reçu par courrier ou au guichet de la mairie. "
            "Prêter son compte, en ouvrir plusieurs ou déclarer une adresse qui n'est pas la "
            "sienne est interdit.",
            "Each account belongs to one person, who gives their real name and the address "
            "where they live, proven by the code received by post or at the town hall's "
            "counter. Lending one's account, opening several or declaring an address that is "
            "not one's own is forbidden.",
        ),
        Clause(
            "3",
            "Identité affichée",
            "Name shown",
            "Les voisins voient un nom d'affichage (prénom et initiale, ou pseudonyme). Se "
            "faire passer pour quelqu'un d'autre, pour la mairie ou pour l'équipe de Vigie est "
            "interdit.",
            "Neighbours see a display name (first name and initial, or a nickname). "
            "Impersonating someone else, the town hall or the Vigie team is forbidden.",
        ),
        Clause(
            "4",
            "Respect",
            "Respect",
            "Les échanges restent courtois. Insultes, menaces, harcèlement, moqueries et "
            "attaques personnelles sont interdits, y compris en commentaire.",
            "Exchanges stay courteous. Insults, threats, harassment, mockery and personal "
            "attacks are forbidden, in comments too.",
        ),
        Clause(
            "5",
            "Non-discrimination",
            "Non-discrimination",
            "Aucun contenu ne peut viser une personne ou un groupe pour son origine, sa couleur "
            "de peau, sa religion, son sexe, son orientation, son handicap ou son âge. Une "
            "alerte décrit un comportement, non une apparence : décrire quelqu'un par sa "
            "couleur, son origine ou sa religion seulement est interdit.",
            "No content may target a person or a group for their origin, skin colour, "
            "religion, sex, orientation, disability or age. An alert describes a behaviour, "
            "not a look: describing someone only by their colour, origin or religion is "
            "forbidden.",
        ),
        Clause(
            "6",
            "Données personnelles d'autrui",
            "Other people's personal data",
            "Ne publiez pas l'adresse, le téléphone, la plaque d'immatriculation complète, la "
            "photo reconnaissable ou le nom d'une personne sans son accord. L'équipe retire ces "
            "informations des alertes avant leur diffusion.",
            "Do not publish a person's address, phone number, whole number plate, "
            "recognisable photo or name without their consent. The team removes such "
            "details from alerts before they are sent.",
        ),
        Clause(
            "7",
            "Alertes",
            "Alerts",
            "Une alerte porte sur un fait réel, récent et dans le quartier, décrit sans "
            "exagération. Les fausses alertes, les alertes alarmistes et l'appel à se faire "
            "justice soi-même sont interdits. Chaque alerte est vérifiée par l'équipe, avant "
            "sa diffusion ou juste après pour les membres de confiance.",
            "An alert is about a real, recent fact in the neighbourhood, described without "
            "exaggeration. False or alarmist alerts and calls to take the law into one's own "
            "hands are forbidden. The team checks every alert, before it is sent, or just "
            "after for trusted members.",
        ),
        Clause(
            "8",
            "Contenus illicites",
            "Illegal content",
            "Tout contenu illicite est interdit : incitation à la haine ou à la violence, "
            "diffamation, atteinte à la vie privée, contrefaçon, contenus pornographiques ou "
            "violents. L'équipe peut le signaler aux autorités.",
            "Any illegal content is forbidden: incitement to hatred or violence, "
            "defamation, invasion of privacy, counterfeiting, pornographic or violent content. "
            "The team may report it to the authorities.",
        ),
        Clause(
            "9",
            "Publicité et messages répétés",
            "Advertising and repeated messages",
            "Les annonces commerciales, la propagande politique et les messages répétés ou "
            "hors sujet sont interdits ; le prêt, le don et l'entraide entre voisins sont les "
            "bienvenus.",
            "Commercial advertising, political propaganda and repeated or off-topic messages "
            "are forbidden; lending, giving and helping between neighbours are welcome.",
        ),
        Clause(
            "10",
            "Signalements et modération",
            "Reports and moderation",
            "Chacun peut signaler un contenu ou un membre ; la personne signalée ne sait pas "
            "qui l'a signalée. Un contenu signalé par plusieurs voisins ou par un référent est "
            "masqué jusqu'à la décision de l'équipe. Chaque décision cite la clause en cause et "
            "est expliquée à la personne concernée.",
            "Anyone may report content or a member; the person reported never learns who "
            "reported them. Content reported by several neighbours or by a référent is "
            "hidden until the team decides. Each decision cites the clause concerned and is "
            "explained to the person concerned.",
        ),
        Clause(
            "11",
            "Mesures",
            "Measures",
            "Selon la gravité, l'équipe classe le signalement, retire le contenu, adresse un "
            "avertissement, suspend le compte pour une durée fixée (lecture seule) ou l'exclut "
            "(compte fermé, adresse ne pouvant être réinscrite pendant un temps). Une exclusion "
            "est confirmée par un second modérateur.",
            "Depending on the seriousness, the team dismisses the report, removes the content, "
            "sends a warning, suspends the account for a set time (read only) or bans it "
            "(account closed, the address unable to register again for a while). A ban is "
            "confirmed by a second moderator.",
        ),
        Clause(
            "12",
            "Recours",
            "Appeal",
            "Toute décision peut faire l'objet d'un recours, une seule fois, dans les 20 jours. "
            "Il est examiné par un autre modérateur que l'auteur de la décision ; sa réponse "
            "est définitive.",
            "Every decision may be appealed, once, within 20 days. The appeal is examined by "
            "a moderator other than the one who decided; their answer is final.",
        ),
        Clause(
            "13",
            "Données et vie privée",
            "Data and privacy",
            "Vigie ne garde que les données utiles au service, pour une durée limitée ; chacun "
            "peut les exporter ou les effacer depuis son compte. La mairie de la commune voit "
            "les noms et adresses de ses habitants inscrits, jamais les voisins.",
            "Vigie keeps only the data the service needs, for a limited time; anyone may "
            "export or erase theirs from their account. The commune's town hall sees the "
            "names and addresses of its registered residents; neighbours never do.",
        ),
        Clause(
            "14",
            "Évolution des conditions",
            "Changes to these terms",
            "Ces conditions peuvent changer ; chaque nouvelle version est datée et numérotée, "
            "et chacun l'accepte avant de continuer à utiliser Vigie.",
            "These terms may change; each new version is dated and numbered, and everyone "
            "accepts it before going on using Vigie.",
        ),
    ),
)

# Every version ever published, oldest first: append, never edit.
VERSIONS: tuple[TermsVersion, ...] = (VERSION_1,)
CURRENT = VERSIONS[-1]


def version(number: int) -> TermsVersion | None:
    return next((found for found in VERSIONS if found.number == number), None)
