"""A project's history: its revisions, the differences between two, restoring one.

Every save of a project is a revision (who, when, a French summary of what changed,
:mod:`workshops.store.projects`). Anyone on the project reads the history and compares
two revisions; editors restore one, after a confirmation page showing what restoring
would change. A restore is itself a new revision: nothing newer is lost.

Also here, for every page that saves a project: :func:`current_project` (the project
and the revision a form starts from) and :func:`conflict_context` (what to show when a
save is refused because someone else saved first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import LazyString, lazy_gettext
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import HiddenInput

from app.auth import current_user
from app.console_forms import FrenchForm, choices
from app.extensions import database
from app.permissions import Role, project_can, require_project_role
from theory_of_change.calendar import MONTHS
from theory_of_change.model import Project
from theory_of_change.revisions import ChangeEntry, conflicting_changes, diff_projects
from workshops.store.projects import (
    RevisionConflict,
    RevisionInfo,
    RevisionNotFound,
    get_project_row,
    restore_revision,
    revision_history,
    revision_project,
)

bp = Blueprint("history", __name__, url_prefix="/console/projets/<int:project_id>/historique")

PARIS = "Europe/Paris"

GROUP_TITLES: dict[str, LazyString] = {
    "project": lazy_gettext("Projet"),
    "territory": lazy_gettext("Territoire"),
    "commune": lazy_gettext("Communes"),
    "theme": lazy_gettext("Thématiques"),
    "stake": lazy_gettext("Enjeux"),
    "vision": lazy_gettext("Vision"),
    "change": lazy_gettext("Changements"),
    "marker": lazy_gettext("Marqueurs de progrès"),
    "axis": lazy_gettext("Axes stratégiques"),
    "sub_objective": lazy_gettext("Sous-objectifs"),
    "activity": lazy_gettext("Actions"),
    "sppe_row": lazy_gettext("Fiche SPPE"),
    "duty_coverage": lazy_gettext("Obligations SPPE"),
    "sppe_extra": lazy_gettext("Éléments complémentaires SPPE"),
    "facility": lazy_gettext("Équipements et services"),
    "body": lazy_gettext("Instances de pilotage"),
    "cooperation_officer": lazy_gettext("Chargé(e)s de coopération"),
    "evaluation": lazy_gettext("Évaluation"),
    "milestone": lazy_gettext("Calendrier de renouvellement"),
    "diagnostic": lazy_gettext("Diagnostic partagé"),
    "decision": lazy_gettext("Décisions"),
}
"""The French title of each kind of node, to group the differences on the page."""

ACTION_LABELS = {
    "added": lazy_gettext("ajout"),
    "removed": lazy_gettext("suppression"),
    "modified": lazy_gettext("modification"),
}


# --- Shared with every page that saves a project ----------------------------------------------


def current_project(project_id: int) -> tuple[Project, int]:
    """The current version of a project and its revision (404 page if there is none)."""
    with database.read_session() as db:
        try:
            row = get_project_row(db, project_id)
        except LookupError:
            abort(404)
        return Project.model_validate(row.body), row.revision


def author_name() -> str | None:
    """How revisions name the logged-in user: the display name, else the address."""
    user = current_user()
    return user.name if user is not None else None


@dataclass(frozen=True)
class ConflictView:
    """What a page shows when its save was refused: the message and the others' changes.

    ``clashes`` are the others' changes touching what this save changed; ``others`` the
    rest of their changes since the page was loaded; ``revision`` the one to save from.
    """

    message: str
    clashes: tuple[ChangeEntry, ...]
    others: tuple[ChangeEntry, ...]
    revision: int


def conflict_context(
    conflict: RevisionConflict, edit: Callable[[Project], Project] | None = None
) -> ConflictView:
    """The conflict in French for ``history/_conflict.html``.

    ``edit`` replays this save's edit on the version the page started from, to single
    out the others' changes that clash with it; an edit that no longer applies there
    (the node is new) simply shows all their changes.
    """
    base = conflict.base
    theirs = tuple(diff_projects(base, conflict.theirs)) if base is not None else ()
    clashes: tuple[ChangeEntry, ...] = ()
    if base is not None and edit is not None:
        try:
            mine = edit(base)
        except ValueError:  # EditError, or a node the others' version lacks
            mine = None
        if mine is not None:
            clashes = tuple(conflicting_changes(base, mine, conflict.theirs))
    shown = {(entry.kind, entry.key) for entry in clashes}
    others = tuple(entry for entry in theirs if (entry.kind, entry.key) not in shown)
    return ConflictView(str(conflict), clashes, others, conflict.current_revision)


def grouped(entries: Sequence[ChangeEntry]) -> list[tuple[str | LazyString, list[ChangeEntry]]]:
    """The entries grouped by kind of node, in the order of the approach."""
    groups: dict[str, list[ChangeEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.kind, []).append(entry)
    return [(GROUP_TITLES.get(kind, kind), items) for kind, items in groups.items()]


def french_moment(moment: dt.datetime) -> str:
    """A stored (UTC) moment in French time, in words: ``3 juin 2025 à 14 h 05``."""
    try:
        local = moment.astimezone(ZoneInfo(PARIS))
    except ZoneInfoNotFoundError:  # a bare container without the time-zone database
        local = moment
    first = "1er" if local.day == 1 else str(local.day)
    return f"{first} {MONTHS[local.month - 1]} {local.year} à {local.hour} h {local.minute:02d}"


@bp.app_template_filter("moment")
def _moment_filter(moment: dt.datetime) -> str:
    return french_moment(moment)


@bp.app_context_processor
def _history_helpers() -> dict[str, Any]:
    return {
        "change_groups": grouped,
        "change_action_labels": ACTION_LABELS,
        "project_can": project_can,
    }


# --- Forms ------------------------------------------------------------------------------------


class CompareForm(FrenchForm):
    """The two revisions to compare (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    de = SelectField(lazy_gettext("De la révision"), coerce=int,
                     validators=[InputRequired(lazy_gettext("Choisissez la révision de départ."))])
    a = SelectField(lazy_gettext("À la révision"), coerce=int,
                    validators=[InputRequired(lazy_gettext("Choisissez la révision d'arrivée."))])


class RestoreForm(FrenchForm):
    """Confirm a restore; ``revision`` is the revision the confirmation page showed."""

    revision = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(), NumberRange(min=1)],
    )


