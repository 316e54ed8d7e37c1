"""What every project page needs: the project at its revision, the user's role, the
coherence findings with a link to the node to fix, and the project's navigation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, request, url_for
from flask_babel import LazyString, lazy_gettext
from flask_babel import gettext as _

from app.extensions import database
from app.permissions import Role, current_project_role
from theory_of_change.checks import RULES, SEVERITY_LABELS, Finding, Severity, run_checks
from theory_of_change.editing import ItemKind, Located
from theory_of_change.editing.kinds import find_by_id
from theory_of_change.editing.labels import truncate
from theory_of_change.model import VISION_ID, Project
from workshops.store.projects import ProjectNotFound, get_project_row

from .kinds import BY_KIND

MARKERS_BOX_PREFIX = "marqueurs__"
"""The diagram's box of a change's progress markers is ``marqueurs__<change id>``."""

TOPIC_PAGES = {
    "rules_vision": "editor.vision",
    "rules_pathways": "editor.changes",
    "rules_stakes": "editor.stakes",
    "rules_markers": "editor.markers",
    "rules_activities": "editor.activities",
    "rules_themes": "editor.stakes",
    "rules_sppe": "editor.sppe",
}
"""Where to fix a finding about the whole project, by the topic of its rule."""


@dataclass(frozen=True)
class Workspace:
    """A project as a page shows it: the model at a revision, and the user's role."""

    project_id: int
    project: Project
    revision: int
    updated_at: dt.datetime
    updated_by: str | None
    role: Role

    @property
    def can_edit(self) -> bool:
        """Whether the user may change the project (editor or owner)."""
        return self.role.allows(Role.editor)


def open_workspace(project_id: int) -> Workspace:
    """The current version of the project, or a 404 page when there is none."""
    with database.read_session() as db:
        try:
            row = get_project_row(db, project_id)
        except ProjectNotFound:
            abort(404)
        project = Project.model_validate(row.body)
        revision, updated_at, updated_by = row.revision, row.updated_at, row.updated_by
    return Workspace(
        project_id=project_id,
        project=project,
        revision=revision,
        updated_at=updated_at,
        updated_by=updated_by,
        role=current_project_role() or Role.viewer,
    )


# --- Where a node is edited ------------------------------------------------------------------


def find_by_id_or_none(project: Project, node_id: str) -> Located | None:
    """The item whose id is ``node_id`` (the first, should two kinds share it), or ``None``."""
    found = find_by_id(project, node_id)
    return found[0] if found else None


def item_url(project_id: int, kind: ItemKind, key: str | int) -> str:
    """The form of an item (by id, or by position from 1 for rows without id)."""
    return url_for(
        "editor.edit_item", project_id=project_id, kind=BY_KIND[kind].slug, key=str(key)
    )


def node_url(project_id: int, project: Project, node_id: str) -> str | None:
    """The page where the node ``node_id`` is fixed (``None`` if there is none)."""
    if node_id == VISION_ID:
        return url_for("editor.vision", project_id=project_id)
    if node_id.startswith(MARKERS_BOX_PREFIX):
        change_id = node_id[len(MARKERS_BOX_PREFIX):]
        return url_for("editor.markers", project_id=project_id) + f"#marqueurs-{change_id}"
    located = find_by_id_or_none(project, node_id)
    if located is None or located.kind not in BY_KIND:
        return None
    return item_url(project_id, located.kind, node_id)


def node_label(project: Project, node_id: str, limit: int = 50) -> str:
    """A node's label as links show it (its title, cut to ``limit`` characters)."""
    if node_id == VISION_ID:
        return _("la vision")
    located = find_by_id_or_none(project, node_id)
    if located is None:
        return node_id
    return truncate(str(getattr(located.item, located.spec.title_field)), limit)


# --- Coherence findings ----------------------------------------------------------------------


@dataclass(frozen=True)
class FindingView:
    """A finding as the pages list it: its message and where to fix it."""

    finding: Finding
    links: tuple[tuple[str, str], ...]

    @property
    def severity(self) -> str:
        """``error``, ``warning`` or ``info`` (a CSS class too)."""
        return self.finding.severity.value

    @property
    def severity_label(self) -> str:
        """The severity in French, capitalised."""
        label = SEVERITY_LABELS[self.finding.severity]
        return label[:1].upper() + label[1:]


