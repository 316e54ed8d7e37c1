"""The live workshop: steps, options, participants, ideas and ballots.

A :class:`Workshop` belongs to one project and runs an ordered list of steps one at a
time (brainstorm, dot vote, ranking, rating, choice). Participants are anonymous tokens
with an optional nickname and an optional group (collège). Ideas are posted in the
columns of a brainstorm; ballots are cast on the vote steps. Every class here is a
pydantic model that refuses unknown keys, so it can cross the wire as JSON and be read
back from a file or a database row unchanged.

The lifecycle functions at the end (:func:`open_workshop`, :func:`open_step`,
:func:`close_step`…) return new workshops and raise :class:`WorkshopError` with a French
message when an operation is not possible.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, TypeAdapter, field_validator, model_validator

from theory_of_change.model import ActivityKind, MarkerLevel, Model, ShortText
from theory_of_change.slugs import Slug

from .join_codes import JOIN_CODE_PATTERN

ItemId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
"""Id of a workshop, step, option, column, criterion or idea (a slug, a uuid, a row id)."""

Token = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
"""A participant's anonymous token, kept by the phone so that a reload is the same person."""

IDEA_MAX_LENGTH = 280
COMMENT_MAX_LENGTH = 500
NICKNAME_MAX_LENGTH = 40
MAX_OPTIONS = 100
"""Upper bound on options per step: a ballot larger than this is refused before parsing."""

IdeaText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=IDEA_MAX_LENGTH)
]
Prompt = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class WorkshopError(ValueError):
    """An operation the workshop's state does not allow; the message is French."""


# --- Participant groups -----------------------------------------------------------------


class ParticipantGroup(Model):
    """A collège: the stakeholder group a participant says they belong to."""

    id: Slug
    label: ShortText


DEFAULT_GROUPS: tuple[ParticipantGroup, ...] = (
    ParticipantGroup(id="elus", label="Élus"),
    ParticipantGroup(id="professionnels", label="Professionnels"),
    ParticipantGroup(id="partenaires", label="Partenaires institutionnels"),
    ParticipantGroup(id="associations", label="Associations"),
    ParticipantGroup(id="habitants", label="Habitants"),
)


def default_groups() -> list[ParticipantGroup]:
    """A fresh list of the five usual collèges."""
    return [group.model_copy() for group in DEFAULT_GROUPS]


# --- Statuses and kinds -----------------------------------------------------------------


class WorkshopStatus(StrEnum):
    """A workshop is prepared (draft), running (open) or over (closed)."""

    draft = "draft"
    open = "open"
    closed = "closed"


WORKSHOP_STATUS_LABELS = {
    WorkshopStatus.draft: "en préparation",
    WorkshopStatus.open: "en cours",
    WorkshopStatus.closed: "terminé",
}


class StepStatus(StrEnum):
    """A step waits (pending), takes contributions (open) or is over (closed)."""

    pending = "pending"
    open = "open"
    closed = "closed"


STEP_STATUS_LABELS = {
    StepStatus.pending: "à venir",
    StepStatus.open: "en cours",
    StepStatus.closed: "close",
}


class StepKind(StrEnum):
    """The five kinds of workshop steps."""

    brainstorm = "brainstorm"
    dot_vote = "dot_vote"
    ranking = "ranking"
    rating = "rating"
    choice = "choice"


STEP_KIND_LABELS = {
    StepKind.brainstorm: "remue-méninges",
    StepKind.dot_vote: "vote à gommettes",
    StepKind.ranking: "classement",
    StepKind.rating: "notation",
    StepKind.choice: "choix",
}


class ResultsVisibility(StrEnum):
    """When phones and projector see a vote's results (the facilitator always does).

    ``live``: as they change; ``after_vote``: a phone once it has voted, the projector
    once the step is closed; ``on_reveal``: only once the facilitator reveals them. The
    rules are :func:`workshops.visibility.results_shown`.
    """

    live = "live"
    after_vote = "after_vote"
    on_reveal = "on_reveal"


RESULTS_VISIBILITY_LABELS = {
    ResultsVisibility.live: "en direct",
    ResultsVisibility.after_vote: "après avoir voté",
    ResultsVisibility.on_reveal: "à la révélation",
}


# --- Options, columns, criteria ---------------------------------------------------------

OptionSource = Literal["change", "activity", "stake", "idea", "free"]


