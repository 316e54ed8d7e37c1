"""The tensions one reads off the portrait: each commune against its reference and thresholds.

Rules, all configurable through :class:`~theory_of_change.diagnostic.settings.TensionSettings`
(defaults in brackets, documented in ``docs/diagnostic.md``):

- offre insuffisante, sous la référence: coverage rate more than [10] points under the
  department's (or EPCI's);
- offre insuffisante, sous le plancher: coverage rate under [60] %;
- couverture en baisse: over the imported years the coverage rate falls every year and
  loses at least [2] points in all;
- hausse / forte baisse des 0-2 ans: change in the number of children aged 0-2 of at
  least [+10] % / at most [−20] %;
- départs en retraite d'assistantes maternelles: share of childminders aged 60 and over
  at least [1.5] times the reference's ("about twice");
- besoin d'accueil des parents actifs: share of children whose parents both work (or
  single parent in work) more than [15] points above the reference.

The three coverage rules are the SPPE "zones with insufficient provision". A rate above
100 % (Préfailles, 259 %: a small commune whose places serve its neighbours) is never
insufficient. Missing values trigger nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from pydantic import BaseModel, Field

from .model import Diagnostic, IndicatorUnit, TerritoryFigures, TerritoryLevel, level_label
from .numbers import NBSP, format_number, format_value
from .settings import TensionSettings
from .table import FigureTable, Number


class TensionKind(StrEnum):
    """The kinds of tension the rules find."""

    coverage_below_reference = "coverage_below_reference"
    coverage_below_floor = "coverage_below_floor"
    coverage_falling = "coverage_falling"
    young_children_rising = "young_children_rising"
    young_children_falling = "young_children_falling"
    childminders_ageing = "childminders_ageing"
    working_parents_high = "working_parents_high"


TENSION_LABELS: dict[TensionKind, str] = {
    TensionKind.coverage_below_reference: "Offre d'accueil insuffisante (sous la référence)",
    TensionKind.coverage_below_floor: "Offre d'accueil insuffisante (sous le plancher)",
    TensionKind.coverage_falling: "Couverture en baisse",
    TensionKind.young_children_rising: "Hausse du nombre d'enfants de 0-2 ans",
    TensionKind.young_children_falling: "Forte baisse du nombre d'enfants de 0-2 ans",
    TensionKind.childminders_ageing: "Départs en retraite d'assistantes maternelles à venir",
    TensionKind.working_parents_high: "Besoin d'accueil élevé (parents actifs)",
}

INSUFFICIENT_PROVISION = frozenset(
    {
        TensionKind.coverage_below_reference,
        TensionKind.coverage_below_floor,
        TensionKind.coverage_falling,
    }
)


class Tension(BaseModel):
    """One rule that fired for one commune, with the figures that triggered it."""

    kind: TensionKind
    territory: str
    territory_label: str
    indicator: str
    indicator_label: str
    unit: IndicatorUnit = IndicatorUnit.percent
    value: int | float
    year: int | None = None
    reference: int | float | None = None
    reference_label: str | None = None
    reference_year: int | None = None
    threshold: int | float
    message: str = Field(description="The French sentence with the figures.")

    @property
    def label(self) -> str:
        """The French name of the tension's kind."""
        return TENSION_LABELS[self.kind]

    @property
    def insufficient_provision(self) -> bool:
        """Whether the tension marks a zone with insufficient provision (SPPE)."""
        return self.kind in INSUFFICIENT_PROVISION


class CommuneTensions(BaseModel):
    """A commune and its tensions (possibly none)."""

    territory: str
    label: str
    code: str | None = None
    tensions: list[Tension] = Field(default_factory=list)

    def kinds(self) -> set[TensionKind]:
        """The kinds of tension of the commune."""
        return {tension.kind for tension in self.tensions}


