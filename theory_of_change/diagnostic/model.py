"""The shared diagnostic as stored in the project file.

Self-contained on purpose: :mod:`theory_of_change.model` imports this module to give
``Project`` its ``diagnostic`` field, so nothing here may import the project model.

Figures are stored one row per territory and year (``TerritoryFigures``), with their
values keyed by indicator id. A value the portrait gives as secret or missing ("XXX")
is stored as ``None``: it is unknown, never zero.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from theory_of_change.slugs import Slug

from .settings import LEVEL_LABELS, TensionSettings, TerritoryLevel

__all__ = [
    "LEVEL_LABELS",
    "Diagnostic",
    "DiagnosticQuote",
    "DiagnosticSource",
    "Indicator",
    "IndicatorUnit",
    "TerritoryFigures",
    "TerritoryLevel",
]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
Year = Annotated[int, Field(ge=1990, le=2100)]
Number = int | float


class _Model(BaseModel):
    # Same behaviour as theory_of_change.model.Model, which cannot be imported here.
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class IndicatorUnit(StrEnum):
    """How an indicator's values read: a percentage (points) or a count."""

    percent = "percent"
    count = "count"


class Indicator(_Model):
    """An indicator of the portrait or of open data (e.g. the coverage rate)."""

    id: Slug
    label: Name
    unit: IndicatorUnit


class TerritoryFigures(_Model):
    """The figures of one territory for one year (``None`` when the file gives none)."""

    territory: Slug = Field(description="Stable key: level and slug of the name.")
    name: Name = Field(description="The territory's name exactly as the file writes it.")
    label: Name = Field(description="The name as documents print it (« Les Moutiers-en-Retz »).")
    level: TerritoryLevel
    code: str | None = Field(default=None, description="INSEE, SIREN or department code.")
    epci_code: str | None = None
    department_code: str | None = None
    year: Year | None = None
    values: dict[Slug, Number | None] = Field(default_factory=dict)
    sources: list[Name] = Field(default_factory=list)


class DiagnosticSource(_Model):
    """A file imported into the diagnostic."""

    file_name: Name
    imported_at: dt.datetime
    layout: Literal["portrait", "opendata"]
    sheet: Name | None = None
    rows: int = Field(ge=0)
    years: list[Year] = Field(default_factory=list)


class DiagnosticQuote(_Model):
    """What someone said ("hot" data), filed in the diagnostic and linked to stakes."""

    id: Slug
    quote: Text
    group: Name | None = Field(default=None, description="Collège: élus, habitants…")
    workshop: Name | None = None
    theme: Slug | None = None
    stakes: list[Slug] = Field(default_factory=list)


class Diagnostic(_Model):
    """The shared diagnostic: indicators, figures, sources, quotes and rule settings."""

    indicators: list[Indicator] = Field(default_factory=list)
    figures: list[TerritoryFigures] = Field(default_factory=list)
    sources: list[DiagnosticSource] = Field(default_factory=list)
    quotes: list[DiagnosticQuote] = Field(default_factory=list)
    settings: TensionSettings = Field(default_factory=TensionSettings)
    dismissed_drafts: list[Slug] = Field(
        default_factory=list, description="Draft stakes the facilitator dropped."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Diagnostic:
        problems: list[str] = []
        indicator_ids = [indicator.id for indicator in self.indicators]
        if len(set(indicator_ids)) != len(indicator_ids):
            problems.append("un indicateur est défini deux fois")
        known = set(indicator_ids)
        keys: set[tuple[str, int | None]] = set()
        for row in self.figures:
            unknown = sorted(set(row.values) - known)
            if unknown:
                problems.append(
                    f"les chiffres de « {row.label} » citent un indicateur inconnu : "
                    + ", ".join(unknown)
                )
            key = (row.territory, row.year)
            if key in keys:
                year = f" ({row.year})" if row.year else ""
                problems.append(f"« {row.label} »{year} a deux lignes de chiffres")
            keys.add(key)
        quote_ids = [quote.id for quote in self.quotes]
        if len(set(quote_ids)) != len(quote_ids):
            problems.append("deux citations ont le même identifiant")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # Lookups -------------------------------------------------------------------------------

    def indicator(self, indicator_id: str) -> Indicator | None:
        """The indicator with this id, or ``None``."""
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        return None

    def years(self) -> list[int]:
        """Every year that has figures, in order."""
        return sorted({row.year for row in self.figures if row.year is not None})

    def territories(self, level: TerritoryLevel | None = None) -> list[TerritoryFigures]:
        """One row per territory (its latest year), optionally of one level, by label."""
        latest: dict[str, TerritoryFigures] = {}
        for row in self.figures:
            if level is not None and row.level != level:
                continue
            current = latest.get(row.territory)
            if current is None or year_order(row.year) > year_order(current.year):
                latest[row.territory] = row
        return sorted(latest.values(), key=lambda row: (row.label.casefold(), row.territory))


def year_order(year: int | None) -> int:
    """Sort key of a year: an undated row (a portrait without year) comes before any other."""
    return -1 if year is None else year


def level_label(level: TerritoryLevel) -> str:
    """The French name of a level (« département »)."""
    return LEVEL_LABELS[level]