class Option(Model):
    """Something to vote on; ``ref`` is the model node id or the idea id it stands for."""

    id: ItemId
    label: ShortText
    source: OptionSource = "free"
    ref: ItemId | None = None

    @model_validator(mode="after")
    def _ref_matches_source(self) -> Option:
        if self.source != "free" and self.ref is None:
            raise ValueError(f"l'option « {self.label} » vient du modèle mais n'a pas de référence")
        return self


class Column(Model):
    """A brainstorm column; ``ref`` ties it to a model node (a change, a theme…)."""

    id: ItemId
    label: ShortText
    ref: ItemId | None = None


class Criterion(Model):
    """A rating criterion (impact, faisabilité…) and the words for its two halves.

    ``high_label`` and ``low_label`` agree with the criterion's gender in French:
    "impact fort", "faisabilité forte".
    """

    id: ItemId
    label: ShortText
    high_label: ShortText = "fort"
    low_label: ShortText = "faible"


# --- Write-back: what closing a step writes into the model -------------------------------


class PrioritiseChanges(Model):
    """Prioritise the top-k changes of a dot vote or a ranking (rank 1..k).

    ``method`` says which ranking result counts for a ranking step. ``ties`` says what
    happens when options tie across the k-th place: ``leave_proposed`` prioritises only
    the options ranked strictly above the tie and leaves the tied ones ``proposed`` for the
    group to decide; ``include_all`` prioritises every tied option (more than k then).
    """

    kind: Literal["prioritise_changes"] = "prioritise_changes"
    top_k: int = Field(default=5, ge=1, le=MAX_OPTIONS)
    method: Literal["schulze", "borda"] = "schulze"
    ties: Literal["leave_proposed", "include_all"] = "leave_proposed"


class RecordVisionVote(Model):
    """Record the counts of a vote on the vision (d'accord / avec modifications / pas d'accord)."""

    kind: Literal["record_vision_vote"] = "record_vision_vote"


class IdeasToNodes(Model):
    """Turn chosen ideas into activities, progress markers (of the column's change) or stakes.

    On a brainstorm step the facilitator chooses the ideas when closing it; on a vote
    step whose options are ideas, the ``top_k`` best-placed ideas are taken.
    """

    kind: Literal["ideas_to_nodes"] = "ideas_to_nodes"
    target: Literal["activity", "marker", "stake"] = "activity"
    top_k: int | None = Field(default=None, ge=1, le=MAX_OPTIONS)
    activity_kind: ActivityKind = ActivityKind.new
    marker_level: MarkerLevel = MarkerLevel.expect


WriteBack = Annotated[
    PrioritiseChanges | RecordVisionVote | IdeasToNodes, Field(discriminator="kind")
]


# --- Steps --------------------------------------------------------------------------------


class _StepBase(Model):
    id: ItemId
    title: ShortText
    prompt: Prompt | None = None
    status: StepStatus = StepStatus.pending
    writeback: WriteBack | None = None

    @property
    def kind_label(self) -> str:
        """The step kind in French ("vote à gommettes"…)."""
        return STEP_KIND_LABELS[StepKind(getattr(self, "kind"))]  # noqa: B009 - set by subclasses


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise ValueError(f"{what} « {item_id} » apparaît deux fois")
        seen.add(item_id)


class _OptionStep(_StepBase):
    options: list[Option] = Field(min_length=1, max_length=MAX_OPTIONS)
    results_visibility: ResultsVisibility = ResultsVisibility.after_vote
    results_revealed: bool = False

    @field_validator("options")
    @classmethod
    def _unique_options(cls, options: list[Option]) -> list[Option]:
        _unique([option.id for option in options], "l'option")
        return options

    @model_validator(mode="after")
    def _revealed_once_started(self) -> _OptionStep:
        if self.results_revealed and self.status == StepStatus.pending:
            raise ValueError(
                f"les résultats de l'étape « {self.title} » ne peuvent pas être révélés "
                "avant son lancement"
            )
        return self

    def option(self, option_id: str) -> Option:
        """The option with this id (``KeyError`` if none)."""
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(option_id)

    def option_ids(self) -> list[str]:
        """Option ids in the order the facilitator set."""
        return [option.id for option in self.options]

    def _check_writeback(self, allowed: tuple[str, ...]) -> None:
        writeback = self.writeback
        if writeback is None:
            return
        if writeback.kind not in allowed:
            raise ValueError(
                f"une étape « {self.kind_label} » ne peut pas {_WRITEBACK_VERBS[writeback.kind]}"
            )
        if isinstance(writeback, PrioritiseChanges):
            not_changes = [o.label for o in self.options if o.source != "change"]
            if not_changes:
                raise ValueError(
                    "pour prioriser des changements, toutes les options doivent être des "
                    f"changements du modèle (pas « {not_changes[0]} »)"
                )
            if writeback.top_k > len(self.options):
                raise ValueError(
                    f"impossible de prioriser {writeback.top_k} changements parmi "
                    f"{len(self.options)} options"
                )
        if isinstance(writeback, IdeasToNodes):
            not_ideas = [o.label for o in self.options if o.source != "idea"]
            if not_ideas:
                raise ValueError(
                    "pour transformer des idées en éléments du modèle, toutes les options "
                    f"doivent être des idées (pas « {not_ideas[0]} »)"
                )
            if writeback.top_k is None:
                raise ValueError("indiquez combien d'idées retenir (« top_k »)")
            if writeback.top_k > len(self.options):
                raise ValueError(
                    f"impossible de retenir {writeback.top_k} idées parmi "
                    f"{len(self.options)} options"
                )



