"""The step pages of a project: one per step of the approach, each listing its items
with the short forms that add one, and the forms of the parts that exist once (the
vision, the evaluation arrangements, the SPPE sheet's extra elements).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.permissions import Role, require_project_role
from theory_of_change.editing import set_evaluation, set_sppe_extra, set_vision
from theory_of_change.editing.project_settings import actions_outside
from theory_of_change.model import (
    ACTIVITY_KIND_LABELS,
    ACTIVITY_STATUS_LABELS,
    MARKER_LEVEL_LABELS,
    SPPE_DUTY_LABELS,
    SPPE_PROJECTION_LABELS,
    SPPE_STRUCTURE_LABELS,
    FacilityType,
    Project,
)

from . import bp
from .annex_forms import EvaluationForm, SppeExtraForm
from .chain_forms import VisionForm
from .diagram_view import DiagramFilters
from .follow_up_forms import tracking_rows, tracking_years
from .forms import EditorForm
from .kinds import BY_SLUG
from .rendering import render_project_page
from .saving import Conflict, Operation, save_edit
from .settings_forms import settings_page_forms
from .summaries import (
    activities_by_axis,
    changes_off_pathways,
    euros,
    facilities_by_type,
    facility_types_without,
    markers_by_change,
    pathway_views,
    sppe_authorities,
    stakes_by_theme,
    step_cards,
)
from .workspace import Workspace, open_workspace

PageResult = tuple[str, int] | Response


@dataclass(frozen=True)
class StepPage:
    """A step page: its template, the kinds it adds, its diagram's default filters.

    ``forms`` gives the forms of the parts the page edits in place (loaded from the
    project at its revision), for the forms not sent back with errors.
    """

    template: str
    adds: tuple[str, ...] = ()
    defaults: DiagramFilters = field(default_factory=DiagramFilters)
    context: Callable[[Project], dict[str, Any]] = lambda project: {}
    forms: Callable[[Workspace], dict[str, EditorForm]] | None = None


LABELS: dict[str, Any] = {
    "activity_kinds": {kind.value: label for kind, label in ACTIVITY_KIND_LABELS.items()},
    "activity_statuses": {s.value: label for s, label in ACTIVITY_STATUS_LABELS.items()},
    "marker_levels": {level.value: label for level, label in MARKER_LEVEL_LABELS.items()},
    "sppe_structures": {s.value: label for s, label in SPPE_STRUCTURE_LABELS.items()},
    "sppe_projections": {p.value: label for p, label in SPPE_PROJECTION_LABELS.items()},
    "sppe_duties": {d.value: label for d, label in SPPE_DUTY_LABELS.items()},
}

STEP_PAGES: dict[str, StepPage] = {
    "editor.overview": StepPage("editor/overview.html",
                                context=lambda p: {"cards": step_cards(p)}),
    "editor.stakes": StepPage("editor/stakes.html", ("enjeux",),
                              context=lambda p: {"groups": stakes_by_theme(p)}),
    "editor.changes": StepPage(
        "editor/changes.html", ("changements",),
        context=lambda p: {"paths": pathway_views(p), "loose": changes_off_pathways(p)},
    ),
    "editor.markers": StepPage(
        "editor/markers.html", ("marqueurs",), DiagramFilters(layers=("markers",)),
        context=lambda p: {"groups": markers_by_change(p)},
    ),
    "editor.activities": StepPage(
        "editor/activities.html", ("actions",), DiagramFilters(layers=("activities",)),
        context=lambda p: {"groups": activities_by_axis(p)},
    ),
    "editor.axes": StepPage(
        "editor/axes.html", ("axes", "sous-objectifs"), DiagramFilters(layers=("activities",)),
        context=lambda p: {"groups": activities_by_axis(p)},
    ),
    "editor.territory": StepPage("editor/territory.html", ("communes", "thematiques")),
    "editor.sppe": StepPage(
        "editor/sppe.html", ("lignes-sppe", "obligations-sppe"),
        context=lambda p: {"authorities": sppe_authorities(p)},
    ),
    "editor.governance": StepPage(
        "editor/governance.html", ("instances", "charges-de-cooperation")
    ),
    "editor.vision": StepPage("editor/vision.html"),
    "editor.settings": StepPage(
        "editor/settings.html", ("signataires",),
        context=lambda p: {"outside": actions_outside(p)}, forms=settings_page_forms,
    ),
    "editor.facilities": StepPage(
        "editor/facilities.html", ("equipements",),
        context=lambda p: {"groups": facilities_by_type(p),
                           "empty_types": facility_types_without(p),
                           "communes": {c.id: c.name for c in p.territory.communes},
                           "money": euros},
    ),
    "editor.tracking": StepPage(
        "editor/tracking.html", (), DiagramFilters(layers=("activities",)),
        context=lambda p: {"rows": tracking_rows(p), "years": tracking_years(p)},
    ),
    "editor.evaluation": StepPage("editor/evaluation.html"),
}


def add_form_prefix(slug: str) -> str:
    """The prefix of an adding form's fields: a page may hold several such forms."""
    return f"{slug}-"


