"""The history pages: revisions with who/when/what, the diff of two revisions, restoring."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pages_helpers import csrf_token, field_error, log_in, seed_project
from werkzeug.datastructures import MultiDict

from theory_of_change.editing import add_change, update_fields
from theory_of_change.model import Project
from workshops.store import load_project, revision_history, save_project


@pytest.fixture
def facilitator(app: Flask, client: FlaskClient) -> FlaskClient:
    """The test client, logged in."""
    log_in(client, app)
    return client


def _text(page: str) -> str:
    """The page's text, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def _edit(app: Flask, project_id: int, author: str, edit: Any) -> None:
    from app.extensions import database

    with app.app_context(), database.session() as db:
        save_project(db, edit(load_project(db, project_id)), author=author)


def _current(app: Flask, project_id: int) -> Project:
    from app.extensions import database

    with app.app_context(), database.read_session() as db:
        return load_project(db, project_id)


@pytest.fixture
def edited(app: Flask) -> int:
    """The test project with three revisions: created, a change added, a change reworded."""
    project_id = seed_project(app)
    _edit(app, project_id, "Dominique", lambda p: add_change(
        p, statement="Les assistantes maternelles se forment ensemble"))
    _edit(app, project_id, "Camille", lambda p: update_fields(
        p, "chg-enfance", statement="Les enfants découvrent la nature"))
    return project_id


def test_the_history_lists_each_revision_with_its_author_date_and_summary(
    facilitator: FlaskClient, edited: int
) -> None:
    page = facilitator.get(f"/console/projets/{edited}/historique/")
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    assert "Historique des modifications" in text
    assert re.search(
        r"3 actuelle \d+ \w+ 20\d\d à \d+ h \d\d Camille "
        r"Changement « Les enfants découvrent la nature » \(énoncé\)", text
    ), text
    assert re.search(
        r"2 \d+ \w+ 20\d\d à \d+ h \d\d Dominique Changement ajouté : "
        r"« Les assistantes maternelles se forment ensemble »", text
    ), text
    assert "1 " in text and "Création du projet" in text
    body = page.get_data(as_text=True)
    assert f"/console/projets/{edited}/historique/comparer?de=2&amp;a=3" in body
    assert f"/console/projets/{edited}/historique/1/restaurer" in body


def test_the_diff_page_groups_the_changes_by_kind_with_before_and_after(
    facilitator: FlaskClient, edited: int
) -> None:
    page = facilitator.get(f"/console/projets/{edited}/historique/comparer?de=1&a=3")
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    assert "De la révision 1 à la révision 3" in text
    assert "Changements (2)" in text
    assert "ajout Changement ajouté : « Les assistantes maternelles se forment ensemble »" in text
    assert ("modification Changement « Les enfants découvrent la nature » Champ Avant Après "
            "Énoncé « Changement pour enfance » « Les enfants découvrent la nature »") in text


def test_comparing_a_revision_with_itself_says_there_is_no_difference(
    facilitator: FlaskClient, edited: int
) -> None:
    page = facilitator.get(f"/console/projets/{edited}/historique/comparer?de=2&a=2")
    assert "Aucune différence entre ces deux révisions." in page.get_data(as_text=True)


def test_comparing_an_unknown_revision_is_refused_next_to_the_field(
    facilitator: FlaskClient, edited: int
) -> None:
    page = facilitator.get(f"/console/projets/{edited}/historique/comparer?de=9&a=abc")
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert field_error(body, "de") == "N'est pas un choix valide."
    assert field_error(body, "a") is not None


def test_restoring_asks_for_confirmation_showing_what_would_change(
    facilitator: FlaskClient, edited: int
) -> None:
    page = facilitator.get(f"/console/projets/{edited}/historique/1/restaurer")
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    assert "Restaurer la révision 1 ?" in text
    assert "Changement supprimé : « Les assistantes maternelles se forment ensemble »" in text
    assert ("Énoncé « Les enfants découvrent la nature » « Changement pour enfance »") in text
    assert 'name="revision" type="hidden" value="3"' in page.get_data(as_text=True)


