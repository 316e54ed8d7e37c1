"""Build a changed copy of a project, fully validated, without touching the original."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from theory_of_change.model import Project


def revised(project: Project, **fields: Any) -> Project:
    """A new project with ``fields`` replaced, re-validated as a whole (references too).

    Model objects among ``fields`` are dumped first so that pydantic validates them
    again (a ``model_copy`` is never validated). Raises pydantic's ``ValidationError``
    (a ``ValueError``) if the result is invalid; the given project is never modified.
    """
    return Project.model_validate(project.model_dump() | {k: _plain(v) for k, v in fields.items()})


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
