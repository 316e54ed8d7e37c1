"""The theory-of-change model of a CTG renewal.

One :class:`Project` holds the whole chain of reasoning of a *convention territoriale
globale*: the territory and its convention period, the stakes (enjeux) drawn from the
shared diagnostic, the collective vision, the changes and the pathways they form, the
progress markers, the activities with their action sheets, the strategic axes, the SPPE
sheet, the facilities of annexe 3, governance (annexe 5) and evaluation (annexe 6).

Links are stored on the node that owns them (a change lists its preconditions and the
stakes it addresses, an activity the changes it contributes to, a marker its change);
:mod:`theory_of_change.graph` derives the graph from them, so the model is the single
source of truth. Identifiers are slugs shared by every kind of node.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_serializer,
    model_validator,
)

from .calendar import Milestones, default_milestones
from .diagnostic.model import Diagnostic
from .slugs import Slug

SCHEMA_VERSION = 1
VISION_ID = "vision"

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]
Year = Annotated[int, Field(ge=1990, le=2100)]

# The portrait de territoire writes "XXX" (or "XX", "s") where a figure is secret or
# missing: such a value is unknown, never zero.
UNKNOWN_MARKERS = frozenset({"", "xxx", "xx", "x", "s", "nc", "n/a", "?", "à compléter"})


def unknown_to_none(value: Any) -> Any:
    """Map the portrait's markers of a missing figure ("XXX", "s", "") to ``None``."""
    if isinstance(value, str) and value.strip().lower() in UNKNOWN_MARKERS:
        return None
    return value


class Model(BaseModel):
    """Base of every model class: unknown keys are refused, values re-validated on edit."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


# --- Territory and convention ------------------------------------------------------------


class TerritoryKind(StrEnum):
    """Whether the signing authority is a commune or an intercommunality (EPCI)."""

    commune = "commune"
    epci = "epci"


class Commune(Model):
    """A commune of the territory, with its population (for SPPE duties)."""

    id: Slug
    name: ShortText
    population: int | None = Field(default=None, ge=0)
    insee_code: str | None = Field(default=None, pattern=r"^[0-9][0-9AB][0-9]{3}$")


class Territory(Model):
    """The signing authority and its area."""

    name: ShortText
    kind: TerritoryKind
    population: int | None = Field(default=None, ge=0)
    department: ShortText | None = None
    communes: list[Commune] = Field(default_factory=list)
    early_childhood_competence: TerritoryKind = Field(
        default=TerritoryKind.epci,
        description=(
            "Who is the organising authority of early-childhood care: the EPCI itself, or "
            "each commune (when the EPCI does not hold the competence)."
        ),
    )

    def total_population(self) -> int | None:
        """The declared population, else the sum of the communes' when all are known."""
        if self.population is not None:
            return self.population
        populations = [commune.population for commune in self.communes]
        if populations and all(p is not None for p in populations):
            return sum(p for p in populations if p is not None)
        return None


class ConventionPeriod(Model):
    """The years the convention covers, both included (e.g. 2025–2029)."""

    start_year: Year
    end_year: Year

    @model_validator(mode="after")
    def _ordered(self) -> ConventionPeriod:
        if self.end_year < self.start_year:
            raise ValueError("l'année de fin précède l'année de début de la convention")
        if self.end_year - self.start_year > 6:
            raise ValueError("une CTG dure 4 à 5 ans : la période dépasse 6 ans")
        return self

    def years(self) -> list[int]:
        """Every year of the period."""
        return list(range(self.start_year, self.end_year + 1))

    def __contains__(self, year: object) -> bool:
        return isinstance(year, int) and self.start_year <= year <= self.end_year


class Signatory(Model):
    """A body that signs the convention (the Caf, the EPCI, a commune, a partner)."""

    name: ShortText
    role: ShortText | None = None
    represented_by: ShortText | None = None


# --- Themes, stakes and vision -------------------------------------------------------------


class ThemeKind(StrEnum):
    """Mandatory (4), strongly recommended complementary (fifth), or another theme."""

    mandatory = "mandatory"
    complementary = "complementary"
    other = "other"


class Theme(Model):
    """A thématique of the convention."""

    id: Slug
    label: ShortText
    kind: ThemeKind = ThemeKind.other


