"""Workshop actions: one function per thing a facilitator or a participant does.

Each function validates with the workshops domain (lifecycle in :mod:`workshops.model`,
ballots in :mod:`workshops.ballots`, ideas in :mod:`workshops.brainstorm`, results in
:mod:`workshops.tallies`, write-back in :mod:`workshops.writeback`), persists through
:mod:`workshops.store`, and commits before it returns: whatever it acknowledges is on
disk. It returns what changed (:class:`Changes`) so the caller can broadcast it. A
refused action raises :class:`ServiceError` with a machine ``code`` and a French
``message`` meant for the person who acted.

Participant messages carry a ``client_id``: a resent message is recorded once and
acknowledged again (``Ack.duplicate``). Facilitator actions take an optional
:class:`FacilitatorMessage` for the same purpose and raise :class:`AlreadyProcessed` on
a resend.

Each action commits its own session, except inside a group-commit batch
(:mod:`workshops.store.group_commit`), where the writer commits many actions at once
and a refused action's SAVEPOINT is undone alone: the websocket runs participant and
facilitator actions that way, through ``Store.write``.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar

from pydantic import ValidationError
from sqlalchemy.orm import Session

from theory_of_change.model import ChangeStatus, Project
from workshops import brainstorm, visibility, writeback
from workshops.ballots import BallotError, validate_ballot
from workshops.brainstorm import BrainstormError
from workshops.join_codes import new_join_code, normalise_code
from workshops.model import (
    Ballot,
    BrainstormStep,
    ChoiceStep,
    Criterion,
    DotVoteStep,
    Idea,
    IdeasToNodes,
    Participant,
    ParticipantGroup,
    PrioritiseChanges,
    RankingStep,
    RatingStep,
    RecordVisionVote,
    ResultsVisibility,
    Step,
    StepStatus,
    Workshop,
    WorkshopError,
    WorkshopStatus,
    check_participant,
    default_groups,
)
from workshops.model import close_step as domain_close_step
from workshops.model import close_workshop as domain_close_workshop
from workshops.model import open_step as domain_open_step
from workshops.model import open_workshop as domain_open_workshop
from workshops.options import (
    columns_from_changes,
    options_from_changes,
    short_label,
    vision_vote_options,
)
from workshops.store import projects as project_store
from workshops.store import workshops as rows
from workshops.store.ballot_cache import BallotCache
from workshops.store.group_commit import in_batch
from workshops.store.schema import (
    IdeaRow,
    ParticipantRow,
    StepRow,
    WorkshopRow,
    utcnow,
)
from workshops.store.workshops import ParticipantKey, RowNotFound, Sender
from workshops.tallies import StepResult, TallyError, tally, tally_by_group
from workshops.visibility import Audience, results_withheld
from workshops.writeback import WriteBackError, WriteBackOutcome

TITLE_MAX_LENGTH = 300
NO_GROUP_KEY = ""
"""Key of the participants without a collège in results by group (JSON keys are strings)."""

P = ParamSpec("P")
R = TypeVar("R")


class ServiceError(Exception):
    """A refused action: ``code`` for programs, ``message`` (French) for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class AlreadyProcessed(Exception):  # noqa: N818 - a signal, not an error
    """A facilitator message already applied (same client id): acknowledge, do nothing."""

    def __init__(self, client_id: str) -> None:
        super().__init__(client_id)
        self.client_id = client_id


@dataclass(frozen=True)
class FacilitatorMessage:
    """The account and client id of a facilitator's websocket message, for deduplication."""

    user_id: int
    client_id: str


@dataclass(frozen=True)
class Changes:
    """What an action changed in one workshop, for the broadcaster.

    ``results``: step ids whose result changed; ``new_ideas`` and ``ideas``: idea row ids
    that appeared or changed; ``steps``: the step list, the current step or the workshop
    status changed; ``presence``: participant or voter counts may have changed.
    """

    workshop_id: int
    results: frozenset[str] = frozenset()
    new_ideas: frozenset[int] = frozenset()
    ideas: frozenset[int] = frozenset()
    steps: bool = False
    presence: bool = False

    def __or__(self, other: Changes) -> Changes:
        if other.workshop_id != self.workshop_id:
            raise ValueError("changes of two workshops cannot be merged")
        return Changes(
            workshop_id=self.workshop_id,
            results=self.results | other.results,
            new_ideas=self.new_ideas | other.new_ideas,
            ideas=(self.ideas | other.ideas) - (self.new_ideas | other.new_ideas),
            steps=self.steps or other.steps,
            presence=self.presence or other.presence,
        )

    @property
    def empty(self) -> bool:
        """Whether nothing needs to be broadcast."""
        return not (self.results or self.new_ideas or self.ideas or self.steps or self.presence)


def everything_changed(workshop: Workshop | int) -> Changes:
    """Changes that make the broadcaster resend steps, results and presence of a workshop.

    For callers that changed a workshop outside these functions' return values (an HTTP
    form of the console, for instance).
    """
    workshop_id = int(workshop.id) if isinstance(workshop, Workshop) else workshop
    current = workshop.current_step if isinstance(workshop, Workshop) else None
    return Changes(
        workshop_id=workshop_id,
        results=frozenset({current}) if current else frozenset(),
        steps=True,
        presence=True,
    )


@dataclass(frozen=True)
class Ack:
    """A participant message committed (or recognised as a resend)."""

    client_id: str
    duplicate: bool = False
    idea_id: str | None = None
    changes: Changes | None = None


@dataclass(frozen=True)
class IdeaRateLimit:
    """At most ``max_ideas`` ideas per participant in any ``window``."""

    max_ideas: int = 5
    window: dt.timedelta = field(default_factory=lambda: dt.timedelta(seconds=10))


@dataclass(frozen=True)
class JoinOutcome:
    """The participant a ``join`` made (or found again) and what to broadcast."""

    participant: Participant
    created: bool
    changes: Changes
    duplicate: bool = False