@dataclass(frozen=True)
class Findings:
    """Every finding of a project, with the counts the header shows."""

    items: tuple[FindingView, ...]

    def count(self, severity: str) -> int:
        """How many findings of ``severity`` (``error``, ``warning``, ``info``)."""
        return sum(1 for item in self.items if item.severity == severity)

    @property
    def errors(self) -> int:
        """How many errors: the convention cannot be submitted while there are some."""
        return self.count(Severity.error.value)

    def about(self, node_id: str) -> list[FindingView]:
        """The findings that name ``node_id``."""
        return [item for item in self.items if node_id in item.finding.nodes]


def project_findings(project_id: int, project: Project) -> Findings:
    """Run the coherence checks and link each finding to the form(s) of its nodes."""
    views: list[FindingView] = []
    for finding in run_checks(project):
        links: list[tuple[str, str]] = []
        for node_id in finding.nodes[:4]:
            url = node_url(project_id, project, node_id)
            if url is not None:
                links.append((node_label(project, node_id), url))
        if not links:
            rule = RULES.get(finding.rule)
            page = TOPIC_PAGES.get(rule.topic if rule else "", "editor.overview")
            links.append((_("Ouvrir la page à compléter"), url_for(page, project_id=project_id)))
        views.append(FindingView(finding, tuple(links)))
    return Findings(tuple(views))


# --- Navigation ------------------------------------------------------------------------------


NAVIGATION: tuple[tuple[LazyString, tuple[tuple[str, LazyString], ...]], ...] = (
    (lazy_gettext("Projet"), (
        ("editor.overview", lazy_gettext("Vue d'ensemble")),
        ("editor.settings", lazy_gettext("Paramètres et signataires")),
    )),
    (lazy_gettext("1 · Contexte"), (
        ("diagnostic.index", lazy_gettext("Diagnostic partagé")),
        ("editor.stakes", lazy_gettext("Enjeux")),
        ("editor.territory", lazy_gettext("Territoire et thématiques")),
        ("editor.facilities", lazy_gettext("Équipements et services")),
    )),
    (lazy_gettext("2 · Vision"), (("editor.vision", lazy_gettext("Vision collective")),)),
    (lazy_gettext("3 · Chemins de changement"), (
        ("editor.changes", lazy_gettext("Changements")),
        ("editor.markers", lazy_gettext("Marqueurs de progrès")),
    )),
    (lazy_gettext("4 · Actions"), (
        ("editor.activities", lazy_gettext("Actions et fiches actions")),
        ("editor.axes", lazy_gettext("Axes stratégiques")),
        ("editor.sppe", lazy_gettext("Fiche SPPE")),
    )),
    (lazy_gettext("5 · Suivi"), (
        ("editor.tracking", lazy_gettext("Suivi des actions")),
        ("editor.governance", lazy_gettext("Pilotage")),
        ("editor.evaluation", lazy_gettext("Évaluation")),
        ("dashboard.index", lazy_gettext("Où en sommes-nous ?")),
    )),
    (lazy_gettext("Partager"), (
        ("documents.index", lazy_gettext("Documents")),
        ("history.index", lazy_gettext("Historique")),
        ("members.index", lazy_gettext("Membres")),
    )),
)
"""The project's pages, by step of the approach; endpoints of other blueprints appear
once those are registered."""


@dataclass(frozen=True)
class NavLink:
    """A link of the project navigation."""

    label: str
    url: str
    current: bool


def project_nav(project_id: int, active: str | None = None) -> list[tuple[str, list[NavLink]]]:
    """The project navigation, skipping the pages whose blueprint is not registered.

    ``active`` is the endpoint of the current page (default: the request's).
    """
    active = active or request.endpoint
    groups: list[tuple[str, list[NavLink]]] = []
    for title, entries in NAVIGATION:
        links = [
            NavLink(label, url_for(endpoint, project_id=project_id), endpoint == active)
            for endpoint, label in entries
            if endpoint in current_app.view_functions
        ]
        if links:
            groups.append((title, links))
    return groups


def page_label(endpoint: str) -> str | LazyString:
    """The navigation's name of the page ``endpoint`` (« Enjeux », « Fiche SPPE »…)."""
    for _title, entries in NAVIGATION:
        for known, label in entries:
            if known == endpoint:
                return label
    return _("Vue d'ensemble")


def has_page(endpoint: str) -> bool:
    """Whether the page ``endpoint`` exists (its blueprint is registered)."""
    return endpoint in current_app.view_functions


def nav_context() -> dict[str, Any]:
    """What templates (the editor's and the other project pages') need for the nav."""
    return {"project_nav": project_nav, "has_page": has_page, "page_label": page_label}
