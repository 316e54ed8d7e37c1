"""Brainstorm operations: post, moderate and upvote ideas.

Every function is pure: it returns new :class:`~workshops.model.Idea` objects (or a new
list) and leaves its arguments untouched, so the caller stores the result and broadcasts
it. An impossible operation raises :class:`BrainstormError` with a French message.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from .model import IDEA_MAX_LENGTH, BrainstormStep, Idea, StepStatus


class BrainstormError(ValueError):
    """An operation on ideas that cannot be done; the message is French."""


def _clean_text(text: str, max_length: int) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise BrainstormError("L'idée est vide : écrivez quelques mots.")
    if len(cleaned) > max_length:
        raise BrainstormError(
            f"L'idée compte {len(cleaned)} caractères : {max_length} au plus."
        )
    return cleaned


def find(ideas: Iterable[Idea], idea_id: str) -> Idea:
    """The idea with this id, or :class:`BrainstormError` if there is none."""
    for idea in ideas:
        if idea.id == idea_id:
            return idea
    raise BrainstormError("Cette idée n'existe pas (ou plus).")


def replace(ideas: Sequence[Idea], changed: Iterable[Idea]) -> list[Idea]:
    """A new list where each idea of ``changed`` takes the place of the one with its id."""
    by_id = {idea.id: idea for idea in changed}
    return [by_id.get(idea.id, idea) for idea in ideas]


def post_idea(
    step: BrainstormStep,
    column: str,
    text: str,
    *,
    author: str | None = None,
    idea_id: str | None = None,
) -> Idea:
    """A new idea in ``column`` of ``step``.

    The text is stripped and its inner runs of spaces and line breaks collapsed; it must
    hold 1 to ``step.max_idea_length`` characters. A closed step takes no more ideas.
    ``idea_id`` defaults to a random UUID.
    """
    if step.status == StepStatus.closed:
        raise BrainstormError("Cette étape est close : elle ne reçoit plus d'idées.")
    try:
        step.column(column)
    except KeyError:
        raise BrainstormError(f"La colonne « {column} » n'existe pas dans cette étape.") from None
    return Idea(
        id=idea_id or uuid.uuid4().hex,
        step_id=step.id,
        column=column,
        text=_clean_text(text, step.max_idea_length),
        author=author,
    )


def hide(idea: Idea) -> Idea:
    """The idea hidden from the wall (it stays in the records and can be shown again)."""
    return idea.model_copy(update={"hidden": True})


def unhide(idea: Idea) -> Idea:
    """The idea shown again on the wall."""
    return idea.model_copy(update={"hidden": False})


def edit(idea: Idea, text: str, *, max_length: int = IDEA_MAX_LENGTH) -> Idea:
    """The idea with its text rewritten by the facilitator (same limits as posting)."""
    return idea.model_copy(update={"text": _clean_text(text, max_length)})


def move(idea: Idea, column: str, *, step: BrainstormStep | None = None) -> Idea:
    """The idea moved to another column (checked against ``step`` when given)."""
    if step is not None:
        if idea.step_id != step.id:
            raise BrainstormError("Cette idée appartient à une autre étape.")
        try:
            step.column(column)
        except KeyError:
            raise BrainstormError(
                f"La colonne « {column} » n'existe pas dans cette étape."
            ) from None
    return idea.model_copy(update={"column": column})


def merge(ideas: Sequence[Idea], source_ids: Sequence[str], target_id: str) -> list[Idea]:
    """Fold the ideas ``source_ids`` into ``target_id`` (duplicates found by the facilitator).

    The sources keep their text and their own upvoters and point to the target with
    ``merged_into``: the wall shows them under the target, which counts the union of all
    their upvoters (a participant who upvoted two of them counts once, see
    :func:`merged_upvoters`). Nothing is lost, so :func:`unmerge` can undo it. Ideas
    already merged into a source are re-pointed to the target, so merges never chain.
    Returns the whole new list.
    """
    target = find(ideas, target_id)
    if not source_ids:
        raise BrainstormError("Choisissez au moins une idée à fusionner.")
    if target_id in source_ids:
        raise BrainstormError("Une idée ne peut pas être fusionnée avec elle-même.")
    if target.merged_into is not None:
        raise BrainstormError(
            "L'idée cible a déjà été fusionnée dans une autre : fusionnez plutôt dans celle-ci."
        )
    if target.hidden:
        raise BrainstormError("L'idée cible est masquée : réaffichez-la avant de fusionner.")
    sources = [find(ideas, source_id) for source_id in dict.fromkeys(source_ids)]
    if any(source.step_id != target.step_id for source in sources):
        raise BrainstormError("On ne peut fusionner que des idées de la même étape.")

    folded = {source.id for source in sources}
    # Ideas merged earlier into one of the sources follow it into the target.
    folded |= {idea.id for idea in ideas if idea.merged_into in folded}
    return replace(
        ideas,
        [idea.model_copy(update={"merged_into": target_id}) for idea in ideas if idea.id in folded],
    )


def unmerge(ideas: Sequence[Idea], idea_id: str) -> list[Idea]:
    """Undo a merge: the idea shows again on its own, with its own upvoters."""
    idea = find(ideas, idea_id)
    if idea.merged_into is None:
        raise BrainstormError("Cette idée n'a pas été fusionnée.")
    return replace(ideas, [idea.model_copy(update={"merged_into": None})])


def merged_upvoters(ideas: Sequence[Idea], idea_id: str) -> set[str]:
    """Everyone who upvoted the idea or one of the ideas merged into it."""
    return {
        token
        for idea in ideas
        if idea.id == idea_id or idea.merged_into == idea_id
        for token in idea.upvoters
    }


def cluster(ideas: Sequence[Idea], ids: Sequence[str], label: str | None) -> list[Idea]:
    """Put the ideas ``ids`` in the cluster ``label`` (``None`` takes them out of any)."""
    if label is not None:
        label = " ".join(label.split())
        if not label:
            raise BrainstormError("Donnez un nom au regroupement.")
        if len(label) > 300:
            raise BrainstormError("Le nom du regroupement dépasse 300 caractères.")
    chosen = [find(ideas, idea_id) for idea_id in ids]
    return replace(ideas, [idea.model_copy(update={"cluster": label}) for idea in chosen])


def upvote(idea: Idea, token: str) -> Idea:
    """The idea with ``token``'s upvote; a second upvote by the same person changes nothing."""
    if idea.hidden:
        raise BrainstormError("Cette idée a été masquée par l'animateur.")
    if idea.merged_into is not None:
        raise BrainstormError("Cette idée a été fusionnée avec une autre : soutenez celle-ci.")
    if token in idea.upvoters:
        return idea
    return idea.model_copy(update={"upvoters": [*idea.upvoters, token]})


def withdraw_upvote(idea: Idea, token: str) -> Idea:
    """The idea without ``token``'s upvote (no change if there was none)."""
    if token not in idea.upvoters:
        return idea
    return idea.model_copy(update={"upvoters": [t for t in idea.upvoters if t != token]})