def _atomic(action: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Session, P], R]:
    """Roll the session back when the action fails, so nothing half-done is ever committed.

    Without it a caller that catches the :class:`ServiceError` and goes on with the same
    session would commit the message id recorded before the refusal, and the resend of
    a refused message would then be acknowledged as done. In a group-commit batch the
    writer owns the transaction: it undoes the action's SAVEPOINT instead, so the other
    actions of the batch stand.
    """

    @functools.wraps(action)
    def wrapped(session: Session, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return action(session, *args, **kwargs)
        except BaseException:
            if not in_batch(session):
                session.rollback()
            raise

    return wrapped


def _commit(session: Session) -> None:
    """Commit, unless the session belongs to the group-commit writer (it commits the batch).

    Every action of this module may run either way: on its own session (console forms,
    tests, the command line) or as one unit of a batch (:meth:`Store.write`).
    """
    if not in_batch(session):
        session.commit()


# --- Lookups --------------------------------------------------------------------------------


def _workshop_row(session: Session, workshop_id: int, *, lock: bool = False) -> WorkshopRow:
    try:
        return rows.workshop_row(session, workshop_id, lock=lock)
    except RowNotFound:
        raise ServiceError("unknown_workshop", "Cet atelier n'existe pas.") from None


def _step_row(session: Session, workshop_id: int, step_id: str, *, lock: bool = False) -> StepRow:
    try:
        return rows.step_row(session, workshop_id, step_id, lock=lock)
    except RowNotFound:
        raise ServiceError(
            "unknown_step", f"L'étape « {step_id} » n'existe pas dans cet atelier."
        ) from None


def _participant(session: Session, workshop_id: int, token: str | None) -> ParticipantKey:
    row = rows.participant_key(session, workshop_id, token) if token else None
    if row is None:
        raise ServiceError("not_joined", "Rejoignez l'atelier avant de participer.")
    return row


def _check_admits(row: WorkshopRow) -> None:
    """Refuse participants' actions unless the workshop is running."""
    _check_admits_status(row.status)


def _check_running(session: Session, workshop_id: int) -> None:
    """Refuse participants' actions unless the workshop exists and is running."""
    try:
        status = rows.workshop_status(session, workshop_id)
    except RowNotFound:
        raise ServiceError("unknown_workshop", "Cet atelier n'existe pas.") from None
    _check_admits_status(status)


def _check_admits_status(status: str) -> None:
    if status == WorkshopStatus.closed:
        raise ServiceError(
            "workshop_closed", "Cet atelier est terminé : il n'accepte plus de participation."
        )
    if status == WorkshopStatus.draft:
        raise ServiceError(
            "workshop_not_open", "Cet atelier n'a pas encore commencé : patientez un instant."
        )


def get_workshop(session: Session, workshop_id: int) -> Workshop:
    """The workshop with its steps (:class:`ServiceError` ``unknown_workshop`` if none)."""
    row = _workshop_row(session, workshop_id)
    return rows.to_workshop(row, rows.step_rows(session, workshop_id))


def find_workshop_by_code(session: Session, code: str) -> Workshop | None:
    """The workshop whose join code is ``code`` as typed (normalised first), or ``None``."""
    row = rows.workshop_by_code(session, normalise_code(code[:64]))
    if row is None:
        return None
    return rows.to_workshop(row, rows.step_rows(session, row.id))


def list_workshops(session: Session) -> list[Workshop]:
    """Every workshop, newest first."""
    return [
        rows.to_workshop(row, rows.step_rows(session, row.id))
        for row in rows.list_workshop_rows(session)
    ]


def step_outcome(session: Session, workshop_id: int, step_id: str) -> dict[str, Any] | None:
    """What closing the step wrote into the model (``headline``, ``summary``…), if closed."""
    return _step_row(session, workshop_id, step_id).outcome


# --- Preparing a workshop -------------------------------------------------------------------


def _clean_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        raise ServiceError("invalid_title", "Donnez un titre à l'atelier.")
    if len(cleaned) > TITLE_MAX_LENGTH:
        raise ServiceError(
            "invalid_title", f"Le titre dépasse {TITLE_MAX_LENGTH} caractères ({len(cleaned)})."
        )
    return cleaned


@_atomic
def create_workshop(
    session: Session,
    project_id: int,
    title: str,
    groups: Sequence[ParticipantGroup] | None = None,
) -> Workshop:
    """Create a workshop in preparation for a project, with a fresh join code."""
    try:
        project_store.get_project_row(session, project_id)
    except project_store.ProjectNotFound as error:
        raise ServiceError("unknown_project", str(error)) from None
    chosen = list(groups) if groups is not None else default_groups()
    code = new_join_code(rows.TakenCodes(session))
    try:
        Workshop(id="0", title=_clean_title(title), project_id=str(project_id), code=code,
                 groups=chosen)
    except ValidationError as error:
        raise ServiceError("invalid_workshop", _validation_message(error)) from None
    row = WorkshopRow(
        project_id=project_id,
        title=_clean_title(title),
        code=code,
        status=WorkshopStatus.draft.value,
        groups=[group.model_dump(mode="json") for group in chosen],
    )
    session.add(row)
    session.flush()
    _commit(session)
    return rows.to_workshop(row, [])


def _validation_message(error: ValidationError) -> str:
    """A French sentence from a pydantic error raised by a domain validator."""
    first = error.errors(include_url=False)[0]
    context = first.get("ctx", {})
    if "error" in context:
        return str(context["error"])[0:1].upper() + str(context["error"])[1:] + "."
    return "Valeur refusée : " + ".".join(str(part) for part in first["loc"]) + "."


def _check_editable(row: WorkshopRow) -> None:
    if row.status == WorkshopStatus.closed:
        raise ServiceError("workshop_closed", "Cet atelier est terminé : il ne change plus.")


def _with_steps(session: Session, row: WorkshopRow, steps: list[Step]) -> Workshop:
    """The workshop with ``steps`` instead of its own, checked by the domain."""
    try:
        return Workshop.model_validate(
            {
                **rows.workshop_header(row).model_dump(),
                "steps": [s.model_dump() for s in steps],
                "current_step": row.current_step,
            }
        )
    except ValidationError as error:
        raise ServiceError("invalid_step", _validation_message(error)) from None


@_atomic
def add_step(session: Session, workshop_id: int, step: Step) -> Step:
    """Append a step (pending) to a workshop that is not over."""
    row = _workshop_row(session, workshop_id, lock=True)
    _check_editable(row)
    pending = step.model_copy(update={"status": StepStatus.pending})
    existing = [rows.to_step(s) for s in rows.step_rows(session, workshop_id)]
    _with_steps(session, row, [*existing, pending])
    session.add(
        StepRow(
            workshop_id=workshop_id,
            key=pending.id,
            position=rows.next_position(session, workshop_id),
            kind=pending.kind,
            config=rows.step_config(pending),
            status=StepStatus.pending.value,
        )
    )
    session.flush()
    _commit(session)
    return pending


@_atomic
def replace_step(session: Session, workshop_id: int, step: Step) -> Step:
    """Replace a pending step by ``step`` (same id): a step that has run cannot change."""
    row = _workshop_row(session, workshop_id, lock=True)
    _check_editable(row)
    step_row = _step_row(session, workshop_id, step.id, lock=True)
    if step_row.status != StepStatus.pending:
        raise ServiceError(
            "not_allowed", "Cette étape a déjà été lancée : elle ne peut plus être modifiée."
        )
    pending = step.model_copy(update={"status": StepStatus.pending})
    others = [rows.to_step(s) if s.key != step.id else pending
              for s in rows.step_rows(session, workshop_id)]
    _with_steps(session, row, others)
    step_row.kind = pending.kind
    step_row.config = rows.step_config(pending)
    session.flush()
    _commit(session)
    return pending


@_atomic
def remove_step(session: Session, workshop_id: int, step_id: str) -> None:
    """Delete a pending step (one that has run keeps its ideas and ballots)."""
    row = _workshop_row(session, workshop_id, lock=True)
    _check_editable(row)
    step_row = _step_row(session, workshop_id, step_id, lock=True)
    if step_row.status != StepStatus.pending:
        raise ServiceError(
            "not_allowed", "Cette étape a déjà été lancée : elle ne peut plus être supprimée."
        )
    session.delete(step_row)
    session.flush()
    _commit(session)


# --- Running a workshop (facilitator) ---------------------------------------------------------


def _once(session: Session, message: FacilitatorMessage | None, kind: str) -> None:
    """Record a facilitator message id; raise :class:`AlreadyProcessed` on a resend."""
    if message is None:
        return
    first, _ = rows.remember(session, Sender(user_id=message.user_id), message.client_id, kind)
    if not first:
        raise AlreadyProcessed(message.client_id)


def _domain(call: Any, *args: Any) -> Workshop:
    try:
        return call(*args)
    except WorkshopError as error:
        raise ServiceError("not_allowed", str(error)) from None


@_atomic
def open_workshop(
    session: Session, workshop_id: int, *, message: FacilitatorMessage | None = None
) -> Workshop:
    """Open a workshop in preparation: its join code now admits participants."""
    row = _workshop_row(session, workshop_id, lock=True)
    _once(session, message, "open_workshop")
    workshop = _domain(domain_open_workshop, rows.to_workshop(row, rows.step_rows(session, row.id)))
    row.status = workshop.status.value
    row.opened_at = utcnow()
    _commit(session)
    return workshop


@_atomic
def close_workshop(
    session: Session, workshop_id: int, *, message: FacilitatorMessage | None = None
) -> Workshop:
    """End a running workshop: its join code no longer admits anyone."""
    row = _workshop_row(session, workshop_id, lock=True)
    _once(session, message, "close_workshop")
    workshop = _domain(
        domain_close_workshop, rows.to_workshop(row, rows.step_rows(session, row.id))
    )
    row.status = workshop.status.value
    row.current_step = workshop.current_step
    row.closed_at = utcnow()
    _commit(session)
    return workshop


@_atomic
def start_step(
    session: Session,
    workshop_id: int,
    step_id: str,
    *,
    message: FacilitatorMessage | None = None,
) -> Workshop:
    """Open a pending step and show it on every phone (one running step at a time)."""
    row = _workshop_row(session, workshop_id, lock=True)
    _once(session, message, "start_step")
    step_rows = rows.step_rows(session, workshop_id)
    workshop = _domain(domain_open_step, rows.to_workshop(row, step_rows), step_id)
    for step_row in step_rows:
        if step_row.key == step_id:
            step_row.status = StepStatus.open.value
            step_row.opened_at = utcnow()
    row.current_step = workshop.current_step
    _commit(session)
    return workshop


def _ballots(
    session: Session, step_row: StepRow, cache: BallotCache | None
) -> list[tuple[Ballot, str | None]]:
    if cache is not None:
        return cache.step_ballots(session, step_row.id)
    return rows.step_ballots(session, step_row.id)


def _result(
    session: Session, step_row: StepRow, step: Step, cache: BallotCache | None = None
) -> StepResult:
    try:
        if isinstance(step, BrainstormStep):
            return tally(step, [], ideas=rows.domain_ideas(session, step_row))
        return tally(step, [ballot for ballot, _ in _ballots(session, step_row, cache)])
    except TallyError as error:
        raise ServiceError("invalid_ballot", str(error)) from None


def _chosen_ideas(
    session: Session, workshop: Workshop, step_row: StepRow, step: Step, chosen: Sequence[str]
) -> list[Idea]:
    """The ideas a brainstorm's write-back turns into nodes, or those behind idea options."""
    if isinstance(step, BrainstormStep):
        by_id = {idea.id: idea for idea in rows.domain_ideas(session, step_row)}
        missing = [idea_id for idea_id in chosen if idea_id not in by_id]
        if missing:
            raise ServiceError("unknown_idea", f"L'idée n°{missing[0]} n'est pas de cette étape.")
        return [by_id[idea_id] for idea_id in chosen]
    refs = {option.ref for option in getattr(step, "options", []) if option.source == "idea"}
    ideas: list[Idea] = []
    for other in workshop.steps:
        if isinstance(other, BrainstormStep) and refs:
            other_row = _step_row(session, int(workshop.id), other.id)
            ideas.extend(i for i in rows.domain_ideas(session, other_row) if i.id in refs)
    return ideas


def _write_back(
    session: Session,
    workshop: Workshop,
    step_row: StepRow,
    step: Step,
    *,
    chosen_idea_ids: Sequence[str],
    when: dt.datetime,
    author: str | None,
    apply: bool,
) -> tuple[WriteBackOutcome, Project]:
    result = _result(session, step_row, step)
    project_id = int(workshop.project_id)
    try:
        project = project_store.load_project(session, project_id)
    except project_store.ProjectNotFound as error:
        raise ServiceError("unknown_project", str(error)) from None
    chosen = _chosen_ideas(session, workshop, step_row, step, chosen_idea_ids)
    try:
        if apply:
            outcome = writeback.apply_step_result(
                project, workshop, step, result, when=when, author=author, chosen_ideas=chosen
            )
        else:
            outcome = writeback.preview(
                project, workshop, step, result, when=when, author=author, chosen_ideas=chosen
            )
    except WriteBackError as error:
        raise ServiceError(
            "writeback_failed",
            f"{error} L'étape n'est pas close : corrigez le projet, ou closez l'étape sans "
            "rien écrire dans le modèle.",
        ) from None
    return outcome, project


def preview_close(
    session: Session,
    workshop_id: int,
    step_id: str,
    *,
    chosen_idea_ids: Sequence[str] = (),
    author: str | None = None,
) -> WriteBackOutcome:
    """What closing the step now would write into the model (nothing is changed)."""
    workshop = get_workshop(session, workshop_id)
    step_row = _step_row(session, workshop_id, step_id)
    step = rows.to_step(step_row)
    outcome, _ = _write_back(
        session, workshop, step_row, step, chosen_idea_ids=chosen_idea_ids,
        when=utcnow(), author=author, apply=False,
    )
    return outcome


@_atomic
def close_step(
    session: Session,
    workshop_id: int,
    step_id: str,
    *,
    author: str | None = None,
    when: dt.datetime | None = None,
    chosen_idea_ids: Sequence[str] = (),
    write_back: bool = True,
    message: FacilitatorMessage | None = None,
) -> WriteBackOutcome:
    """Close the running step and write its result into the project, with the audit trail.

    The result counts every ballot committed before this transaction; ballots arriving
    after it find the step closed. With ``write_back=False`` the step is closed and the
    model left alone (when the write-back cannot be done and the room must move on).
    """
    row = _workshop_row(session, workshop_id, lock=True)
    _once(session, message, "close_step")
    step_rows = rows.step_rows(session, workshop_id)
    before = rows.to_workshop(row, step_rows)
    workshop = _domain(domain_close_step, before, step_id)
    step_row = next(s for s in step_rows if s.key == step_id)
    closed = workshop.step(step_id)
    when = when or utcnow()
    if write_back:
        outcome, _ = _write_back(
            session, workshop, step_row, closed, chosen_idea_ids=chosen_idea_ids,
            when=when, author=author, apply=True,
        )
    else:
        outcome = writeback.WriteBackOutcome(
            applied=False, headline="Étape close sans rien écrire dans le modèle.",
            summary=[], warnings=[], nodes=[], tied=[], decisions=[],
            project=project_store.load_project(session, int(workshop.project_id)),
        )
    revision = None
    if outcome.decisions:
        revision = project_store.save_project(
            session, outcome.project, author=author,
            note=f"Atelier « {workshop.title} », étape « {closed.title} »",
        )
    step_row.status = StepStatus.closed.value
    step_row.closed_at = when
    step_row.outcome = {
        "headline": outcome.headline,
        "summary": outcome.summary,
        "warnings": outcome.warnings,
        "nodes": outcome.nodes,
        "tied": outcome.tied,
        "revision": revision,
    }
    _commit(session)
    return outcome


def _vote_step_change(
    session: Session,
    workshop_id: int,
    step_id: str,
    change: Callable[[Step], Step],
    kind: str,
    message: FacilitatorMessage | None,
) -> Changes:
    """Apply a visibility ``change`` to a step's settings and say what to broadcast."""
    row = _workshop_row(session, workshop_id, lock=True)
    _check_editable(row)
    step_row = _step_row(session, workshop_id, step_id, lock=True)
    _once(session, message, kind)
    step = rows.to_step(step_row)
    try:
        changed = change(step)
    except WorkshopError as error:
        raise ServiceError("not_allowed", str(error)) from None
    if changed == step:
        _commit(session)  # the message id, so that a resend is recognised
        return Changes(workshop_id)
    step_row.config = rows.step_config(changed)
    _commit(session)
    # The step list carries the setting; the tally goes (or stops going) to each audience.
    return Changes(workshop_id, results=frozenset({step_id}), steps=True)


@_atomic
def reveal_results(
    session: Session,
    workshop_id: int,
    step_id: str,
    *,
    message: FacilitatorMessage | None = None,
) -> Changes:
    """Show a vote step's results to phones and projector, while it runs or once closed.

    Revealing results already revealed changes nothing (and broadcasts nothing).
    """
    return _vote_step_change(
        session, workshop_id, step_id, visibility.reveal_results, "reveal_results", message
    )


@_atomic
def set_results_visibility(
    session: Session,
    workshop_id: int,
    step_id: str,
    chosen: ResultsVisibility | str,
    *,
    message: FacilitatorMessage | None = None,
) -> Changes:
    """Choose when phones and projector see a vote step's results (before or while it runs).

    ``chosen`` is ``live``, ``after_vote`` or ``on_reveal`` (:mod:`workshops.visibility`).
    """
    return _vote_step_change(
        session, workshop_id, step_id,
        lambda step: visibility.set_results_visibility(step, chosen),
        "set_results_visibility", message,
    )


def results_withheld_from(
    session: Session, workshop_id: int, step_id: str
) -> frozenset[Audience]:
    """The audiences that must not receive the step's tally now (only how many voted)."""
    step = rows.cached_step(session, _step_row(session, workshop_id, step_id))
    return frozenset(
        audience for audience in ("phone", "projector") if results_withheld(step, audience)
    )


@_atomic
def moderate_idea(
    session: Session,
    workshop_id: int,
    action: Mapping[str, Any],
    *,
    message: FacilitatorMessage | None = None,
) -> Changes:
    """Apply one moderation ``action`` to an idea: hide, unhide, edit, merge, unmerge, move,
    cluster.

    ``action`` is the dict of the protocol's ``moderation``: ``{"action": "merge",
    "idea_id": "12", "into": "7"}``.
    """
    row = _workshop_row(session, workshop_id, lock=True)
    _check_editable(row)
    idea_row = _find_idea_row(session, workshop_id, str(action.get("idea_id", "")))
    step_row = session.get(StepRow, idea_row.step_id)
    assert step_row is not None  # foreign key
    step = rows.to_step(step_row)
    if not isinstance(step, BrainstormStep):  # pragma: no cover - ideas live in brainstorms
        raise ServiceError("not_allowed", "Cette étape n'est pas un remue-méninges.")
    _once(session, message, "moderate_idea")
    kind = action.get("action")
    # Only the ideas this action can touch: loading the whole wall made each moderation
    # cost as much as the wall is long (thousands of ideas at a forum).
    related = {idea_row.id}
    if kind == "merge":
        into = rows.parse_row_id(str(action.get("into", "")))
        if into is not None:
            related.add(into)
    ideas = rows.domain_ideas(session, step_row, related_to=related)
    idea_id = str(idea_row.id)
    try:
        idea = brainstorm.find(ideas, idea_id)
        if kind == "hide":
            updated = [brainstorm.hide(idea)]
        elif kind == "unhide":
            updated = [brainstorm.unhide(idea)]
        elif kind == "edit":
            updated = [brainstorm.edit(idea, str(action.get("text", "")),
                                       max_length=step.max_idea_length)]
        elif kind == "move":
            updated = [brainstorm.move(idea, str(action.get("column", "")), step=step)]
        elif kind == "cluster":
            label = action.get("cluster")
            updated = brainstorm.cluster(ideas, [idea_id], str(label) if label else None)
        elif kind == "merge":
            updated = brainstorm.merge(ideas, [idea_id], str(action.get("into", "")))
        elif kind == "unmerge":
            updated = brainstorm.unmerge(ideas, idea_id)
        else:
            raise ServiceError("invalid_message", f"Action de modération inconnue : « {kind} ».")
    except BrainstormError as error:
        raise ServiceError("invalid_idea", str(error)) from None
    before = {i.id: i for i in ideas}
    changed_ids: set[int] = set()
    for new in updated:
        old = before[new.id]
        if new == old:
            continue
        target = rows.idea_row(session, step_row.id, new.id)
        target.text = new.text
        target.column = new.column
        target.hidden = new.hidden
        target.cluster = new.cluster
        target.merged_into_id = int(new.merged_into) if new.merged_into else None
        target.updated_at = utcnow()
        changed_ids.add(target.id)
        # A merge or unmerge changes the upvotes of the target too.
        for ref in (old.merged_into, new.merged_into):
            if ref:
                changed_ids.add(int(ref))
    _commit(session)
    return Changes(workshop_id=workshop_id, ideas=frozenset(changed_ids))


def _find_idea_row(session: Session, workshop_id: int, idea_id: str) -> IdeaRow:
    row_id = rows.parse_row_id(idea_id)
    idea = session.get(IdeaRow, row_id) if row_id is not None else None
    if idea is not None:
        step_row = session.get(StepRow, idea.step_id)
        if step_row is not None and step_row.workshop_id == workshop_id:
            return idea
    raise ServiceError("unknown_idea", "Cette idée n'existe pas (ou plus).")


# --- Participating (phones) -----------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(24)


@_atomic
def join(
    session: Session,
    workshop_id: int,
    token: str | None = None,
    nickname: str | None = None,
    group: str | None = None,
    *,
    client_id: str | None = None,
) -> JoinOutcome:
    """Join a running workshop, or update one's nickname and collège.

    A known ``token`` is the same participant again; a ``client_id`` already used for a
    ``join`` of this workshop returns the participant it created (a resend).
    """
    row = _workshop_row(session, workshop_id)
    _check_admits(row)
    workshop = rows.workshop_header(row)
    existing = rows.participant_by_token(session, workshop_id, token) if token else None
    if existing is None and client_id:
        existing = rows.participant_by_join_id(session, workshop_id, client_id)
        if existing is not None:
            return JoinOutcome(
                rows.to_participant(existing), False, Changes(workshop_id), duplicate=True
            )
    if existing is not None:
        nickname = nickname if nickname is not None else existing.nickname
        group = group if group is not None else existing.group_id
    try:
        candidate = Participant(
            token=existing.token if existing else _new_token(), nickname=nickname, group=group
        )
    except ValidationError as error:
        fields = {str(part) for e in error.errors(include_url=False) for part in e["loc"]}
        code = "invalid_group" if fields == {"group"} else "invalid_participant"
        raise ServiceError(code, _participant_message(error)) from None
    try:
        check_participant(workshop, candidate)
    except WorkshopError as error:
        raise ServiceError("invalid_group", str(error)) from None
    if existing is None:
        existing = ParticipantRow(
            workshop_id=workshop_id, token=candidate.token, nickname=candidate.nickname,
            group_id=candidate.group, join_client_id=client_id,
        )
        session.add(existing)
        created = True
    else:
        existing.nickname = candidate.nickname
        existing.group_id = candidate.group
        created = False
    session.flush()
    _commit(session)
    return JoinOutcome(candidate, created, Changes(workshop_id, presence=True))


def _participant_message(error: ValidationError) -> str:
    fields = {str(part) for e in error.errors(include_url=False) for part in e["loc"]}
    if "nickname" in fields:
        return "Le pseudonyme doit compter de 1 à 40 caractères."
    if "group" in fields:
        return "Ce collège n'existe pas dans cet atelier."
    return "Participant refusé."


def _open_step(session: Session, workshop_id: int, step_id: str) -> tuple[StepRow, Step]:
    step_row = _step_row(session, workshop_id, step_id, lock=True)
    step = rows.cached_step(session, step_row)
    if step.status != StepStatus.open:
        state = "est close" if step.status == StepStatus.closed else "n'a pas commencé"
        raise ServiceError(
            "step_not_open",
            f"L'étape « {step.title} » {state} : votre contribution n'a pas été enregistrée.",
        )
    return step_row, step


def _claimed(
    session: Session, participant: ParticipantKey, client_id: str, kind: str
) -> Ack | None:
    """Record ``client_id`` in one statement: ``None`` the first time, the ack to repeat after."""
    if rows.claim(session, Sender(participant_id=participant.id), client_id, kind):
        return None
    record = rows.processed(session, Sender(participant_id=participant.id), client_id)
    result = (record.result if record is not None else None) or {}
    return Ack(client_id=client_id, duplicate=True, idea_id=result.get("idea_id"))


@_atomic
def post_idea(
    session: Session,
    workshop_id: int,
    participant_token: str,
    step_id: str,
    column: str,
    text: str,
    client_id: str,
    *,
    limit: IdeaRateLimit | None = None,
    now: dt.datetime | None = None,
) -> Ack:
    """Post an idea in a column of the running brainstorm (rate-limited per participant)."""
    _check_running(session, workshop_id)
    participant = _participant(session, workshop_id, participant_token)
    repeat = _claimed(session, participant, client_id, "post_idea")
    if repeat is not None:
        return repeat
    step_row, step = _open_step(session, workshop_id, step_id)
    if not isinstance(step, BrainstormStep):
        raise ServiceError(
            "not_allowed", f"L'étape « {step.title} » n'est pas un remue-méninges."
        )
    limit = limit or IdeaRateLimit()
    now = now or utcnow()
    recent = rows.count_recent_ideas(session, participant.id, now - limit.window)
    if recent >= limit.max_ideas:
        seconds = int(limit.window.total_seconds())
        raise ServiceError(
            "rate_limited",
            f"Vous proposez des idées très vite ({limit.max_ideas} en {seconds} secondes au "
            "plus) : attendez quelques secondes avant la suivante.",
        )
    try:
        idea = brainstorm.post_idea(step, column, text, author=participant.token)
    except BrainstormError as error:
        code = "unknown_column" if "colonne" in str(error) else "invalid_idea"
        raise ServiceError(code, str(error)) from None
    idea_row_id = rows.add_idea(session, step_row.id, participant.id, idea.column, idea.text, now)
    rows.set_processed_result(session, participant.id, client_id, {"idea_id": str(idea_row_id)})
    _commit(session)
    return Ack(
        client_id=client_id,
        idea_id=str(idea_row_id),
        changes=Changes(workshop_id, new_ideas=frozenset({idea_row_id}), presence=True),
    )


@_atomic
def upvote(
    session: Session,
    workshop_id: int,
    participant_token: str,
    idea_id: str,
    client_id: str,
    *,
    withdraw: bool = False,
) -> Ack:
    """Support an idea of the running brainstorm, once (or withdraw one's support)."""
    _check_running(session, workshop_id)
    participant = _participant(session, workshop_id, participant_token)
    repeat = _claimed(session, participant, client_id, "upvote")
    if repeat is not None:
        return repeat
    idea_row = _find_idea_row(session, workshop_id, idea_id)
    step_row = session.get(StepRow, idea_row.step_id)
    assert step_row is not None  # foreign key
    _open_step(session, workshop_id, step_row.key)
    idea = Idea(
        id=str(idea_row.id), step_id=step_row.key, column=idea_row.column, text=idea_row.text,
        hidden=idea_row.hidden,
        merged_into=str(idea_row.merged_into_id) if idea_row.merged_into_id else None,
    )
    try:
        if withdraw:
            brainstorm.withdraw_upvote(idea, participant.token)
            changed = rows.remove_upvote(session, idea_row.id, participant.id)
        else:
            brainstorm.upvote(idea, participant.token)
            changed = rows.add_upvote(session, idea_row.id, participant.id)
    except BrainstormError as error:
        raise ServiceError("invalid_idea", str(error)) from None
    _commit(session)
    ideas = frozenset({idea_row.merged_into_id or idea_row.id}) if changed else frozenset()
    return Ack(client_id=client_id, changes=Changes(workshop_id, ideas=ideas))


@_atomic
def cast_ballot(
    session: Session,
    workshop_id: int,
    participant_token: str,
    step_id: str,
    ballot: Ballot,
    client_id: str,
) -> Ack:
    """Cast (or replace) the participant's ballot on the running step."""
    _check_running(session, workshop_id)
    participant = _participant(session, workshop_id, participant_token)
    repeat = _claimed(session, participant, client_id, "cast_ballot")
    if repeat is not None:
        return repeat
    step_row, step = _open_step(session, workshop_id, step_id)
    try:
        canonical = validate_ballot(step, ballot)
    except BallotError as error:
        raise ServiceError("invalid_ballot", str(error)) from None
    rows.put_ballot(session, step_row.id, participant.id, canonical.model_dump(mode="json"))
    _commit(session)
    return Ack(
        client_id=client_id,
        changes=Changes(workshop_id, results=frozenset({step_id}), presence=True),
    )


# --- Reading: results, state, presence --------------------------------------------------------


def step_results(
    session: Session, workshop_id: int, step_id: str, by_group: bool = False,
    *, cache: BallotCache | None = None,
) -> StepResult | dict[str, StepResult]:
    """The step's result now; by collège (key ``""``: no collège) when ``by_group``.

    ``cache`` (the broadcaster's) spares re-parsing the ballots that did not change.
    """
    step_row = _step_row(session, workshop_id, step_id)
    step = rows.to_step(step_row)
    if not by_group:
        return _result(session, step_row, step, cache)
    try:
        if isinstance(step, BrainstormStep):
            grouped = tally_by_group(
                step, [], ideas=rows.domain_ideas(session, step_row),
                group_of=rows.groups_of(session, workshop_id),
            )
        else:
            grouped = tally_by_group(step, _ballots(session, step_row, cache))
    except TallyError as error:
        raise ServiceError("invalid_ballot", str(error)) from None
    return {NO_GROUP_KEY if group is None else group: result for group, result in grouped.items()}


def step_results_with_groups(
    session: Session, workshop_id: int, step_id: str, *, cache: BallotCache | None = None
) -> tuple[StepResult, dict[str, StepResult]]:
    """The step's result and its result by collège, from one reading of the ballots.

    What the facilitator's console shows at each broadcast tick: reading the ballots
    once instead of twice halves the tick's database work in a large vote.
    """
    step_row = _step_row(session, workshop_id, step_id)
    step = rows.to_step(step_row)
    if isinstance(step, BrainstormStep):
        grouped_results = step_results(session, workshop_id, step_id, by_group=True)
        assert isinstance(grouped_results, dict)
        return _result(session, step_row, step), grouped_results
    ballots = _ballots(session, step_row, cache)
    try:
        grouped = tally_by_group(step, ballots)
        if len(grouped) == 1:
            # Everyone in one collège (or none given): that tally is the total, counted once.
            (total,) = grouped.values()
        else:
            total = tally(step, [ballot for ballot, _ in ballots])
    except TallyError as error:
        raise ServiceError("invalid_ballot", str(error)) from None
    by_group = {
        NO_GROUP_KEY if group is None else group: result for group, result in grouped.items()
    }
    return total, by_group


def step_summaries(workshop: Workshop) -> list[dict[str, Any]]:
    """The step list as clients show it: id, title, kind, status, results visibility.

    A brainstorm has no results visibility (``None``): its wall is always shown.
    """
    return [
        {
            "id": step.id, "title": step.title, "kind": step.kind, "status": step.status,
            "results_visibility": (
                None if isinstance(step, BrainstormStep) else step.results_visibility
            ),
            "results_revealed": (
                False if isinstance(step, BrainstormStep) else step.results_revealed
            ),
        }
        for step in workshop.steps
    ]


def workshop_view(workshop: Workshop) -> dict[str, Any]:
    """The workshop's header as every client sees it."""
    return {
        "id": workshop.id,
        "title": workshop.title,
        "code": workshop.code,
        "status": workshop.status,
        "groups": [group.model_dump() for group in workshop.groups],
    }


def presence(session: Session, workshop_id: int, phones: int) -> dict[str, Any]:
    """Participants who joined and voters on the current step; ``phones`` comes from the hub.

    On a brainstorm, ``voters`` counts participants who posted at least one idea.
    """
    row = _workshop_row(session, workshop_id)
    voters = 0
    if row.current_step is not None:
        step_row = _step_row(session, workshop_id, row.current_step)
        if step_row.kind == "brainstorm":
            voters = rows.distinct_authors(session, step_row.id)
        else:
            voters = rows.count_ballots(session, step_row.id)
    return {
        "phones": phones,
        "participants": rows.count_participants(session, workshop_id),
        "voters": voters,
        "step_id": row.current_step,
    }


def idea_views(
    session: Session, workshop_id: int, idea_ids: Iterable[int]
) -> list[dict[str, Any]]:
    """The wall's view of these ideas (hidden and merged ones included, flagged)."""
    idea_rows = rows.ideas_by_id(session, list(idea_ids))
    step_keys: dict[int, str] = {}
    views = []
    for idea_row, view in zip(idea_rows, rows.idea_views(session, idea_rows), strict=True):
        if idea_row.step_id not in step_keys:
            step_row = session.get(StepRow, idea_row.step_id)
            if step_row is None or step_row.workshop_id != workshop_id:
                continue
            step_keys[idea_row.step_id] = step_row.key
        view["step_id"] = step_keys[idea_row.step_id]
        views.append(view)
    return views


def is_visible(view: Mapping[str, Any]) -> bool:
    """Whether phones and projector show an idea view (neither hidden nor merged)."""
    return not view["hidden"] and view["merged_into"] is None


def wall(session: Session, step_row: StepRow, audience: Audience) -> list[dict[str, Any]]:
    """The ideas of a brainstorm step as ``audience`` sees them."""
    views = rows.idea_views(session, rows.idea_rows(session, step_row.id))
    for view in views:
        view["step_id"] = step_row.key
    if audience == "facilitator":
        return views
    return [view for view in views if is_visible(view)]


def workshop_state(
    session: Session,
    workshop_id: int,
    *,
    audience: Audience = "phone",
    participant_token: str | None = None,
    phones: int = 0,
) -> dict[str, Any]:
    """Everything a client needs to draw its page (the protocol's ``WorkshopState``).

    A tally ``audience`` may not see yet (:func:`workshops.visibility.results_withheld`)
    is left out: ``results_hidden`` then says only how many voted.
    """
    workshop = get_workshop(session, workshop_id)
    current = workshop.current()
    state: dict[str, Any] = {
        "workshop": workshop_view(workshop),
        "steps": step_summaries(workshop),
        "current_step": current,
        "ideas": [],
        "results": None,
        "results_hidden": None,
        "results_by_group": None,
        "presence": None,
        "me": None,
    }
    step_row = _step_row(session, workshop_id, current.id) if current is not None else None
    if current is not None and step_row is not None:
        if isinstance(current, BrainstormStep):
            state["ideas"] = wall(session, step_row, audience)
        elif results_withheld(current, audience):
            voters = _result(session, step_row, current).voters  # type: ignore[union-attr]
            state["results_hidden"] = {"step_id": current.id, "voters": voters}
        else:
            state["results"] = _result(session, step_row, current)
            if audience == "facilitator":
                state["results_by_group"] = step_results(
                    session, workshop_id, current.id, by_group=True
                )
    if audience != "phone":
        state["presence"] = presence(session, workshop_id, phones)
    state["me"] = contributions(session, workshop_id, participant_token, current_step_row=step_row)
    return state


def contributions(
    session: Session,
    workshop_id: int,
    participant_token: str | None,
    *,
    current_step_row: StepRow | None | Literal[False] = False,
) -> dict[str, Any] | None:
    """What the participant gave on the current step (the state's ``me``), or ``None``.

    The rest of a phone's state is the same for every phone of the workshop (the server
    reads it once for all); this part is each participant's own.
    """
    participant = (
        rows.participant_by_token(session, workshop_id, participant_token)
        if participant_token
        else None
    )
    if participant is None:
        return None
    step_row = current_step_row
    if step_row is False:
        row = _workshop_row(session, workshop_id)
        step_row = _step_row(session, workshop_id, row.current_step) if row.current_step else None
    me: dict[str, Any] = {"ballot": None, "upvoted": [], "ideas_posted": 0}
    if step_row is not None:
        ballot = rows.ballot_of(session, step_row.id, participant.id)
        me["ballot"] = ballot.body if ballot is not None else None
        me["upvoted"] = rows.upvoted_by(session, step_row.id, participant.id)
        me["ideas_posted"] = rows.count_ideas_by(session, step_row.id, participant.id)
    return me


def own_ideas(
    session: Session, workshop_id: int, participant_token: str | None
) -> list[dict[str, Any]]:
    """The ideas the participant posted in the current brainstorm, as phones see the wall.

    A phone's state is read once for the whole room and may miss the last tick's ideas;
    the phone's own ideas are read apart, so that it always finds on the wall what it
    was told was recorded.
    """
    participant = (
        rows.participant_by_token(session, workshop_id, participant_token)
        if participant_token
        else None
    )
    row = _workshop_row(session, workshop_id)
    if participant is None or row.current_step is None:
        return []
    step_row = _step_row(session, workshop_id, row.current_step)
    if step_row.kind != "brainstorm":
        return []
    views = rows.idea_views(session, rows.ideas_by(session, step_row.id, participant.id))
    for view in views:
        view["step_id"] = step_row.key
    return [view for view in views if is_visible(view)]


def participant_of(session: Session, workshop_id: int, token: str | None) -> Participant | None:
    """The workshop's participant holding ``token``, or ``None``."""
    row = rows.participant_by_token(session, workshop_id, token) if token else None
    return rows.to_participant(row) if row is not None else None


def participant_id_of(session: Session, workshop_id: int, token: str) -> int | None:
    """The row id of the workshop's participant holding ``token`` (for the broadcaster)."""
    row = rows.participant_by_token(session, workshop_id, token)
    return row.id if row is not None else None


def admits(session: Session, workshop_id: int) -> None:
    """Raise :class:`ServiceError` unless the workshop's code admits phones now."""
    _check_admits(_workshop_row(session, workshop_id))


def workshop_id_for_code(session: Session, code: str) -> int:
    """The id of the workshop with this join code (``unknown_workshop`` if none)."""
    row = rows.workshop_by_code(session, normalise_code(code[:64]))
    if row is None:
        raise ServiceError(
            "unknown_workshop",
            f"Aucun atelier ne correspond au code « {normalise_code(code[:64])} ».",
        )
    return row.id


# --- The demo workshop ------------------------------------------------------------------------

DEMO_WORKSHOP_TITLE = "Atelier de démonstration : chemins de changement et priorités"


@dataclass(frozen=True)
class DemoSetup:
    """The demo project's row id and the demo workshop, ready for phones."""

    project_id: int
    workshop: Workshop
    created: bool


def demo_steps(project: Project) -> list[Step]:
    """The five steps of the demo workshop, built from the project's model.

    A brainstorm with one column per prioritised change (ideas become activities), the
    dot vote "choisissez 5 changements parmi 12" (prioritises the top 5), a ranking and
    an impact × faisabilité rating of the prioritised changes, and the vote on the
    vision (d'accord / d'accord avec modifications / pas d'accord). Its votes show their
    results live (what a demonstration shows off); a step made in the console shows
    them after voting unless the facilitator chooses otherwise.
    """
    all_changes = options_from_changes(project, statuses=tuple(ChangeStatus))
    prioritised = options_from_changes(project, statuses=(ChangeStatus.prioritised,))
    vision = project.vision.text if project.vision is not None else "la vision collective"
    count = len(all_changes)
    return [
        BrainstormStep(
            id="actions",
            title="Quelles actions pour chaque chemin de changement ?",
            prompt="Proposez des actions, déjà en place ou souhaitées, pour chaque changement.",
            columns=columns_from_changes(project),
            writeback=IdeasToNodes(target="activity"),
        ),
        DotVoteStep(
            id="priorisation",
            title=f"Choisissez 5 changements parmi {count}",
            prompt="Placez vos 5 gommettes sur les changements qui comptent le plus (une "
            "par changement).",
            options=all_changes,
            budget=5,
            max_per_option=1,
            writeback=PrioritiseChanges(top_k=5),
            results_visibility=ResultsVisibility.live,
        ),
        RankingStep(
            id="classement",
            title="Classez les changements prioritaires",
            prompt="Du plus important au moins important.",
            options=prioritised,
            results_visibility=ResultsVisibility.live,
        ),
        RatingStep(
            id="impact-faisabilite",
            title="Impact et faisabilité des changements prioritaires",
            prompt="Notez chaque changement de 1 à 5.",
            options=prioritised,
            criteria=[
                Criterion(id="impact", label="Impact", high_label="fort", low_label="faible"),
                Criterion(
                    id="faisabilite", label="Faisabilité", high_label="forte",
                    low_label="faible",
                ),
            ],
            results_visibility=ResultsVisibility.live,
        ),
        ChoiceStep(
            id="vision",
            title="Validez-vous la vision ?",
            prompt=short_label(vision, 1000),
            options=vision_vote_options(),
            allow_comment=True,
            writeback=RecordVisionVote(),
            results_visibility=ResultsVisibility.live,
        ),
    ]


@_atomic
def ensure_demo(session: Session, project: Project) -> DemoSetup:
    """Load the demo project and an open demo workshop unless they are already there."""
    row = project_store.find_project(session, project.id)
    if row is None:
        project_store.save_project(session, project, author="Chemins", note="Démonstration")
        row = project_store.find_project(session, project.id)
        assert row is not None  # just saved
    project_id = row.id
    for workshop in list_workshops(session):
        if (
            workshop.project_id == str(project_id)
            and workshop.title == DEMO_WORKSHOP_TITLE
            and workshop.status != WorkshopStatus.closed
        ):
            return DemoSetup(project_id, workshop, created=False)
    current = project_store.load_project(session, project_id)
    workshop = create_workshop(session, project_id, DEMO_WORKSHOP_TITLE)
    for step in demo_steps(current):
        add_step(session, int(workshop.id), step)
    workshop = open_workshop(session, int(workshop.id))
    return DemoSetup(project_id, get_workshop(session, int(workshop.id)), created=True)
