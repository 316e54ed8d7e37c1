"""Add, edit and delete any item of a project, and fill in an action's fiche action.

The URL names the kind in French (``/enjeux/``, ``/changements/``…); items with an id
are addressed by it, table rows without one by their position (from 1). Each POST calls
ONE operation of :mod:`theory_of_change.editing` and saves it on top of the revision
the form was loaded at; a refused form comes back with what was typed and the French
messages next to the fields.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from app.permissions import Role, require_project_role
from theory_of_change import editing
from theory_of_change.editing import EditError, ItemKind, Located
from theory_of_change.editing.kinds import iter_items
from theory_of_change.editing.labels import value_text
from theory_of_change.model import Project

from . import bp
from .chain_forms import ActionSheetForm
from .diagram_view import DiagramFilters
from .evidence_forms import evidence_view
from .follow_up_forms import follow_up_view
from .forms import ConfirmDeleteForm, EditorForm
from .kinds import BY_SLUG, SLUGS, EditorKind
from .pages import STEP_PAGES, PageResult, add_form_prefix, render_step
from .rendering import render_project_page
from .saving import Conflict, form_for, merge_untouched, save_edit
from .summaries import sheet_state
from .workspace import Workspace, item_url, open_workspace

KIND = "<any(" + ", ".join(f"'{slug}'" for slug in SLUGS) + "):kind>"

# Items one goes on completing right after adding them: their links are on their form.
OPEN_AFTER_ADDING = frozenset({ItemKind.change, ItemKind.activity})


def editor_kind(slug: str) -> EditorKind:
    """The kind named in the URL (404 if unknown)."""
    found = BY_SLUG.get(slug)
    if found is None:
        abort(404)
    return found


def find_item(project: Project, kind: EditorKind, key: str) -> Located | None:
    """The item ``key`` (its id, or its position from 1) of ``kind``, or ``None``."""
    try:
        if kind.by_position:
            if not key.isdigit():
                return None
            return editing.locate_row(project, kind.kind, int(key) - 1)
        return editing.locate(project, key, kind.kind)
    except EditError:
        return None


def item_title(kind: EditorKind, item: Any) -> str:
    """How messages name an item: its title between « », or its type's label."""
    return value_text(getattr(item, kind.spec.title_field), 60)


def item_heading(kind: EditorKind, item: Any) -> str:
    """An item's title as a page heading shows it (no quotes)."""
    value = getattr(item, kind.spec.title_field)
    return value_text(value) if isinstance(value, Enum) else str(value)


def _defaults(kind: EditorKind) -> DiagramFilters:
    return STEP_PAGES[kind.page].defaults


# --- Adding ----------------------------------------------------------------------------------


@bp.post(f"/<int:project_id>/{KIND}/ajouter")
@require_project_role(Role.editor)
def add_item(project_id: int, kind: str) -> PageResult:
    """Add an item from the short form of its step page."""
    spec = editor_kind(kind)
    ws = open_workspace(project_id)
    form = spec.form(prefix=add_form_prefix(kind))
    form.setup(ws.project)
    if not form.validate_on_submit():
        return render_step(spec.page, ws, forms={kind: form}, status=422)

    def operation(project: Project) -> Project:
        return editing.add_item(
            project, spec.kind, **form.add_arguments(), **form.fields(adding=True)
        )

    outcome = save_edit(project_id, ws.project, form, operation)
    if outcome.saved and outcome.project is not None:
        new_key, item = _added(ws.project, outcome.project, spec)
        flash(f"{spec.spec.capitalised} {item_title(spec, item)} {spec.spec.agree('ajouté')}.",
              "success")
        if spec.kind in OPEN_AFTER_ADDING:
            return redirect(item_url(project_id, spec.kind, new_key))
        return redirect(url_for(spec.page, project_id=project_id))
    conflict = _after_conflict(form, outcome.conflict)
    if conflict is not None:
        ws = open_workspace(project_id)
    return render_step(spec.page, ws, forms={kind: form}, conflict=conflict,
                       status=outcome.status)


def _added(before: Project, after: Project, spec: EditorKind) -> tuple[str, Any]:
    """The key and the item an addition made (the new id, or the new row's position)."""
    items = list(iter_items(after, spec.kind))
    if spec.by_position:
        return str(len(items)), items[-1].item
    known = {located.item.id for located in iter_items(before, spec.kind)}
    new = next(located.item for located in items if located.item.id not in known)
    return new.id, new


