"""Roles on the project pages: viewers read and comment, editors edit, owners manage members.

The project routes are read from the app's URL map (every POST under
``/console/projets/``), so a form added later is covered without touching this file;
the test fails if a route has a parameter without a value below.
"""

from __future__ import annotations

import html
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pages_helpers import create_facilitator, csrf_token, field_error, seed_project

from workshops.store import add_member, load_project, project_revisions
from workshops.store.members import Role

PASSWORD = "un mot de passe solide"
OWNER, EDITOR, VIEWER, OUTSIDER = (
    "proprietaire@exemple.fr", "edition@exemple.fr", "caf@exemple.fr", "autre@exemple.fr"
)
PROJECT_PREFIX = "/console/projets/"
OPEN_TO_VIEWERS = {"comments.add"}
"""The only project POST a viewer may send: a comment changes nothing in the model."""


def client_for(app: Flask, email: str) -> FlaskClient:
    """A new test client logged in as ``email`` (the account must exist)."""
    client = app.test_client()
    response = client.post(
        "/auth/connexion",
        data={"csrf_token": csrf_token(client), "email": email, "password": PASSWORD},
    )
    assert response.status_code == 302
    return client


@pytest.fixture
def team(app: Flask) -> dict[str, Any]:
    """The test project shared by its owner with an editor and a viewer; one outsider."""
    from app.extensions import database

    ids = {
        email: create_facilitator(app, email, PASSWORD)
        for email in (OWNER, EDITOR, VIEWER, OUTSIDER)
    }
    project_id = seed_project(app)
    with app.app_context(), database.session() as db:
        add_member(db, project_id, EDITOR, Role.editor, by_user_id=ids[OWNER])
        add_member(db, project_id, VIEWER, Role.viewer, by_user_id=ids[OWNER])
    return {"project_id": project_id, "ids": ids}


def _revisions(app: Flask, project_id: int) -> list[int]:
    from app.extensions import database

    with app.app_context(), database.read_session() as db:
        return [r.revision for r in project_revisions(db, project_id)]


