"""Projects in the database: the current body, its revision, and every past revision.

A project is stored whole, as the JSON of the model (``Project.model_dump``): the model
validates it on the way in and on the way out, so the database never holds a project
the model would refuse. Each save adds a row to ``project_revisions`` (the history) with
its author and a French summary of what changed (:mod:`theory_of_change.revisions`).

Saves use optimistic locking: a page passes the revision it was loaded at as
``expected_revision``, and a save made on top of someone else's newer one raises
:class:`RevisionConflict` instead of silently overwriting it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from theory_of_change.files import dumps_project
from theory_of_change.files import load_project as load_project_file
from theory_of_change.model import Project
from theory_of_change.revisions import ChangeEntry, diff_projects, summarise

from .schema import ProjectMember, ProjectRevision, ProjectRow, RevisionSummary, utcnow

FIRST_REVISION_SUMMARY = "Création du projet"
SUMMARY_HEADINGS = 3
SUMMARY_LIMIT = 400


class ProjectNotFound(LookupError):
    """No project has this id; the message is French."""


class RevisionNotFound(LookupError):
    """The project has no such revision; the message is French."""


class RevisionConflict(Exception):
    """A save made on top of an older revision than the current one (optimistic locking).

    ``current_revision`` is the project's revision now, ``expected_revision`` the one the
    save started from; ``theirs`` is the current project (what the others saved) and
    ``base`` the project at ``expected_revision`` (``None`` if that revision does not
    exist), so that a page can show what the others changed
    (:func:`theory_of_change.revisions.conflicting_changes`). The message is French.
    """

    def __init__(
        self,
        *,
        current_revision: int,
        expected_revision: int,
        theirs: Project,
        base: Project | None,
        updated_by: str | None,
    ) -> None:
        self.current_revision = current_revision
        self.expected_revision = expected_revision
        self.theirs = theirs
        self.base = base
        self.updated_by = updated_by
        who = f" par {updated_by}" if updated_by else ""
        super().__init__(
            f"Le projet a été modifié{who} pendant que vous travailliez (il en est à la "
            f"révision {current_revision}, vous étiez parti·e de la révision "
            f"{expected_revision}) : votre enregistrement n'a pas été fait, pour ne pas "
            "effacer ces modifications."
        )


@dataclass(frozen=True)
class RevisionInfo:
    """One entry of a project's history: who saved it, when, why and what changed."""

    revision: int
    created_at: dt.datetime
    author: str | None
    note: str | None
    summary: str


def describe_changes(entries: Sequence[ChangeEntry]) -> str:
    """What a revision changed, on one French line, for the history.

    Up to three nodes are named (« Changement ajouté : « … » ; Action « … » (statut) »);
    beyond, the count comes first (« 2 ajouts, 3 modifications : … ; … »).
    """
    if not entries:
        return summarise(entries).capitalize()

    def named(entry: ChangeEntry) -> str:
        if not entry.fields:
            return entry.heading
        return f"{entry.heading} ({', '.join(field.label for field in entry.fields)})"

    if len(entries) <= SUMMARY_HEADINGS:
        text = " ; ".join(named(entry) for entry in entries)
    else:
        shown = " ; ".join(named(entry) for entry in entries[: SUMMARY_HEADINGS - 1])
        text = f"{summarise(entries).capitalize()} : {shown} ; …"
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1] + "…"


