"""Two facilitators saving from the same revision: the second save is refused, nothing lost."""

from __future__ import annotations

from typing import Any

from editor_helpers import (
    browser_form,
    get_page,
    log_in_as,
    open_project,
    project_url,
    stored_project,
    stored_revision,
    submit,
)
from pages_helpers import create_facilitator, parse


def _second_facilitator(app: Any) -> Any:
    create_facilitator(app, "deuxieme@exemple.fr")
    other = app.test_client()
    log_in_as(other, "deuxieme@exemple.fr")
    return other


def test_the_second_save_is_refused_showing_the_other_change_and_keeping_the_typed_one(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    other = _second_facilitator(app)
    page = project_url(project_id, "enjeux", "enjeu-accueil")
    stale = get_page(other, page)
    assert submit(client, page, changes={"title": "Titre choisi par Camille"}).status_code == 302

    data = browser_form(stale, page)
    data["title"] = "Titre choisi par la deuxième personne"
    response = other.post(page, data=data)

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    text = " ".join(parse(html).text)
    assert "Enregistrement refusé." in text
    assert "Le projet a été modifié par Camille Animation pendant que vous travailliez" in text
    assert "« Titre choisi par Camille »" in text
    assert 'value="Titre choisi par la deuxième personne"' in html
    assert stored_project(app, project_id).stake("enjeu-accueil").title == (
        "Titre choisi par Camille"
    )
    # Saving again, knowingly, from the refused page now goes through.
    again = other.post(page, data=browser_form(html, page))
    assert again.status_code == 302
    assert stored_project(app, project_id).stake("enjeu-accueil").title == (
        "Titre choisi par la deuxième personne"
    )


def test_fields_left_untouched_take_the_other_value_so_saving_again_loses_nothing(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    other = _second_facilitator(app)
    page = project_url(project_id, "enjeux", "enjeu-accueil")
    stale = get_page(other, page)
    submit(client, page, changes={"description": "Description écrite par Camille"})

    data = browser_form(stale, page)
    data["title"] = "Nouveau titre"
    refused = other.post(page, data=data)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "Description écrite par Camille</textarea>" in html
    assert 'value="Nouveau titre"' in html

    assert other.post(page, data=browser_form(html, page)).status_code == 302
    stake = stored_project(app, project_id).stake("enjeu-accueil")
    assert (stake.title, stake.description) == ("Nouveau titre", "Description écrite par Camille")


def test_an_item_added_from_a_stale_page_is_refused_then_added_knowingly(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    other = _second_facilitator(app)
    page = project_url(project_id, "enjeux")
    action = project_url(project_id, "enjeux", "ajouter")
    stale = get_page(other, page)
    submit(client, project_url(project_id, "vision"), changes={
        "text": "En 2037, territoire où chaque famille trouve sa place, et ses voisins aussi."
    })
    revision = stored_revision(app, project_id)

    data = browser_form(stale, action)
    data["enjeux-title"] = "Accompagner les aidants familiaux"
    refused = other.post(action, data=data)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert 'value="Accompagner les aidants familiaux"' in html
    assert "Vision" in " ".join(parse(html).text)
    assert stored_revision(app, project_id) == revision

    assert other.post(action, data=browser_form(html, action)).status_code == 302
    project = stored_project(app, project_id)
    assert project.stakes[-1].title == "Accompagner les aidants familiaux"
    assert project.vision is not None and "ses voisins aussi" in project.vision.text


def test_a_deletion_confirmed_on_a_stale_page_shows_the_new_dependents_first(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    other = _second_facilitator(app)
    confirm = project_url(project_id, "enjeux", "enjeu-jeunesse", "supprimer")
    stale = get_page(other, confirm)
    submit(client, project_url(project_id, "changements", "chg-enfance"),
           changes={"addresses": ["enjeu-enfance", "enjeu-jeunesse"]})

    refused = other.post(confirm, data=browser_form(stale, confirm))
    assert refused.status_code == 409
    text = " ".join(parse(refused.get_data(as_text=True)).text)
    assert "Le changement « Changement pour enfance » répond à cet enjeu" in text
    assert "enjeu-jeunesse" in {s.id for s in stored_project(app, project_id).stakes}