_WRITEBACK_VERBS = {
    "prioritise_changes": "prioriser des changements",
    "record_vision_vote": "enregistrer le vote sur la vision",
    "ideas_to_nodes": "transformer des idées en éléments du modèle",
}


class BrainstormStep(_StepBase):
    """Ideas posted into columns, moderated by the facilitator, upvoted by participants."""

    kind: Literal["brainstorm"] = "brainstorm"
    columns: list[Column] = Field(min_length=1, max_length=MAX_OPTIONS)
    max_idea_length: int = Field(default=IDEA_MAX_LENGTH, ge=1, le=IDEA_MAX_LENGTH)

    @field_validator("columns")
    @classmethod
    def _unique_columns(cls, columns: list[Column]) -> list[Column]:
        _unique([column.id for column in columns], "la colonne")
        return columns

    @model_validator(mode="after")
    def _writeback_fits(self) -> BrainstormStep:
        if self.writeback is not None and not isinstance(self.writeback, IdeasToNodes):
            raise ValueError(
                f"un remue-méninges ne peut pas {_WRITEBACK_VERBS[self.writeback.kind]}"
            )
        if isinstance(self.writeback, IdeasToNodes) and self.writeback.top_k is not None:
            raise ValueError(
                "dans un remue-méninges, l'animateur choisit les idées : pas de « top_k »"
            )
        return self

    def column(self, column_id: str) -> Column:
        """The column with this id (``KeyError`` if none)."""
        for column in self.columns:
            if column.id == column_id:
                return column
        raise KeyError(column_id)


class DotVoteStep(_OptionStep):
    """Each participant spends up to ``budget`` dots, at most ``max_per_option`` on one option."""

    kind: Literal["dot_vote"] = "dot_vote"
    budget: int = Field(default=5, ge=1, le=1000)
    max_per_option: int = Field(default=1, ge=1, le=1000)

    @model_validator(mode="after")
    def _consistent(self) -> DotVoteStep:
        if self.max_per_option > self.budget:
            raise ValueError(
                f"le maximum par option ({self.max_per_option}) dépasse le nombre de "
                f"gommettes ({self.budget})"
            )
        self._check_writeback(("prioritise_changes", "ideas_to_nodes"))
        return self


class RankingStep(_OptionStep):
    """Participants order the options (a partial order is allowed)."""

    kind: Literal["ranking"] = "ranking"
    options: list[Option] = Field(min_length=2, max_length=MAX_OPTIONS)

    @model_validator(mode="after")
    def _writeback_fits(self) -> RankingStep:
        self._check_writeback(("prioritise_changes", "ideas_to_nodes"))
        return self


class RatingStep(_OptionStep):
    """Participants rate each option from ``scale_min`` to ``scale_max`` on 1 or 2 criteria."""

    kind: Literal["rating"] = "rating"
    criteria: list[Criterion] = Field(min_length=1, max_length=2)
    scale_min: int = Field(default=1, ge=0, le=10)
    scale_max: int = Field(default=5, ge=1, le=10)

    @model_validator(mode="after")
    def _consistent(self) -> RatingStep:
        if self.scale_max <= self.scale_min:
            raise ValueError("l'échelle de notation doit aller d'une note à une note plus haute")
        _unique([criterion.id for criterion in self.criteria], "le critère")
        # Rating results carry no single order, so nothing is written back from them.
        self._check_writeback(())
        return self

    @property
    def midpoint(self) -> float:
        """Where the 2×2 matrix splits each criterion (3 on a 1–5 scale)."""
        return (self.scale_min + self.scale_max) / 2