def save_project(
    session: Session,
    project: Project,
    author: str | None = None,
    note: str | None = None,
    *,
    expected_revision: int | None = None,
    owner_id: int | None = None,
) -> int:
    """Save ``project`` (matched on its slug id) as a new revision; return that revision.

    ``expected_revision`` is the revision the edit started from: if the project is now at
    another one, nothing is saved and :class:`RevisionConflict` is raised (``0`` means
    "the project must not exist yet"; ``None`` skips the check, for imports and the
    workshops' write-back). A save that changes nothing adds no revision and returns the
    current one. ``owner_id``, for a new project, makes that user its owner.
    """
    body = project.model_dump(mode="json")
    row = session.scalars(
        select(ProjectRow).where(ProjectRow.slug == project.id).with_for_update()
    ).first()
    now = utcnow()
    if row is None:
        if expected_revision:
            raise ProjectNotFound(
                f"Le projet « {project.id} » n'existe plus : il a peut-être été supprimé."
            )
        row = ProjectRow(
            slug=project.id, title=project.title, body=body, revision=1,
            created_at=now, updated_at=now, updated_by=author,
        )
        session.add(row)
        session.flush()
        summary = FIRST_REVISION_SUMMARY
        if owner_id is not None:
            session.add(ProjectMember(project_id=row.id, user_id=owner_id, role="owner"))
    else:
        if expected_revision is not None and expected_revision != row.revision:
            raise RevisionConflict(
                current_revision=row.revision,
                expected_revision=expected_revision,
                theirs=Project.model_validate(row.body),
                base=_revision_project_or_none(session, row.id, expected_revision),
                updated_by=row.updated_by,
            )
        if body == row.body:
            return row.revision
        summary = describe_changes(diff_projects(Project.model_validate(row.body), project))
        row.revision += 1
        row.title = project.title
        row.body = body
        row.updated_at = now
        row.updated_by = author
    revision = ProjectRevision(
        project_id=row.id, revision=row.revision, body=body, created_at=now,
        author=author, note=note,
    )
    session.add(revision)
    session.flush()
    session.add(RevisionSummary(revision_id=revision.id, summary=summary))
    session.flush()
    return row.revision


def edit_project(
    session: Session,
    project_id: int,
    edit: Callable[[Project], Project],
    author: str | None,
    *,
    expected_revision: int,
    note: str | None = None,
) -> int:
    """Apply ``edit`` (a domain operation) to project ``project_id`` and save the result.

    The page's ``expected_revision`` is checked first: if someone saved since, nothing
    is applied and :class:`RevisionConflict` is raised. ``edit`` may raise its own
    French error (``EditError``…), which leaves the project untouched. Returns the new
    revision (the same one if the edit changed nothing).
    """
    row = get_project_row(session, project_id)
    if row.revision != expected_revision:
        raise RevisionConflict(
            current_revision=row.revision,
            expected_revision=expected_revision,
            theirs=Project.model_validate(row.body),
            base=_revision_project_or_none(session, row.id, expected_revision),
            updated_by=row.updated_by,
        )
    edited = edit(Project.model_validate(row.body))
    if edited.id != row.slug:
        raise ValueError("an edit must keep the project's id")  # a programming error
    return save_project(session, edited, author=author, note=note,
                        expected_revision=expected_revision)


def _revision_row(session: Session, project_id: int, revision: int) -> ProjectRevision | None:
    return session.scalars(
        select(ProjectRevision).where(
            ProjectRevision.project_id == project_id, ProjectRevision.revision == revision
        )
    ).first()


def _revision_project_or_none(session: Session, project_id: int, revision: int) -> Project | None:
    row = _revision_row(session, project_id, revision)
    return Project.model_validate(row.body) if row is not None else None


def revision_project(session: Session, project_id: int, revision: int) -> Project:
    """Project ``project_id`` as it was at ``revision`` (:class:`RevisionNotFound` if none)."""
    get_project_row(session, project_id)
    row = _revision_row(session, project_id, revision)
    if row is None:
        raise RevisionNotFound(f"Le projet n°{project_id} n'a pas de révision {revision}.")
    return Project.model_validate(row.body)


