"""Saving an edit: apply ONE domain operation, save it on top of the revision the form was
loaded at, and bring back to the form whatever went wrong — in French, next to the field.

Nothing is ever silently overwritten: when someone else saved in between, the save is
refused (:class:`~workshops.store.projects.RevisionConflict`), the page shows what they
changed, and the form keeps everything that was typed. Fields the person had not
touched take the other's new value, so saving again only writes what they meant to.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from app.extensions import database
from app.history import ConflictView, author_name, conflict_context
from theory_of_change.editing import EditError
from theory_of_change.model import Project
from workshops.store.projects import ProjectNotFound, RevisionConflict, save_project

from .forms import EditorForm

Operation = Callable[[Project], Project]

_POSITION = re.compile(r"\[(\d+)\]")


@dataclass
class Conflict:
    """Someone saved the project while this form was open.

    ``view`` is what the page shows (``history/_conflict.html``: the message, the others'
    changes that clash with this edit); ``base`` and ``theirs`` are the project when the
    form was loaded and now.
    """

    view: ConflictView
    base: Project | None
    theirs: Project

    @property
    def current_revision(self) -> int:
        """The revision to save from now."""
        return self.view.revision


@dataclass
class Outcome:
    """What became of a save: the new revision, or why it was refused."""

    revision: int | None = None
    conflict: Conflict | None = None
    project: Project | None = None

    @property
    def saved(self) -> bool:
        """Whether the edit is now saved."""
        return self.revision is not None

    @property
    def status(self) -> int:
        """The HTTP status of the page showing the refused form (200 once saved)."""
        if self.saved:
            return 200
        return 409 if self.conflict is not None else 422


def attach_error(form: EditorForm, error: EditError, aliases: dict[str, str] | None = None) -> None:
    """Show each problem of ``error`` next to its field (or at the top of the form).

    ``aliases`` maps a domain field to the form field showing it, when they differ.
    """
    for problem in error.problems:
        name = (aliases or {}).get(problem.field or "", problem.field)
        message = problem.message
        where = problem.where or ""
        found = _POSITION.search(where)
        if found and where != name:
            message = _("Ligne %(number)s : %(message)s", number=int(found.group(1)) + 1,
                        message=message[:1].lower() + message[1:])
        if name and name in form._fields and name not in ("csrf_token", "revision"):
            target = form[name]
            target.errors = [*target.errors, message]
        else:
            form.form_errors.append(message)


def save_edit(
    project_id: int,
    project: Project,
    form: EditorForm,
    operation: Operation,
    *,
    note: str | None = None,
    aliases: dict[str, str] | None = None,
) -> Outcome:
    """Apply ``operation`` to ``project`` and save it on top of the form's revision.

    A refused edit puts its French messages on the form; a conflict is returned with
    what the others changed (see :class:`Conflict`). The database is only written once
    the whole edit is valid.
    """
    expected = form.expected_revision()
    try:
        changed = operation(project)
    except EditError as error:
        attach_error(form, error, aliases)
        return Outcome()
    try:
        with database.session() as db:
            revision = save_project(
                db, changed, author=author_name(), note=note, expected_revision=expected
            )
    except RevisionConflict as conflict:
        view = conflict_context(conflict, operation)
        return Outcome(conflict=Conflict(view, conflict.base, conflict.theirs))
    except ProjectNotFound as error:
        form.form_errors.append(str(error))
        return Outcome()
    return Outcome(revision=revision, project=changed)


def merge_untouched(
    form: EditorForm, names: list[str], base: EditorForm | None, theirs: EditorForm | None
) -> None:
    """After a conflict, give the fields the person did not change the others' new value.

    ``base`` and ``theirs`` are the same form filled from the item as it was when the page
    was loaded and as it is now. What was typed is never replaced.
    """
    if base is None or theirs is None:
        return
    for name in names:
        mine = form.comparable(name)
        before = base.comparable(name)
        after = theirs.comparable(name)
        if mine == before and after != before:
            _copy_field(form, theirs, name)


def _copy_field(form: EditorForm, source: EditorForm, name: str) -> None:
    target, origin = form[name], source[name]
    target.data = origin.data
    for attribute in ("hypotheses",):
        if hasattr(origin, attribute):
            setattr(target, attribute, dict(getattr(origin, attribute)))
    if hasattr(target, "typed"):
        target.typed = None
    target.raw_data = None


def form_for(
    form_class: type[EditorForm], project: Project, item: Any | None
) -> EditorForm | None:
    """``form_class`` filled from ``item`` of ``project`` (no request data), or ``None``."""
    if item is None:
        return None
    filled = form_class(formdata=None, meta={"csrf": False})
    filled.setup(project, item)
    filled.load(item)
    return filled
