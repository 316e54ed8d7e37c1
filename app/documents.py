"""The convention's documents: download pages, workshop minutes and their public page.

- ``/console/projets/<id>/documents``: every document of the convention with its download
  buttons — the pathway diagram, the action plan (the territory's and each commune's),
  the action sheets, the SPPE sheet, the follow-up table, the diagnostic summary, the
  workshops' minutes and the whole CTG dossier (ZIP with its cover page);
- ``/console/projets/<id>/ateliers/<id>/compte-rendu.<format>``: a workshop's minutes;
- ``/j/<code>/compte-rendu``: the minutes any participant with the workshop's link can
  read once the workshop is closed (no account), a French "not yet" page before.

Documents are rendered in the request from the project's current revision (each takes a
fraction of a second; the dossier about two): nothing is cached, so what is downloaded
always agrees with the model. Every download is an attachment with a French file name
(``plan-d-action-pornic-agglo-pays-de-retz.docx``) and its MIME type.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext

from app.extensions import database
from app.permissions import Role, require_project_role
from exports.action_plan import PLAN_FORMATS, UnknownCommuneError, render_action_plan
from exports.action_sheets import render_action_sheets, sheet_activities
from exports.diagram import LAYER_LABELS, DiagramError, render_diagram
from exports.dossier import DOSSIER_PARTS, render_dossier
from exports.formats import MEDIA_TYPES, ExportFormatError
from exports.labels import format_date
from exports.minutes import render_minutes
from exports.ordering import action_plans
from exports.sppe_sheet import render_sppe_sheet
from exports.tracker import TRACKER_FORMATS, render_tracker
from theory_of_change.model import Project
from theory_of_change.slugs import slugify
from workshops import service
from workshops.join_codes import JoinCodeError, check_code, normalise_code
from workshops.minutes_store import MinutesNotFound, workshop_minutes
from workshops.model import Workshop, WorkshopStatus
from workshops.store.projects import get_project_row

bp = Blueprint("documents", __name__)

PROJECT_DOCUMENTS = "/console/projets/<int:project_id>/documents"

DIAGRAM_DOWNLOADS = ("svg", "png", "pdf")
SHEET_DOWNLOADS = ("docx", "odt")
SPPE_DOWNLOADS = ("docx", "odt")
MINUTES_DOWNLOADS = ("docx", "odt", "html")
PRINT_DPI = 300

FORMAT_LABELS = {
    "docx": lazy_gettext("Word (DOCX)"),
    "odt": lazy_gettext("LibreOffice (ODT)"),
    "html": lazy_gettext("Page web (HTML)"),
    "md": lazy_gettext("Markdown"),
    "xlsx": lazy_gettext("Excel (XLSX)"),
    "csv": lazy_gettext("CSV pour Excel"),
    "svg": lazy_gettext("Image SVG"),
    "png": lazy_gettext("Image PNG"),
    "pdf": lazy_gettext("PDF"),
    "zip": lazy_gettext("Archive ZIP"),
}

MINUTES_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
"""The standalone minutes page embeds its style sheet and runs no script at all."""


@dataclass(frozen=True)
class CurrentProject:
    """A project as stored now, with its revision number and its file-name suffix."""

    project: Project
    revision: int

    @property
    def stem(self) -> str:
        """What file names end with: the territory's name as a slug."""
        return slugify(self.project.territory.name) or self.project.id


def current_project(project_id: int) -> CurrentProject:
    """The project's current revision (the permission check already 404s an unknown id)."""
    with database.read_session() as db:
        row = get_project_row(db, project_id)
        return CurrentProject(Project.model_validate(row.body), row.revision)


