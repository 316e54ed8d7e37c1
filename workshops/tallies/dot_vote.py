"""Tally of a dot vote (vote à gommettes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from theory_of_change.model import Model

from ..model import Ballot, DotBallot, DotVoteStep, OptionSource
from .common import ballots_of_kind, competition_ranks


class DotVoteRow(Model):
    """One option's line: its dots, how many voters gave it at least one, its rank."""

    option_id: str
    label: str
    source: OptionSource
    ref: str | None
    dots: int
    voters: int
    rank: int
    tied: bool


class DotVoteResult(Model):
    """Result of a dot vote: options by number of dots, ties sharing a rank."""

    kind: Literal["dot_vote"] = "dot_vote"
    step_id: str
    voters: int
    dots_cast: int
    budget: int
    max_per_option: int
    rows: list[DotVoteRow]


def tally_dot_vote(step: DotVoteStep, ballots: Sequence[Ballot]) -> DotVoteResult:
    """Count a dot vote.

    Méthode : chaque option reçoit la somme des gommettes posées sur elle ; on compte aussi
    le nombre de votants qui lui ont donné au moins une gommette. Les options sont triées
    par gommettes décroissantes. Deux options avec autant de gommettes sont à égalité :
    elles partagent le même rang et le rang suivant est sauté (1, 2, 2, 4) ; le nombre de
    votants ne départage pas, il n'est affiché qu'à titre d'information. Les gommettes
    posées sur une option qui n'existe plus sont ignorées.
    """
    dot_ballots = [b for b in ballots_of_kind(ballots, "dot_vote", step.title)
                   if isinstance(b, DotBallot)]
    dots = dict.fromkeys(step.option_ids(), 0)
    voters = dict.fromkeys(step.option_ids(), 0)
    for ballot in dot_ballots:
        for option_id, count in ballot.dots.items():
            if option_id in dots and count > 0:
                dots[option_id] += count
                voters[option_id] += 1
    order = {option_id: index for index, option_id in enumerate(step.option_ids())}
    # Stable display inside a tie: more voters first, then the facilitator's order.
    options = sorted(step.options, key=lambda o: (-dots[o.id], -voters[o.id], order[o.id]))
    rows = [
        DotVoteRow(
            option_id=option.id,
            label=option.label,
            source=option.source,
            ref=option.ref,
            dots=dots[option.id],
            voters=voters[option.id],
            rank=rank,
            tied=tied,
        )
        for option, rank, tied in competition_ranks(options, lambda o: dots[o.id])
    ]
    return DotVoteResult(
        step_id=step.id,
        voters=len(dot_ballots),
        dots_cast=sum(dots.values()),
        budget=step.budget,
        max_per_option=step.max_per_option,
        rows=rows,
    )
