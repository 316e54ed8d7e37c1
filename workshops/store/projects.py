"""Projects in the database: the current body, its revision, and every past revision.

A project is stored whole, as the JSON of the model (``Project.model_dump``): the model
validates it on the way in and on the way out, so the database never holds a project
the model would refuse. Each save adds a row to ``project_revisions`` (the history).
"""

from __future__ import annotations

import os

from sqlalchemy import select
from sqlalchemy.orm import Session

from theory_of_change.files import dumps_project
from theory_of_change.files import load_project as load_project_file
from theory_of_change.model import Project

from .schema import ProjectRevision, ProjectRow, utcnow


class ProjectNotFound(LookupError):
    """No project has this id; the message is French."""


def save_project(
    session: Session, project: Project, author: str | None = None, note: str | None = None
) -> int:
    """Save ``project`` (matched on its slug id) as a new revision; return that revision."""
    body = project.model_dump(mode="json")
    row = session.scalars(
        select(ProjectRow).where(ProjectRow.slug == project.id).with_for_update()
    ).first()
    now = utcnow()
    if row is None:
        row = ProjectRow(
            slug=project.id, title=project.title, body=body, revision=1,
            created_at=now, updated_at=now, updated_by=author,
        )
        session.add(row)
        session.flush()
    else:
        row.revision += 1
        row.title = project.title
        row.body = body
        row.updated_at = now
        row.updated_by = author
    session.add(
        ProjectRevision(
            project_id=row.id, revision=row.revision, body=body, created_at=now,
            author=author, note=note,
        )
    )
    session.flush()
    return row.revision


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
    session: Session, path: str | os.PathLike[str], author: str | None = None
) -> int:
    """Import a YAML or JSON project file; return the project's row id.

    A project whose id is already in the database gets a new revision. A bad file raises
    :class:`theory_of_change.file_errors.ProjectFileError` (French problems, nothing saved).
    """
    project = load_project_file(path)
    save_project(session, project, author=author, note=f"Import de {os.fspath(path)}")
    row = find_project(session, project.id)
    assert row is not None  # just saved
    return row.id


def export_project_yaml(session: Session, project_id: int) -> str:
    """The YAML text of the current version of project ``project_id``."""
    return dumps_project(load_project(session, project_id))
