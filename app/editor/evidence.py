"""A stake's evidence: add a figure or a quote from the stake's page, edit or delete one
on its own page. Each item is addressed by its position (from 1) in the stake's list.

Positions are safe because every save is made on top of the revision the form was
loaded at: if someone else added or removed evidence in between, the save is refused
and the page says so before anything is written.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response

from app.permissions import Role, require_project_role
from theory_of_change import editing
from theory_of_change.editing.evidence import EVIDENCE_NOUNS
from theory_of_change.editing.labels import quoted
from theory_of_change.model import Project, QuantitativeEvidence, Stake

from . import bp
from .evidence_forms import EVIDENCE_FORMS, FIGURE_PREFIX, QUOTE_PREFIX, measure_text
from .forms import ConfirmDeleteForm, EditorForm
from .items import find_item, render_item
from .kinds import BY_SLUG
from .pages import PageResult
from .rendering import render_project_page
from .saving import Conflict, form_for, merge_untouched, save_edit
from .workspace import Workspace, item_url, open_workspace

STAKES = BY_SLUG["enjeux"]
ADDED = {
    "quantitative": lazy_gettext("Chiffre ajouté à l'enjeu %(title)s."),
    "qualitative": lazy_gettext("Parole recueillie ajoutée à l'enjeu %(title)s."),
}
PREFIXES = {"quantitative": FIGURE_PREFIX, "qualitative": QUOTE_PREFIX}
LIST_CHANGED = lazy_gettext(
    "Les données de cet enjeu ont été ajoutées ou supprimées entre-temps : vérifiez que ce "
    "formulaire porte toujours sur la bonne donnée avant d'enregistrer."
)


@bp.app_template_filter("measure")
def measure_filter(value: Any) -> str:
    """A figure as pages show it: ``76,9``, ``1 234``, a dash when unknown."""
    return measure_text(value)


def _stake_or_404(project: Project, key: str) -> Stake:
    located = find_item(project, STAKES, key)
    if located is None:
        abort(404)
    return located.item


def stake_url(project_id: int, key: str) -> str:
    """The stake's page, at its evidence."""
    return item_url(project_id, STAKES.kind, key) + "#donnees"


# --- Adding, from the stake's page -----------------------------------------------------------


# GET leads back to the stake: the address stays in the browser (and in the comments'
# return link) after a refused form.
@bp.route("/<int:project_id>/enjeux/<key>/donnees/ajouter-chiffre", methods=["GET", "POST"])
@require_project_role(Role.editor)
def add_figure(project_id: int, key: str) -> PageResult:
    """Add a figure (indicator, territory, value, reference…) to the stake."""
    return _add(project_id, key, "quantitative")


@bp.route("/<int:project_id>/enjeux/<key>/donnees/ajouter-parole", methods=["GET", "POST"])
@require_project_role(Role.editor)
def add_quote(project_id: int, key: str) -> PageResult:
    """Add a quote (what was said, by which group, where) to the stake."""
    return _add(project_id, key, "qualitative")


def _add(project_id: int, key: str, kind: str) -> PageResult:
    if request.method == "GET":
        return redirect(stake_url(project_id, key))
    ws = open_workspace(project_id)
    stake = _stake_or_404(ws.project, key)
    form = EVIDENCE_FORMS[kind](prefix=PREFIXES[kind])
    form.setup(ws.project)
    conflict: Conflict | None = None
    status = 422
    if form.validate_on_submit():
        fields = form.fields()
        outcome = save_edit(
            project_id, ws.project, form,
            lambda project: editing.add_evidence(project, key, kind=kind, **fields),
        )
        if outcome.saved:
            flash(str(ADDED[kind]) % {"title": quoted(stake.title)}, "success")
            return redirect(stake_url(project_id, key))
        status = outcome.status
        if outcome.conflict is not None:
            conflict = outcome.conflict
            form.revision.data = str(conflict.current_revision)
            ws = open_workspace(project_id)
            if find_item(ws.project, STAKES, key) is None:
                return _stake_gone(project_id, stake)
    return _stake_page(ws, key, {kind: form}, conflict, status)


def _stake_page(
    ws: Workspace, key: str, evidence_forms: dict[str, EditorForm], conflict: Conflict | None,
    status: int,
) -> tuple[str, int]:
    """The stake's page showing its form as saved, and the evidence forms sent back."""
    located = find_item(ws.project, STAKES, key)
    if located is None:  # pragma: no cover - checked by the callers
        abort(404)
    stake_form = STAKES.form(formdata=None)
    stake_form.setup(ws.project, located.item)
    stake_form.load(located.item)
    stake_form.revision.data = str(ws.revision)
    return render_item(ws, STAKES, key, located, stake_form, conflict, status, evidence_forms)


def _stake_gone(project_id: int, stake: Stake) -> Response:
    flash(_("L'enjeu %(title)s a été supprimé entre-temps par quelqu'un d'autre : "
            "rien n'a été enregistré.", title=quoted(stake.title)), "error")
    return redirect(url_for("editor.stakes", project_id=project_id))


# --- Editing one piece of evidence -----------------------------------------------------------


