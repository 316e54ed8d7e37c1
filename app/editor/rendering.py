"""Render a project page: the page's own content, plus what every project page shows —
the header with the findings' count, the navigation, the live diagram and the findings.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for

from .diagram_view import DiagramFilters, diagram_view, read_filters
from .workspace import Workspace, node_label, project_findings


def render_project_page(
    template: str,
    ws: Workspace,
    *,
    active: str,
    defaults: DiagramFilters | None = None,
    current: str | None = None,
    status: int = 200,
    **context: Any,
) -> tuple[str, int]:
    """Render ``template`` for the project of ``ws``.

    ``active`` is the step page the navigation highlights; ``defaults`` the diagram's
    filters when the address gives none; ``current`` the node the page edits (the diagram
    marks it and offers to show its pathway only).
    """
    filters = read_filters(request.args, defaults or DiagramFilters())
    diagram = diagram_view(
        ws.project_id,
        ws.project,
        filters,
        current=current,
        current_label=node_label(ws.project, current) if current else None,
    )
    findings = project_findings(ws.project_id, ws.project)
    # The filters' GET form goes back to this page, unless it was a POST-only address.
    rule = request.url_rule
    if rule is not None and "GET" in (rule.methods or ()):
        page_url = request.path
    else:
        page_url = url_for(active, project_id=ws.project_id)
    page = render_template(
        template,
        ws=ws,
        project=ws.project,
        project_id=ws.project_id,
        findings=findings,
        diagram=diagram,
        active=active,
        page_url=page_url,
        **context,
    )
    return page, status
