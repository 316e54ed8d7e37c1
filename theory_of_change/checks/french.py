"""Small helpers to write the checks' French messages."""

from __future__ import annotations

from collections.abc import Iterable

_PUNCTUATION = "«»\"“”'’()[]…:;,.!?-–— "

# French nouns and adjectives that end like an infinitive (-er, -ir, -re) and often open a
# title: without them "Atelier parents-enfants" or "Cadre d'échanges" would pass for verbs.
_NOT_VERBS = frozenset(
    {
        "atelier", "cadre", "centre", "chantier", "dossier", "quartier", "foyer", "premier",
        "première", "dernier", "dernière", "calendrier", "métier", "sentier", "papier",
        "cahier", "fichier", "panier", "loisir", "avenir", "plaisir", "désir", "souvenir",
        "espoir", "soir", "trottoir", "miroir", "comptoir", "livre", "titre", "lettre",
        "membre", "nombre", "ordre", "offre", "rencontre", "charte", "entre", "contre",
        "outre", "notre", "votre", "autre", "hiver", "hier", "super", "mer", "mère", "père",
        "frère", "terre", "théâtre", "registre", "chiffre", "filière", "frontière", "manière",
        "matière", "carrière", "heure", "culture", "structure", "mesure", "lecture",
        "ouverture", "nature", "aventure", "écriture", "procédure", "territoire", "mémoire",
        "histoire", "trajectoire", "observatoire", "laboratoire", "répertoire", "annuaire",
        "itinéraire", "partenaire", "horaire", "scolaire", "périscolaire", "extrascolaire",
    }
)


def truncate(text: str, limit: int = 80) -> str:
    """``text`` on one line, cut on a word boundary with "…" when longer than ``limit``."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] or flat[: limit - 1]
    return cut.rstrip(" ,;:.") + "…"


def quoted(text: str) -> str:
    """``text`` between French quotation marks: « text »."""
    return f"« {text} »"


def french_list(items: Iterable[str]) -> str:
    """Join items the French way: "a", "a et b", "a, b et c"."""
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " et " + items[-1]


def format_number(value: int) -> str:
    """An integer with French digit grouping: 10000 → "10 000"."""
    return f"{value:,}".replace(",", " ")


def first_word(text: str) -> str:
    """The first word of ``text`` in lower case, after a pronominal "se"/"s'"."""
    tokens = [token.strip(_PUNCTUATION).lower() for token in text.split()]
    tokens = [token for token in tokens if token]
    if not tokens:
        return ""
    if tokens[0] == "se" and len(tokens) > 1:
        return tokens[1]
    for elided in ("s'", "s’"):
        if tokens[0].startswith(elided):
            return tokens[0][len(elided) :]
    return tokens[0]


def starts_with_infinitive(text: str) -> bool:
    """Heuristic: does ``text`` open with a French infinitive ("Créer", "Mettre", "Promouvoir")?

    True when the first word ends in -er, -ir or -re and is not a common noun of that shape.
    """
    word = first_word(text)
    return len(word) > 2 and word.endswith(("er", "ir", "re")) and word not in _NOT_VERBS