class TensionReport(BaseModel):
    """Every commune with its tensions, and notes on rules that could not apply."""

    communes: list[CommuneTensions] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    def flagged(self) -> list[CommuneTensions]:
        """The communes with at least one tension."""
        return [commune for commune in self.communes if commune.tensions]

    def tensions(self) -> list[Tension]:
        """Every tension, commune by commune."""
        return [tension for commune in self.communes for tension in commune.tensions]

    def of_kind(self, kind: TensionKind) -> list[Tension]:
        """The tensions of one kind."""
        return [tension for tension in self.tensions() if tension.kind is kind]

    def commune(self, label_or_key: str) -> CommuneTensions:
        """A commune by label or key (``KeyError`` if none)."""
        for commune in self.communes:
            if label_or_key in (commune.label, commune.territory):
                return commune
        raise KeyError(label_or_key)

    def insufficient_provision_zones(self) -> list[CommuneTensions]:
        """The SPPE "zones with insufficient provision": communes with a coverage tension."""
        return [c for c in self.communes if c.kinds() & INSUFFICIENT_PROVISION]


@dataclass(frozen=True)
class _Context:
    """What a rule needs to judge one commune."""

    commune: TerritoryFigures
    reference: TerritoryFigures | None
    table: FigureTable
    settings: TensionSettings
    labels: dict[str, str]

    def value(self, indicator: str) -> tuple[int | None, Number] | None:
        return self.table.latest(self.commune.territory, indicator)

    def reference_value(self, indicator: str, year: int | None) -> tuple[int | None, Number] | None:
        if self.reference is None:
            return None
        return self.table.reference_value(self.reference.territory, indicator, year)

    def tension(self, kind: TensionKind, indicator: str, **fields: object) -> Tension:
        data: dict[str, object] = {
            "kind": kind,
            "territory": self.commune.territory,
            "territory_label": self.commune.label,
            "indicator": indicator,
            "indicator_label": self.labels.get(indicator, indicator),
            "reference_label": self.reference.label if self.reference else None,
        }
        return Tension.model_validate(data | fields)


Rule = Callable[[_Context], Tension | None]


def find_tensions(diagnostic: Diagnostic, settings: TensionSettings | None = None) -> TensionReport:
    """Apply the tension rules to every commune of the diagnostic.

    ``settings`` defaults to the diagnostic's own (``diagnostic.settings``).
    """
    settings = settings or diagnostic.settings
    table = FigureTable(diagnostic)
    labels = {indicator.id: indicator.label for indicator in diagnostic.indicators}
    notes = _absent_indicator_notes(labels, settings)
    level = _reference_level(table, settings, notes)
    communes: list[CommuneTensions] = []
    without_reference = 0
    for commune in table.territories(TerritoryLevel.commune):
        reference = table.reference_for(commune, level) if level else None
        if reference is None:
            without_reference += 1
        context = _Context(commune, reference, table, settings, labels)
        found = [tension for rule in RULES if (tension := rule(context)) is not None]
        communes.append(
            CommuneTensions(
                territory=commune.territory, label=commune.label, code=commune.code, tensions=found
            )
        )
    if level and without_reference:
        notes.append(
            f"{without_reference} commune{'s' if without_reference > 1 else ''} sans "
            f"{level_label(level)} de référence identifiable : comparaisons à la référence "
            "non faites pour elle" + ("s." if without_reference > 1 else ".")
        )
    if not communes:
        notes.append("Aucune commune dans les données importées : aucune tension calculée.")
    return TensionReport(communes=communes, notes=notes)


def _reference_level(
    table: FigureTable, settings: TensionSettings, notes: list[str]
) -> TerritoryLevel | None:
    wanted = settings.reference_level
    if table.territories(wanted):
        return wanted
    for other in (TerritoryLevel.department, TerritoryLevel.epci):
        if other is not wanted and table.territories(other):
            notes.append(
                f"Aucun {level_label(wanted)} dans les données : chaque commune est comparée "
                f"à son {level_label(other)}."
            )
            return other
    notes.append(
        f"Aucun {level_label(wanted)} ni EPCI dans les données : seules les règles à seuil "
        "fixe (plancher, évolution) sont appliquées."
    )
    return None