def _history(project_id: int) -> tuple[Project, list[RevisionInfo]]:
    with database.read_session() as db:
        try:
            row = get_project_row(db, project_id)
        except LookupError:
            abort(404)
        return Project.model_validate(row.body), revision_history(db, project_id)


def _compare_form(history: list[RevisionInfo], data: Any = None) -> CompareForm:
    form = CompareForm(formdata=data)
    revisions = choices(
        (info.revision, _("Révision %(revision)s — %(summary)s", revision=info.revision,
                          summary=info.summary[:80]))
        for info in history
    )
    form.de.choices = revisions
    form.a.choices = revisions
    if data is None and history:
        form.a.data = history[0].revision
        form.de.data = history[1].revision if len(history) > 1 else history[0].revision
    return form


# --- Pages ------------------------------------------------------------------------------------


@bp.get("/")
@require_project_role(Role.viewer)
def index(project_id: int) -> str:
    """The revisions, newest first: who, when, why and what changed; compare or restore."""
    project, history = _history(project_id)
    return render_template(
        "history/index.html", project=project, project_id=project_id, history=history,
        form=_compare_form(history), current=history[0].revision if history else None,
    )


@bp.get("/comparer")
@require_project_role(Role.viewer)
def compare(project_id: int) -> str | tuple[str, int]:
    """What changed from revision ``de`` to revision ``a``, grouped by kind of node."""
    project, history = _history(project_id)
    form = _compare_form(history, request.args)
    if not form.validate():
        return render_template(
            "history/index.html", project=project, project_id=project_id, history=history,
            form=form, current=history[0].revision if history else None,
        ), 400
    with database.read_session() as db:
        old = revision_project(db, project_id, form.de.data)
        new = revision_project(db, project_id, form.a.data)
    infos = {info.revision: info for info in history}
    return render_template(
        "history/compare.html", project=project, project_id=project_id, form=form,
        old=infos[form.de.data], new=infos[form.a.data], entries=diff_projects(old, new),
    )


@bp.route("/<int:revision>/restaurer", methods=["GET", "POST"])
@require_project_role(Role.editor, read=Role.editor)
def restore(project_id: int, revision: int) -> str | Response | tuple[str, int]:
    """Confirm, then restore ``revision`` as a new revision (the newer ones stay)."""
    form = RestoreForm()
    if form.validate_on_submit():
        try:
            with database.session() as db:
                made = restore_revision(db, project_id, revision, author_name(),
                                        expected_revision=form.revision.data)
        except RevisionNotFound:
            abort(404)
        except RevisionConflict as conflict:
            flash(_("%(conflict)s Vérifiez ci-dessous ce que la restauration changerait "
                    "maintenant, puis confirmez de nouveau.", conflict=conflict), "error")
            return redirect(url_for("history.restore", project_id=project_id,
                                    revision=revision))
        if made == form.revision.data:
            flash(_("La révision %(revision)s est identique à la version actuelle : "
                    "rien à restaurer.", revision=revision), "info")
        else:
            flash(_("Révision %(revision)s restaurée : c'est la révision %(made)s. Les "
                    "révisions intermédiaires restent dans l'historique.", revision=revision,
                    made=made), "success")
        return redirect(url_for("history.index", project_id=project_id))
    project, current = current_project(project_id)
    with database.read_session() as db:
        try:
            target = revision_project(db, project_id, revision)
        except RevisionNotFound:
            abort(404)
    form.revision.data = current
    return render_template(
        "history/restore.html", project=project, project_id=project_id, revision=revision,
        current=current, entries=diff_projects(project, target), form=form,
    )
