"""The console: projects and workshops, creating a workshop, preparing steps (no JS)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from factories import make_dot_vote_step, make_project_with_proposed_changes
from pages_helpers import (
    field_error,
    log_in,
    post,
    reload_workshop,
    seed_project,
    seed_workshop,
)

from workshops.model import (
    BrainstormStep,
    ChoiceStep,
    DotVoteStep,
    PrioritiseChanges,
    RankingStep,
    RatingStep,
    RecordVisionVote,
    StepStatus,
    WorkshopStatus,
)


@pytest.fixture
def facilitator(app: Any, client: Any) -> Any:
    """The test client, logged in."""
    log_in(client, app)
    return client


def _new_step(client: Any, workshop_id: int, kind: str, data: dict[str, Any]) -> Any:
    path = f"/console/ateliers/{workshop_id}/etapes/nouvelle/{kind}"
    return post(client, path, data, token_from=path)


def test_home_lists_workshops_with_their_code_and_projects_with_a_create_link(
    app: Any, facilitator: Any
) -> None:
    workshop = seed_workshop(app, [make_dot_vote_step()], title="Atelier de Pornic")
    page = facilitator.get("/console/").get_data(as_text=True)
    assert "Atelier de Pornic" in page
    assert workshop.code in page
    assert "en cours" in page
    assert "CTG du Test 2025-2029" in page
    assert "/console/ateliers/nouveau?projet=" in page


def test_creating_a_workshop_keeps_its_title_project_and_groups(
    app: Any, facilitator: Any
) -> None:
    project_id = seed_project(app)
    response = post(facilitator, "/console/ateliers/nouveau", {
        "project": project_id, "title": "Atelier vision", "groups": "Élus\n\nHabitants\nÉlus",
    }, token_from="/console/ateliers/nouveau")
    found = re.fullmatch(r"/console/ateliers/(\d+)", response.headers["Location"])
    assert found
    page = facilitator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Atelier vision" in page
    assert "Ajoutez-lui des étapes" in page
    from app.extensions import database
    from workshops import service

    with app.app_context(), database.read_session() as db:
        workshop = service.get_workshop(db, int(found.group(1)))
    assert workshop.project_id == str(project_id)
    assert workshop.status == WorkshopStatus.draft
    assert [(g.id, g.label) for g in workshop.groups] == [("elus", "Élus"),
                                                          ("habitants", "Habitants")]


def test_the_new_workshop_form_offers_the_five_usual_groups(app: Any, facilitator: Any) -> None:
    seed_project(app)
    page = facilitator.get("/console/ateliers/nouveau").get_data(as_text=True)
    assert ("Élus\nProfessionnels\nPartenaires institutionnels\nAssociations\nHabitants"
            in html.unescape(page))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": ""}, "title", "Donnez un titre."),
        ({"title": "x" * 301}, "title", "Ce texte est trop long (300 caractères au plus)."),
        ({"groups": "\n".join(f"Collège {i}" for i in range(31))}, "groups",
         "30 collèges au plus (31 saisis)."),
        ({"groups": "x" * 81}, "groups", "Le collège « " + "x" * 39 + "… » dépasse 80 caractères."),
        ({"project": "999"}, "project", "N'est pas un choix valide."),
    ],
)
def test_a_bad_workshop_form_shows_a_french_error_next_to_the_field(
    app: Any, facilitator: Any, fields: dict[str, str], field: str, message: str
) -> None:
    project_id = seed_project(app)
    data = {"project": project_id, "title": "Atelier", "groups": "Élus", **fields}
    response = post(facilitator, "/console/ateliers/nouveau", data,
                    token_from="/console/ateliers/nouveau")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(page, field) == message
    assert f'id="{field}"' in page and 'aria-invalid="true"' in page


def test_opening_starting_and_closing_a_workshop_from_its_page(
    app: Any, facilitator: Any
) -> None:
    step = make_dot_vote_step()
    workshop = seed_workshop(app, [step], opened=False)
    base = f"/console/ateliers/{int(workshop.id)}"
    page = facilitator.get(base).get_data(as_text=True)
    # The translated label is markup: its apostrophe is no longer written &#39;.
    assert "Ouvrir l'atelier" in html.unescape(page) and workshop.code in page
    assert post(facilitator, base + "/ouvrir").headers["Location"] == base
    assert reload_workshop(app, workshop).status == WorkshopStatus.open

    started = post(facilitator, f"{base}/etapes/{step.id}/lancer")
    assert started.headers["Location"] == f"{base}/etapes/{step.id}"
    assert reload_workshop(app, workshop).current_step == step.id

    refused = post(facilitator, base + "/terminer")
    assert refused.headers["Location"] == base
    assert "Clôturez d&#39;abord l&#39;étape" in facilitator.get(base).get_data(as_text=True)
    assert reload_workshop(app, workshop).status == WorkshopStatus.open


def test_a_pending_step_can_be_removed(app: Any, facilitator: Any) -> None:
    step = make_dot_vote_step()
    workshop = seed_workshop(app, [step], opened=False)
    post(facilitator, f"/console/ateliers/{int(workshop.id)}/etapes/{step.id}/supprimer")
    assert reload_workshop(app, workshop).steps == []


def test_an_unknown_workshop_or_step_kind_is_a_french_404(app: Any, facilitator: Any) -> None:
    missing = facilitator.get("/console/ateliers/4242")
    assert missing.status_code == 404
    assert "Page introuvable" in missing.get_data(as_text=True)
    workshop = seed_workshop(app, [])
    kind = facilitator.get(f"/console/ateliers/{int(workshop.id)}/etapes/nouvelle/sondage")
    assert kind.status_code == 404


# --- Step forms ------------------------------------------------------------------------------


def test_dot_vote_form_proposes_the_model_and_ticks_the_proposed_changes(
    app: Any, facilitator: Any
) -> None:
    workshop = seed_workshop(app, [], project=make_project_with_proposed_changes(6))
    page = facilitator.get(
        f"/console/ateliers/{int(workshop.id)}/etapes/nouvelle/dot_vote"
    ).get_data(as_text=True)
    assert "Changements du modèle (6)" in page
    assert "Activités du modèle" in page and "Enjeux du modèle" in page
    assert page.count('name="picked" value="change:') == 6
    assert len(re.findall(r'value="change:[^"]+" checked', page)) == 6
    assert 'value="5"' in page  # N = 5 gommettes by default


def test_a_dot_vote_step_is_built_from_ticked_changes_and_free_options(
    app: Any, facilitator: Any
) -> None:
    workshop = seed_workshop(app, [], project=make_project_with_proposed_changes(6))
    response = _new_step(facilitator, int(workshop.id), "dot_vote", {
        "title": "Choisissez 2 changements parmi 4",
        "picked": ["change:chg-enfance", "change:chg-jeunesse", "change:chg-parentalite"],
        "free_options": "Autre chose\n",
        "budget": "2", "max_per_option": "1", "writeback": "none", "ties": "leave_proposed",
    })
    assert response.status_code == 302
    step = reload_workshop(app, workshop).steps[0]
    assert isinstance(step, DotVoteStep)
    assert step.id == "choisissez-2-changements-parmi-4"
    assert [(o.id, o.source) for o in step.options] == [
        ("chg-enfance", "change"), ("chg-jeunesse", "change"), ("chg-parentalite", "change"),
        ("autre-chose", "free"),
    ]
    assert (step.budget, step.max_per_option) == (2, 1)
    assert step.status == StepStatus.pending
    assert step.writeback is None


def test_prioritising_needs_options_that_are_all_changes(app: Any, facilitator: Any) -> None:
    workshop = seed_workshop(app, [])
    response = _new_step(facilitator, int(workshop.id), "dot_vote", {
        "title": "Priorisation", "picked": ["change:chg-enfance"], "free_options": "Libre",
        "budget": "1", "max_per_option": "1", "writeback": "prioritise", "top_k": "1",
        "ties": "leave_proposed",
    })
    page = response.get_data(as_text=True)
    assert field_error(page, "writeback") == (
        "Pour prioriser des changements, toutes les options doivent être des changements du "
        "modèle (pas « Libre »)."
    )
    assert reload_workshop(app, workshop).steps == []


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"budget": "2", "max_per_option": "3"}, "max_per_option",
         "Le maximum par option (3) dépasse le nombre de gommettes (2)."),
        ({"budget": "0"}, "budget", "Entre 1 et 1000."),
        ({"budget": "cinq"}, "budget", "N'est pas un entier valide."),
        ({"budget": ""}, "budget", "Indiquez le nombre de gommettes."),
        ({"picked": [], "free_options": ""}, "picked",
         "Choisissez ou saisissez au moins une option."),
        ({"picked": ["change:inconnu"]}, "picked",
         "Un élément choisi n'existe pas (ou plus) : rechargez la page."),
        ({"title": ""}, "title", "Donnez un titre."),
        ({"prompt": "x" * 1001}, "prompt", "Ce texte est trop long (1000 caractères au plus)."),
        ({"free_options": "y" * 301}, "free_options",
         "« " + "y" * 39 + "… » dépasse 300 caractères."),
    ],
)
def test_a_bad_dot_vote_form_shows_a_french_error_next_to_the_field(
    app: Any, facilitator: Any, fields: dict[str, Any], field: str, message: str
) -> None:
    workshop = seed_workshop(app, [])
    data = {"title": "Vote", "picked": ["change:chg-enfance"], "budget": "3",
            "max_per_option": "1", "writeback": "none", "ties": "leave_proposed", **fields}
    response = _new_step(facilitator, int(workshop.id), "dot_vote", data)
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), field) == message
    assert reload_workshop(app, workshop).steps == []


def test_a_brainstorm_has_one_column_per_ticked_change_or_theme(
    app: Any, facilitator: Any
) -> None:
    workshop = seed_workshop(app, [])
    page = facilitator.get(
        f"/console/ateliers/{int(workshop.id)}/etapes/nouvelle/brainstorm"
    ).get_data(as_text=True)
    # make_project's changes are all prioritised: they are ticked, themes are not.
    assert len(re.findall(r'value="change:[^"]+" checked', page)) == 5
    assert not re.search(r'value="theme:[^"]+" checked', page)
    _new_step(facilitator, int(workshop.id), "brainstorm", {
        "title": "Des idées", "picked": ["change:chg-enfance", "theme:jeunesse"],
        "free_columns": "Divers", "max_idea_length": "200", "writeback": "ideas",
        "idea_target": "marker",
    })
    step = reload_workshop(app, workshop).steps[0]
    assert isinstance(step, BrainstormStep)
    assert [(c.id, c.ref) for c in step.columns] == [
        ("chg-enfance", "chg-enfance"), ("jeunesse", "jeunesse"), ("divers", None)
    ]
    assert step.max_idea_length == 200
    assert step.writeback is not None and step.writeback.target == "marker"


def test_a_brainstorm_without_any_column_is_refused(app: Any, facilitator: Any) -> None:
    workshop = seed_workshop(app, [])
    response = _new_step(facilitator, int(workshop.id), "brainstorm", {
        "title": "Des idées", "max_idea_length": "280", "writeback": "none",
    })
    assert field_error(response.get_data(as_text=True), "picked") == (
        "Choisissez ou saisissez au moins une colonne."
    )


def test_a_ranking_keeps_the_chosen_method(app: Any, facilitator: Any) -> None:
    workshop = seed_workshop(app, [])
    _new_step(facilitator, int(workshop.id), "ranking", {
        "title": "Classement", "picked": ["change:chg-enfance", "change:chg-jeunesse"],
        "method": "borda", "writeback": "prioritise", "top_k": "1", "ties": "include_all",
    })
    step = reload_workshop(app, workshop).steps[0]
    assert isinstance(step, RankingStep)
    assert isinstance(step.writeback, PrioritiseChanges)
    assert (step.writeback.method, step.writeback.top_k, step.writeback.ties) == (
        "borda", 1, "include_all")


def test_a_rating_has_one_or_two_criteria_with_their_words(app: Any, facilitator: Any) -> None:
    workshop = seed_workshop(app, [])
    common = {"picked": ["change:chg-enfance"], "criterion_1": "Impact",
              "criterion_1_high": "fort", "criterion_1_low": "faible"}
    _new_step(facilitator, int(workshop.id), "rating", {
        "title": "Deux critères", **common, "criterion_2": "Faisabilité",
        "criterion_2_high": "forte", "criterion_2_low": "faible",
    })
    _new_step(facilitator, int(workshop.id), "rating", {
        "title": "Un critère", **common, "criterion_2": "",
    })
    two, one = reload_workshop(app, workshop).steps
    assert isinstance(two, RatingStep) and isinstance(one, RatingStep)
    assert [(c.id, c.label, c.high_label) for c in two.criteria] == [
        ("impact", "Impact", "fort"), ("faisabilite-1", "Faisabilité", "forte")]
    assert [c.label for c in one.criteria] == ["Impact"]
    response = _new_step(facilitator, int(workshop.id), "rating", {
        "title": "Sans critère", "picked": ["change:chg-enfance"], "criterion_1": "",
    })
    assert field_error(response.get_data(as_text=True), "criterion_1") == (
        "Nommez au moins un critère."
    )


def test_the_vision_vote_is_a_single_choice_that_records_its_result(
    app: Any, facilitator: Any
) -> None:
    workshop = seed_workshop(app, [])
    _new_step(facilitator, int(workshop.id), "choice", {
        "title": "Validez-vous la vision ?", "vision_answers": "y", "allow_comment": "y",
        "writeback": "vision", "ties": "leave_proposed",
    })
    step = reload_workshop(app, workshop).steps[0]
    assert isinstance(step, ChoiceStep)
    assert [o.label for o in step.options] == [
        "D'accord", "D'accord avec modifications", "Pas d'accord"]
    assert isinstance(step.writeback, RecordVisionVote)
    assert step.allow_comment and not step.multiple
    response = _new_step(facilitator, int(workshop.id), "choice", {
        "title": "Vision multiple", "vision_answers": "y", "multiple": "y",
        "writeback": "vision", "ties": "leave_proposed",
    })
    assert field_error(response.get_data(as_text=True), "writeback") == (
        "Le vote sur la vision est un choix unique."
    )


def test_options_can_be_the_ideas_of_a_previous_brainstorm(app: Any, facilitator: Any) -> None:
    from factories import make_brainstorm_step
    from pages_helpers import join, post_idea

    brainstorm = make_brainstorm_step()
    workshop = seed_workshop(app, [brainstorm], start=brainstorm.id)
    token = join(app, workshop)
    idea_id = post_idea(app, workshop, token, brainstorm.id, "col-familles",
                        "Un guide des modes d'accueil")
    page = facilitator.get(
        f"/console/ateliers/{int(workshop.id)}/etapes/nouvelle/dot_vote"
    ).get_data(as_text=True)
    assert "Idées du remue-méninges « Quelles actions pour ces changements ? »" in (
        html.unescape(page))
    _new_step(facilitator, int(workshop.id), "dot_vote", {
        "title": "Les meilleures idées", "picked": [f"idea:{idea_id}"], "budget": "1",
        "max_per_option": "1", "writeback": "ideas", "top_k": "1", "idea_target": "activity",
        "ties": "leave_proposed",
    })
    step = reload_workshop(app, workshop).steps[1]
    assert isinstance(step, DotVoteStep)
    assert [(o.id, o.source, o.ref, o.label) for o in step.options] == [
        (idea_id, "idea", idea_id, "Un guide des modes d'accueil")]
