"""The theory-of-change graph, derived from a :class:`~theory_of_change.model.Project`.

The graph is rebuilt from the model whenever it is needed and never edited directly, so
it cannot drift from what is saved. Edges point in the direction of causality:

- stake → change (``addresses``): the change answers the stake;
- change → change (``precondition``): the first must happen before the second;
- change → vision (``leads_to``): the change is an end of a pathway;
- marker → change (``signals``): the marker shows the change is happening;
- activity → change (``contributes``): the activity helps bring the change about.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import networkx as nx

from .model import VISION_ID, Project


class NodeKind(StrEnum):
    """The kind stored in each node's ``kind`` attribute."""

    stake = "stake"
    change = "change"
    vision = "vision"
    marker = "marker"
    activity = "activity"


class EdgeKind(StrEnum):
    """The kind stored in each edge's ``kind`` attribute."""

    addresses = "addresses"
    precondition = "precondition"
    leads_to = "leads_to"
    signals = "signals"
    contributes = "contributes"


def build_graph(project: Project) -> nx.DiGraph:
    """Build the directed graph of the project's chain of reasoning.

    Every node has ``kind`` and ``label`` attributes; every edge has ``kind`` and
    ``hypothesis`` (``None`` when the link carries none).
    """
    graph = nx.DiGraph()
    for stake in project.stakes:
        graph.add_node(stake.id, kind=NodeKind.stake, label=stake.title)
    if project.vision is not None:
        graph.add_node(VISION_ID, kind=NodeKind.vision, label=project.vision.text)
    for change in project.changes:
        graph.add_node(change.id, kind=NodeKind.change, label=change.statement)
    for marker in project.markers:
        graph.add_node(marker.id, kind=NodeKind.marker, label=marker.text)
    for activity in project.activities:
        graph.add_node(activity.id, kind=NodeKind.activity, label=activity.title)

    for change in project.changes:
        for stake_id in change.addresses:
            graph.add_edge(stake_id, change.id, kind=EdgeKind.addresses, hypothesis=None)
        for link in change.preconditions:
            graph.add_edge(
                link.to, change.id, kind=EdgeKind.precondition, hypothesis=link.hypothesis
            )
        if change.leads_to_vision and project.vision is not None:
            graph.add_edge(
                change.id, VISION_ID, kind=EdgeKind.leads_to, hypothesis=change.vision_hypothesis
            )
    for marker in project.markers:
        graph.add_edge(marker.id, marker.change, kind=EdgeKind.signals, hypothesis=None)
    for activity in project.activities:
        for link in activity.contributes_to:
            graph.add_edge(
                activity.id, link.to, kind=EdgeKind.contributes, hypothesis=link.hypothesis
            )
    return graph


@dataclass(frozen=True)
class Pathway:
    """A change pathway: an end change (one that leads to the vision) and its preconditions.

    ``changes`` are ordered so that every precondition comes before the changes it enables.
    """

    end: str
    changes: tuple[str, ...]


def pathways(project: Project, graph: nx.DiGraph | None = None) -> list[Pathway]:
    """One pathway per change that leads to the vision, in the project's order."""
    graph = graph if graph is not None else build_graph(project)
    chains = nx.DiGraph()
    chains.add_nodes_from(c.id for c in project.changes)
    chains.add_edges_from(
        (u, v) for u, v, kind in graph.edges(data="kind") if kind == EdgeKind.precondition
    )
    order = {change.id: index for index, change in enumerate(project.changes)}
    result = []
    for change in project.changes:
        if not change.leads_to_vision:
            continue
        members = nx.ancestors(chains, change.id) | {change.id}
        sub = chains.subgraph(members)
        try:
            ordered = list(nx.lexicographical_topological_sort(sub, key=lambda n: order[n]))
        except nx.NetworkXUnfeasible:
            # A cycle: keep the project order; the coherence check reports the cycle.
            ordered = sorted(members, key=lambda n: order[n])
        result.append(Pathway(end=change.id, changes=tuple(ordered)))
    return result


def neighbourhood(graph: nx.DiGraph, node: str) -> set[str]:
    """The node, everything that leads to it and everything it leads to.

    Used to show one pathway at a time instead of the whole "spaghetti" diagram.
    """
    if node not in graph:
        raise KeyError(node)
    return {node} | nx.ancestors(graph, node) | nx.descendants(graph, node)


def dependents(graph: nx.DiGraph, node: str) -> list[tuple[str, str, EdgeKind]]:
    """Every link that touches ``node``: what would be cut if it were deleted."""
    if node not in graph:
        raise KeyError(node)
    edges = list(graph.in_edges(node, data="kind")) + list(graph.out_edges(node, data="kind"))
    return [(u, v, EdgeKind(kind)) for u, v, kind in edges]