MANDATORY_THEMES: tuple[tuple[str, str], ...] = (
    ("petite-enfance", "Petite enfance"),
    ("enfance", "Enfance"),
    ("jeunesse", "Jeunesse"),
    ("parentalite", "Parentalité"),
)
COMPLEMENTARY_THEMES: tuple[tuple[str, str], ...] = (
    ("acces-aux-droits", "Accès aux droits"),
    ("animation-vie-sociale", "Animation de la vie sociale"),
)


def default_themes() -> list[Theme]:
    """The four mandatory themes and the two recommended complementary ones."""
    return [Theme(id=i, label=label, kind=ThemeKind.mandatory) for i, label in MANDATORY_THEMES] + [
        Theme(id=i, label=label, kind=ThemeKind.complementary) for i, label in COMPLEMENTARY_THEMES
    ]


class QuantitativeEvidence(Model):
    """A figure of the portrait de territoire (or other "cold" data) behind a stake."""

    kind: Literal["quantitative"] = "quantitative"
    indicator: ShortText
    territory: ShortText | None = None
    value: float | str | None = None
    reference: float | str | None = Field(
        default=None, description="The value for the comparison territory (department, EPCI)."
    )
    reference_territory: ShortText | None = None
    year: Year | None = None
    source: ShortText | None = None

    _unknown_value = field_validator("value", "reference", mode="before")(unknown_to_none)


class QualitativeEvidence(Model):
    """What people said ("hot" data): a quote and the group it came from."""

    kind: Literal["qualitative"] = "qualitative"
    quote: LongText
    group: ShortText | None = None
    source: ShortText | None = Field(default=None, description="Workshop or interview.")
    theme: Slug | None = None


Evidence = Annotated[QuantitativeEvidence | QualitativeEvidence, Field(discriminator="kind")]


class Stake(Model):
    """An enjeu: a priority issue drawn from the shared diagnostic."""

    id: Slug
    title: ShortText
    theme: Slug | None = None
    description: LongText | None = None
    retained: bool = True
    evidence: list[Evidence] = Field(default_factory=list)


class Vision(Model):
    """The collective vision, written "En 2037, territoire…"."""

    text: LongText
    horizon_year: Year


# --- Changes, markers, activities ----------------------------------------------------------


class Link(Model):
    """A link to another node, with the hypothesis ("si… alors…") it rests on.

    In a file a link without hypothesis is written as the bare target id.
    """

    to: Slug
    hypothesis: LongText | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_bare_id(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"to": value}
        return value

    @model_serializer(mode="wrap")
    def _to_bare_id(self, handler: Any) -> Any:
        if self.hypothesis is None:
            return self.to
        return handler(self)


class ChangeStatus(StrEnum):
    """Where a change stands in the prioritisation."""

    proposed = "proposed"
    prioritised = "prioritised"
    set_aside = "set_aside"


class Change(Model):
    """An intended change among actors; changes chained by preconditions form pathways."""

    id: Slug
    statement: LongText = Field(min_length=1)
    actors: list[ShortText] = Field(
        default_factory=list, description="Boundary partners whose behaviour changes."
    )
    themes: list[Slug] = Field(default_factory=list)
    hypotheses: list[LongText] = Field(default_factory=list)
    status: ChangeStatus = ChangeStatus.proposed
    priority_rank: int | None = Field(default=None, ge=1)
    addresses: list[Slug] = Field(default_factory=list, description="Stakes this change answers.")
    preconditions: list[Link] = Field(
        default_factory=list, description="Changes that must happen before this one."
    )
    leads_to_vision: bool = False
    vision_hypothesis: LongText | None = None


class MarkerLevel(StrEnum):
    """Outcome Mapping's graduated progress markers."""

    expect = "expect"
    like = "like"
    love = "love"


MARKER_LEVEL_LABELS = {
    MarkerLevel.expect: "on s'attend à voir",
    MarkerLevel.like: "on aimerait voir",
    MarkerLevel.love: "on adorerait voir",
}

Measure = float | int | str | None


class ProgressMarker(Model):
    """An observable sign that a change is happening."""

    id: Slug
    change: Slug
    text: LongText = Field(min_length=1)
    level: MarkerLevel = MarkerLevel.expect
    actor: ShortText | None = None
    indicator: ShortText | None = None
    baseline: Measure = None
    target: Measure = None
    year: Year | None = None


class ActivityKind(StrEnum):
    """Kinds of actions; all but ``existing`` need an action sheet."""

    existing = "existing"
    new = "new"
    flagship = "flagship"
    experimental = "experimental"


