"""What a workshop recorded, read back from the database for its minutes and the diagnostic.

:func:`minutes_inputs` gathers what :func:`workshops.minutes.build_minutes` needs — the
workshop, its participants, the ideas of its brainstorms, every ballot with its step and
its voter's collège, the project's audit trail — and :func:`workshop_minutes` builds the
minutes from them. :func:`closed_brainstorms` and :func:`file_brainstorm_ideas` turn the
ideas of a closed brainstorm into the diagnostic's quotes ("données chaudes") in one
call, saved as a new revision of the project.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from theory_of_change.diagnostic.evidence import EvidenceError, FiledIdeas, file_ideas
from theory_of_change.model import Decision, Project

from .minutes import Minutes, StepBallot, build_minutes, local_time
from .model import BrainstormStep, Idea, Participant, StepStatus, Workshop
from .store import workshops as rows
from .store.projects import ProjectNotFound, load_project, save_project
from .store.schema import ParticipantRow, WorkshopRow

__all__ = [
    "ClosedBrainstorm",
    "FilingError",
    "MinutesInputs",
    "MinutesNotFound",
    "closed_brainstorms",
    "file_brainstorm_ideas",
    "minutes_inputs",
    "workshop_minutes",
]


class MinutesNotFound(LookupError):
    """No workshop has this id; the message is French."""


class FilingError(ValueError):
    """A brainstorm whose ideas cannot be filed as quotes; the message is French."""


@dataclass(frozen=True)
class MinutesInputs:
    """Everything :func:`workshops.minutes.build_minutes` reads, as stored now."""

    workshop: Workshop
    participants: list[Participant]
    ideas: list[Idea]
    ballots: list[StepBallot]
    decisions: list[Decision]
    project_title: str | None
    held_on: dt.date | None


@dataclass(frozen=True)
class ClosedBrainstorm:
    """A closed brainstorm step of one of the project's workshops, and its ideas to file."""

    workshop_id: int
    workshop_title: str
    step_id: str
    step_title: str
    ideas: int


def minutes_inputs(session: Session, workshop_id: int) -> MinutesInputs:
    """The workshop's records for its minutes (:class:`MinutesNotFound` if none).

    The decisions are the project's whole audit trail: ``build_minutes`` keeps the
    entries of this workshop. ``held_on`` is the day the workshop was opened (French time).
    """
    try:
        row = rows.workshop_row(session, workshop_id)
    except rows.RowNotFound:
        raise MinutesNotFound(f"L'atelier n°{workshop_id} n'existe pas.") from None
    steps = rows.step_rows(session, workshop_id)
    workshop = rows.to_workshop(row, steps)
    participants = [
        rows.to_participant(participant)
        for participant in session.scalars(
            select(ParticipantRow)
            .where(ParticipantRow.workshop_id == workshop_id)
            .order_by(ParticipantRow.id)
        )
    ]
    ideas: list[Idea] = []
    ballots: list[StepBallot] = []
    for step in steps:
        if step.kind == "brainstorm":
            ideas.extend(rows.domain_ideas(session, step))
        else:
            ballots.extend((step.key, ballot, group) for ballot, group in
                           rows.step_ballots(session, step.id))
    try:
        project: Project | None = load_project(session, row.project_id)
    except ProjectNotFound:
        project = None
    return MinutesInputs(
        workshop=workshop,
        participants=participants,
        ideas=ideas,
        ballots=ballots,
        decisions=list(project.decisions) if project else [],
        project_title=project.title if project else None,
        held_on=local_time(row.opened_at).date() if row.opened_at else None,
    )


def workshop_minutes(session: Session, workshop_id: int, *, generated_on: dt.date) -> Minutes:
    """The minutes of the workshop as stored now (anonymous: no nickname is listed)."""
    inputs = minutes_inputs(session, workshop_id)
    return build_minutes(
        inputs.workshop,
        inputs.participants,
        inputs.ideas,
        inputs.ballots,
        inputs.decisions,
        generated_on=generated_on,
        project_title=inputs.project_title,
        held_on=inputs.held_on,
    )