def _evidence(project: Project, key: str, number: int) -> Any | None:
    """The evidence at position ``number`` (from 1) of the stake, or ``None``."""
    stake = find_item(project, STAKES, key)
    if stake is None or not 1 <= number <= len(stake.item.evidence):
        return None
    return stake.item.evidence[number - 1]


@bp.route("/<int:project_id>/enjeux/<key>/donnees/<int:index>", methods=["GET", "POST"])
@require_project_role(Role.editor)
def edit_evidence(project_id: int, key: str, index: int) -> PageResult:
    """The form of one figure or quote of the stake (``index`` counts from 1)."""
    ws = open_workspace(project_id)
    stake = _stake_or_404(ws.project, key)
    item = _evidence(ws.project, key, index)
    if item is None:
        abort(404)
    form_class = EVIDENCE_FORMS[item.kind]
    form = form_class()
    form.setup(ws.project, item)
    conflict: Conflict | None = None
    status = 200
    if request.method == "GET":
        form.load(item)
        form.revision.data = str(ws.revision)
    elif form.validate_on_submit():
        fields = form.fields()
        outcome = save_edit(
            project_id, ws.project, form,
            lambda project: editing.update_evidence(project, key, index - 1, **fields),
        )
        if outcome.saved:
            flash(_("%(item)s : modifications enregistrées.",
                    item=_capital(EVIDENCE_NOUNS[item.kind])), "success")
            return redirect(stake_url(project_id, key))
        status = outcome.status
        if outcome.conflict is not None:
            conflict = outcome.conflict
            form.revision.data = str(conflict.current_revision)
            ws = open_workspace(project_id)
            theirs = _evidence(ws.project, key, index)
            if theirs is None or theirs.kind != item.kind:
                if find_item(ws.project, STAKES, key) is None:
                    return _stake_gone(project_id, stake)
                return _list_changed(project_id, key)
            base = _evidence(conflict.base, key, index) if conflict.base else None
            if _count(conflict.base, key) != _count(ws.project, key):
                form.form_errors.append(str(LIST_CHANGED))
            else:
                merge_untouched(
                    form, list(form.domain_fields),
                    form_for(form_class, conflict.base, base) if conflict.base else None,
                    form_for(form_class, ws.project, theirs),
                )
            stake, item = _stake_or_404(ws.project, key), theirs
    else:
        status = 422
    return _render_evidence(ws, "editor/evidence.html", stake, key, index, item, form,
                            conflict, status)


def _count(project: Project | None, key: str) -> int | None:
    if project is None:
        return None
    stake = find_item(project, STAKES, key)
    return len(stake.item.evidence) if stake else None


def _list_changed(project_id: int, key: str) -> Response:
    flash(str(LIST_CHANGED) + " " + _("Rien n'a été enregistré."), "error")
    return redirect(stake_url(project_id, key))


def _render_evidence(
    ws: Workspace, template: str, stake: Stake, key: str, number: int, item: Any,
    form: EditorForm, conflict: Conflict | None, status: int,
) -> tuple[str, int]:
    figure = isinstance(item, QuantitativeEvidence)
    return render_project_page(
        template,
        ws,
        active=STAKES.page,
        current=key,
        status=status,
        stake=stake,
        key=key,
        number=number,
        item=item,
        figure=figure,
        noun=EVIDENCE_NOUNS[item.kind],
        summary=item.indicator if figure else item.quote,
        form=form,
        conflict=conflict.view if conflict else None,
        node_id=key,
        stake_url=stake_url(ws.project_id, key),
    )


# --- Deleting one piece of evidence ----------------------------------------------------------


@bp.route("/<int:project_id>/enjeux/<key>/donnees/<int:index>/supprimer",
          methods=["GET", "POST"])
@require_project_role(Role.editor)
def delete_evidence(project_id: int, key: str, index: int) -> PageResult:
    """Ask, then delete one figure or quote of the stake (nothing else refers to it)."""
    ws = open_workspace(project_id)
    stake = _stake_or_404(ws.project, key)
    item = _evidence(ws.project, key, index)
    if item is None:
        abort(404)
    form = ConfirmDeleteForm()
    conflict: Conflict | None = None
    status = 200
    if request.method == "GET":
        form.revision.data = str(ws.revision)
    elif form.validate_on_submit():
        outcome = save_edit(
            project_id, ws.project, form,
            lambda project: editing.delete_evidence(project, key, index - 1),
        )
        if outcome.saved:
            noun = _capital(EVIDENCE_NOUNS[item.kind])
            flash(_("%(item)s a été retirée de l'enjeu.", item=noun)
                  if item.kind == "qualitative"
                  else _("%(item)s a été retiré de l'enjeu.", item=noun), "success")
            return redirect(stake_url(project_id, key))
        status = outcome.status
        if outcome.conflict is not None:
            conflict = outcome.conflict
            form.revision.data = str(conflict.current_revision)
            ws = open_workspace(project_id)
            base = _evidence(conflict.base, key, index) if conflict.base else None
            if base is None or _evidence(ws.project, key, index) != base:
                # Deleting "number N" of a list someone changed could delete another item.
                return _list_changed(project_id, key)
    else:
        status = 422
    return _render_evidence(ws, "editor/evidence_delete.html", stake, key, index, item, form,
                            conflict, status)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