ACTIVITY_KIND_LABELS = {
    ActivityKind.existing: "action existante",
    ActivityKind.new: "action nouvelle",
    ActivityKind.flagship: "projet phare",
    ActivityKind.experimental: "action expérimentale",
}
KINDS_NEEDING_SHEET = frozenset(
    {ActivityKind.new, ActivityKind.flagship, ActivityKind.experimental}
)


class ActivityStatus(StrEnum):
    """Progress of an action in the follow-up table (annexe 6)."""

    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    abandoned = "abandoned"


ACTIVITY_STATUS_LABELS = {
    ActivityStatus.planned: "à venir",
    ActivityStatus.in_progress: "en cours",
    ActivityStatus.done: "réalisé",
    ActivityStatus.abandoned: "abandonné",
}


class ScheduleStep(Model):
    """One step of an action's calendar ("2026 : lancement du groupe de travail")."""

    period: ShortText
    text: LongText = Field(min_length=1)


class Observation(Model):
    """A value observed for an action's indicator in a given year (follow-up table)."""

    year: Year
    value: Measure = None
    comment: LongText | None = None


class ActionSheet(Model):
    """The fiche action: the fields of the seed's template."""

    initial_diagnostic: LongText | None = None
    objectives: list[LongText] = Field(default_factory=list)
    description: LongText | None = None
    lead: ShortText | None = Field(default=None, description="Pilote / service responsable.")
    partners: list[ShortText] = Field(default_factory=list)
    target_public: LongText | None = None
    schedule: list[ScheduleStep] = Field(default_factory=list)
    expected_results: list[LongText] = Field(default_factory=list)
    indicators: list[ShortText] = Field(default_factory=list)
    baseline: Measure = None
    target: Measure = None
    observations: list[Observation] = Field(default_factory=list)


SHEET_REQUIRED_FIELDS: dict[str, str] = {
    "objectives": "objectifs visés",
    "description": "descriptif de l'action",
    "lead": "pilote",
    "partners": "partenaires",
    "target_public": "public cible",
    "schedule": "calendrier et principales étapes",
    "expected_results": "résultats attendus (« Nous aurons réussi si… »)",
    "indicators": "indicateurs d'évaluation",
}


class Activity(Model):
    """An activity (action of the plan) and, when it needs one, its action sheet."""

    id: Slug
    title: ShortText
    kind: ActivityKind = ActivityKind.existing
    axis: Slug | None = None
    sub_objective: Slug | None = None
    themes: list[Slug] = Field(default_factory=list)
    years: list[Year] = Field(default_factory=list)
    scope: list[Slug] = Field(
        default_factory=list,
        description="Communes concerned; empty means the whole territory (EPCI).",
    )
    contributes_to: list[Link] = Field(default_factory=list)
    status: ActivityStatus = ActivityStatus.planned
    sheet: ActionSheet = Field(default_factory=ActionSheet)

    @field_validator("years")
    @classmethod
    def _sorted_years(cls, years: list[int]) -> list[int]:
        return sorted(set(years))


class SubObjective(Model):
    """A sub-heading of a strategic axis ("Prendre en compte l'enfant dans sa globalité")."""

    id: Slug
    title: ShortText


class StrategicAxis(Model):
    """An axe stratégique (orientation) grouping actions in the plan."""

    id: Slug
    title: ShortText
    order: int = Field(ge=1)
    sub_objectives: list[SubObjective] = Field(default_factory=list)


# --- SPPE, facilities, governance, evaluation ----------------------------------------------


class SppeStructureType(StrEnum):
    """Rows of the SPPE action sheet."""

    eaje_psu = "eaje_psu"
    eaje_mc_paje = "eaje_mc_paje"
    mam = "mam"
    rpe = "rpe"
    passerelle = "passerelle"


SPPE_STRUCTURE_LABELS = {
    SppeStructureType.eaje_psu: "EAJE PSU",
    SppeStructureType.eaje_mc_paje: "EAJE micro-crèche PAJE",
    SppeStructureType.mam: "MAM",
    SppeStructureType.rpe: "RPE",
    SppeStructureType.passerelle: "Dispositifs passerelle",
}


class SppeProjection(StrEnum):
    """The five-year projection modality of the SPPE sheet."""

    maintain = "maintain"
    maintain_with_difficulty = "maintain_with_difficulty"
    closure = "closure"
    creation = "creation"
    development = "development"


SPPE_PROJECTION_LABELS = {
    SppeProjection.maintain: "Maintien sans difficulté",
    SppeProjection.maintain_with_difficulty: "Maintien avec difficulté",
    SppeProjection.closure: "Fermeture de places envisagée",
    SppeProjection.creation: "Création de places",
    SppeProjection.development: "Développement de places",
}