# --- Brainstorm ideas as the diagnostic's quotes ----------------------------------------------


def closed_brainstorms(session: Session, project_id: int) -> list[ClosedBrainstorm]:
    """The closed brainstorm steps of the project's workshops, oldest workshop first."""
    found: list[ClosedBrainstorm] = []
    workshops = list(
        session.scalars(
            select(WorkshopRow)
            .where(WorkshopRow.project_id == project_id)
            .order_by(WorkshopRow.id)
        )
    )
    for row in workshops:
        for step in rows.step_rows(session, row.id):
            if step.kind != "brainstorm" or step.status != StepStatus.closed.value:
                continue
            domain_step = rows.to_step(step)
            ideas = [idea for idea in rows.domain_ideas(session, step) if idea.visible]
            found.append(
                ClosedBrainstorm(
                    workshop_id=row.id,
                    workshop_title=row.title,
                    step_id=step.key,
                    step_title=domain_step.title,
                    ideas=len(ideas),
                )
            )
    return found


def file_brainstorm_ideas(
    session: Session,
    project_id: int,
    workshop_id: int,
    step_id: str,
    *,
    author: str | None = None,
    expected_revision: int | None = None,
) -> FiledIdeas:
    """File the visible ideas of a closed brainstorm as the project's quotes and save.

    Each idea becomes a quote with its author's collège and the workshop's title, and the
    theme of its column when the column is one of the project's themes. Ideas already
    filed are skipped, so filing twice adds nothing (and saves nothing). Raises
    :class:`FilingError` for a step that is not a closed brainstorm of this project's
    workshop, and the store's ``RevisionConflict`` when the project changed since
    ``expected_revision``.
    """
    workshop, step, ideas = _closed_brainstorm(session, project_id, workshop_id, step_id)
    project = load_project(session, project_id)
    themes = {theme.id for theme in project.themes}
    groups = rows.groups_of(session, workshop_id)
    labels = {group.id: group.label for group in workshop.groups}
    to_file: list[dict[str, Any]] = []
    for idea in ideas:
        theme = _column_theme(step, idea.column, themes)
        group = groups.get(idea.author) if idea.author else None
        to_file.append(
            {"text": idea.text, "group": labels.get(group, group) if group else None,
             "theme": theme}
        )
    try:
        filed = file_ideas(project, to_file, workshop=workshop.title)
    except EvidenceError as error:
        raise FilingError(f"Les idées n'ont pas pu être rangées : {error}.") from error
    if filed.added:
        save_project(
            session,
            filed.project,
            author=author,
            note=f"Idées de l'étape « {step.title} » ({workshop.title}) rangées en citations",
            expected_revision=expected_revision,
        )
    return filed


def _closed_brainstorm(
    session: Session, project_id: int, workshop_id: int, step_id: str
) -> tuple[Workshop, BrainstormStep, Sequence[Idea]]:
    try:
        row = rows.workshop_row(session, workshop_id)
        step_row = rows.step_row(session, workshop_id, step_id)
    except rows.RowNotFound:
        raise FilingError("Cette étape d'atelier n'existe pas.") from None
    if row.project_id != project_id:
        raise FilingError(f"L'atelier « {row.title} » ne travaille pas sur ce projet.")
    step = rows.to_step(step_row)
    if not isinstance(step, BrainstormStep):
        raise FilingError(f"L'étape « {step.title} » n'est pas un remue-méninges.")
    if step.status != StepStatus.closed:
        raise FilingError(
            f"L'étape « {step.title} » n'est pas encore clôturée : ses idées pourront être "
            "rangées en citations une fois l'étape terminée."
        )
    ideas = [idea for idea in rows.domain_ideas(session, step_row) if idea.visible]
    return rows.workshop_header(row), step, ideas


def _column_theme(step: BrainstormStep, column_id: str, themes: set[str]) -> str | None:
    """The project theme a column stands for (columns made from themes carry its id)."""
    try:
        ref = step.column(column_id).ref
    except KeyError:
        ref = None
    for candidate in (ref, column_id):
        if candidate in themes:
            return candidate
    return None
