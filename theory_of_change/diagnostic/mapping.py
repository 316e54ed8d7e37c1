"""Which file column holds which indicator: the default mapping and the facilitator's.

Headings are compared without accents, case or punctuation ("Taux de couverture
petite-enfance" matches "taux de couverture petite enfance"). The default mapping knows
the portrait's headings (as in ``../shared/data``) and the Caf open-data names
(:mod:`theory_of_change.diagnostic.opendata`). When a file's headings differ, the
facilitator writes a small YAML file, in French::

    colonnes:
      "Taux de couv. global": taux-couverture
      "Nb places MAM": places-mam
      "Commentaire": ignorer
    indicateurs:
      - id: places-rpe
        libelle: Places en relais petite enfance
        unite: nombre
    territoire: ["Nom de la commune"]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from theory_of_change.slugs import Slug

from .model import Indicator, IndicatorUnit
from .settings import CHILDMINDERS_60_PLUS, COVERAGE, WORKING_PARENTS, YOUNG_CHILDREN_TREND
from .territories import normalise

IGNORE = "ignorer"

_UNIT_WORDS = {
    "pourcentage": IndicatorUnit.percent,
    "percent": IndicatorUnit.percent,
    "%": IndicatorUnit.percent,
    "taux": IndicatorUnit.percent,
    "nombre": IndicatorUnit.count,
    "count": IndicatorUnit.count,
    "effectif": IndicatorUnit.count,
}

# The indicators Chemins knows, with the label documents print.
CATALOGUE: tuple[Indicator, ...] = tuple(
    Indicator(id=indicator_id, label=label, unit=unit)
    for indicator_id, label, unit in (
        (COVERAGE, "Taux de couverture petite enfance", IndicatorUnit.percent),
        (YOUNG_CHILDREN_TREND, "Évolution du nombre d'enfants de 0-2 ans", IndicatorUnit.percent),
        (
            CHILDMINDERS_60_PLUS,
            "Part des assistantes maternelles de 60 ans et plus",
            IndicatorUnit.percent,
        ),
        (
            WORKING_PARENTS,
            "Part des enfants de 0-2 ans avec parents biactifs ou monoparent actif occupé",
            IndicatorUnit.percent,
        ),
        ("naissances", "Nombre de naissances", IndicatorUnit.count),
        ("enfants-0-2-ans", "Enfants de 0-2 ans", IndicatorUnit.count),
        ("part-enfants-0-2-ans", "Part des enfants de 0-2 ans", IndicatorUnit.percent),
        ("assmat-agreees", "Assistantes maternelles agréées", IndicatorUnit.count),
        ("assmat-actives", "Assistantes maternelles actives", IndicatorUnit.count),
        ("assmat-60-ans-et-plus", "Assistantes maternelles de 60 ans et plus", IndicatorUnit.count),
        ("places-assmat", "Places chez les assistantes maternelles", IndicatorUnit.count),
        ("places-mam", "Places en MAM", IndicatorUnit.count),
        ("places-mc-paje", "Places en micro-crèche PAJE", IndicatorUnit.count),
        ("places-psu", "Places en EAJE PSU", IndicatorUnit.count),
        (
            "familles-bas-revenus",
            "Familles à bas revenus avec enfants de 0-2 ans",
            IndicatorUnit.count,
        ),
        (
            "part-familles-bas-revenus",
            "Part des familles à bas revenus avec enfants de 0-2 ans",
            IndicatorUnit.percent,
        ),
        (
            "familles-monoparentales",
            "Familles monoparentales avec enfants de 0-2 ans",
            IndicatorUnit.count,
        ),
        (
            "part-familles-monoparentales",
            "Part des familles monoparentales avec enfants de 0-2 ans",
            IndicatorUnit.percent,
        ),
    )
)

# Default headings (normalised) → indicator id. Several spellings seen in portraits.
DEFAULT_COLUMNS: dict[str, str] = {
    normalise(heading): indicator_id
    for heading, indicator_id in (
        ("taux de couverture petite enfance", COVERAGE),
        ("taux de couverture", COVERAGE),
        ("taux de couverture global", COVERAGE),
        ("évolution enfants 00-02 ans", YOUNG_CHILDREN_TREND),
        ("évolution enfants 0-2 ans", YOUNG_CHILDREN_TREND),
        ("évolution du nombre d'enfants 0-2 ans", YOUNG_CHILDREN_TREND),
        ("évolution du nombre d'enfants de 0-2 ans", YOUNG_CHILDREN_TREND),
        ("part assistantes maternelles 60 ans et plus", CHILDMINDERS_60_PLUS),
        ("part des assistantes maternelles de 60 ans et plus", CHILDMINDERS_60_PLUS),
        (
            "part enfants 0-2 ans avec parents biactifs ou monoparents actifs occupés",
            WORKING_PARENTS,
        ),
        (
            "part enfants 00-02 ans avec parents biactifs ou monoparents actifs occupés",
            WORKING_PARENTS,
        ),
        (
            "part des enfants de 0-2 ans avec parents biactifs ou monoparent actif occupé",
            WORKING_PARENTS,
        ),
        ("nombre de naissances", "naissances"),
        ("naissances", "naissances"),
        ("enfants 00-02 ans", "enfants-0-2-ans"),
        ("enfants 0-2 ans", "enfants-0-2-ans"),
        ("part enfants 00-02 ans", "part-enfants-0-2-ans"),
        ("part enfants 0-2 ans", "part-enfants-0-2-ans"),
        ("assistantes maternelles agréées", "assmat-agreees"),
        ("assistantes maternelles agréés", "assmat-agreees"),
        ("assistantes maternelles actives", "assmat-actives"),
        ("assistantes maternelles 60 ans et plus", "assmat-60-ans-et-plus"),
        ("places assistantes maternelles", "places-assmat"),
        ("places MAM", "places-mam"),
        ("MAM", "places-mam"),
        ("places MC PAJE", "places-mc-paje"),
        ("MC PAJE", "places-mc-paje"),
        ("places PSU", "places-psu"),
        ("PSU", "places-psu"),
        ("familles à bas revenus avec enfants 0-2 ans", "familles-bas-revenus"),
        ("part familles à bas revenus avec enfants 0-2 ans", "part-familles-bas-revenus"),
        ("familles monoparentales avec enfants 0-2 ans", "familles-monoparentales"),
        ("part familles monoparentales avec enfants 0-2 ans", "part-familles-monoparentales"),
    )
}

# A table Chemins exported (the XLSX summary) uses the catalogue's labels as headings.
DEFAULT_COLUMNS.update({normalise(i.label): i.id for i in CATALOGUE})

DEFAULT_TERRITORY_HEADINGS = ("territoire", "nom", "libellé", "nom du territoire", "libgeo")
DEFAULT_LEVEL_HEADINGS = ("niveau", "type", "niveau géographique", "type de territoire")
DEFAULT_CODE_HEADINGS = ("code", "code insee", "codgeo", "code géographique", "siren")
DEFAULT_YEAR_HEADINGS = ("année", "annee", "millésime", "an")


class MappingError(ValueError):
    """A mapping file that cannot be read; the message is in French."""


class IndicatorDefinition(BaseModel):
    """An indicator the facilitator adds (``id``, ``libelle``, ``unite``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: Slug
    label: str = Field(alias="libelle", min_length=1, max_length=300)
    unit: IndicatorUnit = Field(alias="unite")

    @field_validator("unit", mode="before")
    @classmethod
    def _french_unit(cls, value: Any) -> Any:
        if isinstance(value, str) and normalise(value) in _UNIT_WORDS:
            return _UNIT_WORDS[normalise(value)]
        if isinstance(value, str) and value.strip() in _UNIT_WORDS:
            return _UNIT_WORDS[value.strip()]
        return value

    def to_indicator(self) -> Indicator:
        """The indicator stored in the diagnostic."""
        return Indicator(id=self.id, label=self.label, unit=self.unit)


class ColumnMapping(BaseModel):
    """The facilitator's column mapping: file heading → indicator id (or ``ignorer``).

    Entries complete the default mapping unless ``correspondance_par_defaut`` is false.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    columns: dict[str, str] = Field(
        default_factory=dict,
        alias="colonnes",
        description="Titre de colonne du fichier → identifiant d'indicateur, ou « ignorer ».",
    )
    indicators: list[IndicatorDefinition] = Field(
        default_factory=list, alias="indicateurs", description="Indicateurs ajoutés."
    )
    territory: list[str] = Field(
        default_factory=list, alias="territoire", description="Colonnes du nom du territoire."
    )
    level: list[str] = Field(
        default_factory=list, alias="niveau", description="Colonnes du niveau (commune…)."
    )
    code: list[str] = Field(default_factory=list, alias="code", description="Colonnes du code.")
    year: list[str] = Field(default_factory=list, alias="annee", description="Colonnes de l'année.")
    use_defaults: bool = Field(
        default=True,
        alias="correspondance_par_defaut",
        description="Compléter par la correspondance par défaut de Chemins.",
    )

    def known_indicators(self) -> dict[str, Indicator]:
        """The catalogue plus the facilitator's indicators (theirs win), by id."""
        known = {indicator.id: indicator for indicator in CATALOGUE}
        known.update({d.id: d.to_indicator() for d in self.indicators})
        return known

    def heading_map(self) -> dict[str, str]:
        """Normalised heading → indicator id or :data:`IGNORE`, the facilitator's first."""
        headings = dict(DEFAULT_COLUMNS) if self.use_defaults else {}
        headings.update({normalise(k): v.strip() for k, v in self.columns.items()})
        return headings

    def role_headings(self, role: str) -> set[str]:
        """Normalised headings of a role column: ``territory``, ``level``, ``code``, ``year``."""
        own: list[str] = getattr(self, role)
        defaults = {
            "territory": DEFAULT_TERRITORY_HEADINGS,
            "level": DEFAULT_LEVEL_HEADINGS,
            "code": DEFAULT_CODE_HEADINGS,
            "year": DEFAULT_YEAR_HEADINGS,
        }[role]
        return {normalise(h) for h in own} | (
            {normalise(h) for h in defaults} if self.use_defaults else set()
        )

    def undefined_targets(self) -> list[tuple[str, str]]:
        """``(heading, id)`` of entries naming an indicator nobody defines."""
        known = self.known_indicators()
        return [
            (heading, target)
            for heading, target in self.columns.items()
            if normalise(target) != IGNORE and target.strip() not in known
        ]


def load_mapping(path: Path) -> ColumnMapping:
    """Read a mapping YAML file; :class:`MappingError` with a French message if invalid."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MappingError(
            f"Impossible de lire la correspondance « {path.name} » : {error.strerror or error}"
        ) from error
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise MappingError(
            f"La correspondance « {path.name} » n'est pas un fichier YAML valide : {error}"
        ) from error
    return parse_mapping(data if data is not None else {}, path.name)


def parse_mapping(data: Any, name: str = "correspondance") -> ColumnMapping:
    """Validate mapping data already read; :class:`MappingError` with French messages."""
    try:
        mapping = ColumnMapping.model_validate(data)
    except ValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'racine'} : {item['msg']}"
            for item in error.errors()
        )
        raise MappingError(f"La correspondance « {name} » est invalide — {details}") from error
    undefined = mapping.undefined_targets()
    if undefined:
        raise MappingError(
            f"La correspondance « {name} » cite des indicateurs non définis : "
            + "; ".join(f"colonne « {h} » → « {i} »" for h, i in undefined)
            + " (ajoutez-les sous « indicateurs » avec id, libelle et unite)"
        )
    return mapping