class SppeRow(Model):
    """One structure (or group of structures) of the SPPE sheet; unknown stays ``None``."""

    structure_type: SppeStructureType
    name_address: LongText | None = None
    commune: Slug | None = None
    current_places: float | None = Field(
        default=None, ge=0, description="Places, or FTEs for an RPE."
    )
    supported_places: float | None = Field(default=None, ge=0)
    projection: SppeProjection | None = None
    projection_places: int | None = None
    projection_year: Year | None = None
    jobs_and_skills: LongText | None = None
    investment_type: LongText | None = None
    investment_means: LongText | None = None

    _unknown = field_validator(
        "current_places",
        "supported_places",
        "projection_places",
        "projection_year",
        "name_address",
        "projection",
        mode="before",
    )(unknown_to_none)


class SppeDuty(StrEnum):
    """Duties of an organising authority of early-childhood care, by population."""

    needs_inventory = "needs_inventory"
    family_information = "family_information"
    development_plan = "development_plan"
    quality_support = "quality_support"
    multi_year_scheme = "multi_year_scheme"


SPPE_DUTY_LABELS = {
    SppeDuty.needs_inventory: "recenser les besoins des familles et les modes d'accueil",
    SppeDuty.family_information: "informer et accompagner les familles",
    SppeDuty.development_plan: "planifier le développement des modes d'accueil",
    SppeDuty.quality_support: "soutenir la qualité des modes d'accueil",
    SppeDuty.multi_year_scheme: (
        "élaborer le schéma pluriannuel de maintien et de développement de l'offre d'accueil"
    ),
}


class DutyCoverage(Model):
    """How an organising authority meets one SPPE duty: actions and/or a note."""

    duty: SppeDuty
    authority: Slug | None = Field(
        default=None, description="Commune id; empty for the EPCI (or the commune territory)."
    )
    activities: list[Slug] = Field(default_factory=list)
    note: LongText | None = None


class SppeExtra(Model):
    """Extra elements asked of authorities over 10 000 inhabitants."""

    vulnerable_families: LongText | None = None
    insertion_oriented_care: LongText | None = None
    quality_support: LongText | None = None
    indicators: LongText | None = None
    partnerships: LongText | None = None


class SppeSheet(Model):
    """The fiche action SPPE and the duties it answers."""

    rows: list[SppeRow] = Field(default_factory=list)
    duties: list[DutyCoverage] = Field(default_factory=list)
    extra: SppeExtra = Field(default_factory=SppeExtra)


class FacilityType(StrEnum):
    """Structure types of annexe 3."""

    eaje_psu = "eaje_psu"
    eaje_mc_paje = "eaje_mc_paje"
    childminders_mam = "childminders_mam"
    rpe = "rpe"
    first_1000_days = "first_1000_days"
    passerelle = "passerelle"
    laep = "laep"
    parenting_support = "parenting_support"
    clas = "clas"
    alsh = "alsh"
    youth_reception = "youth_reception"
    social_centre = "social_centre"
    other = "other"


FACILITY_TYPE_LABELS = {
    FacilityType.eaje_psu: "EAJE PSU",
    FacilityType.eaje_mc_paje: "EAJE micro-crèche Paje",
    FacilityType.childminders_mam: "Assistants maternels / MAM",
    FacilityType.rpe: "RPE",
    FacilityType.first_1000_days: "Maison des 1 000 premiers jours / Maison des parents",
    FacilityType.passerelle: "Dispositifs passerelles",
    FacilityType.laep: "LAEP",
    FacilityType.parenting_support: "Actions de soutien à la parentalité",
    FacilityType.clas: "Clas",
    FacilityType.alsh: "ALSH périscolaire / extrascolaire",
    FacilityType.youth_reception: "Accueil de jeunes",
    FacilityType.social_centre: "Centres sociaux / EVS",
    FacilityType.other: "Autre",
}


class Facility(Model):
    """An equipment or service supported by the signatories (annexe 3)."""

    id: Slug
    type: FacilityType
    name: ShortText
    address: ShortText | None = None
    commune: Slug | None = None
    signatory: ShortText | None = None
    caf_funding: float | None = Field(default=None, ge=0)
    authority_funding: float | None = Field(default=None, ge=0)

    _unknown = field_validator("caf_funding", "authority_funding", mode="before")(
        unknown_to_none
    )


