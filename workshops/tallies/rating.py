"""Tally of a rating (notation) on one or two criteria, with the 2×2 matrix."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Literal

from theory_of_change.model import Model

from ..model import Ballot, Criterion, OptionSource, RatingBallot, RatingStep
from .common import ballots_of_kind


class CriterionStats(Model):
    """How an option was rated on one criterion (``None`` when nobody rated it)."""

    criterion_id: str
    label: str
    count: int
    mean: float | None
    median: float | None


class Quadrant(Model):
    """A cell of the 2×2 matrix, e.g. "impact fort / faisabilité forte"."""

    id: Literal["high-high", "high-low", "low-high", "low-low"]
    label: str
    first_high: bool
    second_high: bool


class RatingRow(Model):
    """One option: its statistics per criterion and, with two criteria, its quadrant."""

    option_id: str
    label: str
    source: OptionSource
    ref: str | None
    stats: list[CriterionStats]
    quadrant: Quadrant | None


class RatingResult(Model):
    """Result of a rating: per option and criterion count, mean and median."""

    kind: Literal["rating"] = "rating"
    step_id: str
    voters: int
    scale_min: int
    scale_max: int
    midpoint: float
    criteria: list[Criterion]
    quadrants: list[Quadrant]
    rows: list[RatingRow]


def quadrants(criteria: Sequence[Criterion]) -> list[Quadrant]:
    """The four cells of the matrix, best first (empty with a single criterion)."""
    if len(criteria) != 2:
        return []
    first, second = criteria
    cells: list[Quadrant] = []
    for first_high in (True, False):
        for second_high in (True, False):
            cell_id = f"{'high' if first_high else 'low'}-{'high' if second_high else 'low'}"
            label = (
                f"{first.label} {first.high_label if first_high else first.low_label} / "
                f"{second.label} {second.high_label if second_high else second.low_label}"
            )
            cells.append(
                Quadrant(
                    id=cell_id,  # type: ignore[arg-type]
                    label=label,
                    first_high=first_high,
                    second_high=second_high,
                )
            )
    return cells


def tally_rating(step: RatingStep, ballots: Sequence[Ballot]) -> RatingResult:
    """Count a rating.

    Méthode : pour chaque option et chaque critère, on compte les notes reçues, on en
    calcule la moyenne et la médiane (pour un nombre pair de notes, la moyenne des deux
    notes du milieu). Un votant peut ne noter que certaines options : seules les notes
    données comptent. Avec deux critères, chaque option est placée dans une matrice 2×2 :
    sur chaque critère, elle est du côté « fort » si sa moyenne est supérieure ou égale au
    milieu de l'échelle (3 pour une échelle de 1 à 5), du côté « faible » sinon. Une option
    qui n'a pas reçu de note sur l'un des critères n'est pas placée. Les options sont
    présentées par moyenne décroissante sur le premier critère, puis sur le second.
    """
    rating_ballots = [
        b for b in ballots_of_kind(ballots, "rating", step.title) if isinstance(b, RatingBallot)
    ]
    scores: dict[str, dict[str, list[int]]] = {
        option_id: {criterion.id: [] for criterion in step.criteria}
        for option_id in step.option_ids()
    }
    for ballot in rating_ballots:
        for option_id, given in ballot.scores.items():
            for criterion_id, score in given.items():
                if option_id in scores and criterion_id in scores[option_id]:
                    scores[option_id][criterion_id].append(score)

    cells = {(q.first_high, q.second_high): q for q in quadrants(step.criteria)}
    rows: list[RatingRow] = []
    for option in step.options:
        stats = [
            CriterionStats(
                criterion_id=criterion.id,
                label=criterion.label,
                count=len(values := scores[option.id][criterion.id]),
                mean=statistics.fmean(values) if values else None,
                median=float(statistics.median(values)) if values else None,
            )
            for criterion in step.criteria
        ]
        means = [s.mean for s in stats]
        quadrant = None
        if cells and means[0] is not None and means[1] is not None:
            quadrant = cells[(means[0] >= step.midpoint, means[1] >= step.midpoint)]
        rows.append(
            RatingRow(
                option_id=option.id,
                label=option.label,
                source=option.source,
                ref=option.ref,
                stats=stats,
                quadrant=quadrant,
            )
        )
    index = {option_id: i for i, option_id in enumerate(step.option_ids())}

    def sort_key(row: RatingRow) -> tuple[float, ...]:
        means = [s.mean if s.mean is not None else float("-inf") for s in row.stats]
        return (*(-m for m in means), index[row.option_id])

    return RatingResult(
        step_id=step.id,
        voters=len(rating_ballots),
        scale_min=step.scale_min,
        scale_max=step.scale_max,
        midpoint=step.midpoint,
        criteria=list(step.criteria),
        quadrants=list(cells.values()),
        rows=sorted(rows, key=sort_key),
    )