def attachment(data: bytes, file_name: str) -> Response:
    """``data`` as a download named ``file_name``, typed by its extension."""
    fmt = file_name.rsplit(".", 1)[-1]
    response = Response(data, mimetype=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    # Documents change with every save of the project: never serve a stale copy.
    response.headers["Cache-Control"] = "no-store"
    return response


def _render_or_404(render: Callable[[], bytes]) -> bytes:
    try:
        return render()
    except (ExportFormatError, UnknownCommuneError):
        abort(404)
    except DiagramError:
        abort(400)


def _check_format(fmt: str, allowed: tuple[str, ...]) -> str:
    if fmt not in allowed:
        abort(404)
    return fmt


# --- The documents page -----------------------------------------------------------------------


@bp.get(f"{PROJECT_DOCUMENTS}/")
@require_project_role(Role.viewer)
def index(project_id: int) -> str:
    """Every document of the convention, with its formats and options."""
    current = current_project(project_id)
    project = current.project
    with database.read_session() as db:
        workshops = [w for w in service.list_workshops(db) if w.project_id == str(project_id)]
    return render_template(
        "documents/index.html",
        project_id=project_id,
        project=project,
        revision=current.revision,
        commune_plans=[plan for plan in action_plans(project) if plan.commune is not None],
        sheets=len(sheet_activities(project)),
        all_sheets=len(sheet_activities(project, include_all=True)),
        layer_labels=LAYER_LABELS,
        parts=DOSSIER_PARTS,
        today=format_date(dt.date.today()),
        workshops=sorted(workshops, key=lambda w: int(w.id)),
        format_labels=FORMAT_LABELS,
        formats={
            "diagram": DIAGRAM_DOWNLOADS,
            "plan": PLAN_FORMATS,
            "sheets": SHEET_DOWNLOADS,
            "sppe": SPPE_DOWNLOADS,
            "tracker": TRACKER_FORMATS,
            "minutes": MINUTES_DOWNLOADS,
        },
        # The diagnostic's pages may not be registered (an app built without them).
        diagnostic_downloads="diagnostic.summary" in current_app.view_functions,
    )


# --- Downloads --------------------------------------------------------------------------------


@bp.get(f"{PROJECT_DOCUMENTS}/schema.<fmt>")
@require_project_role(Role.viewer)
def diagram(project_id: int, fmt: str) -> Response:
    """The pathway diagram; ``?couches=markers&couches=activities`` add layers,
    ``?impression=1`` makes a 300-dpi PNG."""
    _check_format(fmt, DIAGRAM_DOWNLOADS)
    layers = [layer for layer in LAYER_LABELS if layer in request.args.getlist("couches")]
    dpi = PRINT_DPI if fmt == "png" and request.args.get("impression") else 96
    current = current_project(project_id)
    data = _render_or_404(
        lambda: render_diagram(current.project, fmt, dpi=dpi, layers=layers)
    )
    suffix = "".join(f"-{slugify(LAYER_LABELS[layer])}" for layer in layers)
    return attachment(data, f"schema-chemins-de-changement{suffix}-{current.stem}.{fmt}")


@bp.get(f"{PROJECT_DOCUMENTS}/plan-d-action.<fmt>")
@require_project_role(Role.viewer)
def plan(project_id: int, fmt: str) -> Response:
    """The action plan: the territory's with the communes' (``?commune=<id>``: one commune)."""
    _check_format(fmt, PLAN_FORMATS)
    commune = request.args.get("commune") or None
    current = current_project(project_id)
    data = _render_or_404(lambda: render_action_plan(current.project, fmt, commune=commune))
    stem = commune if commune is not None else current.stem
    return attachment(data, f"plan-d-action-{stem}.{fmt}")


@bp.get(f"{PROJECT_DOCUMENTS}/fiches-actions.<fmt>")
@require_project_role(Role.viewer)
def sheets(project_id: int, fmt: str) -> Response:
    """The action sheets of the new, flagship and experimental actions (``?toutes=1``: all)."""
    _check_format(fmt, SHEET_DOWNLOADS)
    include_all = bool(request.args.get("toutes"))
    current = current_project(project_id)
    data = _render_or_404(
        lambda: render_action_sheets(current.project, fmt, include_all=include_all)
    )
    which = "fiches-actions-toutes" if include_all else "fiches-actions"
    return attachment(data, f"{which}-{current.stem}.{fmt}")


@bp.get(f"{PROJECT_DOCUMENTS}/fiche-sppe.<fmt>")
@require_project_role(Role.viewer)
def sppe(project_id: int, fmt: str) -> Response:
    """The SPPE action sheet."""
    _check_format(fmt, SPPE_DOWNLOADS)
    current = current_project(project_id)
    data = _render_or_404(lambda: render_sppe_sheet(current.project, fmt))
    return attachment(data, f"fiche-action-sppe-{current.stem}.{fmt}")


@bp.get(f"{PROJECT_DOCUMENTS}/tableau-de-suivi.<fmt>")
@require_project_role(Role.viewer)
def tracker(project_id: int, fmt: str) -> Response:
    """The follow-up table (annexe 6), XLSX or CSV for French Excel."""
    _check_format(fmt, TRACKER_FORMATS)
    current = current_project(project_id)
    data = _render_or_404(lambda: render_tracker(current.project, fmt))
    return attachment(data, f"tableau-de-suivi-{current.stem}.{fmt}")


@bp.get(f"{PROJECT_DOCUMENTS}/dossier.zip")
@require_project_role(Role.viewer)
def dossier(project_id: int) -> Response:
    """The whole dossier in one ZIP; its cover page names the revision and today's date."""
    current = current_project(project_id)
    data = render_dossier(
        current.project,
        generated_on=dt.date.today(),
        revision=f"révision {current.revision}",
    )
    return attachment(data, f"dossier-ctg-{current.stem}-revision-{current.revision}.zip")


# --- Workshop minutes -------------------------------------------------------------------------


@bp.get("/console/projets/<int:project_id>/ateliers/<int:workshop_id>/compte-rendu.<fmt>")
@require_project_role(Role.viewer)
def minutes(project_id: int, workshop_id: int, fmt: str) -> Response:
    """A workshop's minutes as the facilitator downloads them (at any time)."""
    _check_format(fmt, MINUTES_DOWNLOADS)
    with database.read_session() as db:
        try:
            record = workshop_minutes(db, workshop_id, generated_on=dt.date.today())
        except MinutesNotFound:
            abort(404)
    if record.project_id != str(project_id):
        abort(404)
    data = render_minutes(record, fmt)
    return attachment(data, f"compte-rendu-{slugify(record.workshop_title) or 'atelier'}.{fmt}")


@bp.get("/j/<code>/compte-rendu")
def public_minutes(code: str) -> Response | str:
    """The minutes any participant can read once the workshop is closed (no account)."""
    canonical = normalise_code(code[:64])
    if canonical != code:
        # Codes typed into the address bar ("kx7-qha") land on the canonical address.
        return redirect(url_for("documents.public_minutes", code=canonical))
    try:
        check_code(canonical)
    except JoinCodeError:
        abort(404)
    with database.read_session() as db:
        workshop = service.find_workshop_by_code(db, canonical)
        if workshop is None:
            abort(404)
        if workshop.status != WorkshopStatus.closed:
            return _not_yet(workshop)
        record = workshop_minutes(db, int(workshop.id), generated_on=dt.date.today())
    response = Response(render_minutes(record, "html"), mimetype=MEDIA_TYPES["html"])
    response.headers["Content-Security-Policy"] = MINUTES_CSP
    response.headers["Cache-Control"] = "no-cache"
    return response


def _not_yet(workshop: Workshop) -> str:
    return render_template(
        "documents/minutes_not_yet.html",
        workshop=workshop,
        phone_url=url_for("participant.phone", code=workshop.code),
    )