def blank_add_form(slug: str, ws: Workspace) -> EditorForm:
    """An empty adding form, set up for the project and its current revision."""
    form = BY_SLUG[slug].form(formdata=None, prefix=add_form_prefix(slug))
    form.setup(ws.project)
    form.revision.data = str(ws.revision)
    return form


def render_step(
    endpoint: str,
    ws: Workspace,
    *,
    forms: dict[str, EditorForm] | None = None,
    conflict: Conflict | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """Render the step page ``endpoint``; ``forms`` are forms sent back with their errors."""
    page = STEP_PAGES[endpoint]
    add_forms: dict[str, EditorForm] = {}
    for slug in page.adds:
        form = (forms or {}).get(slug)
        if form is None:
            form = blank_add_form(slug, ws)
        else:
            form.setup(ws.project)
        add_forms[slug] = form
    if "marqueurs" in add_forms and request.method == "GET":
        chosen = request.args.get("changement")
        if chosen in {change.id for change in ws.project.changes}:
            add_forms["marqueurs"]["change"].data = chosen
    if "equipements" in add_forms and request.method == "GET":
        chosen = request.args.get("type")
        if chosen in {kind.value for kind in FacilityType}:
            add_forms["equipements"]["type"].data = chosen
    sent_back = {name: form for name, form in (forms or {}).items() if name not in add_forms}
    in_place = page.forms(ws) if page.forms is not None else {}
    return render_project_page(
        page.template,
        ws,
        active=endpoint,
        defaults=page.defaults,
        status=status,
        add_forms=add_forms,
        conflict=conflict.view if conflict else None,
        labels=LABELS,
        **page.context(ws.project),
        **{**in_place, **sent_back},
    )


# --- Pages that list items -------------------------------------------------------------------


def _step_view(endpoint: str) -> Callable[[int], tuple[str, int]]:
    def view(project_id: int) -> tuple[str, int]:
        return render_step(endpoint, open_workspace(project_id))

    view.__name__ = endpoint.split(".", 1)[1]
    view.__doc__ = f"The step page {endpoint} of a project."
    return view


for _endpoint, _path in (
    ("editor.overview", "/"),
    ("editor.stakes", "/enjeux"),
    ("editor.changes", "/changements"),
    ("editor.markers", "/marqueurs"),
    ("editor.activities", "/actions"),
    ("editor.axes", "/axes"),
    ("editor.territory", "/territoire"),
    ("editor.governance", "/pilotage"),
    ("editor.settings", "/parametres"),
    ("editor.facilities", "/equipements"),
    ("editor.tracking", "/suivi"),
):
    bp.get(f"/<int:project_id>{_path}")(
        require_project_role(Role.editor)(_step_view(_endpoint))
    )


# --- Parts that exist once -------------------------------------------------------------------


def _section(
    project_id: int,
    endpoint: str,
    form_name: str,
    form_class: type[EditorForm],
    current: Any,
    operation: Callable[[EditorForm], Operation],
    saved: str,
) -> PageResult:
    """GET shows the part's form; POST saves it (then back to the page) or shows why not."""
    ws = open_workspace(project_id)
    form = form_class()
    form.setup(ws.project)
    conflict = None
    status = 200
    if request.method == "GET":
        if current(ws.project) is not None:
            form.load(current(ws.project))
        form.revision.data = str(ws.revision)
    elif form.validate_on_submit():
        outcome = save_edit(project_id, ws.project, form, operation(form))
        if outcome.saved:
            flash(saved, "success")
            return redirect(url_for(endpoint, project_id=project_id))
        status = outcome.status
        if outcome.conflict is not None:
            conflict = outcome.conflict
            form.revision.data = str(conflict.current_revision)
            ws = open_workspace(project_id)
    else:
        status = 422
    return render_step(endpoint, ws, forms={form_name: form}, conflict=conflict, status=status)


@bp.route("/<int:project_id>/vision", methods=["GET", "POST"])
@require_project_role(Role.editor)
def vision(project_id: int) -> PageResult:
    """The collective vision (« En 2037, territoire… ») and its horizon."""
    return _section(
        project_id, "editor.vision", "vision_form", VisionForm,
        lambda project: project.vision,
        lambda form: lambda project: set_vision(project, **form.fields()),
        _("Vision enregistrée."),
    )


@bp.route("/<int:project_id>/evaluation", methods=["GET", "POST"])
@require_project_role(Role.editor)
def evaluation(project_id: int) -> PageResult:
    """The evaluation arrangements of annexe 6."""
    return _section(
        project_id, "editor.evaluation", "evaluation_form", EvaluationForm,
        lambda project: project.evaluation,
        lambda form: lambda project: set_evaluation(project, **form.fields()),
        _("Modalités d'évaluation enregistrées."),
    )


@bp.route("/<int:project_id>/sppe", methods=["GET", "POST"])
@require_project_role(Role.editor)
def sppe(project_id: int) -> PageResult:
    """The SPPE sheet: its rows, the duties covered, and the extra elements (POST)."""
    return _section(
        project_id, "editor.sppe", "extra_form", SppeExtraForm,
        lambda project: project.sppe.extra,
        lambda form: lambda project: set_sppe_extra(project, **form.fields()),
        _("Éléments complémentaires de la fiche SPPE enregistrés."),
    )
