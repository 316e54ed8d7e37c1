"""Tallies: pure functions from a step and its ballots (or ideas) to a result.

Each result is a pydantic model that crosses the wire as JSON (``StepResult``, a union
discriminated by ``kind``). Every method is described, in French, in the docstring of its
function and in ``docs/tallies.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated

from pydantic import Field, TypeAdapter

from ..model import (
    Ballot,
    BrainstormStep,
    ChoiceStep,
    DotVoteStep,
    Idea,
    RankingStep,
    RatingStep,
    Step,
)
from .brainstorm import (
    BrainstormResult,
    ColumnResult,
    IdeaCard,
    MergedIdea,
    tally_brainstorm,
    tally_brainstorm_by_group,
)
from .choice import ChoiceResult, ChoiceRow, tally_choice
from .common import TallyError, competition_ranks
from .dot_vote import DotVoteResult, DotVoteRow, tally_dot_vote
from .ranking import (
    RankedRow,
    RankingResult,
    SchulzeResult,
    borda,
    borda_points,
    condorcet_winner,
    pairwise_preferences,
    schulze,
    strongest_paths,
    tally_ranking,
)
from .rating import CriterionStats, Quadrant, RatingResult, RatingRow, quadrants, tally_rating

StepResult = Annotated[
    BrainstormResult | DotVoteResult | RankingResult | RatingResult | ChoiceResult,
    Field(discriminator="kind"),
]
STEP_RESULT_ADAPTER: TypeAdapter[StepResult] = TypeAdapter(StepResult)

__all__ = [
    "STEP_RESULT_ADAPTER",
    "BrainstormResult",
    "ChoiceResult",
    "ChoiceRow",
    "ColumnResult",
    "CriterionStats",
    "DotVoteResult",
    "DotVoteRow",
    "IdeaCard",
    "MergedIdea",
    "Quadrant",
    "RankedRow",
    "RankingResult",
    "RatingResult",
    "RatingRow",
    "SchulzeResult",
    "StepResult",
    "TallyError",
    "borda",
    "borda_points",
    "competition_ranks",
    "condorcet_winner",
    "pairwise_preferences",
    "quadrants",
    "schulze",
    "strongest_paths",
    "tally",
    "tally_brainstorm",
    "tally_brainstorm_by_group",
    "tally_by_group",
    "tally_choice",
    "tally_dot_vote",
    "tally_ranking",
    "tally_rating",
]


def tally(step: Step, ballots: Sequence[Ballot], *, ideas: Sequence[Idea] = ()) -> StepResult:
    """The result of ``step``: dispatches on its kind.

    A brainstorm is tallied from ``ideas`` (its ballots are ignored, it has none); the
    vote steps from ``ballots``, which must all be of the step's kind
    (:class:`TallyError` otherwise).
    """
    if isinstance(step, BrainstormStep):
        return tally_brainstorm(step, ideas)
    if isinstance(step, DotVoteStep):
        return tally_dot_vote(step, ballots)
    if isinstance(step, RankingStep):
        return tally_ranking(step, ballots)
    if isinstance(step, RatingStep):
        return tally_rating(step, ballots)
    if isinstance(step, ChoiceStep):
        return tally_choice(step, ballots)
    raise TallyError(f"Type d'étape inconnu : {type(step).__name__}")


def tally_by_group(
    step: Step,
    ballots: Sequence[tuple[Ballot, str | None]],
    *,
    ideas: Sequence[Idea] = (),
    group_of: Mapping[str, str | None] | None = None,
) -> dict[str | None, StepResult]:
    """The result of ``step`` once per collège.

    ``ballots`` pairs each ballot with its voter's collège id (``None``: no collège given).
    Groups appear in the order they are first met, ``None`` last; a group without any
    ballot is absent. For a brainstorm, pass ``ideas`` and ``group_of`` (participant token
    → collège id): each collège's wall counts only its own upvotes.
    """
    if isinstance(step, BrainstormStep):
        return dict(tally_brainstorm_by_group(step, ideas, group_of or {}))
    by_group: dict[str | None, list[Ballot]] = {}
    for ballot, group in ballots:
        by_group.setdefault(group, []).append(ballot)
    order = [g for g in by_group if g is not None] + ([None] if None in by_group else [])
    return {group: tally(step, by_group[group]) for group in order}