def _absent_indicator_notes(labels: dict[str, str], settings: TensionSettings) -> list[str]:
    notes = []
    for indicator, rule in (
        (settings.coverage_indicator, "offre d'accueil insuffisante, couverture en baisse"),
        (settings.young_children_indicator, "évolution du nombre d'enfants de 0-2 ans"),
        (settings.childminders_indicator, "départs en retraite d'assistantes maternelles"),
        (settings.working_parents_indicator, "besoin d'accueil des parents actifs"),
    ):
        if indicator not in labels:
            notes.append(
                f"Indicateur « {indicator} » absent des données : règle « {rule} » non appliquée."
            )
    return notes


# Rules -------------------------------------------------------------------------------------


def _coverage_below_reference(ctx: _Context) -> Tension | None:
    indicator = ctx.settings.coverage_indicator
    found = ctx.value(indicator)
    if found is None:
        return None
    year, value = found
    reference = ctx.reference_value(indicator, year)
    if reference is None:
        return None
    reference_year, reference_value = reference
    gap = _round(reference_value - value)
    threshold = ctx.settings.coverage_gap_points
    if gap <= threshold:
        return None
    message = (
        f"{ctx.commune.label} : {_phrase(ctx, indicator, value, year)}, "
        f"{_points(gap)} sous {_reference_text(ctx, reference_value, reference_year, year)} ; "
        f"alerte au-delà de {_points(threshold)} d'écart."
    )
    return ctx.tension(
        TensionKind.coverage_below_reference,
        indicator,
        value=value,
        year=year,
        reference=reference_value,
        reference_year=reference_year,
        threshold=threshold,
        message=message,
    )


def _coverage_below_floor(ctx: _Context) -> Tension | None:
    indicator = ctx.settings.coverage_indicator
    found = ctx.value(indicator)
    if found is None:
        return None
    year, value = found
    floor = ctx.settings.coverage_floor_percent
    if _round(value) >= floor:
        return None
    message = (
        f"{ctx.commune.label} : {_phrase(ctx, indicator, value, year)}, sous le plancher "
        f"de {format_value(floor, True)}."
    )
    return ctx.tension(
        TensionKind.coverage_below_floor,
        indicator,
        value=value,
        year=year,
        reference=None,
        reference_label=None,
        threshold=floor,
        message=message,
    )


def _coverage_falling(ctx: _Context) -> Tension | None:
    indicator = ctx.settings.coverage_indicator
    points = [(y, v) for y, v in ctx.table.series(ctx.commune.territory, indicator) if y]
    if len(points) < 2:
        return None
    if any(_round(later[1] - earlier[1]) >= 0 for earlier, later in pairwise(points)):
        return None
    fall = _round(points[0][1] - points[-1][1])
    threshold = ctx.settings.coverage_trend_points
    if fall < threshold:
        return None
    steps = ", ".join(f"{format_value(v, True)} en {y}" for y, v in points)
    message = (
        f"{ctx.commune.label} : {_lower_first(ctx.labels.get(indicator, indicator))} en baisse "
        f"chaque année ({steps}), soit {_points(fall)} de moins ; alerte à partir de "
        f"{_points(threshold)} de baisse."
    )
    first_year, first_value = points[0]
    last_year, last_value = points[-1]
    return ctx.tension(
        TensionKind.coverage_falling,
        indicator,
        value=last_value,
        year=last_year,
        reference=first_value,
        reference_label=f"{ctx.commune.label} en {first_year}",
        reference_year=first_year,
        threshold=threshold,
        message=message,
    )


