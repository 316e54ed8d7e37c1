"""The facilities of annexe 3: listed by type, added, edited and deleted; unknown amounts
stay empty, never 0."""

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
from factories import make_project
from pages_helpers import csrf_token, field_error, parse

from theory_of_change.model import Facility, FacilityType, Signatory


def _project_with_facility() -> Any:
    return make_project(
        signatories=[Signatory(name="Caf de Loire-Atlantique")],
        facilities=[Facility(id="eq-lutins", type=FacilityType.eaje_psu,
                             name="Multi-accueil Les Lutins", commune="alpha",
                             caf_funding=80_000)],
    )


def _add(client: Any, project_id: int, fields: dict[str, str]) -> Any:
    return submit(client, project_url(project_id, "equipements"),
                  project_url(project_id, "equipements", "ajouter"), fields)


def test_a_facility_is_added_with_its_amounts_and_listed_under_its_type(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client, _project_with_facility())
    response = _add(client, project_id, {
        "equipements-type": "laep", "equipements-name": "LAEP itinérant",
        "equipements-commune": "beta", "equipements-signatory": "Caf de Loire-Atlantique",
        "equipements-caf_funding": "12 500,50 €", "equipements-authority_funding": "",
    })
    assert response.status_code == 302
    facility = stored_project(app, project_id).facilities[-1]
    assert facility == Facility(
        id="eq-laep-itinerant", type=FacilityType.laep, name="LAEP itinérant", commune="beta",
        signatory="Caf de Loire-Atlantique", caf_funding=12_500.5, authority_funding=None,
    )
    html = get_page(client, project_url(project_id, "equipements"))
    text = html_module.unescape(" ".join(parse(html).text))
    assert "Équipement « LAEP itinérant » ajouté." in text
    assert (html.index('id="type-eaje_psu"') < html.index("Multi-accueil Les Lutins</a>")
            < html.index('id="type-laep"') < html.index("LAEP itinérant</a>"))
    assert "12\u202f500,50\u202f€" in text and "80\u202f000\u202f€" in text
    assert "inconnu" in text  # the authority's amount, never shown as 0
    # The signatories are offered as suggestions.
    assert '<option value="Caf de Loire-Atlantique">' in html


def test_an_amount_that_is_not_one_is_refused_next_to_it_keeping_what_was_typed(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    response = _add(client, project_id, {
        "equipements-name": "Accueil de loisirs", "equipements-caf_funding": "beaucoup",
        "equipements-authority_funding": "-300",
    })
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "equipements-caf_funding") == (
        "Écrivez un montant en euros, par exemple 12\u202f500 ou 12\u202f500,50 ; laissez vide "
        "s'il n'est pas connu."
    )
    assert field_error(html, "equipements-authority_funding") == (
        "Un montant ne peut pas être négatif."
    )
    assert 'value="Accueil de loisirs"' in html
    assert stored_project(app, project_id).facilities == []


def test_a_facility_without_name_is_refused_in_french(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    response = _add(client, project_id, {"equipements-name": " "})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "equipements-name") == (
        "Écrivez le nom de l'équipement ou du service."
    )


def test_the_portrait_marker_of_a_secret_amount_is_stored_as_unknown(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    assert _add(client, project_id, {"equipements-name": "Clas du collège",
                                     "equipements-type": "clas",
                                     "equipements-caf_funding": "XXX"}).status_code == 302
    assert stored_project(app, project_id).facilities[-1].caf_funding is None


def test_editing_and_deleting_a_facility(app: Any, client: Any) -> None:
    project_id = open_project(app, client, _project_with_facility())
    page = project_url(project_id, "equipements", "eq-lutins")
    form = browser_form(get_page(client, page), page)
    assert form["caf_funding"] == "80000"
    response = submit(client, page, changes={
        "type": "eaje_mc_paje", "commune": "", "caf_funding": "", "address": "2 rue des Écoles",
    })
    assert response.status_code == 302
    facility = stored_project(app, project_id).facilities[0]
    assert (facility.type, facility.commune, facility.caf_funding, facility.address) == (
        FacilityType.eaje_mc_paje, None, None, "2 rue des Écoles"
    )
    confirm = project_url(project_id, "equipements", "eq-lutins", "supprimer")
    assert "Rien n'en dépend" in get_page(client, confirm)
    assert submit(client, confirm).status_code == 302
    assert stored_project(app, project_id).facilities == []


def test_adding_from_a_type_preselects_it(app: Any, client: Any) -> None:
    project_id = open_project(app, client, _project_with_facility())
    html = get_page(client, project_url(project_id, "equipements") + "?type=rpe")
    form = browser_form(html, project_url(project_id, "equipements", "ajouter"))
    assert form["equipements-type"] == "rpe"


def test_a_stale_facility_form_is_refused_then_saved_knowingly(app: Any, client: Any) -> None:
    project_id = open_project(app, client, _project_with_facility())
    other = second_facilitator(app)
    page = project_url(project_id, "equipements", "eq-lutins")
    stale = get_page(other, page)
    assert submit(client, page, changes={"caf_funding": "90 000"}).status_code == 302

    data = browser_form(stale, page)
    data["name"] = "Multi-accueil Les Petits Lutins"
    refused = other.post(page, data=data)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert 'value="Multi-accueil Les Petits Lutins"' in html
    assert 'value="90000"' in html
    assert other.post(page, data=browser_form(html, page)).status_code == 302
    facility = stored_project(app, project_id).facilities[0]
    assert (facility.name, facility.caf_funding) == ("Multi-accueil Les Petits Lutins", 90_000)


def test_a_viewer_reads_the_facilities_without_forms_and_cannot_add_one(
    app: Any, client: Any
) -> None:
    project_id, _owner = viewer_and_owner(app, client, _project_with_facility())
    html = get_page(client, project_url(project_id, "equipements"))
    assert "Multi-accueil Les Lutins" in html
    assert 'class="editor-form' not in html
    response = client.post(project_url(project_id, "equipements", "ajouter"), data={
        "csrf_token": csrf_token(client), "revision": "1", "equipements-name": "Piraté",
    })
    assert response.status_code == 403
    assert len(stored_project(app, project_id).facilities) == 1
