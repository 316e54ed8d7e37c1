"""Ballots are checked against their step and refused with a French message."""

from __future__ import annotations

import pytest
from factories import (
    make_brainstorm_step,
    make_choice_step,
    make_dot_vote_step,
    make_options,
    make_ranking_step,
    make_rating_step,
)

from workshops.ballots import BallotError, validate_ballot
from workshops.model import (
    BALLOT_ADAPTER,
    ChoiceBallot,
    ChoiceStep,
    DotBallot,
    RankingBallot,
    RatingBallot,
)
from workshops.options import VISION_AGREE, VISION_DISAGREE

# --- Dot vote: 3 dots, at most 2 on one option ------------------------------------------


def test_a_dot_ballot_within_budget_and_limit_is_kept_without_its_zeros() -> None:
    ballot = validate_ballot(make_dot_vote_step(), DotBallot(dots={"opt-c": 1, "opt-a": 2,
                                                                   "opt-b": 0}))
    assert ballot == DotBallot(dots={"opt-a": 2, "opt-c": 1})  # step order, zero dropped


def test_more_dots_than_the_budget_are_refused() -> None:
    # 2 + 1 + 1 = 4 dots for a budget of 3.
    with pytest.raises(BallotError, match="Vous avez placé 4 gommettes : vous en avez 3 en tout"):
        validate_ballot(make_dot_vote_step(), DotBallot(dots={"opt-a": 2, "opt-b": 1,
                                                              "opt-c": 1}))


def test_more_than_k_dots_on_one_option_are_refused() -> None:
    with pytest.raises(BallotError, match="3 gommettes sur « Option A » : 2 gommettes au plus"):
        validate_ballot(make_dot_vote_step(), DotBallot(dots={"opt-a": 3}))


def test_negative_dots_are_refused() -> None:
    with pytest.raises(BallotError, match="négatif sur « Option B »"):
        validate_ballot(make_dot_vote_step(), DotBallot(dots={"opt-a": 2, "opt-b": -1}))


def test_an_empty_dot_ballot_is_refused() -> None:
    with pytest.raises(BallotError, match="au moins une gommette"):
        validate_ballot(make_dot_vote_step(), DotBallot(dots={"opt-a": 0}))


def test_dots_on_an_unknown_option_are_refused() -> None:
    with pytest.raises(BallotError, match="L'option « opt-z » ne fait pas partie"):
        validate_ballot(make_dot_vote_step(), DotBallot(dots={"opt-z": 1}))


def test_a_ballot_of_another_kind_is_refused() -> None:
    with pytest.raises(BallotError, match=r"\(classement\) ne correspond pas .*vote à gommettes"):
        validate_ballot(make_dot_vote_step(), RankingBallot(order=["opt-a"]))


def test_nobody_votes_during_a_brainstorm() -> None:
    with pytest.raises(BallotError, match="remue-méninges"):
        validate_ballot(make_brainstorm_step(), DotBallot(dots={"opt-a": 1}))


# --- Ranking ------------------------------------------------------------------------------


def test_a_partial_ranking_is_accepted() -> None:
    ballot = RankingBallot(order=["opt-c", "opt-a"])
    assert validate_ballot(make_ranking_step(), ballot) == ballot


def test_a_ranking_naming_an_option_twice_is_refused() -> None:
    with pytest.raises(BallotError, match="« Option A » apparaît deux fois"):
        validate_ballot(make_ranking_step(), RankingBallot(order=["opt-a", "opt-b", "opt-a"]))


def test_a_ranking_with_an_unknown_option_or_none_is_refused() -> None:
    with pytest.raises(BallotError, match="« opt-z » ne fait pas partie"):
        validate_ballot(make_ranking_step(), RankingBallot(order=["opt-a", "opt-z"]))
    with pytest.raises(BallotError, match="Classez au moins une option"):
        validate_ballot(make_ranking_step(), RankingBallot(order=[]))


# --- Rating: 1–5 on impact and faisabilité ----------------------------------------------


def test_a_rating_inside_the_scale_is_accepted_and_may_skip_options() -> None:
    ballot = RatingBallot(scores={"opt-b": {"faisabilite": 1, "impact": 5}})
    assert validate_ballot(make_rating_step(), ballot).scores == {
        "opt-b": {"impact": 5, "faisabilite": 1}
    }


@pytest.mark.parametrize("score", [0, 6])
def test_a_rating_outside_the_scale_is_refused(score: int) -> None:
    with pytest.raises(BallotError, match=f"Note {score} pour « Option A » \\(Impact\\) : les "
                                          "notes vont de 1 à 5"):
        validate_ballot(make_rating_step(), RatingBallot(scores={"opt-a": {"impact": score}}))


def test_a_rating_on_an_unknown_criterion_is_refused() -> None:
    with pytest.raises(BallotError, match="Le critère « cout »"):
        validate_ballot(make_rating_step(), RatingBallot(scores={"opt-a": {"cout": 3}}))


def test_an_empty_rating_is_refused() -> None:
    with pytest.raises(BallotError, match="Notez au moins une option"):
        validate_ballot(make_rating_step(), RatingBallot(scores={"opt-a": {}}))


# --- Choice -------------------------------------------------------------------------------


def test_several_choices_on_a_single_choice_step_are_refused() -> None:
    with pytest.raises(BallotError, match="Une seule réponse"):
        validate_ballot(make_choice_step(), ChoiceBallot(choices=[VISION_AGREE, VISION_DISAGREE]))


def test_a_choice_comment_is_stripped_and_a_blank_one_dropped() -> None:
    step = make_choice_step()
    kept = validate_ballot(step, ChoiceBallot(choices=[VISION_AGREE], comment="  Bien  "))
    dropped = validate_ballot(step, ChoiceBallot(choices=[VISION_AGREE], comment="   "))
    assert (kept.comment, dropped.comment) == ("Bien", None)


def test_a_comment_where_none_is_allowed_is_refused() -> None:
    step = make_choice_step(allow_comment=False)
    with pytest.raises(BallotError, match="n'accepte pas de commentaire"):
        validate_ballot(step, ChoiceBallot(choices=[VISION_AGREE], comment="Non"))


def test_multiple_choice_accepts_several_answers_but_not_the_same_twice() -> None:
    step = ChoiceStep(id="q", title="Publics", options=make_options(3), multiple=True)
    assert validate_ballot(step, ChoiceBallot(choices=["opt-c", "opt-a"])).choices == [
        "opt-a",
        "opt-c",
    ]
    with pytest.raises(BallotError, match="deux fois la même réponse"):
        validate_ballot(step, ChoiceBallot(choices=["opt-a", "opt-a"]))
    with pytest.raises(BallotError, match="au moins une réponse"):
        validate_ballot(step, ChoiceBallot(choices=[]))


def test_a_ballot_is_parsed_from_json_by_its_kind() -> None:
    ballot = BALLOT_ADAPTER.validate_json('{"kind": "ranking", "order": ["opt-b", "opt-a"]}')
    assert isinstance(ballot, RankingBallot) and ballot.order == ["opt-b", "opt-a"]