def _young_children(ctx: _Context) -> Tension | None:
    indicator = ctx.settings.young_children_indicator
    found = ctx.value(indicator)
    if found is None:
        return None
    year, value = found
    rise, fall = ctx.settings.young_children_rise_percent, ctx.settings.young_children_fall_percent
    if _round(value) >= rise:
        kind, threshold = TensionKind.young_children_rising, rise
    elif _round(value) <= -fall:
        kind, threshold = TensionKind.young_children_falling, -fall
    else:
        return None
    reference = ctx.reference_value(indicator, year)
    compared = ""
    if reference is not None and ctx.reference is not None:
        compared = f" ({ctx.reference.label} : {_signed_percent(reference[1])})"
    message = (
        f"{ctx.commune.label} : {_lower_first(ctx.labels.get(indicator, indicator))} de "
        f"{_signed_percent(value)}{_in_year(year)}{compared} ; alerte à partir de "
        f"{_signed_percent(threshold)}."
    )
    return ctx.tension(
        kind,
        indicator,
        value=value,
        year=year,
        reference=reference[1] if reference else None,
        reference_year=reference[0] if reference else None,
        threshold=threshold,
        message=message,
    )


def _childminders_ageing(ctx: _Context) -> Tension | None:
    indicator = ctx.settings.childminders_indicator
    found = ctx.value(indicator)
    if found is None:
        return None
    year, value = found
    reference = ctx.reference_value(indicator, year)
    if reference is None or reference[1] <= 0:
        return None
    reference_year, reference_value = reference
    ratio = value / reference_value
    threshold = ctx.settings.childminders_ratio
    if _round(ratio) < threshold:
        return None
    message = (
        f"{ctx.commune.label} : {_phrase(ctx, indicator, value, year)}, "
        f"{format_number(ratio)} fois celle de "
        f"{_reference_text(ctx, reference_value, reference_year, year)} ; alerte à partir de "
        f"{format_number(threshold)} fois."
    )
    return ctx.tension(
        TensionKind.childminders_ageing,
        indicator,
        value=value,
        year=year,
        reference=reference_value,
        reference_year=reference_year,
        threshold=threshold,
        message=message,
    )


def _working_parents_high(ctx: _Context) -> Tension | None:
    indicator = ctx.settings.working_parents_indicator
    found = ctx.value(indicator)
    if found is None:
        return None
    year, value = found
    reference = ctx.reference_value(indicator, year)
    if reference is None:
        return None
    reference_year, reference_value = reference
    gap = _round(value - reference_value)
    threshold = ctx.settings.working_parents_gap_points
    if gap <= threshold:
        return None
    message = (
        f"{ctx.commune.label} : {_phrase(ctx, indicator, value, year)}, {_points(gap)} "
        f"au-dessus de {_reference_text(ctx, reference_value, reference_year, year)} ; "
        f"alerte au-delà de {_points(threshold)}."
    )
    return ctx.tension(
        TensionKind.working_parents_high,
        indicator,
        value=value,
        year=year,
        reference=reference_value,
        reference_year=reference_year,
        threshold=threshold,
        message=message,
    )


RULES: tuple[Rule, ...] = (
    _coverage_below_reference,
    _coverage_below_floor,
    _coverage_falling,
    _young_children,
    _childminders_ageing,
    _working_parents_high,
)


# Wording -----------------------------------------------------------------------------------


def _round(value: float) -> float:
    # Figures have at most a decimal or two: compare them without binary noise.
    return round(value, 6)


def _lower_first(label: str) -> str:
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _phrase(ctx: _Context, indicator: str, value: Number, year: int | None) -> str:
    label = _lower_first(ctx.labels.get(indicator, indicator))
    return f"{label} de {format_value(value, True)}{_in_year(year)}"


def _in_year(year: int | None) -> str:
    return f" en {year}" if year else ""


def _points(value: float) -> str:
    return f"{format_number(value)}{NBSP}point{'s' if abs(value) >= 2 else ''}"


def _signed_percent(value: float) -> str:
    sign = "+" if value > 0 else ""
    return f"{sign}{format_value(value, True)}"


def _reference_text(
    ctx: _Context, value: Number, reference_year: int | None, year: int | None
) -> str:
    label = ctx.reference.label if ctx.reference else "la référence"
    when = f" en {reference_year}" if reference_year and reference_year != year else ""
    return f"{label} ({format_value(value, True)}{when})"
