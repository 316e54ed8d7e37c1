"""The settings page: title and notes, territory, convention period and signatories."""

from __future__ import annotations

import html as html_module
from typing import Any

from editor_helpers import (
    browser_form,
    get_page,
    open_project,
    project_url,
    second_facilitator,
    stored_project,
    stored_revision,
    submit,
    viewer_and_owner,
)
from pages_helpers import csrf_token, field_error, parse

from theory_of_change.model import Signatory, TerritoryKind


def _text(html: str) -> str:
    return " ".join(parse(html).text)


def test_the_settings_page_shows_the_project_as_saved(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    html = get_page(client, project_url(project_id, "parametres"))
    form = browser_form(html, project_url(project_id, "parametres", "territoire"))
    assert form["territoire-name"] == "Communauté de communes du Test"
    assert form["territoire-kind"] == "epci"
    assert form["territoire-early_childhood_competence"] == "epci"
    period = browser_form(html, project_url(project_id, "parametres", "periode"))
    assert (period["periode-start_year"], period["periode-end_year"]) == ("2025", "2029")
    assert "Paramètres et signataires" in _text(html)


def test_saving_the_title_and_notes(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    page = project_url(project_id, "parametres")
    response = submit(client, page, project_url(project_id, "parametres", "projet"), {
        "projet-title": "CTG 2025-2029 du Pays du Test", "projet-notes": "Relu par la Caf.",
    })
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/parametres#projet")
    project = stored_project(app, project_id)
    assert (project.title, project.notes) == ("CTG 2025-2029 du Pays du Test", "Relu par la Caf.")
    assert "Titre et notes du projet enregistrés." in get_page(client, page)


def test_an_empty_title_is_refused_next_to_the_field_keeping_the_notes(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    response = submit(client, project_url(project_id, "parametres"),
                      project_url(project_id, "parametres", "projet"),
                      {"projet-title": " ", "projet-notes": "Notes tapées avant le refus"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "projet-title") == "Donnez un titre au projet."
    assert "Notes tapées avant le refus</textarea>" in html
    assert stored_project(app, project_id).title == "CTG du Test 2025-2029"


def test_saving_the_territory_and_who_organises_early_childhood_care(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    response = submit(client, project_url(project_id, "parametres"),
                      project_url(project_id, "parametres", "territoire"), {
                          "territoire-name": "Communauté de communes du Grand Test",
                          "territoire-population": "12 500",
                          "territoire-early_childhood_competence": "commune",
                      })
    assert response.status_code == 302
    territory = stored_project(app, project_id).territory
    assert territory.name == "Communauté de communes du Grand Test"
    assert territory.population == 12_500
    assert territory.early_childhood_competence is TerritoryKind.commune
    assert [c.id for c in territory.communes] == ["alpha", "beta"]


def test_a_population_that_is_not_a_number_is_refused_in_french_next_to_it(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    response = submit(client, project_url(project_id, "parametres"),
                      project_url(project_id, "parametres", "territoire"), {
                          "territoire-population": "environ douze mille",
                          "territoire-department": "Vendée",
                      })
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = field_error(html, "territoire-population")
    assert error is not None and "nombre entier" in error
    assert 'value="environ douze mille"' in html
    assert 'value="Vendée"' in html
    assert stored_project(app, project_id).territory.department == "Loire-Atlantique"


def test_a_new_period_is_saved_and_the_actions_left_outside_are_named(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    page = project_url(project_id, "parametres")
    response = submit(client, page, project_url(project_id, "parametres", "periode"),
                      {"periode-start_year": "2027", "periode-end_year": "2031"})
    assert response.status_code == 302
    convention = stored_project(app, project_id).convention
    assert (convention.start_year, convention.end_year) == (2027, 2031)
    text = html_module.unescape(_text(get_page(client, page)))
    assert "Période de la convention enregistrée." in text
    assert "5 actions ont des années hors de la nouvelle période" in text
    assert ("L'action « Créer un guichet unique d'information des familles » prévue en 2026, "
            "hors de la nouvelle période.") in text


def test_a_period_ending_before_it_starts_is_refused_next_to_the_end_year(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    response = submit(client, project_url(project_id, "parametres"),
                      project_url(project_id, "parametres", "periode"),
                      {"periode-start_year": "2026", "periode-end_year": "2024"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "periode-end_year") == (
        "L'année de fin (2024) précède l'année de début (2026) de la convention."
    )
    assert 'value="2026"' in html and 'value="2024"' in html
    too_long = submit(client, project_url(project_id, "parametres"),
                      project_url(project_id, "parametres", "periode"),
                      {"periode-start_year": "2025", "periode-end_year": "2035"})
    assert field_error(too_long.get_data(as_text=True), "periode-end_year") == (
        "Une CTG dure 4 à 5 ans : de 2025 à 2035, la période dépasse 6 ans."
    )
    assert stored_project(app, project_id).convention.end_year == 2029


def test_signatories_are_added_edited_and_deleted(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    page = project_url(project_id, "parametres")
    added = submit(client, page, project_url(project_id, "signataires", "ajouter"), {
        "signataires-name": "Caf de Loire-Atlantique", "signataires-role": "signataire",
    })
    assert added.status_code == 302
    assert "Caf de Loire-Atlantique" in get_page(client, page)

    edit = project_url(project_id, "signataires", "1")
    assert submit(client, edit, changes={"represented_by": "la directrice"}).status_code == 302
    assert stored_project(app, project_id).signatories == [
        Signatory(name="Caf de Loire-Atlantique", role="signataire",
                  represented_by="la directrice")
    ]
    unnamed = submit(client, edit, changes={"name": ""})
    assert unnamed.status_code == 422
    assert field_error(unnamed.get_data(as_text=True), "name") == "Écrivez le nom du signataire."

    confirm = project_url(project_id, "signataires", "1", "supprimer")
    assert submit(client, confirm).status_code == 302
    assert stored_project(app, project_id).signatories == []


def test_a_stale_territory_form_is_refused_showing_the_other_change(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    other = second_facilitator(app)
    page = project_url(project_id, "parametres")
    action = project_url(project_id, "parametres", "territoire")
    stale = get_page(other, page)
    assert submit(client, page, action,
                  {"territoire-department": "Vendée"}).status_code == 302
    revision = stored_revision(app, project_id)

    data = browser_form(stale, action)
    data["territoire-name"] = "Nom choisi par la deuxième personne"
    refused = other.post(action, data=data)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "Le projet a été modifié par Camille Animation pendant que vous travailliez" in (
        _text(html)
    )
    assert 'value="Nom choisi par la deuxième personne"' in html
    assert 'value="Vendée"' in html  # the field left untouched takes the other's value
    assert stored_revision(app, project_id) == revision

    assert other.post(action, data=browser_form(html, action)).status_code == 302
    territory = stored_project(app, project_id).territory
    assert (territory.name, territory.department) == (
        "Nom choisi par la deuxième personne", "Vendée"
    )


def test_a_viewer_reads_the_settings_without_forms_and_cannot_save(
    app: Any, client: Any
) -> None:
    project_id, _owner = viewer_and_owner(app, client)
    html = get_page(client, project_url(project_id, "parametres"))
    assert 'class="editor-form' not in html
    assert "Communauté de communes du Test" in html
    response = client.post(project_url(project_id, "parametres", "projet"), data={
        "csrf_token": csrf_token(client), "revision": "1", "projet-title": "Piraté",
    })
    assert response.status_code == 403
    assert stored_project(app, project_id).title == "CTG du Test 2025-2029"


def test_the_navigation_and_the_overview_lead_to_the_new_pages(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    html = get_page(client, project_url(project_id))
    start = html.index('aria-label="Pages du projet"')
    nav = html[start:html.index("</nav>", start)]
    for page, label in (("parametres", "Paramètres et signataires"),
                        ("equipements", "Équipements et services"),
                        ("suivi", "Suivi des actions")):
        assert f'href="{project_url(project_id, page)}">{label}</a>' in nav
    text = _text(html)
    assert "La convention" in text
    assert "aucune valeur observée pour l'instant (5 actions)" in text
