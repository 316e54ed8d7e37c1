"""The pathway editor: a CTG project's pages in the facilitator console.

One page per step of the approach — diagnostic stakes, vision, changes and pathways,
progress markers, activities and action sheets, strategic axes, SPPE sheet, governance
(annexe 5), evaluation (annexe 6) — each with the live pathway diagram beside its forms
and the coherence findings, every one linking to the node to fix. Forms work without
JavaScript (POST, then redirect); every save is made on top of the revision the form was
loaded at, so two facilitators never silently overwrite each other; a viewer reads the
pages without any form.

Routes: :mod:`.projects` (list, create, import, export), :mod:`.pages` (the step pages),
:mod:`.items` (add, edit, delete any item), :mod:`.diagram` (SVG and projector mode),
:mod:`.settings` (title, territory, period), :mod:`.evidence` (a stake's figures and
quotes), :mod:`.follow_up` (an action's status and values observed by year).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from app.auth import login_required

from .workspace import nav_context

bp = Blueprint("editor", __name__, url_prefix="/console/projets")


@bp.before_request
@login_required
def _facilitators_only() -> None:
    """Every page of the editor needs a logged-in facilitator (roles are checked per view)."""
    return None


@bp.app_context_processor
def _navigation() -> dict[str, Any]:
    # App-wide: the other project pages (history, dashboard…) include the same nav.
    return nav_context()


from app.editor import (  # noqa: E402, F401 - register routes
    diagram,
    evidence,
    follow_up,
    items,
    pages,
    projects,
    settings,
)
