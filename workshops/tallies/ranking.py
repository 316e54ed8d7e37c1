"""Tally of a ranking (classement): Borda count and Schulze method.

Both methods accept partial rankings: a voter may rank only the options they care about;
the options they leave out come after the ranked ones, tied among themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

import numpy as np

from theory_of_change.model import Model

from ..model import Ballot, OptionSource, RankingBallot, RankingStep
from .common import ballots_of_kind, competition_ranks

Counted = tuple[np.ndarray, np.ndarray]
"""Distinct ballots as positions (one row per ballot, one column per option) and weights.

``counted`` arguments take it from :func:`tally_ranking`, which builds it once for both
methods; it must come from the same ``orders``.
"""


class RankedRow(Model):
    """One option's place under one method; ``score`` is the method's own figure."""

    option_id: str
    label: str
    source: OptionSource
    ref: str | None
    score: float
    rank: int
    tied: bool


class SchulzeResult(Model):
    """Schulze's order, its ties, and the matrices it comes from.

    ``pairwise[a][b]`` is how many voters prefer ``a`` to ``b``; ``strongest_paths[a][b]``
    the strength of the strongest path from ``a`` to ``b``. ``ranks`` lists the options
    best first, options of equal standing grouped together. A row's ``score`` is the
    number of options it beats.
    """

    rows: list[RankedRow]
    ranks: list[list[str]]
    pairwise: dict[str, dict[str, int]]
    strongest_paths: dict[str, dict[str, int]]
    condorcet_winner: str | None


class RankingResult(Model):
    """Result of a ranking by Borda count and by the Schulze method."""

    kind: Literal["ranking"] = "ranking"
    step_id: str
    voters: int
    borda: list[RankedRow]
    schulze: SchulzeResult


def tally_ranking(step: RankingStep, ballots: Sequence[Ballot]) -> RankingResult:
    """Count a ranking by Borda count and by the Schulze method (see the two functions)."""
    known = set(step.option_ids())
    # dict.fromkeys drops a repeated option, which a checked ballot never has but a
    # ballot stored before the step's options were edited might.
    orders = [
        [option_id for option_id in dict.fromkeys(b.order) if option_id in known]
        for b in ballots_of_kind(ballots, "ranking", step.title)
        if isinstance(b, RankingBallot)
    ]
    counted = _positions(step.option_ids(), orders)  # shared by both methods
    return RankingResult(
        step_id=step.id,
        voters=len(orders),
        borda=borda(step, orders, counted=counted),
        schulze=schulze(step, orders, counted=counted),
    )


def borda_points(option_ids: Sequence[str], order: Sequence[str]) -> dict[str, Fraction]:
    """The Borda points one (possibly partial) ranking gives to each option.

    Méthode : avec n options, l'option classée 1re reçoit n − 1 points, la 2e n − 2…, la
    dernière 0. Convention pour un classement partiel : les m options non classées se
    partagent à parts égales les points des places restantes, soit (m − 1)/2 points
    chacune. Chaque bulletin distribue ainsi toujours n(n − 1)/2 points, qu'il soit
    complet ou non, et ne pas classer une option ne la pénalise pas plus que de la
    classer à égalité avec les autres non classées.
    """
    n = len(option_ids)
    points = {option_id: Fraction(0) for option_id in option_ids}
    for position, option_id in enumerate(order):
        points[option_id] = Fraction(n - 1 - position)
    unranked = [option_id for option_id in option_ids if option_id not in set(order)]
    share = Fraction(len(unranked) - 1, 2) if unranked else Fraction(0)
    for option_id in unranked:
        points[option_id] = share
    return points


def borda(
    step: RankingStep, orders: Sequence[Sequence[str]], *, counted: Counted | None = None
) -> list[RankedRow]:
    """Borda count: options by total points, ties sharing a rank.

    Méthode : on additionne les points de Borda de chaque bulletin (voir
    :func:`borda_points`). Deux options au même total sont à égalité et partagent le
    même rang.
    """
    option_ids = step.option_ids()
    n = len(option_ids)
    # Twice the points are whole numbers ((m − 1)/2 is a half at worst): count in
    # integers, which is exact and much faster than fractions for a thousand ballots.
    positions, weights = counted or _positions(option_ids, orders)
    ranked = positions < n
    unranked_share = n - ranked.sum(axis=1) - 1  # twice (m − 1)/2, m options unranked
    points = np.where(ranked, 2 * (n - 1 - positions), unranked_share[:, None])
    doubled = weights @ points
    totals = {
        option_id: Fraction(int(doubled[i]), 2) for i, option_id in enumerate(option_ids)
    }
    index = {option_id: i for i, option_id in enumerate(option_ids)}
    options = sorted(step.options, key=lambda o: (-totals[o.id], index[o.id]))
    return [
        RankedRow(
            option_id=option.id,
            label=option.label,
            source=option.source,
            ref=option.ref,
            score=float(totals[option.id]),
            rank=rank,
            tied=tied,
        )
        for option, rank, tied in competition_ranks(options, lambda o: totals[o.id])
    ]


def pairwise_preferences(
    option_ids: Sequence[str],
    orders: Sequence[Sequence[str]],
    *,
    counted: Counted | None = None,
) -> dict[str, dict[str, int]]:
    """``d[a][b]``: how many voters rank ``a`` above ``b``.

    A ranked option is above every unranked one; two unranked options are tied, so such a
    voter counts for neither.
    """
    positions, weights = counted or _positions(option_ids, orders)
    # above[k, a, b]: ballot k puts a before b (unranked options share the last place).
    above = positions[:, :, None] < positions[:, None, :]
    counts = np.tensordot(weights, above, axes=1)
    return {
        a: {b: int(counts[i, j]) for j, b in enumerate(option_ids) if j != i}
        for i, a in enumerate(option_ids)
    }


def _positions(option_ids: Sequence[str], orders: Sequence[Sequence[str]]) -> Counted:
    """Each distinct ballot's position of every option, and how many voters cast it.

    Unranked options get position ``n`` (after every ranked one, tied together). The
    broadcaster tallies a running ranking at every tick (ten times a second) from
    thousands of ballots: counted in arrays, a 2 000-ballot tally of 12 options takes a
    few milliseconds instead of tens. Identical ballots are counted once with their
    multiplicity: full rankings of a few options repeat a lot in a hall.
    """
    n = len(option_ids)
    index = {option_id: i for i, option_id in enumerate(option_ids)}
    distinct = Counter(tuple(order) for order in orders)
    rows = []
    for order in distinct:
        row = [n] * n
        for position, option_id in enumerate(order):
            row[index[option_id]] = position
        rows.append(row)
    positions = np.array(rows, dtype=np.int64).reshape(len(rows), n)
    weights = np.fromiter(distinct.values(), dtype=np.int64, count=len(distinct))
    return positions, weights


def strongest_paths(
    option_ids: Sequence[str], d: dict[str, dict[str, int]]
) -> dict[str, dict[str, int]]:
    """Strength of the strongest path between each pair (Schulze, "winning votes").

    A direct link a → b has strength ``d[a][b]`` when more voters prefer a to b than the
    reverse, else 0; a path is as strong as its weakest link; ``p[a][b]`` is the strongest
    path's strength (a widest-path Floyd–Warshall).
    """
    p = {
        a: {b: (d[a][b] if d[a][b] > d[b][a] else 0) for b in option_ids if b != a}
        for a in option_ids
    }
    for i in option_ids:
        for j in option_ids:
            if j == i:
                continue
            for k in option_ids:
                if k in (i, j):
                    continue
                p[j][k] = max(p[j][k], min(p[j][i], p[i][k]))
    return p


def condorcet_winner(option_ids: Sequence[str], d: dict[str, dict[str, int]]) -> str | None:
    """The option a majority prefers to each other option, one duel at a time, if any."""
    for a in option_ids:
        if all(d[a][b] > d[b][a] for b in option_ids if b != a):
            return a
    return None


def schulze(
    step: RankingStep, orders: Sequence[Sequence[str]], *, counted: Counted | None = None
) -> SchulzeResult:
    """Schulze method: the order given by the strongest paths, ties reported as ties.

    Méthode : (1) pour chaque paire d'options a et b, on compte les votants qui préfèrent
    a à b (matrice des duels) ; (2) a bat b directement si plus de votants préfèrent a à b
    que l'inverse, avec la force de ce nombre de votants ; (3) la force d'un chemin
    a → … → b est celle de son maillon le plus faible, et l'on retient pour chaque paire
    le chemin le plus fort ; (4) a est mieux placée que b si le chemin le plus fort de a
    vers b est plus fort que celui de b vers a. Cette relation est transitive : on forme
    le 1er rang avec toutes les options qu'aucune autre ne bat, on les retire, et ainsi
    de suite. Des options d'un même rang sont à égalité : le résultat ne les départage
    pas. Le gagnant de Condorcet (l'option qui gagne chacun de ses duels) est indiqué
    quand il existe ; il est alors toujours seul au 1er rang. Dans un cycle de Condorcet
    (A bat B, B bat C, C bat A) il n'y en a pas.
    """
    option_ids = step.option_ids()
    d = pairwise_preferences(option_ids, orders, counted=counted)
    p = strongest_paths(option_ids, d)

    def beats(a: str, b: str) -> bool:
        return p[a][b] > p[b][a]

    remaining = list(option_ids)
    ranks: list[list[str]] = []
    while remaining:
        top = [a for a in remaining if not any(beats(b, a) for b in remaining if b != a)]
        # Schulze's relation is a strict order, so ``top`` is never empty; the guard keeps
        # a bug from turning into an endless loop during a live workshop.
        top = top or list(remaining)
        ranks.append(top)
        remaining = [a for a in remaining if a not in top]

    wins = {a: sum(beats(a, b) for b in option_ids if b != a) for a in option_ids}
    rows: list[RankedRow] = []
    place = 1
    for group in ranks:
        for option_id in group:
            option = step.option(option_id)
            rows.append(
                RankedRow(
                    option_id=option_id,
                    label=option.label,
                    source=option.source,
                    ref=option.ref,
                    score=wins[option_id],
                    rank=place,
                    tied=len(group) > 1,
                )
            )
        place += len(group)
    return SchulzeResult(
        rows=rows,
        ranks=ranks,
        pairwise=d,
        strongest_paths=p,
        condorcet_winner=condorcet_winner(option_ids, d),
    )