class Body(Model):
    """A steering or working body (Copil, Cotech, working group, circle)."""

    id: Slug
    name: ShortText
    kind: Literal["copil", "cotech", "working_group", "circle", "other"] = "other"
    members: list[ShortText] = Field(default_factory=list)
    frequency: ShortText | None = None


class CooperationOfficer(Model):
    """A chargé(e) de coopération CTG: missions, themes and funded FTE."""

    name: ShortText
    missions: list[LongText] = Field(default_factory=list)
    themes: list[Slug] = Field(default_factory=list)
    fte: float | None = Field(default=None, ge=0, le=10)


class Governance(Model):
    """Annexe 5: steering and working bodies, cooperation officers."""

    bodies: list[Body] = Field(default_factory=list)
    cooperation_officers: list[CooperationOfficer] = Field(default_factory=list)


class Evaluation(Model):
    """Annexe 6: how the convention is followed and evaluated."""

    continuous_follow_up: LongText | None = None
    annual_checkpoint: LongText | None = None
    mid_term_evaluation: LongText | None = None
    final_evaluation: LongText | None = None
    interim_report_year: Year | None = None
    final_report_year: Year | None = None


class Decision(Model):
    """An audit-trail entry: what a workshop step (or a person) wrote into the model."""

    date: dt.datetime
    summary: LongText
    workshop: ShortText | None = None
    step: ShortText | None = None
    author: ShortText | None = None
    nodes: list[Slug] = Field(default_factory=list)


# --- The project ----------------------------------------------------------------------------


class DanglingReferences(ValueError):  # noqa: N818 - a ValueError so pydantic reports it
    """Raised when links point to ids the project does not define."""

    def __init__(self, problems: list[tuple[tuple[str | int, ...], str]]) -> None:
        self.problems = problems
        super().__init__(
            "; ".join(f"{'.'.join(map(str, path))} → {reason}" for path, reason in problems)
        )


class Project(Model):
    """A CTG renewal project: the whole model, saved as one YAML file."""

    schema_version: Literal[1] = SCHEMA_VERSION
    id: Slug
    title: ShortText
    territory: Territory
    convention: ConventionPeriod
    signatories: list[Signatory] = Field(default_factory=list)
    themes: list[Theme] = Field(default_factory=default_themes)
    stakes: list[Stake] = Field(default_factory=list)
    vision: Vision | None = None
    changes: list[Change] = Field(default_factory=list)
    markers: list[ProgressMarker] = Field(default_factory=list)
    axes: list[StrategicAxis] = Field(default_factory=list)
    activities: list[Activity] = Field(default_factory=list)
    sppe: SppeSheet = Field(default_factory=SppeSheet)
    facilities: list[Facility] = Field(default_factory=list)
    governance: Governance = Field(default_factory=Governance)
    evaluation: Evaluation = Field(default_factory=Evaluation)
    milestones: Milestones = Field(default_factory=default_milestones)
    diagnostic: Diagnostic = Field(default_factory=Diagnostic)
    decisions: list[Decision] = Field(default_factory=list)
    notes: LongText | None = Field(
        default=None, description="Free notes, e.g. where the content comes from."
    )

    @model_validator(mode="after")
    def _references_resolve(self) -> Project:
        problems = reference_problems(self)
        if problems:
            raise DanglingReferences(problems)
        return self

    # Lookups -------------------------------------------------------------------------------

    def node_ids(self) -> set[str]:
        """Every id used by a node of the graph (stakes, changes, markers, activities)."""
        return (
            {s.id for s in self.stakes}
            | {c.id for c in self.changes}
            | {m.id for m in self.markers}
            | {a.id for a in self.activities}
        )

    def change(self, change_id: str) -> Change:
        """The change with this id (``KeyError`` if none)."""
        return _find(self.changes, change_id)

    def stake(self, stake_id: str) -> Stake:
        """The stake with this id (``KeyError`` if none)."""
        return _find(self.stakes, stake_id)

    def activity(self, activity_id: str) -> Activity:
        """The activity with this id (``KeyError`` if none)."""
        return _find(self.activities, activity_id)

    def marker(self, marker_id: str) -> ProgressMarker:
        """The progress marker with this id (``KeyError`` if none)."""
        return _find(self.markers, marker_id)

    def axis(self, axis_id: str) -> StrategicAxis:
        """The strategic axis with this id (``KeyError`` if none)."""
        return _find(self.axes, axis_id)

    def theme(self, theme_id: str) -> Theme:
        """The theme with this id (``KeyError`` if none)."""
        return _find(self.themes, theme_id)

    def sorted_axes(self) -> list[StrategicAxis]:
        """Strategic axes in their plan order."""
        return sorted(self.axes, key=lambda axis: (axis.order, axis.id))