def _after_conflict(form: EditorForm, conflict: Conflict | None) -> Conflict | None:
    if conflict is not None:
        form.revision.data = str(conflict.current_revision)
    return conflict


# --- Editing ---------------------------------------------------------------------------------


@bp.route(f"/<int:project_id>/{KIND}/<key>", methods=["GET", "POST"])
@require_project_role(Role.editor)
def edit_item(project_id: int, kind: str, key: str) -> PageResult:
    """An item's form: every field and link, its findings, what depends on it."""
    spec = editor_kind(kind)
    ws = open_workspace(project_id)
    located = find_item(ws.project, spec, key)
    if located is None:
        abort(404)
    form = spec.form()
    form.setup(ws.project, located.item)
    conflict: Conflict | None = None
    status = 200
    if request.method == "GET":
        form.load(located.item)
        form.revision.data = str(ws.revision)
    elif form.validate_on_submit():
        item = located.item

        def operation(project: Project) -> Project:
            if spec.by_position:
                return editing.update_row(project, spec.kind, int(key) - 1, **form.fields(item))
            return editing.update_fields(project, key, item_kind=spec.kind, **form.fields(item))

        outcome = save_edit(project_id, ws.project, form, operation)
        if outcome.saved:
            flash(_("%(item)s %(title)s : modifications enregistrées.",
                    item=spec.spec.capitalised, title=item_title(spec, item)), "success")
            return redirect(request.path)
        status = outcome.status
        conflict = _after_conflict(form, outcome.conflict)
        if conflict is not None:
            ws, located = _after_edit_conflict(project_id, form, spec, key, conflict, located)
    else:
        status = 422
    return render_item(ws, spec, key, located, form, conflict, status)


def _after_edit_conflict(
    project_id: int, form: EditorForm, spec: EditorKind, key: str, conflict: Conflict,
    located: Located,
) -> tuple[Workspace, Located]:
    """Reload the project, and bring the others' values into the fields left untouched."""
    ws = open_workspace(project_id)
    theirs = find_item(ws.project, spec, key)
    if theirs is None:
        form.form_errors.append(_(
            "%(item)s a été %(deleted)s entre-temps : ce formulaire ne peut plus être "
            "enregistré. Copiez ce que vous aviez écrit si vous voulez le garder.",
            item=spec.spec.capitalised, deleted=spec.spec.agree("supprimé"),
        ))
        return ws, located
    base = find_item(conflict.base, spec, key) if conflict.base is not None else None
    form.setup(ws.project, theirs.item)
    merge_untouched(
        form,
        list(form.domain_fields),
        form_for(spec.form, conflict.base, base.item) if base and conflict.base else None,
        form_for(spec.form, ws.project, theirs.item),
    )
    return ws, theirs


def render_item(
    ws: Workspace, spec: EditorKind, key: str, located: Located, form: EditorForm,
    conflict: Conflict | None, status: int,
    evidence_forms: dict[str, EditorForm] | None = None,
) -> tuple[str, int]:
    """The item's page; ``evidence_forms`` are a stake's adding forms sent back."""
    item = located.item
    node_id = None if spec.by_position else key
    related: dict[str, Any] = {}
    if spec.kind is ItemKind.change:
        related["markers"] = [m for m in ws.project.markers if m.change == key]
        related["activities"] = [
            a for a in ws.project.activities if any(link.to == key for link in a.contributes_to)
        ]
        related["enables"] = [
            c for c in ws.project.changes if any(link.to == key for link in c.preconditions)
        ]
    if spec.kind is ItemKind.activity:
        related["sheet"] = sheet_state(item)
        related["follow_up"] = follow_up_view(ws.project, item)
    if spec.kind is ItemKind.stake:
        related["evidence"] = evidence_view(ws.project, item, ws.revision, evidence_forms)
    return render_project_page(
        "editor/item.html",
        ws,
        active=spec.page,
        defaults=_defaults(spec),
        current=node_id if spec.in_diagram else None,
        status=status,
        spec=spec,
        key=key,
        item=item,
        item_name=item_title(spec, item),
        heading=item_heading(spec, item),
        node_id=node_id,
        form=form,
        # The item's own address: the page may answer a POST to another one (evidence).
        form_action=item_url(ws.project_id, spec.kind, key),
        conflict=conflict.view if conflict else None,
        related=related,
    )


# --- The fiche action ------------------------------------------------------------------------


