"""Saving the diagnostic's changes: an import, or any edit made by one domain function.

Both load the project as stored, apply a function of :mod:`theory_of_change.diagnostic`
(which returns a new, fully validated project) and save it with the revision the page
was loaded at: a save on top of someone else's newer one raises the store's
``RevisionConflict``, and an import or an edit that fails raises before anything is
written (nothing half-imported).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from theory_of_change.diagnostic.importer import (
    ImportReport,
    import_bytes,
    import_into_project,
    project_names,
)
from theory_of_change.diagnostic.mapping import ColumnMapping
from theory_of_change.model import Project

from .store.projects import load_project, save_project

__all__ = ["ImportOutcome", "change_project", "import_diagnostic_file"]


@dataclass(frozen=True)
class ImportOutcome:
    """A saved import: what was recognised, and the project's new revision."""

    report: ImportReport
    project: Project
    revision: int


def change_project(
    session: Session,
    project_id: int,
    change: Callable[[Project], Project],
    *,
    note: str,
    author: str | None = None,
    expected_revision: int | None = None,
) -> int:
    """Save ``change(project)`` as a new revision; return the project's revision.

    ``change`` is a domain function (accept a draft stake, link a quote…); whatever it
    raises (``DraftError``, ``EvidenceError``…) reaches the caller and nothing is saved.
    """
    updated = change(load_project(session, project_id))
    return save_project(
        session, updated, author=author, note=note, expected_revision=expected_revision
    )


def import_diagnostic_file(
    session: Session,
    project_id: int,
    data: bytes,
    file_name: str,
    *,
    sheet: str | None = None,
    mapping: ColumnMapping | None = None,
    replace: bool = False,
    author: str | None = None,
    expected_revision: int | None = None,
) -> ImportOutcome:
    """Import a portrait or open-data file (CSV or XLSX) into the project's diagnostic.

    Territory names are spelled as the project spells its communes. Raises
    ``DiagnosticImportError`` with every problem (row and column) and saves nothing.
    """
    project = load_project(session, project_id)
    result = import_bytes(
        data, file_name, sheet=sheet, mapping=mapping, known_names=project_names(project)
    )
    updated, _ = import_into_project(project, result, replace=replace)
    revision = save_project(
        session,
        updated,
        author=author,
        note=f"Import de « {file_name} » dans le diagnostic",
        expected_revision=expected_revision,
    )
    return ImportOutcome(report=result.report, project=updated, revision=revision)
