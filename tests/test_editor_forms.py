"""The editor's forms: adding and editing items, with French errors next to the fields."""

from __future__ import annotations

from typing import Any

from editor_helpers import browser_form, get_page, open_project, project_url, stored_project, submit
from pages_helpers import field_error

from theory_of_change.model import ChangeStatus, Link, MarkerLevel


def test_adding_a_stake_saves_it_and_lists_it_under_its_theme(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    page = project_url(project_id, "enjeux")
    response = submit(client, page, project_url(project_id, "enjeux", "ajouter"), {
        "enjeux-title": "Soutenir les familles monoparentales",
        "enjeux-theme": "parentalite",
    })
    assert response.status_code == 302
    stake = stored_project(app, project_id).stakes[-1]
    assert (stake.id, stake.theme) == ("enjeu-soutenir-familles-monoparentales", "parentalite")
    html = get_page(client, page)
    assert "Enjeu « Soutenir les familles monoparentales » ajouté." in html
    assert "Soutenir les familles monoparentales" in html


def test_a_stake_without_title_is_refused_next_to_the_field_keeping_what_was_typed(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    before = stored_project(app, project_id)
    response = submit(client, project_url(project_id, "enjeux"),
                      project_url(project_id, "enjeux", "ajouter"), {
                          "enjeux-title": "   ",
                          "enjeux-description": "Les familles monoparentales sont isolées.",
                      })
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "enjeux-title") == "Écrivez l'intitulé de l'enjeu."
    assert "Les familles monoparentales sont isolées.</textarea>" in html
    assert stored_project(app, project_id) == before


def test_editing_a_change_saves_its_fields_and_keeps_its_id(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    page = project_url(project_id, "changements", "chg-enfance")
    response = submit(client, page, changes={
        "statement": "Les enfants trouvent un accueil de loisirs près de chez eux",
        "status": "set_aside",
        "priority_rank": "",
        "actors": "enfants\nfamilles\n\nenfants",
    })
    assert response.status_code == 302
    change = stored_project(app, project_id).change("chg-enfance")
    assert change.statement == "Les enfants trouvent un accueil de loisirs près de chez eux"
    assert change.status is ChangeStatus.set_aside
    assert change.priority_rank is None
    assert change.actors == ["enfants", "familles"]
    assert "modifications enregistrées" in get_page(client, page)


def test_a_rank_that_is_not_a_number_is_explained_in_french_next_to_it(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    page = project_url(project_id, "changements", "chg-enfance")
    response = submit(client, page, changes={
        "statement": "Un énoncé retapé", "priority_rank": "premier",
    })
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = field_error(html, "priority_rank")
    assert error is not None and "nombre entier" in error
    assert 'value="premier"' in html
    assert "Un énoncé retapé</textarea>" in html
    assert stored_project(app, project_id).change("chg-enfance").statement == (
        "Changement pour enfance"
    )


def test_linking_a_change_to_a_precondition_with_its_hypothesis_a_stake_and_the_vision(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    page = project_url(project_id, "changements", "chg-enfance")
    response = submit(client, page, changes={
        "preconditions": ["chg-familles-informees"],
        "preconditions__chg-familles-informees": "Si les familles connaissent l'offre, "
                                                 "alors elles inscrivent leurs enfants.",
        "addresses": ["enjeu-enfance", "enjeu-accueil"],
        "leads_to_vision": "y",
        "vision_hypothesis": "Si les enfants sont accueillis, alors les familles restent.",
    })
    assert response.status_code == 302
    change = stored_project(app, project_id).change("chg-enfance")
    assert change.preconditions == [Link(
        to="chg-familles-informees",
        hypothesis="Si les familles connaissent l'offre, alors elles inscrivent leurs enfants.",
    )]
    assert change.addresses == ["enjeu-enfance", "enjeu-accueil"]
    assert change.leads_to_vision is True
    assert change.vision_hypothesis.startswith("Si les enfants sont accueillis")


def test_a_precondition_closing_a_loop_is_refused_naming_the_loop(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    submit(client, project_url(project_id, "changements", "chg-enfance"),
           changes={"preconditions": ["chg-familles-informees"]})
    page = project_url(project_id, "changements", "chg-familles-informees")
    response = submit(client, page, changes={
        "preconditions": ["chg-enfance"],
        "preconditions__chg-enfance": "Hypothèse tapée avant le refus",
    })
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = field_error(html, "preconditions")
    assert error is not None and error.startswith("Ce lien créerait une boucle de préconditions")
    assert "Hypothèse tapée avant le refus</textarea>" in html
    assert stored_project(app, project_id).change("chg-familles-informees").preconditions == []


def test_an_activity_contributes_to_the_changes_ticked_with_their_hypotheses(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    page = project_url(project_id, "actions", "act-jeunesse")
    response = submit(client, page, changes={
        "contributes_to": ["chg-jeunesse", "chg-parentalite"],
        "contributes_to__chg-parentalite": "Si les jeunes parents sont accueillis, alors…",
        "years": ["2026", "2027"],
        "scope": ["beta"],
    })
    assert response.status_code == 302
    activity = stored_project(app, project_id).activity("act-jeunesse")
    assert [link.to for link in activity.contributes_to] == ["chg-jeunesse", "chg-parentalite"]
    assert activity.contributes_to[1].hypothesis == "Si les jeunes parents sont accueillis, alors…"
    assert (activity.years, activity.scope) == ([2026, 2027], ["beta"])


def test_a_marker_is_added_to_a_change_at_a_level_then_moved_to_another(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    page = project_url(project_id, "marqueurs")
    add = project_url(project_id, "marqueurs", "ajouter")
    preset = browser_form(get_page(client, page + "?changement=chg-enfance"), add)
    assert preset["marqueurs-change"] == "chg-enfance"
    response = submit(client, page, add, {
        "marqueurs-change": "chg-enfance",
        "marqueurs-level": "love",
        "marqueurs-text": "Les enfants proposent eux-mêmes des activités",
    })
    assert response.status_code == 302
    marker = stored_project(app, project_id).markers[-1]
    assert (marker.change, marker.level) == ("chg-enfance", MarkerLevel.love)
    response = submit(client, project_url(project_id, "marqueurs", marker.id),
                      changes={"change": "chg-jeunesse", "level": "like"})
    assert response.status_code == 302
    moved = stored_project(app, project_id).marker(marker.id)
    assert (moved.change, moved.level) == ("chg-jeunesse", MarkerLevel.like)


def test_adding_a_change_opens_its_form_to_complete_its_links(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    response = submit(client, project_url(project_id, "changements"),
                      project_url(project_id, "changements", "ajouter"), {
                          "changements-statement": "Les familles monoparentales sont épaulées",
                          "changements-addresses": ["enjeu-parentalite"],
                          "changements-leads_to_vision": "y",
                      })
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        "/changements/chg-familles-monoparentales-epaulees"
    )
    change = stored_project(app, project_id).change("chg-familles-monoparentales-epaulees")
    assert (change.addresses, change.leads_to_vision) == (["enjeu-parentalite"], True)


def test_the_action_sheet_reads_one_calendar_step_per_line(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    page = project_url(project_id, "actions", "act-guichet-unique", "fiche")
    response = submit(client, page, changes={
        "lead": "Service petite enfance",
        "partners": "Caf\nPMI",
        "schedule": "2026 : lancement\nsans deux-points",
        "expected_results": "Les familles appellent le guichet",
    })
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "schedule") == (
        "Ligne 2 : écrivez la période, deux-points, puis l'étape (par exemple « 2026 : "
        "lancement du groupe de travail »)."
    )
    assert "2026 : lancement\nsans deux-points</textarea>" in html
    response = submit(client, page, changes={
        "lead": "Service petite enfance",
        "schedule": "2026 : lancement\n2027-2028 : extension aux communes",
    })
    assert response.status_code == 302
    sheet = stored_project(app, project_id).activity("act-guichet-unique").sheet
    assert sheet.lead == "Service petite enfance"
    assert [(step.period, step.text) for step in sheet.schedule] == [
        ("2026", "lancement"), ("2027-2028", "extension aux communes"),
    ]


def test_the_vision_takes_its_horizon_from_its_opening_words(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    page = project_url(project_id, "vision")
    response = submit(client, page, changes={
        "text": "En 2040, territoire où chaque enfant grandit entouré.", "horizon_year": "",
    })
    assert response.status_code == 302
    vision = stored_project(app, project_id).vision
    assert vision is not None and vision.horizon_year == 2040
    response = submit(client, page, changes={"text": "", "horizon_year": "2040"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "text") == "Écrivez le texte de la vision."


def test_evaluation_and_sppe_extra_elements_are_saved_from_their_pages(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    response = submit(client, project_url(project_id, "evaluation"), changes={
        "continuous_follow_up": "Tableau de suivi mis à jour chaque trimestre",
        "interim_report_year": "2027",
    })
    assert response.status_code == 302
    response = submit(client, project_url(project_id, "sppe"), changes={
        "vulnerable_families": "Places réservées aux familles en insertion",
    })
    assert response.status_code == 302
    project = stored_project(app, project_id)
    assert project.evaluation.interim_report_year == 2027
    assert project.sppe.extra.vulnerable_families == "Places réservées aux familles en insertion"


def test_rows_without_id_are_added_edited_and_deleted_by_position(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    response = submit(client, project_url(project_id, "pilotage"),
                      project_url(project_id, "charges-de-cooperation", "ajouter"), {
                          "charges-de-cooperation-name": "Chargée de coopération CTG",
                          "charges-de-cooperation-fte": "0,5",
                          "charges-de-cooperation-themes": ["enfance", "jeunesse"],
                      })
    assert response.status_code == 302
    officer = stored_project(app, project_id).governance.cooperation_officers[0]
    assert (officer.fte, officer.themes) == (0.5, ["enfance", "jeunesse"])
    page = project_url(project_id, "charges-de-cooperation", "1")
    assert submit(client, page, changes={"fte": "1"}).status_code == 302
    assert stored_project(app, project_id).governance.cooperation_officers[0].fte == 1
    assert submit(client, page + "/supprimer").status_code == 302
    assert stored_project(app, project_id).governance.cooperation_officers == []


def test_a_sub_objective_must_belong_to_an_axis(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    page = project_url(project_id, "axes")
    action = project_url(project_id, "sous-objectifs", "ajouter")
    response = submit(client, page, action, {"sous-objectifs-axis": "",
                                             "sous-objectifs-title": "Un sous-objectif"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "sous-objectifs-axis") == (
        "Choisissez l'axe stratégique du sous-objectif."
    )
    axis_id = stored_project(app, project_id).axes[0].id
    response = submit(client, page, action, {"sous-objectifs-axis": axis_id,
                                             "sous-objectifs-title": "Un sous-objectif"})
    assert response.status_code == 302
    assert [s.title for s in stored_project(app, project_id).axes[0].sub_objectives][-1] == (
        "Un sous-objectif"
    )


def test_an_unknown_item_or_kind_is_a_french_404(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    for path in ("changements/chg-inexistant", "bidules/x", "lignes-sppe/9"):
        response = client.get(project_url(project_id, path))
        assert response.status_code == 404
        assert "Page introuvable" in response.get_data(as_text=True)