def restore_revision(
    session: Session,
    project_id: int,
    revision: int,
    author: str | None,
    *,
    expected_revision: int | None = None,
) -> int:
    """Make the content of ``revision`` current again, as a NEW revision; return it.

    The newer revisions stay in the history (restoring loses nothing, and can itself be
    undone). Restoring what is already current adds no revision. ``expected_revision``
    works as in :func:`save_project`.
    """
    row = get_project_row(session, project_id)
    restored = revision_project(session, project_id, revision)
    if restored.id != row.slug:
        # The slug identifies the row: an old revision saved under another id stays here.
        restored = restored.model_copy(update={"id": row.slug})
    return save_project(
        session, restored, author=author, note=f"Restauration de la révision {revision}",
        expected_revision=expected_revision,
    )


def revision_history(session: Session, project_id: int) -> list[RevisionInfo]:
    """The history of a project, newest first: revision, date, author, note and summary.

    Bodies are not loaded, except to summarise revisions saved before summaries were
    recorded (diffed against the revision before them).
    """
    get_project_row(session, project_id)
    rows = session.execute(
        select(
            ProjectRevision.revision, ProjectRevision.created_at, ProjectRevision.author,
            ProjectRevision.note, RevisionSummary.summary,
        )
        .outerjoin(RevisionSummary, RevisionSummary.revision_id == ProjectRevision.id)
        .where(ProjectRevision.project_id == project_id)
        .order_by(ProjectRevision.revision.desc())
    ).all()
    history: list[RevisionInfo] = []
    for index, (revision, created_at, author, note, summary) in enumerate(rows):
        if summary is None:
            older = rows[index + 1].revision if index + 1 < len(rows) else None
            summary = (
                describe_changes(diff_projects(revision_project(session, project_id, older),
                                               revision_project(session, project_id, revision)))
                if older is not None else FIRST_REVISION_SUMMARY
            )
        history.append(RevisionInfo(revision=revision, created_at=created_at, author=author,
                                    note=note, summary=summary))
    return history


def get_project_row(session: Session, project_id: int) -> ProjectRow:
    """The row of project ``project_id`` (:class:`ProjectNotFound` if none)."""
    row = session.get(ProjectRow, project_id)
    if row is None:
        raise ProjectNotFound(f"Le projet n°{project_id} n'existe pas.")
    return row


def find_project(session: Session, slug: str) -> ProjectRow | None:
    """The row of the project whose model id is ``slug``, or ``None``."""
    return session.scalars(select(ProjectRow).where(ProjectRow.slug == slug)).first()


def load_project(session: Session, project_id: int) -> Project:
    """The current version of project ``project_id``, validated by the model."""
    return Project.model_validate(get_project_row(session, project_id).body)


def list_projects(session: Session) -> list[ProjectRow]:
    """Every project, by title (rows: ``id``, ``slug``, ``title``, ``revision``…)."""
    return list(session.scalars(select(ProjectRow).order_by(ProjectRow.title, ProjectRow.id)))


def project_revisions(session: Session, project_id: int) -> list[ProjectRevision]:
    """The saved versions of a project, newest first."""
    return list(
        session.scalars(
            select(ProjectRevision)
            .where(ProjectRevision.project_id == project_id)
            .order_by(ProjectRevision.revision.desc())
        )
    )


def import_project_file(
    session: Session,
    path: str | os.PathLike[str],
    author: str | None = None,
    *,
    owner_id: int | None = None,
) -> int:
    """Import a YAML or JSON project file; return the project's row id.

    A project whose id is already in the database gets a new revision; a new one gets
    ``owner_id`` as its owner. A bad file raises
    :class:`theory_of_change.file_errors.ProjectFileError` (French problems, nothing saved).
    """
    project = load_project_file(path)
    save_project(
        session, project, author=author, note=f"Import de {os.fspath(path)}", owner_id=owner_id
    )
    row = find_project(session, project.id)
    assert row is not None  # just saved
    return row.id


def export_project_yaml(session: Session, project_id: int) -> str:
    """The YAML text of the current version of project ``project_id``."""
    return dumps_project(load_project(session, project_id))