@bp.route("/<int:project_id>/actions/<key>/fiche", methods=["GET", "POST"])
@require_project_role(Role.editor)
def action_sheet(project_id: int, key: str) -> PageResult:
    """The fiche action of an action: objectives, pilot, partners, calendar, indicators…"""
    spec = BY_SLUG["actions"]
    ws = open_workspace(project_id)
    located = find_item(ws.project, spec, key)
    if located is None:
        abort(404)
    form = ActionSheetForm()
    conflict: Conflict | None = None
    status = 200
    if request.method == "GET":
        form.load(located.item.sheet)
        form.revision.data = str(ws.revision)
    elif form.validate_on_submit():
        sheet = located.item.sheet

        def operation(project: Project) -> Project:
            return editing.update_action_sheet(project, key, **form.fields(sheet))

        outcome = save_edit(project_id, ws.project, form, operation)
        if outcome.saved:
            flash(_("Fiche action enregistrée."), "success")
            return redirect(request.path)
        status = outcome.status
        conflict = _after_conflict(form, outcome.conflict)
        if conflict is not None:
            ws = open_workspace(project_id)
            theirs = find_item(ws.project, spec, key)
            base = find_item(conflict.base, spec, key) if conflict.base else None
            if theirs is not None:
                located = theirs
                merge_untouched(
                    form, list(form.domain_fields),
                    form_for(ActionSheetForm, conflict.base, base.item.sheet)
                    if base and conflict.base else None,
                    form_for(ActionSheetForm, ws.project, theirs.item.sheet),
                )
    else:
        status = 422
    return render_project_page(
        "editor/action_sheet.html",
        ws,
        active=spec.page,
        defaults=_defaults(spec),
        current=key,
        status=status,
        spec=spec,
        key=key,
        item=located.item,
        item_name=item_title(spec, located.item),
        heading=item_heading(spec, located.item),
        form=form,
        conflict=conflict.view if conflict else None,
        sheet=sheet_state(located.item),
    )


# --- Deleting --------------------------------------------------------------------------------


@bp.route(f"/<int:project_id>/{KIND}/<key>/supprimer", methods=["GET", "POST"])
@require_project_role(Role.editor)
def delete_item(project_id: int, kind: str, key: str) -> PageResult:
    """Ask before deleting: list what depends on the item and what will happen to each."""
    spec = editor_kind(kind)
    ws = open_workspace(project_id)
    located = find_item(ws.project, spec, key)
    if located is None:
        abort(404)
    name = item_title(spec, located.item)
    form = ConfirmDeleteForm()
    conflict: Conflict | None = None
    status = 200
    if request.method == "GET":
        form.revision.data = str(ws.revision)
    elif form.validate_on_submit():

        def operation(project: Project) -> Project:
            if spec.by_position:
                return editing.delete_row(project, spec.kind, int(key) - 1)
            return editing.delete_node(project, key, cut_links=True, item_kind=spec.kind)

        dependents = _dependents(ws.project, spec, key)
        outcome = save_edit(project_id, ws.project, form, operation)
        if outcome.saved:
            cut = (" " + _("(%(count)s lien(s) ou élément(s) concerné(s))", count=len(dependents))
                   if dependents else "")
            flash(f"{spec.spec.capitalised} {name} {spec.spec.agree('supprimé')}{cut}.",
                  "success")
            return redirect(url_for(spec.page, project_id=project_id))
        status = outcome.status
        conflict = _after_conflict(form, outcome.conflict)
        if conflict is not None:
            ws = open_workspace(project_id)
            theirs = find_item(ws.project, spec, key)
            if theirs is None:
                flash(_("%(item)s %(name)s a déjà été %(deleted)s par quelqu'un d'autre.",
                        item=spec.spec.capitalised, name=name,
                        deleted=spec.spec.agree("supprimé")), "info")
                return redirect(url_for(spec.page, project_id=project_id))
            located = theirs
    else:
        status = 422
    return render_project_page(
        "editor/delete.html",
        ws,
        active=spec.page,
        defaults=_defaults(spec),
        current=key if spec.in_diagram else None,
        status=status,
        spec=spec,
        key=key,
        item=located.item,
        item_name=name,
        heading=item_heading(spec, located.item),
        form=form,
        conflict=conflict.view if conflict else None,
        dependents=_dependents(ws.project, spec, key),
        cancel_url=item_url(project_id, spec.kind, key),
    )


def _dependents(project: Project, spec: EditorKind, key: str) -> list[editing.Dependent]:
    if spec.by_position:
        return []
    return editing.dependents_of(project, key, item_kind=spec.kind)
