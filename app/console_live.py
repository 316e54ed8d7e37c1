"""The live step page of the console: counts, results, moderation of ideas, closing.

Routes are registered on :data:`app.console.bp` (same prefix, same log-in guard). The
page is complete without JavaScript (reload to refresh); ``facilitator/console.js``
keeps counts, results and the idea wall live over the websocket.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.auth import current_user
from app.console import bp, load_workshop, refused
from app.console_forms import (
    CloseStepForm,
    ClusterIdeaForm,
    ConfirmForm,
    EditIdeaForm,
    MergeIdeaForm,
    MoveIdeaForm,
    ResultsVisibilityForm,
    choices,
)
from app.extensions import database, live
from app.i18n_messages import results_messages
from app.qr import join_url
from workshops import service
from workshops.model import RESULTS_VISIBILITY_LABELS, BrainstormStep, Step, StepStatus, Workshop
from workshops.service import ServiceError
from workshops.tallies import BrainstormResult
from workshops.visibility import parse_visibility, results_withheld
from workshops.writeback import WriteBackOutcome

MODERATION_ACTIONS = ("hide", "unhide", "edit", "move", "merge", "unmerge", "cluster")


def _step(workshop: Workshop, step_id: str) -> Step:
    try:
        return workshop.step(step_id)
    except KeyError:
        abort(404)


def _author() -> str | None:
    user = current_user()
    return user.name if user is not None else None


def _step_page_data(workshop: Workshop, step: Step) -> dict[str, Any]:
    """Presence, results (overall and by collège) and, for a brainstorm, every idea."""
    workshop_id = int(workshop.id)
    phones = live.broadcaster().phones(workshop_id)
    with database.read_session() as db:
        presence = service.presence(db, workshop_id, phones)
        result = service.step_results(db, workshop_id, step.id)
        by_group: dict[str, Any] = {}
        ideas: list[dict[str, Any]] = []
        if isinstance(step, BrainstormStep):
            if workshop.current_step == step.id:
                state = service.workshop_state(db, workshop_id, audience="facilitator")
                ideas = state["ideas"]
        else:
            grouped = service.step_results(db, workshop_id, step.id, by_group=True)
            by_group = grouped if isinstance(grouped, dict) else {}
        outcome = service.step_outcome(db, workshop_id, step.id)
    if isinstance(step, BrainstormStep) and not ideas and isinstance(result, BrainstormResult):
        # Not the step on screen: its wall (visible ideas) stands in for the full list.
        ideas = [
            {"id": card.id, "step_id": step.id, "column": column.column_id, "text": card.text,
             "upvotes": card.upvotes, "cluster": card.cluster,
             "merged": [m.model_dump() for m in card.merged], "hidden": False,
             "merged_into": None}
            for column in result.columns
            for card in column.ideas
        ]
    return {
        "presence": presence,
        "result": result,
        "by_group": [
            (workshop.group_label(key or None), group_result)
            for key, group_result in by_group.items()
        ],
        "ideas": ideas,
        "outcome": outcome,
    }


@bp.get("/ateliers/<int:workshop_id>/etapes/<step_id>")
def step(workshop_id: int, step_id: str) -> str:
    """The live page of a step: counts, results, moderation, and how to close it."""
    workshop = load_workshop(workshop_id)
    current = _step(workshop, step_id)
    data = _step_page_data(workshop, current)
    ideas = data["ideas"]
    return render_template(
        "console/step.html",
        workshop=workshop,
        step=current,
        js_messages=results_messages(),
        join_url=join_url(workshop.code),
        confirm=ConfirmForm(),
        edit_form=EditIdeaForm(),
        cluster_form=ClusterIdeaForm(),
        columns=[(c.id, c.label) for c in current.columns]
        if isinstance(current, BrainstormStep) else [],
        merge_targets=[i for i in ideas if not i["hidden"] and i["merged_into"] is None],
        clusters=sorted({i["cluster"] for i in ideas if i["cluster"]}),
        visibility_form=None if isinstance(current, BrainstormStep)
        else ResultsVisibilityForm(results_visibility=current.results_visibility.value),
        withheld={audience: results_withheld(current, audience)
                  for audience in ("phone", "projector")},
        **data,
    )


@bp.post("/ateliers/<int:workshop_id>/etapes/<step_id>/resultats/affichage")
def set_results_visibility(workshop_id: int, step_id: str) -> Response:
    """Choose when phones and projector see the step's results."""
    target = url_for("console.step", workshop_id=workshop_id, step_id=step_id) + "#affichage"
    form = ResultsVisibilityForm()
    if not form.validate():
        return _form_refused(form, target)
    try:
        with database.session() as db:
            changes = service.set_results_visibility(
                db, workshop_id, step_id, form.results_visibility.data
            )
    except ServiceError as error:
        return refused(error, target)
    live.publish(changes)
    chosen = RESULTS_VISIBILITY_LABELS[parse_visibility(form.results_visibility.data)]
    flash(_("Affichage des résultats : « %(mode)s ».", mode=chosen), "success")
    return redirect(target)


