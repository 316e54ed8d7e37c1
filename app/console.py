"""The facilitator console: projects and workshops, preparing steps, opening and closing.

Every page needs a logged-in facilitator. Forms work without JavaScript: a POST is
checked, handed to ONE function of :mod:`workshops.service`, then redirected to a page
(POST/redirect/GET); a refused action comes back as a French message next to the field
or at the top of the page. After a change the live hub is told, so phones and projector
follow. The live step page (moderation, counts, results, closing) is in
:mod:`app.console_live`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.auth import login_required
from app.console_forms import DEFAULT_TITLES, STEP_FORMS, ConfirmForm, WorkshopForm, choices
from app.console_steps import (
    Candidate,
    FormProblem,
    attach_problem,
    build_step,
    column_candidates,
    default_picks,
    option_candidates,
)
from app.extensions import database, live
from app.qr import join_url
from workshops import service
from workshops.model import (
    RESULTS_VISIBILITY_LABELS,
    STEP_KIND_LABELS,
    STEP_STATUS_LABELS,
    WORKSHOP_STATUS_LABELS,
    BrainstormStep,
    StepKind,
    Workshop,
)
from workshops.service import ServiceError
from workshops.store import list_projects, load_project
from workshops.store.projects import ProjectNotFound
from workshops.tallies import BrainstormResult

bp = Blueprint("console", __name__, url_prefix="/console")


@bp.before_request
@login_required
def _facilitators_only() -> None:
    """Every console page and form is refused to anyone not logged in."""
    return None


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "step_kind_labels": {kind.value: label for kind, label in STEP_KIND_LABELS.items()},
        "step_status_labels": {s.value: label for s, label in STEP_STATUS_LABELS.items()},
        "workshop_status_labels": {s.value: label for s, label in WORKSHOP_STATUS_LABELS.items()},
        "results_visibility_labels": {
            mode.value: label for mode, label in RESULTS_VISIBILITY_LABELS.items()
        },
    }


def load_workshop(workshop_id: int) -> Workshop:
    """The workshop, or a 404 page when there is none."""
    with database.read_session() as db:
        try:
            return service.get_workshop(db, workshop_id)
        except ServiceError:
            abort(404)


def refused(error: ServiceError, target: str) -> Response:
    """Go back to ``target`` with the service's French message."""
    flash(error.message, "error")
    return redirect(target)


# --- Home -----------------------------------------------------------------------------------


@bp.get("/")
def index() -> str:
    """Workshops (newest first) and projects, each with what can be done next."""
    with database.read_session() as db:
        workshops = service.list_workshops(db)
        projects = list_projects(db)
        project_titles = {str(project.id): project.title for project in projects}
    return render_template(
        "console/index.html",
        workshops=workshops,
        projects=projects,
        project_titles=project_titles,
    )


# --- Workshops --------------------------------------------------------------------------------


@bp.route("/ateliers/nouveau", methods=["GET", "POST"])
def new_workshop() -> str | Response:
    """Create a workshop from a project: title and participant groups."""
    with database.read_session() as db:
        projects = list_projects(db)
    form = WorkshopForm()
    form.project.choices = choices((project.id, project.title) for project in projects)
    if request.method == "GET":
        chosen = request.args.get("projet", type=int)
        if chosen is not None:
            form.project.data = chosen
    if form.validate_on_submit():
        try:
            with database.session() as db:
                workshop = service.create_workshop(
                    db, form.project.data, form.title.data, form.parsed_groups() or None
                )
        except ServiceError as error:
            attach_problem(form, FormProblem("title" if "titre" in error.message else None,
                                             error.message))
        else:
            flash(_("Atelier « %(title)s » créé. Ajoutez-lui des étapes.", title=workshop.title),
                  "success")
            return redirect(url_for("console.workshop", workshop_id=int(workshop.id)))
    return render_template("console/new_workshop.html", form=form, projects=projects)


@bp.get("/ateliers/<int:workshop_id>")
def workshop(workshop_id: int) -> str:
    """A workshop: join code, steps in order and what each can do now."""
    current = load_workshop(workshop_id)
    return render_template(
        "console/workshop.html",
        workshop=current,
        join_url=join_url(current.code),
        confirm=ConfirmForm(),
        kinds=list(StepKind),
    )


