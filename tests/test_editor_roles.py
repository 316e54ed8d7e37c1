"""Roles on the editor's pages: a viewer reads every page, without any form to save."""

from __future__ import annotations

from typing import Any

from editor_helpers import browser_form, get_page, log_in_as, project_url, stored_project
from pages_helpers import create_facilitator, csrf_token, seed_project

from workshops.store.members import Role, add_member

OWNER = "proprietaire@exemple.fr"
VIEWER = "conseillere.caf@exemple.fr"


def _viewer_on_project(app: Any, client: Any) -> tuple[int, Any]:
    """A project with an owner and a viewer; the owner's client, the viewer logged in."""
    from app.extensions import database

    owner_id = create_facilitator(app, OWNER)
    create_facilitator(app, VIEWER)
    project_id = seed_project(app)
    with app.app_context(), database.session() as db:
        add_member(db, project_id, VIEWER, Role.viewer, by_user_id=owner_id)
    log_in_as(client, VIEWER)
    owner = app.test_client()
    log_in_as(owner, OWNER)
    return project_id, owner


def test_a_viewer_reads_the_pages_without_any_edit_form(app: Any, client: Any) -> None:
    project_id, _owner = _viewer_on_project(app, client)
    for path in (("enjeux",), ("changements", "chg-enfance"), ("vision",),
                 ("actions", "act-guichet-unique", "fiche"), ("sppe",)):
        html = get_page(client, project_url(project_id, *path))
        assert 'class="editor-form' not in html, path
        assert "lecture seule" in html
    change = get_page(client, project_url(project_id, "changements", "chg-enfance"))
    assert "Changement pour enfance" in change
    assert "Supprimer…" not in change


def test_a_viewer_post_is_refused_in_french_and_changes_nothing(app: Any, client: Any) -> None:
    project_id, owner = _viewer_on_project(app, client)
    before = stored_project(app, project_id)
    page = project_url(project_id, "enjeux", "enjeu-accueil")
    data = browser_form(get_page(owner, page), page)
    data["title"] = "Titre d'une lectrice"
    data["csrf_token"] = csrf_token(client)
    response = client.post(page, data=data)
    assert response.status_code == 403
    assert "Votre rôle sur ce projet (lecteur·rice) ne permet pas cette action" in (
        response.get_data(as_text=True)
    )
    deletion = project_url(project_id, "enjeux", "enjeu-accueil", "supprimer")
    assert client.post(deletion, data={"csrf_token": csrf_token(client),
                                       "revision": "1"}).status_code == 403
    assert stored_project(app, project_id) == before


def test_the_owner_still_edits_the_shared_project(app: Any, client: Any) -> None:
    project_id, owner = _viewer_on_project(app, client)
    page = project_url(project_id, "enjeux", "enjeu-accueil")
    html = get_page(owner, page)
    assert 'class="editor-form' in html and "lecture seule" not in html
    data = browser_form(html, page)
    data["title"] = "Titre de la propriétaire"
    assert owner.post(page, data=data).status_code == 302
    assert stored_project(app, project_id).stake("enjeu-accueil").title == (
        "Titre de la propriétaire"
    )


def _editor_routes(app: Any, project_id: int) -> list[tuple[str, str]]:
    """``(method, url)`` of every route of the editor, filled with real values."""
    values = {"project_id": project_id, "kind": "enjeux", "key": "enjeu-accueil", "index": 1}
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("editor."):
            continue
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        routes += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def test_every_editor_route_is_refused_to_an_anonymous_visitor(app: Any, client: Any) -> None:
    project_id = seed_project(app)
    routes = _editor_routes(app, project_id)
    assert len(routes) >= 25
    token = csrf_token(client)
    for method, url in routes:
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 302, url
            assert "/auth/connexion" in response.headers["Location"], url
        else:
            response = client.post(url, data={"csrf_token": token, "revision": "1"})
            assert response.status_code == 403, (method, url)


def test_an_editor_form_without_csrf_token_is_refused(app: Any, client: Any) -> None:
    project_id, _owner = _viewer_on_project(app, client)
    owner = app.test_client()
    log_in_as(owner, OWNER)
    before = stored_project(app, project_id)
    response = owner.post(project_url(project_id, "enjeux", "enjeu-accueil"),
                          data={"title": "Sans jeton", "revision": "1"})
    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)
    assert stored_project(app, project_id) == before
