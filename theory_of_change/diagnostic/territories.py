"""Territory names and levels: how a row says which territory it is about.

The portrait writes names in capitals without accents ("LES MOUTIERS EN RETZ",
"LOIRE ATLANTIQUE"); documents print them the French way ("Les Moutiers-en-Retz",
"Loire-Atlantique"). When a table has no level column, the level is deduced from the
name: an intercommunality's legal form ("CA …", "CC …"), a department's or a region's
name, otherwise a commune.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from theory_of_change.slugs import slugify

from .settings import TerritoryLevel

DEPARTMENTS: tuple[str, ...] = (
    "Ain", "Aisne", "Allier", "Alpes-de-Haute-Provence", "Hautes-Alpes", "Alpes-Maritimes",
    "Ardèche", "Ardennes", "Ariège", "Aube", "Aude", "Aveyron", "Bouches-du-Rhône",
    "Calvados", "Cantal", "Charente", "Charente-Maritime", "Cher", "Corrèze", "Corse-du-Sud",
    "Haute-Corse", "Côte-d'Or", "Côtes-d'Armor", "Creuse", "Dordogne", "Doubs", "Drôme",
    "Eure", "Eure-et-Loir", "Finistère", "Gard", "Haute-Garonne", "Gers", "Gironde",
    "Hérault", "Ille-et-Vilaine", "Indre", "Indre-et-Loire", "Isère", "Jura", "Landes",
    "Loir-et-Cher", "Loire", "Haute-Loire", "Loire-Atlantique", "Loiret", "Lot",
    "Lot-et-Garonne", "Lozère", "Maine-et-Loire", "Manche", "Marne", "Haute-Marne",
    "Mayenne", "Meurthe-et-Moselle", "Meuse", "Morbihan", "Moselle", "Nièvre", "Nord",
    "Oise", "Orne", "Pas-de-Calais", "Puy-de-Dôme", "Pyrénées-Atlantiques",
    "Hautes-Pyrénées", "Pyrénées-Orientales", "Bas-Rhin", "Haut-Rhin", "Rhône",
    "Haute-Saône", "Saône-et-Loire", "Sarthe", "Savoie", "Haute-Savoie", "Paris",
    "Seine-Maritime", "Seine-et-Marne", "Yvelines", "Deux-Sèvres", "Somme", "Tarn",
    "Tarn-et-Garonne", "Var", "Vaucluse", "Vendée", "Vienne", "Haute-Vienne", "Vosges",
    "Yonne", "Territoire de Belfort", "Essonne", "Hauts-de-Seine", "Seine-Saint-Denis",
    "Val-de-Marne", "Val-d'Oise", "Guadeloupe", "Martinique", "Guyane", "La Réunion",
    "Mayotte", "Métropole de Lyon",
)  # fmt: skip

REGIONS: tuple[str, ...] = (
    "Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté", "Bretagne", "Centre-Val de Loire",
    "Corse", "Grand Est", "Hauts-de-France", "Île-de-France", "Normandie",
    "Nouvelle-Aquitaine", "Occitanie", "Pays de la Loire", "Provence-Alpes-Côte d'Azur",
)  # fmt: skip

# Legal forms that open an intercommunality's name ("CA PORNIC AGGLO PAYS DE RETZ").
_EPCI_PREFIXES = (
    "ca ", "cc ", "cu ", "ept ", "communaute ", "metropole ",
)  # fmt: skip
_NATIONAL = {"france", "france entiere", "france metropolitaine", "national", "ensemble"}

# Level cells as tables write them, normalised.
_LEVEL_WORDS: dict[str, TerritoryLevel] = {
    "commune": TerritoryLevel.commune,
    "communes": TerritoryLevel.commune,
    "com": TerritoryLevel.commune,
    "epci": TerritoryLevel.epci,
    "intercommunalite": TerritoryLevel.epci,
    "interco": TerritoryLevel.epci,
    "departement": TerritoryLevel.department,
    "dep": TerritoryLevel.department,
    "dept": TerritoryLevel.department,
    "region": TerritoryLevel.region,
    "reg": TerritoryLevel.region,
    "france": TerritoryLevel.national,
    "national": TerritoryLevel.national,
    "nat": TerritoryLevel.national,
}

# Words kept in lower case inside a name ("Saint-Hilaire-de-Chaléons").
_SMALL_WORDS = {"de", "du", "des", "la", "le", "les", "en", "sur", "sous", "et", "aux", "l", "d"}
_ARTICLES = {"le", "la", "les", "l"}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Text without accents, in lower case, words separated by one space."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub(" ", ascii_text.lower()).strip()


_DEPARTMENT_NAMES = {normalise(name): name for name in DEPARTMENTS}
_REGION_NAMES = {normalise(name): name for name in REGIONS}


def parse_level(text: str) -> TerritoryLevel | None:
    """The level a cell names ("commune", "département", "EPCI"…), or ``None``."""
    return _LEVEL_WORDS.get(normalise(text))


def guess_level(name: str) -> TerritoryLevel:
    """Deduce a territory's level from its name when the table has no level column."""
    key = normalise(name)
    if key in _NATIONAL:
        return TerritoryLevel.national
    if key in _DEPARTMENT_NAMES:
        return TerritoryLevel.department
    if key in _REGION_NAMES:
        return TerritoryLevel.region
    if (key + " ").startswith(_EPCI_PREFIXES):
        return TerritoryLevel.epci
    return TerritoryLevel.commune


def territory_key(level: TerritoryLevel, name: str) -> str:
    """The stable key of a territory: its level and the slug of its name."""
    return f"{level.value}-{slugify(name, max_length=55)}"


def display_label(
    name: str, level: TerritoryLevel, known_names: Mapping[str, str] | None = None
) -> str:
    """The name as documents print it.

    A name the project knows (its communes, matched on their slug) keeps the project's
    spelling, accents included. A department takes its official name. A commune written
    in capitals gets the French typographic rule: every word joined by hyphens except a
    leading article ("LES MOUTIERS EN RETZ" → "Les Moutiers-en-Retz"). Anything else is
    kept as written.
    """
    if known_names:
        known = known_names.get(slugify(name))
        if known:
            return known
    if level is TerritoryLevel.department:
        return _DEPARTMENT_NAMES.get(normalise(name), name)
    if level is TerritoryLevel.region:
        return _REGION_NAMES.get(normalise(name), name)
    if level is TerritoryLevel.commune and name.isupper():
        return _commune_case(name)
    return name


def _commune_case(name: str) -> str:
    words = [word for word in re.split(r"[\s-]+", name.strip().lower()) if word]
    cased = [
        word if index and word in _SMALL_WORDS else word[:1].upper() + word[1:]
        for index, word in enumerate(words)
    ]
    cased = [_apostrophes(word) if "'" in word else word for word in cased]
    if len(cased) > 1 and words[0] in _ARTICLES:
        return f"{cased[0]} " + "-".join(cased[1:])
    return "-".join(cased)


def _apostrophes(word: str) -> str:
    # "D'OR" → "d'Or": the letter after an apostrophe starts a word again.
    return re.sub(r"'(\w)", lambda match: "'" + match[1].upper(), word)
