"""Options and columns drawn from the model or from a previous brainstorm.

An option's id is the id of what it stands for (the node id, the idea id), so the same
change keeps the same option id in every step and results can be written back to it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from theory_of_change.model import ActivityKind, ChangeStatus, Project

from .model import Column, Idea, Option

LABEL_MAX_LENGTH = 300

VISION_AGREE = "d-accord"
VISION_AGREE_WITH_CHANGES = "d-accord-avec-modifications"
VISION_DISAGREE = "pas-d-accord"


def short_label(text: str, max_length: int = LABEL_MAX_LENGTH) -> str:
    """``text`` on one line, cut on a word with "…" when longer than ``max_length``."""
    one_line = " ".join(text.split())
    if len(one_line) <= max_length:
        return one_line
    cut = one_line[: max_length - 1].rsplit(" ", 1)[0] or one_line[: max_length - 1]
    return cut + "…"


def options_from_changes(
    project: Project, statuses: Collection[ChangeStatus] = (ChangeStatus.proposed,)
) -> list[Option]:
    """One option per change whose status is in ``statuses`` (the proposed ones by default)."""
    return [
        Option(id=change.id, label=short_label(change.statement), source="change", ref=change.id)
        for change in project.changes
        if change.status in statuses
    ]


def options_from_activities(
    project: Project, kinds: Collection[ActivityKind] | None = None
) -> list[Option]:
    """One option per activity (only those of ``kinds`` when given)."""
    return [
        Option(id=activity.id, label=short_label(activity.title), source="activity",
               ref=activity.id)
        for activity in project.activities
        if kinds is None or activity.kind in kinds
    ]


def options_from_stakes(project: Project) -> list[Option]:
    """One option per retained stake."""
    return [
        Option(id=stake.id, label=short_label(stake.title), source="stake", ref=stake.id)
        for stake in project.stakes
        if stake.retained
    ]


def options_from_ideas(ideas: Iterable[Idea]) -> list[Option]:
    """One option per visible idea (neither hidden nor merged into another), in order."""
    return [
        Option(id=idea.id, label=short_label(idea.text), source="idea", ref=idea.id)
        for idea in ideas
        if idea.visible
    ]


def vision_vote_options() -> list[Option]:
    """The three answers of the vote on the vision."""
    return [
        Option(id=VISION_AGREE, label="D'accord"),
        Option(id=VISION_AGREE_WITH_CHANGES, label="D'accord avec modifications"),
        Option(id=VISION_DISAGREE, label="Pas d'accord"),
    ]


def columns_from_changes(
    project: Project, statuses: Collection[ChangeStatus] = (ChangeStatus.prioritised,)
) -> list[Column]:
    """One brainstorm column per change (the prioritised ones by default), in rank order.

    Ideas posted in such a column can become activities contributing to that change or
    progress markers of it.
    """
    changes = [change for change in project.changes if change.status in statuses]
    changes.sort(key=lambda c: c.priority_rank if c.priority_rank is not None else 10**6)
    return [
        Column(id=change.id, label=short_label(change.statement), ref=change.id)
        for change in changes
    ]


def columns_from_themes(project: Project) -> list[Column]:
    """One brainstorm column per theme of the project (ideas can become stakes of it)."""
    return [Column(id=theme.id, label=theme.label, ref=theme.id) for theme in project.themes]
