"""The layout of Caf open-data exports (data.caf.fr, Observatoire de la petite enfance).

One row per territory and year: ``numcom``/``nomcom`` for a commune, with its EPCI
(``numepci``/``nomepci``) and department (``numdep``/``nomdep``); EPCI and department
files have only the higher columns. ``annee`` is the year. Coverage rates are named
``txcouv_<kind>_<level>`` (``txcouv_com`` is the global rate of a commune,
``txcouv_eaje_epci`` the EAJE rate of an EPCI) and places ``pl_<kind>_<level>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Indicator, IndicatorUnit
from .settings import COVERAGE, TerritoryLevel

# Normalised role headings (see territories.normalise: "_" becomes a space).
ROLE_HEADINGS: dict[str, str] = {
    "numcom": "commune_code",
    "nomcom": "commune_name",
    "numepci": "epci_code",
    "nomepci": "epci_name",
    "numdep": "department_code",
    "nomdep": "department_name",
    "numregi": "region_code",
    "numreg": "region_code",
    "nomregi": "region_name",
    "nomreg": "region_name",
    "annee": "year",
}
_LAYOUT_MARKERS = {"numcom", "nomcom", "numepci", "nomepci", "numdep", "nomdep"}
_LEVEL_SUFFIX = re.compile(r"(?:^|\s)(?:com|epci|dep|regi?|nat)$")

# txcouv kinds (without the level suffix) → (indicator id, label).
_COVERAGE_KINDS: dict[str, tuple[str, str]] = {
    "": (COVERAGE, "Taux de couverture petite enfance"),
    "eaje": ("taux-couverture-eaje", "Taux de couverture EAJE"),
    "psu col": ("taux-couverture-eaje-psu", "Taux de couverture EAJE PSU"),
    "hors psu col": ("taux-couverture-eaje-hors-psu", "Taux de couverture EAJE hors PSU"),
    "prescol": ("taux-couverture-prescolarisation", "Taux de couverture préscolarisation"),
    "am ind": ("taux-couverture-assmat", "Taux de couverture assistantes maternelles"),
    "am": ("taux-couverture-assmat", "Taux de couverture assistantes maternelles"),
    "gad ind": ("taux-couverture-garde-domicile", "Taux de couverture garde à domicile"),
    "gad": ("taux-couverture-garde-domicile", "Taux de couverture garde à domicile"),
    "ind": ("taux-couverture-accueil-individuel", "Taux de couverture accueil individuel"),
}
_PLACE_KINDS: dict[str, tuple[str, str]] = {
    "am": ("places-assmat", "Places chez les assistantes maternelles"),
    "am ind": ("places-assmat", "Places chez les assistantes maternelles"),
    "ass mat": ("places-assmat", "Places chez les assistantes maternelles"),
    "eaje": ("places-eaje", "Places en EAJE"),
    "psu": ("places-psu", "Places en EAJE PSU"),
    "psu col": ("places-psu", "Places en EAJE PSU"),
    "mam": ("places-mam", "Places en MAM"),
    "mc paje": ("places-mc-paje", "Places en micro-crèche PAJE"),
    "prescol": ("places-prescolarisation", "Places en préscolarisation"),
}


def is_opendata(normalised_headings: set[str]) -> bool:
    """Whether a table's headings are those of a Caf open-data export."""
    return bool(normalised_headings & _LAYOUT_MARKERS)


def opendata_indicator(normalised_heading: str, original: str) -> Indicator | None:
    """The indicator of a ``txcouv_*`` or ``pl_*`` column, or ``None`` for another."""
    for prefix, kinds, unit, generic in (
        ("txcouv", _COVERAGE_KINDS, IndicatorUnit.percent, "Taux de couverture"),
        ("pl", _PLACE_KINDS, IndicatorUnit.count, "Places"),
    ):
        if normalised_heading != prefix and not normalised_heading.startswith(prefix + " "):
            continue
        kind = _LEVEL_SUFFIX.sub("", normalised_heading[len(prefix) :].strip()).strip()
        if kind in kinds:
            indicator_id, label = kinds[kind]
        else:
            slug = kind.replace(" ", "-")
            if not slug:
                return None
            stem = "taux-couverture" if prefix == "txcouv" else "places"
            indicator_id, label = f"{stem}-{slug}", f"{generic} ({original.strip()})"
        return Indicator(id=indicator_id, label=label, unit=unit)
    return None


@dataclass(frozen=True)
class OpenDataTerritory:
    """Which territory an open-data row is about, with its parents' codes."""

    level: TerritoryLevel
    name: str
    code: str | None
    epci_code: str | None
    department_code: str | None


def row_territory(cells: dict[str, str]) -> OpenDataTerritory | None:
    """The territory of a row from its role cells (``commune_name``…); ``None`` if none.

    The most local level that the row fills is the row's level: a row with a commune
    is the commune's, its EPCI and department are its parents.
    """

    def cell(role: str) -> str | None:
        value = cells.get(role, "").strip()
        return value or None

    epci_code, department_code = cell("epci_code"), cell("department_code")
    for level, name_role, code_role in (
        (TerritoryLevel.commune, "commune_name", "commune_code"),
        (TerritoryLevel.epci, "epci_name", "epci_code"),
        (TerritoryLevel.department, "department_name", "department_code"),
        (TerritoryLevel.region, "region_name", "region_code"),
    ):
        name, code = cell(name_role), cell(code_role)
        if name or code:
            return OpenDataTerritory(
                level=level,
                name=name or code or "",
                code=code,
                epci_code=epci_code if level is TerritoryLevel.commune else None,
                department_code=(
                    department_code
                    if level in (TerritoryLevel.commune, TerritoryLevel.epci)
                    else None
                ),
            )
    return None
