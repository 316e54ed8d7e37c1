"""Refuse a precondition that would make changes depend on one another in a loop."""

from __future__ import annotations

import networkx as nx

from ..model import Project
from .labels import quoted
from .validation import EditError


def precondition_graph(project: Project) -> nx.DiGraph:
    """Changes and their precondition links, pointing from the precondition to the change."""
    graph = nx.DiGraph()
    graph.add_nodes_from(change.id for change in project.changes)
    graph.add_edges_from(
        (link.to, change.id) for change in project.changes for link in change.preconditions
    )
    return graph


def refuse_new_cycles(before: Project, after: Project, change_id: str) -> None:
    """Raise :class:`EditError` if a precondition of ``change_id`` added by an edit closes a loop.

    Only the links the edit added are judged: a loop the project already had (a file
    edited by hand) is reported by the coherence checks and does not block other edits.
    The message names the loop, change by change.
    """
    old = {link.to for link in before.change(change_id).preconditions} if _has(
        before, change_id
    ) else set()
    graph = precondition_graph(after)
    labels = {change.id: change.statement for change in after.changes}
    for link in after.change(change_id).preconditions:
        if link.to in old or not nx.has_path(graph, change_id, link.to):
            continue
        # change_id → … → link.to already exists, and the new link.to → change_id closes it.
        path = nx.shortest_path(graph, change_id, link.to)
        loop = [link.to, *path]
        steps = " → ".join(quoted(labels[node], 40) for node in loop)
        raise EditError(
            f"Ce lien créerait une boucle de préconditions : {steps}. Un changement ne peut "
            "pas dépendre, même indirectement, d'un changement qu'il rend lui-même possible : "
            "choisissez une autre précondition ou retirez d'abord un lien de la boucle.",
            "preconditions",
        )


def _has(project: Project, change_id: str) -> bool:
    return any(change.id == change_id for change in project.changes)
