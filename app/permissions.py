"""Project roles on the pages: ``@require_project_role(Role.editor)`` on a project's view.

The role itself is a store rule (:mod:`workshops.store.members`): viewer < editor <
owner; a project without members is open to every facilitator as owner. A view
decorated here must take ``project_id`` in its URL; it gets:

- a redirect to the log-in form (GET) or a 403 (POST) for anyone not logged in;
- a 404 for an unknown project;
- a French 403 page when the user's role is too low: ``minimum`` applies to requests
  that change something (POST…), ``read`` (viewer by default) to GET and HEAD, so a
  viewer reads every page, forms included, but never saves one.

The role is then in ``g.project_role`` (and :func:`current_project_role`); templates
ask ``project_can("editor")`` to hide what the user may not do.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import abort, g, render_template, request
from werkzeug.wrappers import Response

from app.auth import current_user, login_required
from app.extensions import database
from workshops.store.members import ROLE_LABELS, Role, project_role
from workshops.store.projects import ProjectNotFound

__all__ = ["Role", "current_project_role", "project_can", "require_project_role", "role_of"]

P = ParamSpec("P")
R = TypeVar("R")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def role_of(project_id: int) -> Role | None:
    """The logged-in user's role on project ``project_id`` (``None``: none, or anonymous).

    Raises :class:`~workshops.store.projects.ProjectNotFound` for an unknown project.
    """
    user = current_user()
    if user is None:
        return None
    with database.read_session() as db:
        return project_role(db, project_id, user.id)


def current_project_role() -> Role | None:
    """The role checked by :func:`require_project_role` on this request, if any."""
    return g.get("project_role")


def project_can(minimum: Role | str) -> bool:
    """Whether the role checked on this request reaches ``minimum`` (for the templates:
    ``{% if project_can("editor") %}`` shows a form only to those who may send it)."""
    role = current_project_role()
    return role is not None and role.allows(Role(minimum))


def _refusal(role: Role | None, needed: Role) -> tuple[str, int]:
    if role is None:
        message = (
            "Vous n'êtes pas membre de ce projet. Demandez à l'une des personnes "
            "propriétaires du projet de vous y ajouter."
        )
    else:
        message = (
            f"Votre rôle sur ce projet ({ROLE_LABELS[role]}) ne permet pas cette action, "
            f"réservée au rôle {ROLE_LABELS[needed]} ou au-dessus. Demandez à l'une des "
            "personnes propriétaires du projet de changer votre rôle."
        )
    return render_template("error.html", title="Accès refusé", message=message, code=403), 403


def require_project_role(
    minimum: Role, *, read: Role = Role.viewer
) -> Callable[[Callable[P, R]], Callable[P, R | Response | tuple[str, int]]]:
    """Refuse a project's view to users whose role is below ``minimum`` (``read`` for GET).

    Apply it to views whose URL has ``project_id``; it includes ``login_required``.
    """

    def decorate(view: Callable[P, R]) -> Callable[P, R | Response | tuple[str, int]]:
        @functools.wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R | Response | tuple[str, int]:
            project_id: Any = kwargs.get("project_id")
            if not isinstance(project_id, int):
                raise TypeError(f"{view.__name__} : l'URL doit porter <int:project_id>")
            try:
                role = role_of(project_id)
            except ProjectNotFound:
                abort(404)
            needed = read if request.method in SAFE_METHODS else minimum
            if role is None or not role.allows(needed):
                return _refusal(role, needed)
            g.project_role = role
            return view(*args, **kwargs)

        return login_required(wrapped)

    return decorate
