"""Hidden results in the console and on the projector page, through the real app's forms."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from factories import make_brainstorm_step, make_choice_step, make_dot_vote_step
from pages_helpers import join, log_in, post, reload_workshop, seed_workshop, vote

from workshops.model import ChoiceBallot, DotBallot, DotVoteStep, ResultsVisibility, StepStatus


@pytest.fixture
def facilitator(app: Any, client: Any) -> Any:
    """The test client, logged in."""
    log_in(client, app)
    return client


def _page(client: Any, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _voting(app: Any, mode: str) -> tuple[Any, str]:
    """A running dot vote in ``mode`` with two ballots (A: 2 dots, B: 1); its page's path."""
    step = make_dot_vote_step(id="vote", results_visibility=mode)
    workshop = seed_workshop(app, [step, make_dot_vote_step(id="ensuite")], start="vote")
    vote(app, workshop, join(app, workshop), "vote", DotBallot(dots={"opt-a": 2}))
    vote(app, workshop, join(app, workshop), "vote", DotBallot(dots={"opt-b": 1}))
    return workshop, f"/console/ateliers/{int(workshop.id)}/etapes/vote"


def test_the_new_step_form_offers_the_three_modes_after_voting_ticked(
    app: Any, facilitator: Any
) -> None:
    workshop = seed_workshop(app, [])
    page = _page(facilitator, f"/console/ateliers/{int(workshop.id)}/etapes/nouvelle/ranking")
    group = page.split("<legend>Affichage des résultats</legend>")[1].split("</fieldset>")[0]
    assert re.findall(r'value="(\w+)"', group) == ["live", "after_vote", "on_reveal"]
    assert re.search(r'<input checked[^>]*value="after_vote"', group)
    assert "à la révélation : téléphones et vidéoprojecteur n'affichent que le nombre" in group
    brainstorm = _page(
        facilitator, f"/console/ateliers/{int(workshop.id)}/etapes/nouvelle/brainstorm")
    assert "Affichage des résultats" not in brainstorm


def test_a_step_made_in_the_console_keeps_the_mode_chosen(app: Any, facilitator: Any) -> None:
    workshop = seed_workshop(app, [])
    path = f"/console/ateliers/{int(workshop.id)}/etapes/nouvelle/dot_vote"
    response = post(facilitator, path, {
        "title": "Vote secret", "free_options": "Un\nDeux\n", "budget": "1",
        "max_per_option": "1", "writeback": "none", "ties": "leave_proposed",
        "results_visibility": "on_reveal",
    }, token_from=path)
    assert response.status_code == 302
    step = reload_workshop(app, workshop).steps[0]
    assert isinstance(step, DotVoteStep)
    assert step.results_visibility == ResultsVisibility.on_reveal


def test_the_step_page_shows_the_mode_a_keyboard_radio_group_and_the_reveal_button(
    app: Any, facilitator: Any
) -> None:
    _, path = _voting(app, "on_reveal")
    page = _page(facilitator, path)
    assert re.search(r'id="results-visibility">à la révélation</strong>', page)
    section = page.split('id="affichage"')[1].split("</section>")[0]
    assert "<legend>Affichage des résultats</legend>" in section
    assert section.count('name="results_visibility" type="radio"') == 3
    assert re.search(r'<input checked[^>]*value="on_reveal"', section)
    assert ">Révéler les résultats</button>" in section
    assert "Clore l'étape ne révèle pas ses résultats" in section
    assert "Vous seul voyez ces résultats" in page
    # The facilitator sees the tally all along.
    assert "2 votants · 3 gommettes posées" in page


def test_a_brainstorm_page_has_no_results_mode(app: Any, facilitator: Any) -> None:
    step = make_brainstorm_step()
    workshop = seed_workshop(app, [step], start=step.id)
    page = _page(facilitator, f"/console/ateliers/{int(workshop.id)}/etapes/{step.id}")
    assert 'id="affichage"' not in page
    assert "Révéler les résultats" not in page


