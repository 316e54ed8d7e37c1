"""When phones and projector see a vote's results: the rules, without any web layer."""

from __future__ import annotations

from typing import Any

import pytest
from factories import (
    make_brainstorm_step,
    make_choice_step,
    make_dot_vote_step,
    make_ranking_step,
    make_rating_step,
)
from pydantic import ValidationError

from workshops.model import BrainstormStep, ResultsVisibility, StepStatus, WorkshopError
from workshops.visibility import (
    parse_visibility,
    results_shown,
    results_withheld,
    reveal_results,
    set_results_visibility,
)

OPEN, CLOSED = StepStatus.open, StepStatus.closed
LIVE, AFTER, REVEAL = "live", "after_vote", "on_reveal"

# mode, status, revealed → (phone that voted, phone that did not, projector, facilitator)
RULES = [
    (LIVE, OPEN, False, (True, True, True, True)),
    (LIVE, CLOSED, False, (True, True, True, True)),
    (LIVE, OPEN, True, (True, True, True, True)),
    (AFTER, OPEN, False, (True, False, False, True)),
    (AFTER, CLOSED, False, (True, True, True, True)),
    (AFTER, OPEN, True, (True, True, True, True)),
    (AFTER, CLOSED, True, (True, True, True, True)),
    (REVEAL, OPEN, False, (False, False, False, True)),
    (REVEAL, CLOSED, False, (False, False, False, True)),
    (REVEAL, OPEN, True, (True, True, True, True)),
    (REVEAL, CLOSED, True, (True, True, True, True)),
]


@pytest.mark.parametrize(("mode", "status", "revealed", "expected"), RULES)
def test_who_sees_the_results_by_mode_status_and_revelation(
    mode: str, status: StepStatus, revealed: bool, expected: tuple[bool, ...]
) -> None:
    step = make_dot_vote_step(
        results_visibility=mode, status=status, results_revealed=revealed
    )
    seen = (
        results_shown(step, "phone", has_voted=True),
        results_shown(step, "phone", has_voted=False),
        results_shown(step, "projector"),
        results_shown(step, "facilitator"),
    )
    assert seen == expected


@pytest.mark.parametrize(
    ("mode", "status", "withheld_from_phones", "withheld_from_projector"),
    [
        (LIVE, OPEN, False, False),
        # Phones get the tally: the page shows it once this phone has voted.
        (AFTER, OPEN, False, True),
        (AFTER, CLOSED, False, False),
        (REVEAL, OPEN, True, True),
        (REVEAL, CLOSED, True, True),
    ],
)
def test_the_server_withholds_what_no_member_of_an_audience_may_see(
    mode: str, status: StepStatus, withheld_from_phones: bool, withheld_from_projector: bool
) -> None:
    step = make_ranking_step(results_visibility=mode, status=status)
    assert results_withheld(step, "phone") is withheld_from_phones
    assert results_withheld(step, "projector") is withheld_from_projector
    assert results_withheld(step, "facilitator") is False


def test_a_brainstorm_wall_is_never_withheld() -> None:
    wall = make_brainstorm_step(status=StepStatus.open)
    assert all(results_shown(wall, audience) for audience in ("phone", "projector"))
    assert not results_withheld(wall, "phone")


@pytest.mark.parametrize("make", [make_dot_vote_step, make_ranking_step, make_rating_step,
                                  make_choice_step])
def test_every_vote_step_shows_results_after_voting_by_default(make: Any) -> None:
    step = make()
    assert step.results_visibility == ResultsVisibility.after_vote
    assert step.results_revealed is False


def test_revealing_shows_the_results_and_revealing_again_changes_nothing() -> None:
    step = make_choice_step(results_visibility=REVEAL, status=CLOSED)
    revealed = reveal_results(step)
    assert revealed.results_revealed is True
    assert revealed.results_visibility == ResultsVisibility.on_reveal
    assert results_shown(revealed, "projector")
    assert reveal_results(revealed) == revealed


def test_results_cannot_be_revealed_before_the_step_is_launched() -> None:
    with pytest.raises(WorkshopError, match="n'a pas encore été lancée"):
        reveal_results(make_dot_vote_step(results_visibility=REVEAL))
    with pytest.raises(ValidationError, match="avant son lancement"):
        make_dot_vote_step(results_revealed=True)


def test_a_brainstorm_has_no_results_to_reveal_or_to_hide() -> None:
    wall = make_brainstorm_step(status=OPEN)
    with pytest.raises(WorkshopError, match="remue-méninges : il n'a pas de résultats à révéler"):
        reveal_results(wall)
    with pytest.raises(WorkshopError, match="remue-méninges : il n'a pas de résultats à masquer"):
        set_results_visibility(wall, LIVE)
    with pytest.raises(ValidationError):
        BrainstormStep.model_validate(
            {**make_brainstorm_step().model_dump(), "results_visibility": "live"}
        )


def test_the_mode_changes_before_and_during_the_step_but_not_once_closed() -> None:
    pending = make_rating_step()
    assert set_results_visibility(pending, "on_reveal").results_visibility == REVEAL
    running = make_rating_step(status=OPEN, results_visibility=REVEAL)
    assert set_results_visibility(running, ResultsVisibility.live).results_visibility == LIVE
    with pytest.raises(WorkshopError, match="est close : son affichage des résultats"):
        set_results_visibility(make_rating_step(status=CLOSED), LIVE)


def test_changing_the_mode_never_hides_results_already_revealed() -> None:
    step = make_dot_vote_step(status=OPEN, results_visibility=LIVE, results_revealed=True)
    hidden_again = set_results_visibility(step, REVEAL)
    assert hidden_again.results_revealed is True
    assert results_shown(hidden_again, "projector")


def test_an_unknown_mode_is_refused_with_the_three_choices_in_french() -> None:
    assert parse_visibility("on_reveal") == ResultsVisibility.on_reveal
    with pytest.raises(WorkshopError) as refused:
        parse_visibility("secret")
    assert str(refused.value) == (
        "Affichage des résultats inconnu : « secret ». Choisissez parmi « en direct », "
        "« après avoir voté », « à la révélation »."
    )
    with pytest.raises(ValidationError):
        make_dot_vote_step(results_visibility="secret")