@bp.post("/ateliers/<int:workshop_id>/ouvrir")
def open_workshop(workshop_id: int) -> Response:
    """Open the workshop: its code now admits phones."""
    target = url_for("console.workshop", workshop_id=workshop_id)
    try:
        with database.session() as db:
            service.open_workshop(db, workshop_id)
    except ServiceError as error:
        return refused(error, target)
    live.workshop_changed(workshop_id)
    flash(
        _("L'atelier est ouvert : les participants peuvent le rejoindre avec son code."), "success"
    )
    return redirect(target)


@bp.post("/ateliers/<int:workshop_id>/terminer")
def close_workshop(workshop_id: int) -> Response:
    """End the workshop: its code no longer admits anyone."""
    target = url_for("console.workshop", workshop_id=workshop_id)
    try:
        with database.session() as db:
            service.close_workshop(db, workshop_id)
    except ServiceError as error:
        return refused(error, target)
    live.workshop_changed(workshop_id)
    flash(_("L'atelier est terminé : son code n'admet plus personne."), "success")
    return redirect(target)


# --- Preparing steps ------------------------------------------------------------------------


def _candidates(workshop: Workshop, kind: StepKind) -> list[Candidate]:
    """What the new step's options (or columns) can be, from the project and past ideas."""
    with database.read_session() as db:
        try:
            project = load_project(db, int(workshop.project_id))
        except ProjectNotFound:
            abort(404)
        if kind == StepKind.brainstorm:
            return column_candidates(project)
        walls: list[tuple[str, BrainstormResult]] = []
        for step in workshop.steps:
            if isinstance(step, BrainstormStep):
                wall = service.step_results(db, int(workshop.id), step.id)
                if isinstance(wall, BrainstormResult):
                    walls.append((step.title, wall))
    return option_candidates(project, walls)


@bp.route("/ateliers/<int:workshop_id>/etapes/nouvelle/<kind>", methods=["GET", "POST"])
def new_step(workshop_id: int, kind: str) -> str | Response:
    """Add a step of ``kind`` (brainstorm, dot_vote, ranking, rating, choice)."""
    try:
        step_kind = StepKind(kind)
    except ValueError:
        abort(404)
    current = load_workshop(workshop_id)
    candidates = _candidates(current, step_kind)
    form = STEP_FORMS[step_kind]()
    form.picked.choices = choices((c.key, c.label) for c in candidates)
    if request.method == "GET":
        form.title.data = str(DEFAULT_TITLES[step_kind])
        form.picked.data = default_picks(candidates)
    if form.validate_on_submit():
        try:
            step = build_step(form, candidates, current.step_ids())
            with database.session() as db:
                service.add_step(db, workshop_id, step)
        except FormProblem as problem:
            attach_problem(form, problem)
        except ServiceError as error:
            attach_problem(form, FormProblem(None, error.message))
        else:
            live.workshop_changed(workshop_id)
            flash(_("Étape « %(title)s » ajoutée.", title=step.title), "success")
            return redirect(url_for("console.workshop", workshop_id=workshop_id))
    return render_template(
        "console/new_step.html",
        workshop=current,
        form=form,
        kind=step_kind,
        candidates=candidates,
    )


@bp.post("/ateliers/<int:workshop_id>/etapes/<step_id>/supprimer")
def remove_step(workshop_id: int, step_id: str) -> Response:
    """Delete a step that has not run yet."""
    target = url_for("console.workshop", workshop_id=workshop_id)
    try:
        with database.session() as db:
            service.remove_step(db, workshop_id, step_id)
    except ServiceError as error:
        return refused(error, target)
    live.workshop_changed(workshop_id)
    flash(_("Étape supprimée."), "success")
    return redirect(target)


@bp.post("/ateliers/<int:workshop_id>/etapes/<step_id>/lancer")
def start_step(workshop_id: int, step_id: str) -> Response:
    """Start a step: every phone switches to it."""
    try:
        with database.session() as db:
            service.start_step(db, workshop_id, step_id)
    except ServiceError as error:
        return refused(error, url_for("console.workshop", workshop_id=workshop_id))
    live.workshop_changed(workshop_id)
    flash(_("Étape lancée : les téléphones l'affichent."), "success")
    return redirect(url_for("console.step", workshop_id=workshop_id, step_id=step_id))


# The live step page and its forms register their routes on ``bp``.
from app import console_live  # noqa: E402, F401
