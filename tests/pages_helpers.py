"""Helpers of the pages' tests: log a facilitator in on the test client, seed workshops.

The pages' tests use the ``app`` and ``client`` fixtures of ``conftest.py`` (a real app
on a real SQLite file, CSRF protection on). What a phone does over the websocket is
seeded here through :mod:`workshops.service`, the functions the websocket handlers call.
"""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Sequence
from html.parser import HTMLParser
from typing import Any

from factories import make_project
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from theory_of_change.model import Project
from workshops import service
from workshops.model import Ballot, Step, Workshop
from workshops.store import create_user, find_project, save_project

FACILITATOR_EMAIL = "animation@exemple.fr"
FACILITATOR_PASSWORD = "un mot de passe solide"

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/auth/connexion") -> str:
    """The CSRF token printed in the page at ``path`` (the session keeps its secret)."""
    page = client.get(path).get_data(as_text=True)
    found = _CSRF.search(page)
    assert found is not None, f"pas de jeton CSRF dans {path}"
    return found.group(1)


def create_facilitator(
    app: Flask, email: str = FACILITATOR_EMAIL, password: str = FACILITATOR_PASSWORD
) -> int:
    """A facilitator account (as ``chemins user add`` makes one); its id."""
    from app.extensions import database

    with app.app_context(), database.session() as db:
        return create_user(db, email, password, display_name="Camille Animation").id


def log_in(client: FlaskClient, app: Flask) -> None:
    """Create the facilitator and log in through the form."""
    create_facilitator(app)
    response = client.post(
        "/auth/connexion",
        data={
            "csrf_token": csrf_token(client),
            "email": FACILITATOR_EMAIL,
            "password": FACILITATOR_PASSWORD,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None,
         token_from: str = "/console/") -> TestResponse:
    """POST ``data`` with a valid CSRF token (taken from the page ``token_from``)."""
    return client.post(path, data={"csrf_token": csrf_token(client, token_from), **(data or {})})


def seed_project(app: Flask, project: Project | None = None) -> int:
    """Save a project (``make_project`` by default); its row id."""
    from app.extensions import database

    project = project or make_project()
    with app.app_context(), database.session() as db:
        save_project(db, project)
        row = find_project(db, project.id)
        assert row is not None
        return row.id


def seed_workshop(
    app: Flask,
    steps: Sequence[Step] = (),
    *,
    title: str = "Atelier de test",
    opened: bool = True,
    start: str | None = None,
    project: Project | None = None,
) -> Workshop:
    """A workshop of a saved project with ``steps``; opened, one step started if asked."""
    from app.extensions import database

    project_id = seed_project(app, project)
    with app.app_context(), database.session() as db:
        workshop = service.create_workshop(db, project_id, title)
        workshop_id = int(workshop.id)
        for step in steps:
            service.add_step(db, workshop_id, step)
        if opened and steps:
            service.open_workshop(db, workshop_id)
        if start is not None:
            service.start_step(db, workshop_id, start)
        return service.get_workshop(db, workshop_id)


def join(app: Flask, workshop: Workshop, nickname: str | None = None,
         group: str | None = None) -> str:
    """A participant joins (as a phone's ``join`` does); their token."""
    from app.extensions import database

    with app.app_context(), database.session() as db:
        return service.join(db, int(workshop.id), nickname=nickname, group=group).participant.token


def vote(app: Flask, workshop: Workshop, token: str, step_id: str, ballot: Ballot) -> None:
    """A participant casts a ballot (as a phone's ``cast_ballot`` does)."""
    from app.extensions import database

    with app.app_context(), database.session() as db:
        service.cast_ballot(db, int(workshop.id), token, step_id, ballot, client_id=_client_id())


def post_idea(app: Flask, workshop: Workshop, token: str, step_id: str, column: str,
              text: str) -> str:
    """A participant posts an idea; its id."""
    from app.extensions import database

    with app.app_context(), database.session() as db:
        ack = service.post_idea(db, int(workshop.id), token, step_id, column, text,
                                client_id=_client_id())
        assert ack.idea_id is not None
        return ack.idea_id


def reload_workshop(app: Flask, workshop: Workshop) -> Workshop:
    """The workshop as stored now."""
    from app.extensions import database

    with app.app_context(), database.read_session() as db:
        return service.get_workshop(db, int(workshop.id))


_counter = iter(range(10**9))


def _client_id() -> str:
    return f"test-{next(_counter)}"


class PageParser(HTMLParser):
    """Collects what the pages' tests check: tags with their attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> PageParser:
    """The page's tags and text."""
    parser = PageParser()
    parser.feed(html)
    return parser


def field_error(html: str, field_id: str) -> str | None:
    """The error shown next to the field ``field_id`` (``None`` when there is none)."""
    found = re.search(
        rf'<span class="field-error" id="{re.escape(field_id)}-erreur">([^<]*)</span>', html
    )
    return html_module.unescape(found.group(1)) if found else None