class ChoiceStep(_OptionStep):
    """Single or multiple choice, with an optional comment."""

    kind: Literal["choice"] = "choice"
    options: list[Option] = Field(min_length=2, max_length=MAX_OPTIONS)
    multiple: bool = False
    allow_comment: bool = True

    @model_validator(mode="after")
    def _writeback_fits(self) -> ChoiceStep:
        self._check_writeback(("record_vision_vote", "ideas_to_nodes"))
        if isinstance(self.writeback, RecordVisionVote) and self.multiple:
            raise ValueError("le vote sur la vision est un choix unique")
        return self


Step = Annotated[
    BrainstormStep | DotVoteStep | RankingStep | RatingStep | ChoiceStep,
    Field(discriminator="kind"),
]
VoteStep = DotVoteStep | RankingStep | RatingStep | ChoiceStep
STEP_ADAPTER: TypeAdapter[Step] = TypeAdapter(Step)


# --- Workshop and participants ------------------------------------------------------------


class Workshop(Model):
    """A live session run from one project: steps run one at a time."""

    id: ItemId
    title: ShortText
    project_id: str
    code: Annotated[str, StringConstraints(pattern=JOIN_CODE_PATTERN)]
    status: WorkshopStatus = WorkshopStatus.draft
    groups: list[ParticipantGroup] = Field(default_factory=default_groups, max_length=30)
    steps: list[Step] = Field(default_factory=list, max_length=MAX_OPTIONS)
    current_step: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Workshop:
        _unique([group.id for group in self.groups], "le collège")
        _unique([step.id for step in self.steps], "l'étape")
        if self.current_step is not None and self.current_step not in self.step_ids():
            raise ValueError(f"l'étape courante « {self.current_step} » n'existe pas")
        open_steps = [step.title for step in self.steps if step.status == StepStatus.open]
        if len(open_steps) > 1:
            raise ValueError(
                "une seule étape peut être ouverte à la fois : " + ", ".join(open_steps)
            )
        return self

    def step_ids(self) -> list[str]:
        """Step ids in running order."""
        return [step.id for step in self.steps]

    def step(self, step_id: str) -> Step:
        """The step with this id (``KeyError`` if none)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def current(self) -> Step | None:
        """The step shown to participants, if any."""
        return self.step(self.current_step) if self.current_step is not None else None

    def group_ids(self) -> list[str]:
        """Ids of the workshop's collèges, in display order."""
        return [group.id for group in self.groups]

    def group_label(self, group_id: str | None) -> str:
        """The French label of a collège ("Sans collège" for ``None``)."""
        if group_id is None:
            return "Sans collège"
        for group in self.groups:
            if group.id == group_id:
                return group.label
        return group_id


class Participant(Model):
    """An anonymous participant; ``group`` is a collège id of the workshop."""

    token: Token
    nickname: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, min_length=1, max_length=NICKNAME_MAX_LENGTH),
        ]
        | None
    ) = None
    group: Slug | None = None

    @field_validator("nickname", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value


def check_participant(workshop: Workshop, participant: Participant) -> Participant:
    """Return the participant if its collège belongs to the workshop, else raise."""
    if participant.group is not None and participant.group not in workshop.group_ids():
        labels = ", ".join(group.label for group in workshop.groups)
        raise WorkshopError(
            f"Le collège « {participant.group} » n'existe pas dans cet atelier ({labels})."
        )
    return participant


# --- Ideas ----------------------------------------------------------------------------------


class Idea(Model):
    """A brainstorm contribution (post-it).

    A merged idea keeps its own text and upvoters (so the merge can be shown and read
    later) and points to the idea it was folded into with ``merged_into``.
    """

    id: ItemId
    step_id: ItemId
    column: ItemId
    text: IdeaText
    author: Token | None = None
    hidden: bool = False
    merged_into: ItemId | None = None
    cluster: ShortText | None = None
    upvoters: list[Token] = Field(default_factory=list)

    @field_validator("upvoters")
    @classmethod
    def _no_duplicate_upvoter(cls, upvoters: list[str]) -> list[str]:
        return list(dict.fromkeys(upvoters))

    @property
    def visible(self) -> bool:
        """Shown on the wall: neither hidden nor folded into another idea."""
        return not self.hidden and self.merged_into is None


# --- Ballots --------------------------------------------------------------------------------


class DotBallot(Model):
    """Dots placed on options: ``{option_id: number of dots}``."""

    kind: Literal["dot_vote"] = "dot_vote"
    dots: dict[str, int] = Field(max_length=MAX_OPTIONS)


class RankingBallot(Model):
    """Options from most to least preferred; options left out come after, tied."""

    kind: Literal["ranking"] = "ranking"
    order: list[str] = Field(max_length=MAX_OPTIONS)


class RatingBallot(Model):
    """Scores: ``{option_id: {criterion_id: score}}``."""

    kind: Literal["rating"] = "rating"
    scores: dict[str, dict[str, int]] = Field(max_length=MAX_OPTIONS)


class ChoiceBallot(Model):
    """The chosen option(s) and an optional comment."""

    kind: Literal["choice"] = "choice"
    choices: list[str] = Field(max_length=MAX_OPTIONS)
    comment: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=COMMENT_MAX_LENGTH)]
        | None
    ) = None


