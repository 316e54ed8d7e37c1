"""What the step pages list, read from the model: stakes by theme, pathways in order,
markers by change and level, actions by axis with the state of their action sheets.

Pure functions of a :class:`~theory_of_change.model.Project`: the pages only show them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext

from theory_of_change.editing.labels import format_number
from theory_of_change.graph import pathways
from theory_of_change.model import (
    FACILITY_TYPE_LABELS,
    KINDS_NEEDING_SHEET,
    SHEET_REQUIRED_FIELDS,
    SPPE_DUTY_LABELS,
    Activity,
    Change,
    Facility,
    FacilityType,
    MarkerLevel,
    ProgressMarker,
    Project,
    Stake,
    StrategicAxis,
)
from theory_of_change.sppe import organising_authorities, required_duties


@dataclass(frozen=True)
class StakeRow:
    """A stake and the changes that answer it."""

    stake: Stake
    changes: list[Change]


def stakes_by_theme(project: Project) -> list[tuple[str, list[StakeRow]]]:
    """The stakes grouped by theme (in the project's order of themes), then without one."""
    rows = [
        StakeRow(stake, [c for c in project.changes if stake.id in c.addresses])
        for stake in project.stakes
    ]
    groups: list[tuple[str, list[StakeRow]]] = []
    for theme in project.themes:
        members = [row for row in rows if row.stake.theme == theme.id]
        if members:
            groups.append((theme.label, members))
    orphans = [row for row in rows if row.stake.theme is None]
    if orphans:
        groups.append((_("Sans thématique"), orphans))
    return groups


@dataclass(frozen=True)
class PathwayView:
    """A pathway: its changes in order, the last one leading to the vision."""

    number: int
    end: Change
    changes: list[Change]


def pathway_views(project: Project) -> list[PathwayView]:
    """Every pathway (one per change leading to the vision), preconditions first."""
    return [
        PathwayView(number, project.change(path.end), [project.change(c) for c in path.changes])
        for number, path in enumerate(pathways(project), start=1)
    ]


def changes_off_pathways(project: Project) -> list[Change]:
    """The changes that lead to the vision by no pathway yet."""
    on_paths = {change_id for path in pathways(project) for change_id in path.changes}
    return [change for change in project.changes if change.id not in on_paths]


@dataclass(frozen=True)
class MarkerGroup:
    """The progress markers of one change, by level."""

    change: Change
    levels: list[tuple[MarkerLevel, list[ProgressMarker]]]

    @property
    def count(self) -> int:
        """How many markers the change has."""
        return sum(len(markers) for _level, markers in self.levels)


def markers_by_change(project: Project) -> list[MarkerGroup]:
    """Each change with its markers: on s'attend à voir, on aimerait voir, on adorerait voir."""
    return [
        MarkerGroup(
            change,
            [
                (level, [m for m in project.markers if m.change == change.id and m.level is level])
                for level in MarkerLevel
            ],
        )
        for change in project.changes
    ]


@dataclass(frozen=True)
class SheetState:
    """Whether an action needs a fiche action, and the headings still empty in it."""

    needed: bool
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every heading of the sheet is filled in."""
        return not self.missing


def sheet_state(activity: Activity) -> SheetState:
    """The state of an action's sheet (headings named as in the Caf's template)."""
    missing = [
        label for name, label in SHEET_REQUIRED_FIELDS.items()
        if not getattr(activity.sheet, name)
    ]
    return SheetState(activity.kind in KINDS_NEEDING_SHEET, missing)


@dataclass(frozen=True)
class AxisGroup:
    """The actions of a strategic axis (``axis`` is ``None`` for those without one)."""

    number: int | None
    axis: StrategicAxis | None
    activities: list[tuple[Activity, SheetState]]


def activities_by_axis(project: Project) -> list[AxisGroup]:
    """The actions grouped by strategic axis, in the plan's order, then those without."""
    groups: list[AxisGroup] = []
    for number, axis in enumerate(project.sorted_axes(), start=1):
        members = [(a, sheet_state(a)) for a in project.activities if a.axis == axis.id]
        groups.append(AxisGroup(number, axis, members))
    orphans = [(a, sheet_state(a)) for a in project.activities if a.axis is None]
    if orphans:
        groups.append(AxisGroup(None, None, orphans))
    return groups


@dataclass(frozen=True)
class AuthorityDuties:
    """An organising authority of early-childhood care and the duties the law gives it."""

    name: str
    population: int | None
    duties: list[str]


