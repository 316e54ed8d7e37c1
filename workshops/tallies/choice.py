"""Tally of a choice question (single or multiple), with its comments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from theory_of_change.model import Model

from ..model import Ballot, ChoiceBallot, ChoiceStep, OptionSource
from .common import ballots_of_kind, competition_ranks


class ChoiceRow(Model):
    """One answer: how many voters chose it and their share of all voters."""

    option_id: str
    label: str
    source: OptionSource
    ref: str | None
    count: int
    share: float
    rank: int
    tied: bool


class ChoiceResult(Model):
    """Result of a choice question; ``comments`` holds their text only, no author."""

    kind: Literal["choice"] = "choice"
    step_id: str
    voters: int
    multiple: bool
    rows: list[ChoiceRow]
    comments: list[str]


def tally_choice(step: ChoiceStep, ballots: Sequence[Ballot]) -> ChoiceResult:
    """Count a choice question.

    Méthode : chaque réponse reçoit le nombre de votants qui l'ont choisie ; sa part est ce
    nombre divisé par le nombre de votants (en choix multiple, les parts peuvent donc
    dépasser 100 % au total). Les réponses sont triées par nombre de voix décroissant ;
    à nombre égal elles sont à égalité et partagent le même rang, présentées dans l'ordre
    de l'étape. Les commentaires sont rendus sans leur auteur, dans l'ordre d'arrivée des
    bulletins.
    """
    choice_ballots = [
        b for b in ballots_of_kind(ballots, "choice", step.title) if isinstance(b, ChoiceBallot)
    ]
    counts = dict.fromkeys(step.option_ids(), 0)
    comments: list[str] = []
    for ballot in choice_ballots:
        for option_id in set(ballot.choices):
            if option_id in counts:
                counts[option_id] += 1
        if ballot.comment:
            comments.append(ballot.comment)
    voters = len(choice_ballots)
    index = {option_id: i for i, option_id in enumerate(step.option_ids())}
    options = sorted(step.options, key=lambda o: (-counts[o.id], index[o.id]))
    rows = [
        ChoiceRow(
            option_id=option.id,
            label=option.label,
            source=option.source,
            ref=option.ref,
            count=counts[option.id],
            share=counts[option.id] / voters if voters else 0.0,
            rank=rank,
            tied=tied,
        )
        for option, rank, tied in competition_ranks(options, lambda o: counts[o.id])
    ]
    return ChoiceResult(
        step_id=step.id, voters=voters, multiple=step.multiple, rows=rows, comments=comments
    )