def test_revealing_from_the_console_shows_the_results_on_the_projector_page(
    app: Any, facilitator: Any
) -> None:
    workshop, path = _voting(app, "on_reveal")
    projector = f"/console/ateliers/{int(workshop.id)}/projecteur"
    hidden = _page(facilitator, projector)
    assert "Résultats masqués jusqu'à leur révélation" in hidden
    assert re.search(r'data-role="voters">2 votants<', hidden)
    assert "Option A" not in hidden and "gommettes posées" not in hidden
    assert "Vote en cours<" in hidden

    response = post(facilitator, f"{path}/resultats/reveler", token_from=path)
    assert response.headers["Location"] == f"{path}#affichage"
    assert reload_workshop(app, workshop).step("vote").results_revealed  # type: ignore[union-attr]
    page = _page(facilitator, path)
    assert "Résultats révélés : les téléphones et le vidéoprojecteur les affichent." in page
    assert ">Révéler les résultats</button>" not in page
    assert re.search(r'id="results-revealed"> · résultats révélés à tous', page)
    shown = _page(facilitator, projector)
    assert "Résultats masqués" not in shown
    assert "2 votants · 3 gommettes posées" in shown
    assert "Vote en cours · résultats en direct" in shown


def test_in_after_vote_mode_the_projector_page_waits_for_the_end_of_the_vote(
    app: Any, facilitator: Any
) -> None:
    workshop, path = _voting(app, "after_vote")
    projector = f"/console/ateliers/{int(workshop.id)}/projecteur"
    page = _page(facilitator, projector)
    assert "Résultats masqués jusqu'à la fin du vote" in page
    assert "Option A" not in page
    assert "chaque téléphone voit les résultats une fois son vote envoyé" in _page(
        facilitator, path)
    post(facilitator, f"{path}/cloture", {"write_back": "y"}, token_from=f"{path}/cloture")
    assert reload_workshop(app, workshop).step("vote").status == StepStatus.closed
    closed = _page(facilitator, projector)
    assert "Résultats définitifs" in closed
    assert "2 votants · 3 gommettes posées" in closed


def test_changing_the_mode_of_a_running_step_from_the_console(
    app: Any, facilitator: Any
) -> None:
    workshop, path = _voting(app, "after_vote")
    response = post(facilitator, f"{path}/resultats/affichage",
                    {"results_visibility": "live"}, token_from=path)
    assert response.status_code == 302
    assert reload_workshop(app, workshop).step("vote").results_visibility == "live"  # type: ignore[union-attr]
    page = _page(facilitator, path)
    assert "Affichage des résultats : « en direct »." in page
    assert "Option A" in _page(facilitator, f"/console/ateliers/{int(workshop.id)}/projecteur")


def test_a_forged_mode_is_refused_with_a_french_message(app: Any, facilitator: Any) -> None:
    workshop, path = _voting(app, "on_reveal")
    response = post(facilitator, f"{path}/resultats/affichage",
                    {"results_visibility": "secret"}, token_from=path)
    assert response.headers["Location"] == f"{path}#affichage"
    page = _page(facilitator, path)
    assert '<p class="flash error">N\'est pas un choix valide.</p>' in page
    assert reload_workshop(app, workshop).step("vote").results_visibility == "on_reveal"  # type: ignore[union-attr]


def test_revealing_a_step_not_yet_launched_is_refused_in_french(
    app: Any, facilitator: Any
) -> None:
    workshop, path = _voting(app, "on_reveal")
    later = f"/console/ateliers/{int(workshop.id)}/etapes/ensuite"
    post(facilitator, f"{later}/resultats/reveler", token_from=later)
    page = _page(facilitator, later)
    assert "n'a pas encore été lancée : il n'y a pas encore de résultats à révéler." in page
    assert ">Révéler les résultats</button>" not in page  # no button before the launch


def test_a_closed_choice_in_on_reveal_mode_keeps_its_comments_from_the_projector(
    app: Any, facilitator: Any
) -> None:
    step = make_choice_step(id="vision", results_visibility="on_reveal")
    workshop = seed_workshop(app, [step], start="vision")
    vote(app, workshop, join(app, workshop), "vision",
         ChoiceBallot(choices=["d-accord"], comment="Un commentaire confidentiel"))
    path = f"/console/ateliers/{int(workshop.id)}/etapes/vision"
    post(facilitator, f"{path}/cloture", {"write_back": ""}, token_from=f"{path}/cloture")
    page = _page(facilitator, f"/console/ateliers/{int(workshop.id)}/projecteur")
    assert "Vote clos" in page
    assert "Un commentaire confidentiel" not in page
    assert "Résultats masqués jusqu'à leur révélation" in page
