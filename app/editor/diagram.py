"""The live diagram on its own: the SVG (each node linking to its form) and the
projector mode, full screen with large type, that walks through the pathways one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _

from app.permissions import Role, require_project_role
from exports.diagram import DiagramError
from theory_of_change.model import Project

from . import bp
from .diagram_view import DiagramFilters, diagram_view, editor_svg, read_filters
from .summaries import pathway_views
from .workspace import open_workspace

SVG_PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n'


@bp.get("/<int:project_id>/schema.svg")
@require_project_role(Role.editor)
def diagram_svg(project_id: int) -> Response:
    """The diagram as SVG, filtered by the address (``couches``, ``thematique``, ``axe``,
    ``chemin``); a filter naming nothing gets a French 400."""
    ws = open_workspace(project_id)
    filters = read_filters(request.args, DiagramFilters())
    try:
        svg = editor_svg(project_id, ws.project, filters, request.args.get("actuel"))
    except DiagramError as error:
        message = str(error)
        return Response(message[:1].upper() + message[1:] + ".", status=400,
                        mimetype="text/plain")
    return Response(SVG_PROLOG + svg, mimetype="image/svg+xml",
                    headers={"Cache-Control": "no-store"})


@dataclass(frozen=True)
class ProjectorLink:
    """A control of the projector mode: a link to the same page with other filters."""

    label: str
    url: str
    on: bool
    title: str | None = None


def _projector_url(project_id: int, filters: DiagramFilters) -> str:
    return url_for("editor.projector", project_id=project_id, **filters.query())


def projector_controls(
    project_id: int, project: Project, filters: DiagramFilters
) -> tuple[list[ProjectorLink], list[ProjectorLink]]:
    """The pathway tabs (all, then each pathway) and the layer switches of the page."""
    tabs = [ProjectorLink(_("Tout le schéma"), _projector_url(
        project_id, replace(filters, focus=None)), filters.focus is None)]
    for path in pathway_views(project):
        tabs.append(ProjectorLink(
            _("Chemin %(number)s", number=path.number),
            _projector_url(project_id, replace(filters, focus=path.end.id)),
            filters.focus == path.end.id,
            path.end.statement,
        ))
    switches = []
    for layer, label in (("markers", _("Marqueurs de progrès")), ("activities", _("Actions"))):
        shown = layer in filters.layers
        layers = tuple(x for x in filters.layers if x != layer) if shown else (
            *filters.layers, layer)
        switches.append(ProjectorLink(
            label, _projector_url(project_id, replace(filters, layers=layers)), shown
        ))
    return tabs, switches


@bp.get("/<int:project_id>/projection")
@require_project_role(Role.editor)
def projector(project_id: int) -> str:
    """The diagram full screen for the hall, one pathway at a time if asked."""
    ws = open_workspace(project_id)
    filters = read_filters(request.args, DiagramFilters())
    tabs, switches = projector_controls(project_id, ws.project, filters)
    caption = next((tab.title for tab in tabs if tab.on and tab.title), None)
    return render_template(
        "editor/projector.html",
        ws=ws,
        project=ws.project,
        project_id=project_id,
        diagram=diagram_view(project_id, ws.project, filters),
        tabs=tabs,
        switches=switches,
        caption=caption,
    )