def _find(items: list[Any], item_id: str) -> Any:
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(item_id)


def reference_problems(project: Project) -> list[tuple[tuple[str | int, ...], str]]:
    """List duplicate ids and links to unknown ids as ``(path, French reason)``."""
    problems: list[tuple[tuple[str | int, ...], str]] = []

    seen: dict[str, tuple[str | int, ...]] = {}
    for collection in ("stakes", "changes", "markers", "activities", "axes", "facilities"):
        for index, item in enumerate(getattr(project, collection)):
            path = (collection, index, "id")
            if item.id == VISION_ID:
                problems.append((path, f"l'identifiant « {VISION_ID} » est réservé à la vision"))
            elif item.id in seen:
                other = ".".join(map(str, seen[item.id]))
                problems.append((path, f"l'identifiant « {item.id} » est déjà utilisé ({other})"))
            else:
                seen[item.id] = path
    for collection in ("themes",):
        ids: set[str] = set()
        for index, theme in enumerate(project.themes):
            if theme.id in ids:
                problems.append(
                    ((collection, index, "id"), f"le thème « {theme.id} » est défini deux fois")
                )
            ids.add(theme.id)

    stakes = {s.id for s in project.stakes}
    changes = {c.id for c in project.changes}
    activities = {a.id for a in project.activities}
    themes = {t.id for t in project.themes}
    communes = {c.id for c in project.territory.communes}
    axes = {a.id: a for a in project.axes}

    def check(path: tuple[str | int, ...], value: str | None, known: set[str], what: str) -> None:
        if value is not None and value not in known:
            problems.append((path, f"{what} « {value} » n'existe pas dans le projet"))

    for i, stake in enumerate(project.stakes):
        check(("stakes", i, "theme"), stake.theme, themes, "le thème")
    for i, change in enumerate(project.changes):
        for j, stake_id in enumerate(change.addresses):
            check(("changes", i, "addresses", j), stake_id, stakes, "l'enjeu")
        for j, link in enumerate(change.preconditions):
            check(("changes", i, "preconditions", j), link.to, changes, "le changement")
            if link.to == change.id:
                problems.append(
                    (("changes", i, "preconditions", j), "un changement ne peut précéder lui-même")
                )
        for j, theme_id in enumerate(change.themes):
            check(("changes", i, "themes", j), theme_id, themes, "le thème")
    for i, marker in enumerate(project.markers):
        check(("markers", i, "change"), marker.change, changes, "le changement")
    for i, activity in enumerate(project.activities):
        for j, link in enumerate(activity.contributes_to):
            check(("activities", i, "contributes_to", j), link.to, changes, "le changement")
        check(("activities", i, "axis"), activity.axis, set(axes), "l'axe stratégique")
        if activity.sub_objective is not None:
            axis = axes.get(activity.axis) if activity.axis else None
            known_sub = {s.id for s in axis.sub_objectives} if axis else set()
            check(("activities", i, "sub_objective"), activity.sub_objective, known_sub,
                  "le sous-objectif de cet axe")
        for j, theme_id in enumerate(activity.themes):
            check(("activities", i, "themes", j), theme_id, themes, "le thème")
        for j, commune_id in enumerate(activity.scope):
            check(("activities", i, "scope", j), commune_id, communes, "la commune")
    for i, row in enumerate(project.sppe.rows):
        check(("sppe", "rows", i, "commune"), row.commune, communes, "la commune")
    for i, duty in enumerate(project.sppe.duties):
        check(("sppe", "duties", i, "authority"), duty.authority, communes, "la commune")
        for j, activity_id in enumerate(duty.activities):
            check(("sppe", "duties", i, "activities", j), activity_id, activities, "l'action")
    for i, facility in enumerate(project.facilities):
        check(("facilities", i, "commune"), facility.commune, communes, "la commune")
    for i, quote in enumerate(project.diagnostic.quotes):
        check(("diagnostic", "quotes", i, "theme"), quote.theme, themes, "le thème")
        for j, stake_id in enumerate(quote.stakes):
            check(("diagnostic", "quotes", i, "stakes", j), stake_id, stakes, "l'enjeu")
    return problems
