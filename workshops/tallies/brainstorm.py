"""The idea wall of a brainstorm: visible ideas by column, merges folded in."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

from theory_of_change.model import Model

from ..model import BrainstormStep, Idea


class MergedIdea(Model):
    """An idea folded into another one, shown under it."""

    id: str
    text: str


class IdeaCard(Model):
    """A visible idea with the upvotes of the ideas merged into it."""

    id: str
    text: str
    upvotes: int
    cluster: str | None
    merged: list[MergedIdea]


class ColumnResult(Model):
    """A column of the wall and its ideas, most upvoted first."""

    column_id: str
    label: str
    ref: str | None
    ideas: list[IdeaCard]


class BrainstormResult(Model):
    """Result of a brainstorm: the idea wall."""

    kind: Literal["brainstorm"] = "brainstorm"
    step_id: str
    ideas: int
    contributors: int
    columns: list[ColumnResult]


def merge_root(idea: Idea, by_id: Mapping[str, Idea]) -> Idea:
    """The idea that ``idea`` is (transitively) merged into, or ``idea`` itself."""
    seen = {idea.id}
    current = idea
    while current.merged_into is not None and current.merged_into in by_id:
        current = by_id[current.merged_into]
        if current.id in seen:  # a cycle cannot be built by merge(); stop rather than loop
            break
        seen.add(current.id)
    return current


def tally_brainstorm(
    step: BrainstormStep,
    ideas: Sequence[Idea],
    *,
    counts: Callable[[str], bool] | None = None,
) -> BrainstormResult:
    """Build the idea wall of a brainstorm.

    Méthode : seules les idées visibles de l'étape sont affichées (ni masquées, ni
    fusionnées). Une idée fusionnée dans une autre est rangée sous elle : sa cible reçoit
    l'union des soutiens des deux idées — un participant qui avait soutenu les deux ne
    compte qu'une fois. Dans chaque colonne, les idées sont triées par nombre de soutiens
    décroissant, puis par ordre d'arrivée. ``counts`` permet de ne compter que les soutiens
    de certains participants (par exemple ceux d'un collège).
    """
    step_ideas = [idea for idea in ideas if idea.step_id == step.id]
    by_id = {idea.id: idea for idea in step_ideas}
    upvoters: dict[str, set[str]] = {}
    merged: dict[str, list[MergedIdea]] = {}
    for idea in step_ideas:
        root = merge_root(idea, by_id)
        upvoters.setdefault(root.id, set()).update(idea.upvoters)
        if root.id != idea.id:
            merged.setdefault(root.id, []).append(MergedIdea(id=idea.id, text=idea.text))

    position = {idea.id: i for i, idea in enumerate(step_ideas)}
    columns: list[ColumnResult] = []
    visible_count = 0
    for column in step.columns:
        cards = [
            IdeaCard(
                id=idea.id,
                text=idea.text,
                upvotes=sum(1 for t in upvoters.get(idea.id, set()) if counts is None or counts(t)),
                cluster=idea.cluster,
                merged=merged.get(idea.id, []),
            )
            for idea in step_ideas
            if idea.visible and idea.column == column.id
        ]
        cards.sort(key=lambda card: (-card.upvotes, position[card.id]))
        visible_count += len(cards)
        columns.append(
            ColumnResult(column_id=column.id, label=column.label, ref=column.ref, ideas=cards)
        )
    authors = {idea.author for idea in step_ideas if idea.author is not None}
    return BrainstormResult(
        step_id=step.id, ideas=visible_count, contributors=len(authors), columns=columns
    )


def tally_brainstorm_by_group(
    step: BrainstormStep, ideas: Sequence[Idea], group_of: Mapping[str, str | None]
) -> dict[str | None, BrainstormResult]:
    """The idea wall once per collège, counting only that collège's upvotes.

    ``group_of`` maps each participant token to its collège id (``None`` when the
    participant gave none); upvoters missing from it count as ``None``. Collèges come in
    the order first met, ``None`` last.
    """
    step_ideas = [idea for idea in ideas if idea.step_id == step.id]
    tokens = [token for idea in step_ideas for token in idea.upvoters]
    groups: list[str | None] = list(
        dict.fromkeys([*group_of.values(), *(group_of.get(token) for token in tokens)])
    )
    if None in groups:
        groups = [g for g in groups if g is not None] + [None]
    return {
        group: tally_brainstorm(step, ideas, counts=lambda t, g=group: group_of.get(t) == g)
        for group in groups
    }
