"""The order and numbers of the actions, shared by the plan, the sheets and the tracker.

An action keeps one number in every document: "Action #7" of the sheets is row 7 of
the follow-up table and number 7 of the plan. Actions are ordered by strategic axis,
then sub-objective, then their order in the project; actions with an empty ``scope``
form the plan of the whole territory (the EPCI), then come the plans of the communes
whose actions are scoped to them. Numbers follow that sequence without restarting, an
action shared by several communes keeping the number of its first appearance.
"""

from __future__ import annotations

from dataclasses import dataclass

from theory_of_change.model import Activity, Commune, Project, TerritoryKind


@dataclass(frozen=True)
class ActionPlanScope:
    """One action plan: the whole territory (``commune is None``) or one commune."""

    commune: Commune | None
    title: str
    activities: tuple[Activity, ...]


def plan_sort_key(project: Project) -> dict[str, tuple[int, int, int]]:
    """The plan-order key of every activity: (axis rank, sub-objective rank, index)."""
    axis_rank = {axis.id: rank for rank, axis in enumerate(project.sorted_axes())}
    sub_rank = {
        (axis.id, sub.id): rank
        for axis in project.axes
        for rank, sub in enumerate(axis.sub_objectives)
    }
    keys: dict[str, tuple[int, int, int]] = {}
    for index, activity in enumerate(project.activities):
        # Actions without axis close the plan; within an axis, actions without
        # sub-objective come first, right under the axis heading.
        axis = axis_rank.get(activity.axis, len(axis_rank)) if activity.axis else len(axis_rank)
        sub = sub_rank.get((activity.axis or "", activity.sub_objective or ""), -1)
        keys[activity.id] = (axis, sub, index)
    return keys


def in_plan_order(project: Project, activities: list[Activity] | None = None) -> list[Activity]:
    """The activities (all of the project's by default) in plan order."""
    keys = plan_sort_key(project)
    chosen = project.activities if activities is None else activities
    return sorted(chosen, key=lambda activity: keys[activity.id])


def territory_plan_title(project: Project) -> str:
    """The heading of the whole territory's plan."""
    if project.territory.kind is TerritoryKind.epci:
        return f"Plan d'action intercommunal — {project.territory.name}"
    return f"Plan d'action — {project.territory.name}"


def action_plans(project: Project) -> list[ActionPlanScope]:
    """The territory's plan, then one plan per commune that has actions scoped to it.

    The territory's plan is kept even when empty if there is no commune plan, so a
    project always has at least one plan.
    """
    ordered = in_plan_order(project)
    plans: list[ActionPlanScope] = []
    territory_wide = tuple(a for a in ordered if not a.scope)
    for commune in project.territory.communes:
        scoped = tuple(a for a in ordered if commune.id in a.scope)
        if scoped:
            plans.append(
                ActionPlanScope(
                    commune=commune,
                    title=f"Plan d'action communal — {commune.name}",
                    activities=scoped,
                )
            )
    if territory_wide or not plans:
        plans.insert(
            0,
            ActionPlanScope(
                commune=None, title=territory_plan_title(project), activities=territory_wide
            ),
        )
    return plans


def action_numbers(project: Project) -> dict[str, int]:
    """The number of every action, continuous across the successive plans."""
    numbers: dict[str, int] = {}
    for plan in action_plans(project):
        for activity in plan.activities:
            numbers.setdefault(activity.id, len(numbers) + 1)
    # An action scoped only to unknown communes cannot happen (the model checks scopes),
    # but number any leftover so every document can still name it.
    for activity in in_plan_order(project):
        numbers.setdefault(activity.id, len(numbers) + 1)
    return numbers