Ballot = Annotated[
    DotBallot | RankingBallot | RatingBallot | ChoiceBallot, Field(discriminator="kind")
]
BALLOT_ADAPTER: TypeAdapter[Ballot] = TypeAdapter(Ballot)


# --- Lifecycle --------------------------------------------------------------------------


def _with_step(workshop: Workshop, step_id: str, status: StepStatus) -> list[Step]:
    return [
        step.model_copy(update={"status": status}) if step.id == step_id else step
        for step in workshop.steps
    ]


def _existing_step(workshop: Workshop, step_id: str) -> Step:
    try:
        return workshop.step(step_id)
    except KeyError:
        raise WorkshopError(f"L'étape « {step_id} » n'existe pas dans cet atelier.") from None


def open_workshop(workshop: Workshop) -> Workshop:
    """Open a workshop in preparation: its join code now admits participants."""
    if workshop.status != WorkshopStatus.draft:
        raise WorkshopError(
            f"L'atelier est {WORKSHOP_STATUS_LABELS[workshop.status]} : il ne peut pas être ouvert."
        )
    if not workshop.steps:
        raise WorkshopError("Ajoutez au moins une étape avant d'ouvrir l'atelier.")
    return workshop.model_copy(update={"status": WorkshopStatus.open})


def close_workshop(workshop: Workshop) -> Workshop:
    """Close a running workshop: its code no longer admits anyone."""
    if workshop.status != WorkshopStatus.open:
        raise WorkshopError("Seul un atelier en cours peut être terminé.")
    still_open = [step.title for step in workshop.steps if step.status == StepStatus.open]
    if still_open:
        raise WorkshopError(f"Clôturez d'abord l'étape « {still_open[0]} ».")
    return workshop.model_copy(update={"status": WorkshopStatus.closed, "current_step": None})


def open_step(workshop: Workshop, step_id: str) -> Workshop:
    """Open a pending step and show it to participants (one open step at a time)."""
    if workshop.status != WorkshopStatus.open:
        raise WorkshopError("Ouvrez l'atelier avant de lancer une étape.")
    step = _existing_step(workshop, step_id)
    if step.status == StepStatus.closed:
        raise WorkshopError(f"L'étape « {step.title} » est close : elle ne peut pas être relancée.")
    if step.status == StepStatus.open:
        raise WorkshopError(f"L'étape « {step.title} » est déjà en cours.")
    other = next((s for s in workshop.steps if s.status == StepStatus.open), None)
    if other is not None:
        raise WorkshopError(f"Clôturez d'abord l'étape en cours « {other.title} ».")
    steps = _with_step(workshop, step_id, StepStatus.open)
    return workshop.model_copy(update={"steps": steps, "current_step": step_id})


def close_step(workshop: Workshop, step_id: str) -> Workshop:
    """Close an open step: no more contributions; it stays on screen with its results."""
    step = _existing_step(workshop, step_id)
    if step.status != StepStatus.open:
        raise WorkshopError(
            f"L'étape « {step.title} » est {STEP_STATUS_LABELS[step.status]} : "
            "seule une étape en cours peut être close."
        )
    steps = _with_step(workshop, step_id, StepStatus.closed)
    return workshop.model_copy(update={"steps": steps})


def show_step(workshop: Workshop, step_id: str | None) -> Workshop:
    """Show another step on phones and projector (e.g. the results of a closed one)."""
    if step_id is not None:
        _existing_step(workshop, step_id)
    return workshop.model_copy(update={"current_step": step_id})
