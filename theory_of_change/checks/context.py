"""What every rule reads: the project, its graph, and lookups computed once for all rules.

Each lookup is a cached property, so a rule pays for what it uses and no rule rebuilds
what another already built; all of them are linear in the size of the project.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from ..graph import EdgeKind
from ..model import (
    VISION_ID,
    Activity,
    ActivityStatus,
    Change,
    ChangeStatus,
    ProgressMarker,
    Project,
)
from ..sppe import OrganisingAuthority, organising_authorities
from .french import quoted, truncate


@dataclass
class CheckContext:
    """The project under check, its graph and shared lookups."""

    project: Project
    graph: nx.DiGraph

    # Labels ---------------------------------------------------------------------------------

    def label(self, node_id: str) -> str:
        """The human label of a node, on one line and cut to a readable length."""
        if node_id == VISION_ID:
            return "la vision"
        data = self.graph.nodes.get(node_id)
        label = data.get("label") if data else None
        return truncate(label) if label else node_id

    def quoted(self, node_id: str) -> str:
        """The node's label between French quotation marks."""
        return quoted(self.label(node_id))

    def quoted_all(self, node_ids: Iterable[str]) -> list[str]:
        """The quoted labels of several nodes, in the given order."""
        return [self.quoted(node_id) for node_id in node_ids]

    # Changes --------------------------------------------------------------------------------

    @cached_property
    def change_order(self) -> dict[str, int]:
        """Position of each change in the project, to list changes in the user's order."""
        return {change.id: index for index, change in enumerate(self.project.changes)}

    @cached_property
    def changes_by_id(self) -> dict[str, Change]:
        """Each change by its id."""
        return {change.id: change for change in self.project.changes}

    @cached_property
    def active_changes(self) -> list[Change]:
        """Changes still in play: proposed or prioritised, not set aside."""
        return [c for c in self.project.changes if c.status != ChangeStatus.set_aside]

    @cached_property
    def active_change_ids(self) -> frozenset[str]:
        """Ids of :attr:`active_changes`."""
        return frozenset(change.id for change in self.active_changes)

    @cached_property
    def precondition_graph(self) -> nx.DiGraph:
        """Changes and their precondition edges only (precondition → the change it enables)."""
        chains = nx.DiGraph()
        chains.add_nodes_from(self.change_order)
        chains.add_edges_from(
            (u, v) for u, v, kind in self.graph.edges(data="kind") if kind == EdgeKind.precondition
        )
        return chains

    def upstream_changes(
        self, ends: Iterable[str], within: frozenset[str] | None = None
    ) -> set[str]:
        """The changes ``ends`` and every change that leads to them through preconditions.

        One reverse traversal for all ends together; with ``within``, the walk only goes
        through those changes (e.g. the active ones).
        """
        chains = self.precondition_graph
        seen = {end for end in ends if within is None or end in within}
        stack = list(seen)
        while stack:
            node = stack.pop()
            for precondition in chains.predecessors(node):
                if precondition not in seen and (within is None or precondition in within):
                    seen.add(precondition)
                    stack.append(precondition)
        return seen

    @cached_property
    def vision_end_ids(self) -> list[str]:
        """Changes linked to the vision in the graph (none when there is no vision)."""
        if VISION_ID not in self.graph:
            return []
        return [
            u for u, _, kind in self.graph.in_edges(VISION_ID, data="kind")
            if kind == EdgeKind.leads_to
        ]

    # Markers, stakes, activities ----------------------------------------------------------

    @cached_property
    def markers_by_change(self) -> dict[str, list[ProgressMarker]]:
        """The progress markers of each change."""
        markers: dict[str, list[ProgressMarker]] = defaultdict(list)
        for marker in self.project.markers:
            markers[marker.change].append(marker)
        return markers

    @cached_property
    def changes_by_stake(self) -> dict[str, list[Change]]:
        """The changes that address each stake."""
        changes: dict[str, list[Change]] = defaultdict(list)
        for change in self.project.changes:
            for stake_id in change.addresses:
                changes[stake_id].append(change)
        return changes

    @cached_property
    def planned_activities(self) -> list[Activity]:
        """Activities of the plan: every one but those abandoned in the follow-up."""
        return [a for a in self.project.activities if a.status != ActivityStatus.abandoned]

    @cached_property
    def covered_themes(self) -> frozenset[str]:
        """Themes tagged on a retained stake, a change not set aside or a planned activity."""
        project = self.project
        covered = {s.theme for s in project.stakes if s.retained and s.theme is not None}
        covered.update(t for change in self.active_changes for t in change.themes)
        covered.update(t for activity in self.planned_activities for t in activity.themes)
        return frozenset(covered)

    # SPPE -------------------------------------------------------------------------------------

    @cached_property
    def organising_authorities(self) -> list[OrganisingAuthority]:
        """Who organises early-childhood care on the territory."""
        return organising_authorities(self.project)