def test_restoring_makes_a_new_revision_equal_to_the_old_one_and_keeps_the_newer(
    app: Flask, facilitator: FlaskClient, edited: int
) -> None:
    from app.extensions import database

    url = f"/console/projets/{edited}/historique/1/restaurer"
    with app.app_context(), database.read_session() as db:
        from workshops.store import revision_project

        first = revision_project(db, edited, 1)
    response = facilitator.post(url, data={"csrf_token": csrf_token(facilitator, url),
                                           "revision": "3"})
    assert response.status_code == 302
    assert _current(app, edited) == first
    with app.app_context(), database.read_session() as db:
        history = revision_history(db, edited)
    assert [h.revision for h in history] == [4, 3, 2, 1]
    assert (history[0].author, history[0].note) == (
        "Camille Animation", "Restauration de la révision 1"
    )
    flashed = _text(facilitator.get(f"/console/projets/{edited}/historique/").get_data(
        as_text=True))
    assert "Révision 1 restaurée : c'est la révision 4." in flashed


def test_restoring_from_a_stale_confirmation_page_is_refused(
    app: Flask, facilitator: FlaskClient, edited: int
) -> None:
    url = f"/console/projets/{edited}/historique/1/restaurer"
    token = csrf_token(facilitator, url)  # the page was loaded at revision 3…
    _edit(app, edited, "Dominique", lambda p: p.model_copy(update={"title": "CTG renommée"}))
    response = facilitator.post(url, data={"csrf_token": token, "revision": "3"},
                                follow_redirects=True)
    text = _text(response.get_data(as_text=True))
    assert "Le projet a été modifié par Dominique" in text
    assert "Restaurer la révision 1 ?" in text  # back to the confirmation, up to date
    assert _current(app, edited).title == "CTG renommée"


def test_restoring_an_unknown_revision_is_a_404(facilitator: FlaskClient, edited: int) -> None:
    assert facilitator.get(f"/console/projets/{edited}/historique/42/restaurer").status_code == 404
    assert facilitator.get("/console/projets/999/historique/").status_code == 404


class _FormFields(HTMLParser):
    """The fields a browser would send from the form ``form_id`` as it stands."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.inside = found.get("id") == self.form_id
        if not self.inside or "name" not in found and tag != "option":
            return
        if tag == "input":
            kind = found.get("type", "text")
            if kind not in ("checkbox", "radio") or "checked" in found:
                self.fields.append((found["name"], found.get("value", "")))
        elif tag == "textarea":
            self._textarea = found["name"]
            self.fields.append((found["name"], ""))
        elif tag == "select":
            self._select = found["name"]
        elif tag == "option" and self._select and "selected" in found:
            self.fields.append((self._select, found.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, text = self.fields[-1]
            self.fields[-1] = (name, text + data.removeprefix("\n"))


def form_fields(page: str, form_id: str) -> MultiDict[str, str]:
    """What submitting the form ``form_id`` of ``page`` unchanged would send."""
    parser = _FormFields(form_id)
    parser.feed(page)
    return MultiDict(parser.fields)


def test_two_facilitators_saving_the_same_change_form_never_overwrite_each_other(
    app: Flask, facilitator: FlaskClient, edited: int
) -> None:
    url = f"/console/projets/{edited}/changements/chg-enfance"
    page = facilitator.get(url)
    assert page.status_code == 200
    # Camille and Dominique open the same form (revision 3); Camille saves first.
    camille = form_fields(page.get_data(as_text=True), "fiche")
    dominique = camille.copy()
    assert camille["revision"] == "3"
    camille["statement"] = "Les enfants jouent dehors chaque jour"
    assert facilitator.post(url, data=camille).status_code == 302

    dominique["statement"] = "Les enfants lisent davantage"
    refused = facilitator.post(url, data=dominique)
    assert refused.status_code == 409
    text = _text(refused.get_data(as_text=True))
    assert "Enregistrement refusé. Le projet a été modifié par Camille Animation" in text
    assert ("Énoncé « Les enfants découvrent la nature » « Les enfants jouent dehors chaque "
            "jour »") in text  # what the other person changed, before → after
    assert "Les enfants lisent davantage" in refused.get_data(as_text=True)  # kept in the form
    assert _current(app, edited).change("chg-enfance").statement == (
        "Les enfants jouent dehors chaque jour"
    )
