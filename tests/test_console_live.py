"""The console's live step page: counts, results, moderation of ideas, closing a step."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from factories import (
    make_brainstorm_step,
    make_dot_vote_step,
    make_project_with_proposed_changes,
)
from pages_helpers import join, log_in, post, post_idea, reload_workshop, seed_workshop, vote

from workshops.model import (
    DotBallot,
    IdeasToNodes,
    Option,
    PrioritiseChanges,
    StepStatus,
)


@pytest.fixture
def facilitator(app: Any, client: Any) -> Any:
    """The test client, logged in."""
    log_in(client, app)
    return client


@pytest.fixture
def wall(app: Any) -> dict[str, Any]:
    """A running brainstorm with three ideas from two participants."""
    step = make_brainstorm_step(writeback=IdeasToNodes(target="activity"))
    workshop = seed_workshop(app, [step], start=step.id)
    first, second = join(app, workshop, group="elus"), join(app, workshop, group="habitants")
    ideas = [
        post_idea(app, workshop, first, step.id, "col-familles", "Un guide des modes d'accueil"),
        post_idea(app, workshop, second, step.id, "col-familles", "Un guide des modes de garde"),
        post_idea(app, workshop, second, step.id, "col-enfance", "Des ateliers parents-enfants"),
    ]
    return {"workshop": workshop, "step": step, "ideas": ideas,
            "base": f"/console/ateliers/{int(workshop.id)}/etapes/{step.id}"}


def _ideas(app: Any, workshop: Any) -> dict[str, dict[str, Any]]:
    from app.extensions import database
    from workshops import service

    with app.app_context(), database.read_session() as db:
        state = service.workshop_state(db, int(workshop.id), audience="facilitator")
    return {idea["id"]: idea for idea in state["ideas"]}


def _moderate(client: Any, wall: dict[str, Any], idea: str, action: str,
              data: dict[str, str] | None = None) -> Any:
    return post(client, f"{wall['base']}/idees/{idea}/{action}", data, token_from=wall["base"])


def test_step_page_shows_counts_and_every_idea_by_column(
    app: Any, facilitator: Any, wall: dict[str, Any]
) -> None:
    page = html.unescape(facilitator.get(wall["base"]).get_data(as_text=True))
    assert re.search(r'id="presence-participants">2<', page)
    assert re.search(r'id="presence-voters">2<', page)  # two participants posted ideas
    assert re.search(r'id="presence-phones">0<', page)
    familles = page.split('data-column-id="col-familles"')[1].split('data-column-id=')[0]
    assert re.findall(r'<p class="idea-text">([^<]+)</p>', familles) == [
        "Un guide des modes d'accueil", "Un guide des modes de garde"]
    assert page.count("<details>") == 3


def test_hiding_then_showing_an_idea_again(
    app: Any, facilitator: Any, wall: dict[str, Any]
) -> None:
    idea = wall["ideas"][0]
    response = _moderate(facilitator, wall, idea, "hide")
    assert response.headers["Location"] == f"{wall['base']}#idee-{idea}"
    assert _ideas(app, wall["workshop"])[idea]["hidden"] is True
    page = facilitator.get(wall["base"]).get_data(as_text=True)
    assert "masquée" in page and "Réafficher" in page
    _moderate(facilitator, wall, idea, "unhide")
    assert _ideas(app, wall["workshop"])[idea]["hidden"] is False


def test_editing_moving_and_clustering_an_idea(
    app: Any, facilitator: Any, wall: dict[str, Any]
) -> None:
    idea = wall["ideas"][2]
    messy = "  Des ateliers   parents-enfants le samedi "
    _moderate(facilitator, wall, idea, "edit", {"text": messy})
    _moderate(facilitator, wall, idea, "move", {"column": "col-familles"})
    _moderate(facilitator, wall, idea, "cluster", {"cluster": "Parentalité"})
    moved = _ideas(app, wall["workshop"])[idea]
    assert (moved["text"], moved["column"], moved["cluster"]) == (
        "Des ateliers parents-enfants le samedi", "col-familles", "Parentalité")
    _moderate(facilitator, wall, idea, "cluster", {"cluster": ""})
    assert _ideas(app, wall["workshop"])[idea]["cluster"] is None


def test_merging_duplicates_then_undoing_it(
    app: Any, facilitator: Any, wall: dict[str, Any]
) -> None:
    duplicate, original = wall["ideas"][1], wall["ideas"][0]
    _moderate(facilitator, wall, duplicate, "merge", {"into": original})
    ideas = _ideas(app, wall["workshop"])
    assert ideas[duplicate]["merged_into"] == original
    assert [m["id"] for m in ideas[original]["merged"]] == [duplicate]
    page = html.unescape(facilitator.get(wall["base"]).get_data(as_text=True))
    assert "Défaire la fusion" in page
    assert f'data-idea-id="{duplicate}"' not in page  # shown under its target only
    _moderate(facilitator, wall, duplicate, "unmerge")
    assert _ideas(app, wall["workshop"])[duplicate]["merged_into"] is None


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("edit", {"text": ""}, "L'idée ne peut pas être vide."),
        ("edit", {"text": "x" * 281}, "Ce texte est trop long (280 caractères au plus)."),
        ("move", {"column": "col-inconnue"},
         "La colonne « col-inconnue » n'existe pas dans cette étape."),
        ("merge", {"into": "999"}, "Cette idée n'existe pas (ou plus)."),
        ("cluster", {"cluster": "y" * 81}, "Ce texte est trop long (80 caractères au plus)."),
    ],
)
def test_a_refused_moderation_says_why_in_french_and_changes_nothing(
    app: Any, facilitator: Any, wall: dict[str, Any], action: str, data: dict[str, str],
    message: str,
) -> None:
    idea = wall["ideas"][0]
    before = _ideas(app, wall["workshop"])[idea]
    response = _moderate(facilitator, wall, idea, action, data)
    assert response.status_code == 302
    page = html.unescape(facilitator.get(wall["base"]).get_data(as_text=True))
    assert message in page
    assert _ideas(app, wall["workshop"])[idea] == before


def test_an_unknown_moderation_is_not_found(
    app: Any, facilitator: Any, wall: dict[str, Any]
) -> None:
    assert _moderate(facilitator, wall, wall["ideas"][0], "delete").status_code == 404


def test_closing_a_brainstorm_previews_then_turns_chosen_ideas_into_activities(
    app: Any, facilitator: Any, wall: dict[str, Any]
) -> None:
    from app.extensions import database
    from workshops.store import find_project, load_project

    close = f"{wall['base']}/cloture"
    chosen = wall["ideas"][0]
    preview = html.unescape(
        facilitator.get(f"{close}?idea_ids={chosen}&write_back=y").get_data(as_text=True)
    )
    assert "Ce que la clôture écrira dans le modèle" in preview
    assert "Un guide des modes d'accueil" in preview
    with app.app_context(), database.read_session() as db:
        row = find_project(db, "projet-test")
        assert row is not None
        revision_before = row.revision
    assert reload_workshop(app, wall["workshop"]).steps[0].status == StepStatus.open

    response = post(facilitator, close, {"idea_ids": chosen, "write_back": "y"}, token_from=close)
    assert response.headers["Location"] == wall["base"]
    assert reload_workshop(app, wall["workshop"]).steps[0].status == StepStatus.closed
    with app.app_context(), database.read_session() as db:
        row = find_project(db, "projet-test")
        assert row is not None and row.revision == revision_before + 1
        project = load_project(db, row.id)
    titles = [activity.title for activity in project.activities]
    assert "Un guide des modes d'accueil" in titles
    assert project.decisions[-1].step == wall["step"].title
    outcome_page = html.unescape(facilitator.get(wall["base"]).get_data(as_text=True))
    assert "Ce que la clôture a écrit dans le modèle" in outcome_page
    assert "Étape close : voici ce qui a été écrit dans le modèle." in outcome_page


def test_closing_without_writing_leaves_the_model_alone(
    app: Any, facilitator: Any, wall: dict[str, Any]
) -> None:
    from app.extensions import database
    from workshops.store import find_project

    close = f"{wall['base']}/cloture"
    post(facilitator, close, {"idea_ids": wall["ideas"][0]}, token_from=close)
    with app.app_context(), database.read_session() as db:
        row = find_project(db, "projet-test")
        assert row is not None and row.revision == 1
    assert reload_workshop(app, wall["workshop"]).steps[0].status == StepStatus.closed
    page = html.unescape(facilitator.get(wall["base"]).get_data(as_text=True))
    assert "Étape close : rien n'a été écrit dans le modèle." in page


def test_a_step_that_is_not_running_cannot_be_closed(app: Any, facilitator: Any) -> None:
    step = make_dot_vote_step()
    workshop = seed_workshop(app, [step])
    base = f"/console/ateliers/{int(workshop.id)}/etapes/{step.id}"
    response = facilitator.get(base + "/cloture")
    assert response.headers["Location"] == base
    assert "Seule une étape en cours peut être close." in html.unescape(
        facilitator.get(base).get_data(as_text=True))


@pytest.fixture
def dot_vote(app: Any) -> dict[str, Any]:
    """A running dot vote on three changes with four ballots from two collèges."""
    project = make_project_with_proposed_changes(5)
    options = [Option(id=c, label=f"Changement {c}", source="change", ref=c)
               for c in ("chg-enfance", "chg-jeunesse", "chg-parentalite")]
    step = make_dot_vote_step(options=options, budget=2, max_per_option=1,
                              writeback=PrioritiseChanges(top_k=1))
    workshop = seed_workshop(app, [step], start=step.id, project=project)
    ballots = [("elus", ["chg-enfance", "chg-jeunesse"]), ("elus", ["chg-enfance"]),
               ("habitants", ["chg-jeunesse", "chg-enfance"]), ("habitants", ["chg-parentalite"])]
    for group, chosen in ballots:
        vote(app, workshop, join(app, workshop, group=group), step.id,
             DotBallot(dots=dict.fromkeys(chosen, 1)))
    return {"workshop": workshop, "step": step,
            "base": f"/console/ateliers/{int(workshop.id)}/etapes/{step.id}"}


def test_a_vote_page_shows_results_overall_and_by_group(
    app: Any, facilitator: Any, dot_vote: dict[str, Any]
) -> None:
    page = html.unescape(facilitator.get(dot_vote["base"]).get_data(as_text=True))
    assert re.search(r'id="presence-voters">4<', page)
    results = page.split('id="results"')[1].split("</table>")[0]
    rows = re.findall(r"<td>(Changement [^<]+)</td>.*?<td class=\"num\">(\d+)</td></tr>",
                      results, re.S)
    assert rows == [("Changement chg-enfance", "3"), ("Changement chg-jeunesse", "2"),
                    ("Changement chg-parentalite", "1")]
    assert "4 votants · 6 gommettes posées" in page
    assert "Élus (2 votants)" in page and "Habitants (2 votants)" in page


def test_closing_a_dot_vote_shows_the_prioritisation_before_and_after(
    app: Any, facilitator: Any, dot_vote: dict[str, Any]
) -> None:
    close = dot_vote["base"] + "/cloture"
    preview = html.unescape(facilitator.get(close).get_data(as_text=True))
    assert "chg-enfance" in preview or "Changement chg-enfance" in preview
    assert "Résultats à l'instant" in preview
    post(facilitator, close, {"write_back": "y"}, token_from=close)
    from app.extensions import database
    from workshops.store import find_project, load_project

    with app.app_context(), database.read_session() as db:
        row = find_project(db, "projet-test")
        assert row is not None
        project = load_project(db, row.id)
    assert project.change("chg-enfance").priority_rank == 1
    assert project.change("chg-enfance").status == "prioritised"
