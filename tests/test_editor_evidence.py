"""A stake's evidence on its page: figures and quotes listed, added, edited, removed."""

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
    submit,
    viewer_and_owner,
)
from factories import make_project, make_stake
from pages_helpers import csrf_token, field_error, parse

from theory_of_change.model import QualitativeEvidence, QuantitativeEvidence

STAKE = "enjeu-accueil"


def _project() -> Any:
    stake = make_stake(evidence=[
        QuantitativeEvidence(indicator="taux de couverture (%)", territory="Alpha", value=41.0,
                             reference=76.2, reference_territory="Loire-Atlantique"),
        QualitativeEvidence(quote="On fait vingt minutes de route le matin.", group="habitants"),
    ])
    return make_project(stakes=[stake, *make_project().stakes[1:]])


def _evidence(app: Any, project_id: int) -> list[Any]:
    return stored_project(app, project_id).stake(STAKE).evidence


def _text(html: str) -> str:
    return html_module.unescape(" ".join(parse(html).text))


def test_the_stake_page_lists_its_figures_and_quotes(app: Any, client: Any) -> None:
    project_id = open_project(app, client, _project())
    text = _text(get_page(client, project_url(project_id, "enjeux", STAKE)))
    assert "Données à l'appui" in text
    assert "taux de couverture (%)" in text and "41" in text and "76,2" in text
    assert "On fait vingt minutes de route le matin." in text
    assert "habitants" in text


def test_adding_a_figure_stores_its_numbers_and_comes_back_to_the_stake(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client, _project())
    page = project_url(project_id, "enjeux", STAKE)
    response = submit(client, page, project_url(project_id, "enjeux", STAKE, "donnees",
                                                "ajouter-chiffre"), {
        "chiffre-indicator": "part des assistantes maternelles de 60 ans et plus (%)",
        "chiffre-territory": "Bêta", "chiffre-value": "20", "chiffre-reference": "11,5",
        "chiffre-year": "2024", "chiffre-source": "Portrait de territoire Caf",
    })
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/enjeux/{STAKE}#donnees")
    figure = _evidence(app, project_id)[-1]
    assert (figure.indicator, figure.value, figure.reference, figure.year) == (
        "part des assistantes maternelles de 60 ans et plus (%)", 20, 11.5, 2024
    )
    assert "Chiffre ajouté à l'enjeu « Renforcer l'offre d'accueil du jeune enfant »." in (
        _text(get_page(client, page))
    )


def test_a_figure_without_indicator_is_refused_next_to_it_and_the_stake_form_is_intact(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client, _project())
    page = project_url(project_id, "enjeux", STAKE)
    response = submit(client, page, project_url(project_id, "enjeux", STAKE, "donnees",
                                                "ajouter-chiffre"),
                      {"chiffre-indicator": "", "chiffre-value": "57"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "chiffre-indicator") == (
        "Écrivez l'indicateur, par exemple « taux de couverture petite enfance (%) »."
    )
    assert 'value="57"' in html
    assert browser_form(html, page)["title"] == "Renforcer l'offre d'accueil du jeune enfant"
    assert len(_evidence(app, project_id)) == 2


def test_adding_a_quote_with_its_group_and_theme(app: Any, client: Any) -> None:
    project_id = open_project(app, client, _project())
    response = submit(client, project_url(project_id, "enjeux", STAKE),
                      project_url(project_id, "enjeux", STAKE, "donnees", "ajouter-parole"), {
                          "parole-quote": "Personne n'a la carte d'ensemble des besoins.",
                          "parole-group": "élus", "parole-source": "Atelier élus",
                          "parole-theme": "petite-enfance",
                      })
    assert response.status_code == 302
    assert _evidence(app, project_id)[-1] == QualitativeEvidence(
        quote="Personne n'a la carte d'ensemble des besoins.", group="élus",
        source="Atelier élus", theme="petite-enfance",
    )


def test_editing_a_figure_and_a_year_that_is_not_one_refused_in_french(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client, _project())
    page = project_url(project_id, "enjeux", STAKE, "donnees", "1")
    assert browser_form(get_page(client, page), page)["value"] == "41"
    assert submit(client, page, changes={"value": "43,5", "reference": ""}).status_code == 302
    figure = _evidence(app, project_id)[0]
    assert (figure.value, figure.reference, figure.territory) == (43.5, None, "Alpha")

    refused = submit(client, page, changes={"year": "l'an dernier"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    error = field_error(html, "year")
    assert error is not None and "nombre entier" in error
    assert "value=\"l&#39;an dernier\"" in html or 'value="l\'an dernier"' in html


def test_removing_a_quote_after_confirming(app: Any, client: Any) -> None:
    project_id = open_project(app, client, _project())
    confirm = project_url(project_id, "enjeux", STAKE, "donnees", "2", "supprimer")
    assert "On fait vingt minutes de route le matin." in get_page(client, confirm)
    response = submit(client, confirm)
    assert response.status_code == 302
    assert [e.kind for e in _evidence(app, project_id)] == ["quantitative"]
    page = get_page(client, project_url(project_id, "enjeux", STAKE))
    assert "La parole recueillie a été retirée de l'enjeu." in _text(page)
    assert client.get(confirm).status_code == 404


def test_a_stale_figure_form_is_refused_then_added_knowingly(app: Any, client: Any) -> None:
    project_id = open_project(app, client, _project())
    other = second_facilitator(app)
    page = project_url(project_id, "enjeux", STAKE)
    action = project_url(project_id, "enjeux", STAKE, "donnees", "ajouter-chiffre")
    stale = get_page(other, page)
    assert submit(client, page, changes={"title": "Titre changé par Camille"}).status_code == 302

    data = browser_form(stale, action)
    data["chiffre-indicator"] = "naissances"
    refused = other.post(action, data=data)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "« Titre changé par Camille »" in _text(html)
    assert 'value="naissances"' in html
    assert other.post(action, data=browser_form(html, action)).status_code == 302
    assert _evidence(app, project_id)[-1].indicator == "naissances"


def test_removing_from_a_stale_page_after_the_list_changed_removes_nothing(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client, _project())
    other = second_facilitator(app)
    confirm = project_url(project_id, "enjeux", STAKE, "donnees", "1", "supprimer")
    stale = get_page(other, confirm)
    assert submit(client, confirm).status_code == 302  # the figure n° 1 is removed

    response = other.post(confirm, data=browser_form(stale, confirm), follow_redirects=True)
    assert "ont été ajoutées ou supprimées entre-temps" in _text(response.get_data(as_text=True))
    assert [e.kind for e in _evidence(app, project_id)] == ["qualitative"]


def test_a_viewer_reads_the_evidence_without_forms_and_cannot_add_any(
    app: Any, client: Any
) -> None:
    project_id, _owner = viewer_and_owner(app, client, _project())
    html = get_page(client, project_url(project_id, "enjeux", STAKE))
    assert "On fait vingt minutes de route le matin." in html
    assert "Ajouter un chiffre" not in html and 'class="editor-form' not in html
    figure = get_page(client, project_url(project_id, "enjeux", STAKE, "donnees", "1"))
    assert "taux de couverture (%)" in figure and 'class="editor-form' not in figure
    response = client.post(
        project_url(project_id, "enjeux", STAKE, "donnees", "ajouter-parole"),
        data={"csrf_token": csrf_token(client), "revision": "1", "parole-quote": "Piraté"},
    )
    assert response.status_code == 403
    assert len(_evidence(app, project_id)) == 2