def project_post_routes(app: Flask, values: dict[str, Any]) -> list[tuple[str, str]]:
    """``(endpoint, url)`` of every POST route of a project, filled with real values."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PROJECT_PREFIX) or "POST" not in (rule.methods or ()):
            continue
        if "project_id" not in rule.arguments:
            continue  # creating or importing a project: no role on a project yet
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.rule} : donnez une valeur à {missing}"
        routes.append((rule.endpoint, rule.build({n: values[n] for n in rule.arguments})[1]))
    return routes


def _values(team: dict[str, Any]) -> dict[str, Any]:
    return {
        "project_id": team["project_id"],
        "revision": 1,
        "user_id": team["ids"][EDITOR],
        "milestone_id": "jalon-diagnostic",
        "node_id": "chg-enfance",
        "item_id": "chg-enfance",
        "key": "chg-enfance",
        "kind": "changements",
        "index": 0,
        "axis_id": "axe-1",
        "workshop_id": 1,
        "format": "svg",
        "commune_id": "alpha",
        "draft_id": "0",
        "quote_id": "0",
        "step_id": "etape",
        "stake_id": "enjeu-accueil",
        "fmt": "svg",
    }


def test_the_project_routes_cover_history_members_comments_and_dashboard(
    app: Flask, team: dict[str, Any]
) -> None:
    endpoints = {endpoint for endpoint, _ in project_post_routes(app, _values(team))}
    assert {
        "history.restore", "members.add", "members.change_role", "members.remove",
        "comments.add", "dashboard.set_status", "dashboard.edit_milestone",
        "dashboard.new_milestone", "dashboard.delete_milestone",
    } <= endpoints


def test_every_project_form_refuses_a_viewer_with_a_french_403_and_changes_nothing(
    app: Flask, team: dict[str, Any]
) -> None:
    viewer = client_for(app, VIEWER)
    token = csrf_token(viewer, "/console/")
    project_id = team["project_id"]
    before = _revisions(app, project_id)
    for endpoint, url in project_post_routes(app, _values(team)):
        if endpoint in OPEN_TO_VIEWERS:
            continue
        response = viewer.post(url, data={
            "csrf_token": token, "revision": "1", "status": "done", "role": "owner",
            "email": OUTSIDER, "title": "Piratée", "statement": "Piraté", "text": "Piraté",
            "start": "2026-01-01", "end": "2026-02-01",
        })
        assert response.status_code == 403, url
        page = response.get_data(as_text=True)
        assert "Accès refusé" in page, url
        assert "lecteur·rice" in page, url
    assert _revisions(app, project_id) == before


def test_someone_who_is_not_a_member_cannot_even_read_the_project(
    app: Flask, team: dict[str, Any]
) -> None:
    outsider = client_for(app, OUTSIDER)
    project_id = team["project_id"]
    for page in ("historique/", "tableau-de-bord/", "membres/", "commentaires/"):
        response = outsider.get(f"{PROJECT_PREFIX}{project_id}/{page}")
        assert response.status_code == 403, page
        assert "pas membre de ce projet" in response.get_data(as_text=True)


def test_a_viewer_reads_the_pages_without_the_forms_to_change_them(
    app: Flask, team: dict[str, Any]
) -> None:
    viewer = client_for(app, VIEWER)
    project_id = team["project_id"]
    dashboard = viewer.get(f"{PROJECT_PREFIX}{project_id}/tableau-de-bord/")
    history = viewer.get(f"{PROJECT_PREFIX}{project_id}/historique/")
    members = viewer.get(f"{PROJECT_PREFIX}{project_id}/membres/")
    assert (dashboard.status_code, history.status_code, members.status_code) == (200, 200, 200)
    assert "Calendrier de renouvellement" in dashboard.get_data(as_text=True)
    assert "/statut" not in dashboard.get_data(as_text=True)
    assert "/restaurer" not in history.get_data(as_text=True)
    page = members.get_data(as_text=True)
    assert "caf@exemple.fr" in page and "Ajouter un membre" not in page
    assert viewer.get(f"{PROJECT_PREFIX}{project_id}/historique/1/restaurer").status_code == 403


def test_a_viewer_comments_on_a_node_and_the_comment_is_shown_escaped(
    app: Flask, team: dict[str, Any]
) -> None:
    viewer = client_for(app, VIEWER)
    project_id = team["project_id"]
    page = f"{PROJECT_PREFIX}{project_id}/commentaires/chg-enfance"
    text = "Pensez aux familles <script>alert('x')</script> & aux assistantes maternelles"
    response = viewer.post(page, data={
        "csrf_token": csrf_token(viewer, page), "text": text, "next": page,
    })
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{page}#commentaires")
    shown = viewer.get(page).get_data(as_text=True)
    assert html.escape(text, quote=False) in shown.replace("&#39;", "'")
    assert "<script>alert" not in shown
    assert "Camille Animation" in shown  # the author, by name
    listing = client_for(app, OWNER).get(f"{PROJECT_PREFIX}{project_id}/commentaires/")
    assert "Changement pour enfance" in listing.get_data(as_text=True)
    assert _revisions(app, project_id) == [1]  # a comment is not a revision of the model


def test_a_too_long_comment_is_refused_next_to_the_field_and_kept(
    app: Flask, team: dict[str, Any]
) -> None:
    viewer = client_for(app, VIEWER)
    page = f"{PROJECT_PREFIX}{team['project_id']}/commentaires/vision"
    text = "Trop long. " * 200
    response = viewer.post(page, data={"csrf_token": csrf_token(viewer, page), "text": text})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert field_error(body, "text") == "2000 caractères au plus."
    assert "Trop long. Trop long." in body


def test_an_editor_edits_the_calendar_but_cannot_manage_members(
    app: Flask, team: dict[str, Any]
) -> None:
    editor = client_for(app, EDITOR)
    project_id = team["project_id"]
    dashboard = f"{PROJECT_PREFIX}{project_id}/tableau-de-bord/"
    token = csrf_token(editor, dashboard)
    saved = editor.post(f"{dashboard}jalons/jalon-diagnostic/statut",
                        data={"csrf_token": token, "revision": "1", "status": "done"})
    assert saved.status_code == 302
    members = f"{PROJECT_PREFIX}{project_id}/membres/"
    refused = editor.post(f"{members}ajouter",
                          data={"csrf_token": token, "email": OUTSIDER, "role": "owner"})
    assert refused.status_code == 403
    assert "éditeur·rice" in refused.get_data(as_text=True)
    assert "Ajouter un membre" not in editor.get(members).get_data(as_text=True)
    assert _revisions(app, project_id) == [2, 1]


def test_an_owner_adds_changes_and_removes_members_but_never_the_last_owner(
    app: Flask, team: dict[str, Any]
) -> None:
    owner = client_for(app, OWNER)
    project_id = team["project_id"]
    members = f"{PROJECT_PREFIX}{project_id}/membres/"
    token = csrf_token(owner, members)

    added = owner.post(f"{members}ajouter",
                       data={"csrf_token": token, "email": OUTSIDER, "role": "editor"})
    assert added.status_code == 302
    page = owner.get(members).get_data(as_text=True)
    assert "Camille Animation est désormais éditeur·rice du projet." in html.unescape(page)
    assert "autre@exemple.fr" in page

    unknown = owner.post(f"{members}ajouter",
                         data={"csrf_token": token, "email": "personne@exemple.fr",
                               "role": "viewer"})
    assert unknown.status_code == 400
    assert "Aucun compte n'existe pour « personne@exemple.fr »" in (
        field_error(unknown.get_data(as_text=True), "email") or ""
    )

    outsider_id = team["ids"][OUTSIDER]
    owner.post(f"{members}{outsider_id}/role", data={"csrf_token": token, "role": "viewer"})
    owner.post(f"{members}{team['ids'][EDITOR]}/retirer", data={"csrf_token": token})
    last = owner.post(f"{members}{team['ids'][OWNER]}/retirer", data={"csrf_token": token},
                      follow_redirects=True)
    assert "seule propriétaire du projet" in html.unescape(last.get_data(as_text=True))

    from app.extensions import database
    from workshops.store import list_members

    with app.app_context(), database.read_session() as db:
        roles = {m.email: m.role for m in list_members(db, project_id)}
    assert roles == {OWNER: Role.owner, VIEWER: Role.viewer, OUTSIDER: Role.viewer}
    with app.app_context(), database.read_session() as db:
        assert load_project(db, project_id).title == "CTG du Test 2025-2029"


def test_an_anonymous_visitor_is_sent_to_the_login_page(app: Flask, team: dict[str, Any]) -> None:
    response = app.test_client().get(f"{PROJECT_PREFIX}{team['project_id']}/tableau-de-bord/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/connexion?next=")
