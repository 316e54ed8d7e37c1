"""Helpers of the editor's page tests: submit a page's form as a browser would.

``browser_form`` reads a form of a page the way a browser sends it (hidden fields,
typed texts, ticked boxes, selected options, textareas), so a test changes only the
fields it is about and sends the rest as the page showed them — CSRF token and
revision included.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from pages_helpers import FACILITATOR_PASSWORD, create_facilitator, csrf_token, seed_project
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from theory_of_change.model import Project

EDITOR = "/console/projets"


class _FormReader(HTMLParser):
    """Collects the fields of the form whose ``action`` is given, as a browser sends them."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.found = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = attributes.get("action", "").split("#")[0] == self.action
            self.found = self.found or self.inside
            return
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.fields.append((name, attributes.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.fields.append((name, attributes.get("value", "")))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((attributes.get("value", ""), "selected" in attributes))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if chosen or self._options:
                self.fields.append((self._select, (chosen or [self._options[0][0]])[0]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the newline that follows <textarea>.
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def browser_form(html: str, action: str) -> MultiDict[str, str]:
    """What a browser would send for the form of ``html`` posting to ``action``."""
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.found, f"pas de formulaire vers {action}"
    return MultiDict(reader.fields)


def submit(
    client: FlaskClient,
    page: str,
    action: str | None = None,
    changes: dict[str, Any] | None = None,
    *,
    untick: tuple[str, ...] = (),
) -> TestResponse:
    """Load ``page``, fill its form to ``action`` (default: the page) and send it.

    ``changes`` replaces fields (a list value sends several, e.g. ticked boxes);
    ``untick`` removes fields (boxes left unticked).
    """
    html = get_page(client, page)
    data = browser_form(html, action or page)
    for name in untick:
        data.poplist(name)
    for name, value in (changes or {}).items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return client.post(action or page, data=data)


def get_page(client: FlaskClient, path: str) -> str:
    """The page at ``path`` (it must answer 200)."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def log_in_as(client: FlaskClient, email: str, password: str = FACILITATOR_PASSWORD) -> None:
    """Log an existing account in through the form."""
    response = client.post(
        "/auth/connexion",
        data={"csrf_token": csrf_token(client), "email": email, "password": password},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def open_project(app: Flask, client: FlaskClient, project: Project | None = None) -> int:
    """Create the facilitator, log them in and save ``project``; its row id."""
    email = "animation@exemple.fr"
    create_facilitator(app, email)
    log_in_as(client, email)
    return seed_project(app, project)


def stored_project(app: Flask, project_id: int) -> Project:
    """The project as saved now."""
    from app.extensions import database
    from workshops.store import load_project

    with app.app_context(), database.read_session() as db:
        return load_project(db, project_id)


def stored_revision(app: Flask, project_id: int) -> int:
    """The project's current revision."""
    from app.extensions import database
    from workshops.store import get_project_row

    with app.app_context(), database.read_session() as db:
        return get_project_row(db, project_id).revision


def project_url(project_id: int, *parts: str) -> str:
    """The address of a project's page (``project_url(1, "enjeux")``; none: its overview)."""
    return "/".join([f"{EDITOR}/{project_id}", *parts]) if parts else f"{EDITOR}/{project_id}/"


def viewer_and_owner(app: Flask, client: FlaskClient,
                     project: Project | None = None) -> tuple[int, FlaskClient]:
    """A project shared by its owner with a viewer: the project's row id and the owner's
    client; ``client`` is logged in as the viewer."""
    from app.extensions import database
    from workshops.store.members import Role, add_member

    owner_id = create_facilitator(app, "proprietaire@exemple.fr")
    create_facilitator(app, "lecture@exemple.fr")
    project_id = seed_project(app, project)
    with app.app_context(), database.session() as db:
        add_member(db, project_id, "lecture@exemple.fr", Role.viewer, by_user_id=owner_id)
    log_in_as(client, "lecture@exemple.fr")
    owner = app.test_client()
    log_in_as(owner, "proprietaire@exemple.fr")
    return project_id, owner


def second_facilitator(app: Flask) -> FlaskClient:
    """Another facilitator, logged in on their own client (for concurrent edits)."""
    create_facilitator(app, "deuxieme@exemple.fr")
    other = app.test_client()
    log_in_as(other, "deuxieme@exemple.fr")
    return other
