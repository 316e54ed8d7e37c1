"""Deleting an item shows what depends on it and asks before cutting any link."""

from __future__ import annotations

from typing import Any

from editor_helpers import get_page, open_project, project_url, stored_project, submit
from pages_helpers import parse


def test_the_confirmation_lists_each_dependent_and_what_will_happen_to_it(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    submit(client, project_url(project_id, "changements", "chg-enfance"),
           changes={"preconditions": ["chg-familles-informees"]})
    html = get_page(client, project_url(project_id, "changements", "chg-familles-informees",
                                        "supprimer"))
    text = " ".join(parse(html).text)
    assert "5 éléments en dépendent" in text
    assert "Le changement « Changement pour enfance » a ce changement pour précondition : ce " \
           "lien sera coupé." in text
    assert text.count("observe ce changement : il sera supprimé avec lui") == 3
    assert "L'action « Créer un guichet unique d'information des familles » contribue à ce " \
           "changement : ce lien sera coupé." in text
    assert "Supprimer et couper ces liens" in text


def test_cancelling_keeps_the_item_and_its_links(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    before = stored_project(app, project_id)
    page = project_url(project_id, "enjeux", "enjeu-accueil", "supprimer")
    html = get_page(client, page)
    cancel = [attrs["href"] for tag, attrs in parse(html).tags
              if tag == "a" and attrs.get("class") == "button secondary"
              and attrs.get("href", "").endswith("/enjeux/enjeu-accueil")]
    assert cancel, "pas de bouton Annuler vers la fiche de l'enjeu"
    assert client.get(cancel[0]).status_code == 200
    assert stored_project(app, project_id) == before


def test_confirming_deletes_the_change_cuts_its_links_and_drops_its_markers(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    submit(client, project_url(project_id, "changements", "chg-enfance"),
           changes={"preconditions": ["chg-familles-informees"]})
    page = project_url(project_id, "changements", "chg-familles-informees", "supprimer")
    response = submit(client, page)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(project_url(project_id, "changements"))
    project = stored_project(app, project_id)
    assert "chg-familles-informees" not in {c.id for c in project.changes}
    assert project.change("chg-enfance").preconditions == []
    assert all(m.change != "chg-familles-informees" for m in project.markers)
    assert project.activity("act-guichet-unique").contributes_to == []
    listing = " ".join(parse(get_page(client, project_url(project_id, "changements"))).text)
    assert "Changement « Les familles connaissent les modes d'accueil du territoire » " \
           "supprimé (5 lien(s) ou élément(s) concerné(s))." in listing


def test_deleting_a_stake_cuts_the_changes_answering_it(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    response = submit(client, project_url(project_id, "enjeux", "enjeu-enfance", "supprimer"))
    assert response.status_code == 302
    project = stored_project(app, project_id)
    assert "enjeu-enfance" not in {s.id for s in project.stakes}
    assert project.change("chg-enfance").addresses == []
    assert project.change("chg-enfance").statement == "Changement pour enfance"


def test_an_item_nothing_depends_on_says_so_before_deleting(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    marker_id = stored_project(app, project_id).markers[0].id
    html = get_page(client, project_url(project_id, "marqueurs", marker_id, "supprimer"))
    assert "Rien n'en dépend" in parse(html).text
    assert submit(client, project_url(project_id, "marqueurs", marker_id, "supprimer")
                  ).status_code == 302
    assert marker_id not in {m.id for m in stored_project(app, project_id).markers}