def sppe_authorities(project: Project) -> list[AuthorityDuties]:
    """Who organises early-childhood care on the territory, and their SPPE duties."""
    return [
        AuthorityDuties(
            authority.name,
            authority.population,
            [SPPE_DUTY_LABELS[duty] for duty in required_duties(authority.population)],
        )
        for authority in organising_authorities(project)
    ]


@dataclass(frozen=True)
class StepCard:
    """One step of the approach on the project's overview."""

    number: int
    title: str
    endpoint: str
    facts: list[str]
    todo: str | None = None


def step_cards(project: Project) -> list[StepCard]:
    """The five steps of the approach, each with what the project holds for it."""
    retained = [s for s in project.stakes if s.retained]
    paths = pathways(project)
    sheets = [sheet_state(a) for a in project.activities]
    to_complete = sum(1 for state in sheets if state.needed and not state.complete)
    return [
        StepCard(
            1, _("Analyser le contexte"), "editor.stakes",
            [ngettext("%(num)d enjeu", "%(num)d enjeux", len(project.stakes)),
             ngettext("%(num)d retenu", "%(num)d retenus", len(retained))],
            None if project.stakes else _("Retenez les enjeux du diagnostic partagé."),
        ),
        StepCard(
            2, _("Écrire la vision collective"), "editor.vision",
            [_("Horizon %(year)s", year=project.vision.horizon_year)] if project.vision else [],
            None if project.vision else _("Écrivez la vision : « En 2037, territoire… »."),
        ),
        StepCard(
            3, _("Tracer les chemins de changement"), "editor.changes",
            [ngettext("%(num)d changement", "%(num)d changements", len(project.changes)),
             ngettext("%(num)d chemin vers la vision", "%(num)d chemins vers la vision",
                      len(paths)),
             ngettext("%(num)d marqueur de progrès", "%(num)d marqueurs de progrès",
                      len(project.markers))],
            None if paths else _("Reliez au moins un changement à la vision."),
        ),
        StepCard(
            4, _("Définir les activités et stratégies"), "editor.activities",
            [ngettext("%(num)d action", "%(num)d actions", len(project.activities)),
             ngettext("%(num)d axe stratégique", "%(num)d axes stratégiques",
                      len(project.axes))],
            ngettext("%(num)d fiche action à compléter", "%(num)d fiches actions à compléter",
                     to_complete)
            if to_complete else None,
        ),
        StepCard(
            5, _("Suivre et évaluer"), "editor.evaluation",
            [ngettext("%(num)d instance de pilotage", "%(num)d instances de pilotage",
                      len(project.governance.bodies))],
            None if project.evaluation.continuous_follow_up
            else _("Décrivez le suivi et l'évaluation (annexe 6)."),
        ),
    ]


@dataclass(frozen=True)
class FacilityGroup:
    """The facilities of one type of annexe 3, with their known funding."""

    type: FacilityType
    label: str
    facilities: list[Facility]

    @property
    def caf_total(self) -> float | None:
        """The Caf's known funding summed (``None`` when no amount is known)."""
        return _known_sum(f.caf_funding for f in self.facilities)

    @property
    def authority_total(self) -> float | None:
        """The authority's known funding summed (``None`` when no amount is known)."""
        return _known_sum(f.authority_funding for f in self.facilities)

    @property
    def unknown_amounts(self) -> int:
        """How many amounts are still unknown (they are not counted as 0)."""
        return sum(
            (f.caf_funding is None) + (f.authority_funding is None) for f in self.facilities
        )


def _known_sum(amounts: Iterable[float | None]) -> float | None:
    known = [amount for amount in amounts if amount is not None]
    return sum(known) if known else None


def facilities_by_type(project: Project) -> list[FacilityGroup]:
    """The facilities grouped by type, in the order of annexe 3 (types without any left out)."""
    return [
        FacilityGroup(kind, label, [f for f in project.facilities if f.type is kind])
        for kind, label in FACILITY_TYPE_LABELS.items()
        if any(f.type is kind for f in project.facilities)
    ]


def facility_types_without(project: Project) -> list[str]:
    """The labels of the types of annexe 3 no facility of the project has."""
    used = {f.type for f in project.facilities}
    return [label for kind, label in FACILITY_TYPE_LABELS.items() if kind not in used]


def euros(amount: float) -> str:
    """An amount the French way: ``12 500 €``, ``12 500,50 €``."""
    if float(amount).is_integer():
        return f"{format_number(int(amount))}\u202f€"
    return f"{amount:,.2f}".replace(",", "\u202f").replace(".", ",") + "\u202f€"
