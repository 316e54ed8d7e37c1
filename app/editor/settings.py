"""The project's settings page: title and notes, signing territory, convention period
(each saved by its own form) and the signatories (added, edited and deleted as items,
by :mod:`.items`).

Changing the period is never refused because actions fall outside it: the page says
which ones, once saved, so they can be reviewed.
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import ngettext

from app.permissions import Role, require_project_role
from theory_of_change import editing
from theory_of_change.model import Project

from . import bp
from .forms import EditorForm
from .pages import PageResult, render_step
from .saving import Conflict, form_for, merge_untouched, save_edit
from .settings_forms import SETTINGS_SECTIONS, SettingsSection
from .workspace import open_workspace

SETTINGS = "editor.settings"


def _apply(section: SettingsSection, project: Project, fields: dict[str, str],
           warnings: list[str]) -> Project:
    """The ONE domain operation of a section; the period's warnings go to ``warnings``."""
    if section.slug == "projet":
        return editing.update_project_settings(project, **fields)
    if section.slug == "territoire":
        return editing.set_territory(project, **fields)
    change = editing.set_convention_period(project, **fields)
    warnings[:] = change.warnings
    return change.project


@bp.post("/<int:project_id>/parametres/projet")
@require_project_role(Role.editor)
def save_project_settings(project_id: int) -> PageResult:
    """Save the project's title and notes."""
    return _save_section(project_id, "projet")


@bp.post("/<int:project_id>/parametres/territoire")
@require_project_role(Role.editor)
def save_territory(project_id: int) -> PageResult:
    """Save the signing territory (its communes have their own forms)."""
    return _save_section(project_id, "territoire")


@bp.post("/<int:project_id>/parametres/periode")
@require_project_role(Role.editor)
def save_period(project_id: int) -> PageResult:
    """Save the convention period; say which actions fall outside it."""
    return _save_section(project_id, "periode")


def _save_section(project_id: int, section: str) -> PageResult:
    """Save one section of the settings page, or show it again with why it was refused."""
    chosen = SETTINGS_SECTIONS[section]
    ws = open_workspace(project_id)
    form = chosen.form(prefix=chosen.prefix)
    form.setup(ws.project)
    conflict: Conflict | None = None
    if not form.validate_on_submit():
        return render_step(SETTINGS, ws, forms={chosen.name: form}, status=422)
    fields = form.fields()
    warnings: list[str] = []
    outcome = save_edit(
        project_id, ws.project, form,
        lambda project: _apply(chosen, project, fields, warnings),
    )
    if outcome.saved:
        flash(str(chosen.saved), "success")  # str(): the session keeps no lazy string
        if warnings:
            flash(
                ngettext(
                    "%(num)d action a des années hors de la nouvelle période : revoyez-les "
                    "(liste ci-dessous).",
                    "%(num)d actions ont des années hors de la nouvelle période : revoyez-les "
                    "(liste ci-dessous).",
                    len(warnings),
                ),
                "warning",
            )
        return redirect(url_for(SETTINGS, project_id=project_id) + f"#{chosen.slug}")
    if outcome.conflict is not None:
        conflict = outcome.conflict
        form.revision.data = str(conflict.current_revision)
        ws = open_workspace(project_id)
        merge_untouched(
            form,
            list(form.domain_fields),
            _filled(chosen, conflict.base) if conflict.base is not None else None,
            _filled(chosen, ws.project),
        )
    return render_step(SETTINGS, ws, forms={chosen.name: form}, conflict=conflict,
                       status=outcome.status)


def _filled(section: SettingsSection, project: Project) -> EditorForm | None:
    """The section's form filled from ``project``, to compare with what was typed."""
    return form_for(section.form, project, section.current(project))
