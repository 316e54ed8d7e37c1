"""What every tally shares: the error type and competition ranking with ties kept."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from ..model import Ballot

T = TypeVar("T")


class TallyError(ValueError):
    """Ballots that do not belong to the step being tallied; the message is French."""


def ballots_of_kind(ballots: Sequence[Ballot], kind: str, step_title: str) -> list[Ballot]:
    """Return ``ballots`` if all are of ``kind``, else raise :class:`TallyError`."""
    for ballot in ballots:
        if ballot.kind != kind:
            raise TallyError(
                f"Un bulletin de type « {ballot.kind} » a été compté dans l'étape « {step_title} »."
            )
    return list(ballots)


def competition_ranks(
    items: Sequence[T], score: Callable[[T], object]
) -> list[tuple[T, int, bool]]:
    """Rank ``items`` already sorted best first: ``(item, rank, tied)``.

    Equal scores share a rank and the next rank skips accordingly ("1, 2, 2, 4"), so a
    tie is never broken by the order the items happen to be listed in.
    """
    ranked: list[tuple[T, int, bool]] = []
    scores = [score(item) for item in items]
    for index, item in enumerate(items):
        rank = index + 1
        if index > 0 and scores[index] == scores[index - 1]:
            rank = ranked[index - 1][1]
        tied = (index > 0 and scores[index] == scores[index - 1]) or (
            index + 1 < len(items) and scores[index] == scores[index + 1]
        )
        ranked.append((item, rank, tied))
    return ranked