@bp.post("/ateliers/<int:workshop_id>/etapes/<step_id>/resultats/reveler")
def reveal_results(workshop_id: int, step_id: str) -> Response:
    """Show the step's results on every phone and on the projector."""
    target = url_for("console.step", workshop_id=workshop_id, step_id=step_id) + "#affichage"
    try:
        with database.session() as db:
            changes = service.reveal_results(db, workshop_id, step_id)
    except ServiceError as error:
        return refused(error, target)
    live.publish(changes)
    flash(_("Résultats révélés : les téléphones et le vidéoprojecteur les affichent."), "success")
    return redirect(target)


@bp.post("/ateliers/<int:workshop_id>/etapes/<step_id>/idees/<idea_id>/<action>")
def moderate(workshop_id: int, step_id: str, idea_id: str, action: str) -> Response:
    """One moderation of an idea: hide, unhide, edit, move, merge, unmerge or cluster."""
    if action not in MODERATION_ACTIONS:
        abort(404)
    target = url_for("console.step", workshop_id=workshop_id, step_id=step_id) + "#idee-" + idea_id
    moderation: dict[str, Any] = {"action": action, "idea_id": idea_id}
    if action == "edit":
        form: Any = EditIdeaForm()
        if not form.validate():
            return _form_refused(form, target)
        moderation["text"] = form.text.data
    elif action == "move":
        form = MoveIdeaForm()
        if not form.validate():
            return _form_refused(form, target)
        moderation["column"] = form.column.data
    elif action == "merge":
        form = MergeIdeaForm()
        if not form.validate():
            return _form_refused(form, target)
        moderation["into"] = form.into.data
    elif action == "cluster":
        form = ClusterIdeaForm()
        if not form.validate():
            return _form_refused(form, target)
        moderation["cluster"] = (form.cluster.data or "").strip() or None
    try:
        with database.session() as db:
            changes = service.moderate_idea(db, workshop_id, moderation)
    except ServiceError as error:
        return refused(error, target)
    live.publish(changes)
    return redirect(target)


def _form_refused(form: Any, target: str) -> Response:
    for errors in form.errors.values():
        for error in errors:
            # str(): a validator's message may be a lazy string, which the session cannot keep.
            flash(str(error), "error")
    return redirect(target)


def _preview(workshop_id: int, step_id: str, chosen: list[str]) -> WriteBackOutcome | str:
    """What closing would write, or the French reason it cannot be computed."""
    with database.read_session() as db:
        try:
            return service.preview_close(
                db, workshop_id, step_id, chosen_idea_ids=chosen, author=_author()
            )
        except ServiceError as error:
            return error.message


@bp.route("/ateliers/<int:workshop_id>/etapes/<step_id>/cloture", methods=["GET", "POST"])
def close_step(workshop_id: int, step_id: str) -> str | Response:
    """Show what closing the step writes to the model; close it once confirmed."""
    workshop = load_workshop(workshop_id)
    current = _step(workshop, step_id)
    if current.status != StepStatus.open:
        flash(_("Seule une étape en cours peut être close."), "error")
        return redirect(url_for("console.step", workshop_id=workshop_id, step_id=step_id))
    data = _step_page_data(workshop, current)
    form = CloseStepForm(request.form if request.method == "POST" else request.args)
    choosable = isinstance(current, BrainstormStep) and current.writeback is not None
    form.idea_ids.choices = choices(
        (idea["id"], idea["text"]) for idea in data["ideas"]
        if choosable and not idea["hidden"] and idea["merged_into"] is None
    )
    if request.method == "GET" and "write_back" not in request.args:
        form.write_back.data = True
    if request.method == "POST" and form.validate():
        try:
            with database.session() as db:
                outcome = service.close_step(
                    db,
                    workshop_id,
                    step_id,
                    author=_author(),
                    when=dt.datetime.now(dt.UTC),
                    chosen_idea_ids=form.idea_ids.data or [],
                    # Without a write-back configured, the domain itself says nothing is written.
                    write_back=bool(form.write_back.data) if current.writeback else True,
                )
        except ServiceError as error:
            form.form_errors.append(error.message)
        else:
            live.workshop_changed(workshop_id)
            flash(
                _("Étape close : voici ce qui a été écrit dans le modèle.")
                if outcome.decisions else _("Étape close : rien n'a été écrit dans le modèle."),
                "success",
            )
            return redirect(url_for("console.step", workshop_id=workshop_id, step_id=step_id))
    preview = _preview(workshop_id, step_id, form.idea_ids.data or [])
    return render_template(
        "console/close_step.html",
        workshop=workshop,
        step=current,
        form=form,
        preview=preview,
        choosable=choosable,
        **data,
    )
