"""The tension rules' settings, declared once as data: name, default and French help.

They live in the project file (``diagnostic.settings``) so that a facilitator who
adjusts a threshold for a territory keeps it; ``docs/diagnostic.md`` explains each one.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from theory_of_change.slugs import Slug


class TerritoryLevel(StrEnum):
    """The geographic level of a row of figures."""

    commune = "commune"
    epci = "epci"
    department = "department"
    region = "region"
    national = "national"


LEVEL_LABELS: dict[TerritoryLevel, str] = {
    TerritoryLevel.commune: "commune",
    TerritoryLevel.epci: "EPCI",
    TerritoryLevel.department: "département",
    TerritoryLevel.region: "région",
    TerritoryLevel.national: "France",
}

# Indicator ids the default rules read; the default column mapping produces them.
COVERAGE = "taux-couverture"
YOUNG_CHILDREN_TREND = "evolution-enfants-0-2-ans"
CHILDMINDERS_60_PLUS = "part-assmat-60-ans-et-plus"
WORKING_PARENTS = "part-enfants-parents-actifs"


class TensionSettings(BaseModel):
    """Thresholds of the tension rules; every field has a documented default."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    reference_level: TerritoryLevel = Field(
        default=TerritoryLevel.department,
        description=(
            "Territoire de référence auquel chaque commune est comparée : le département "
            "(par défaut) ou l'EPCI."
        ),
    )
    coverage_indicator: Slug = Field(
        default=COVERAGE, description="Indicateur du taux de couverture petite enfance."
    )
    coverage_gap_points: float = Field(
        default=10.0,
        ge=0,
        description=(
            "Offre insuffisante si le taux de couverture de la commune est à plus de N points "
            "sous celui de la référence."
        ),
    )
    coverage_floor_percent: float = Field(
        default=60.0,
        ge=0,
        description="Offre insuffisante si le taux de couverture est sous ce plancher (en %).",
    )
    coverage_trend_points: float = Field(
        default=2.0,
        ge=0,
        description=(
            "Couverture en baisse si, sur les années importées, le taux baisse chaque année "
            "et perd au moins N points au total."
        ),
    )
    young_children_indicator: Slug = Field(
        default=YOUNG_CHILDREN_TREND,
        description="Indicateur de l'évolution du nombre d'enfants de 0 à 2 ans (en %).",
    )
    young_children_rise_percent: float = Field(
        default=10.0,
        ge=0,
        description="Hausse marquée si le nombre d'enfants de 0 à 2 ans augmente d'au moins N %.",
    )
    young_children_fall_percent: float = Field(
        default=20.0,
        ge=0,
        description="Forte baisse si le nombre d'enfants de 0 à 2 ans baisse d'au moins N %.",
    )
    childminders_indicator: Slug = Field(
        default=CHILDMINDERS_60_PLUS,
        description="Indicateur de la part des assistantes maternelles de 60 ans et plus.",
    )
    childminders_ratio: float = Field(
        default=1.5,
        gt=0,
        description=(
            "Départs en retraite à anticiper si la part des assistantes maternelles de 60 ans "
            "et plus atteint N fois celle de la référence."
        ),
    )
    working_parents_indicator: Slug = Field(
        default=WORKING_PARENTS,
        description=(
            "Indicateur de la part des enfants de 0 à 2 ans dont les parents travaillent "
            "(biactifs ou parent seul en emploi)."
        ),
    )
    working_parents_gap_points: float = Field(
        default=15.0,
        ge=0,
        description=(
            "Besoin d'accueil élevé si la part des enfants dont les parents travaillent "
            "dépasse celle de la référence de plus de N points."
        ),
    )

    @field_validator("reference_level")
    @classmethod
    def _department_or_epci(cls, level: TerritoryLevel) -> TerritoryLevel:
        if level not in (TerritoryLevel.department, TerritoryLevel.epci):
            raise ValueError("le territoire de référence est le département ou l'EPCI")
        return level
