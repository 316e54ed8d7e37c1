"""Property: any sequence of edits keeps the project valid, acyclic, and seen by the diff."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import networkx as nx
from factories import make_project, revalidated
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from theory_of_change import editing
from theory_of_change.editing import EditError
from theory_of_change.editing.cycles import precondition_graph
from theory_of_change.editing.kinds import ID_KINDS, iter_items
from theory_of_change.model import ChangeStatus, MarkerLevel, Project
from theory_of_change.revisions import diff_projects

WORDS = ["accueil", "familles", "jeunes", "mobilité", "écoute", "Préfailles", "l'école", "été"]
titles = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)

Edit = Callable[[Project], Project]


@st.composite
def edits(draw: st.DrawFn, project: Project) -> Edit:
    """One random edit of ``project``, which may be refused with an EditError."""
    stakes = [s.id for s in project.stakes]
    changes = [c.id for c in project.changes]
    markers = [m.id for m in project.markers]
    ids = sorted(
        located.item.id for kind in ID_KINDS for located in iter_items(project, kind)
    )
    names = ["stake", "axis", "delete"]
    names += ["change"] if stakes else []
    names += ["marker", "activity", "precondition", "status"] if changes else []
    names += ["move-marker"] if changes and markers else []
    name = draw(st.sampled_from(names))
    change = st.sampled_from(changes or ["-"])
    if name == "stake":
        return partial(editing.add_stake, title=draw(titles))
    if name == "axis":
        return partial(editing.add_axis, title=draw(titles))
    if name == "delete":
        node, cut = draw(st.sampled_from(ids)), draw(st.booleans())
        return lambda p: editing.delete_node(p, node, cut_links=cut)
    if name == "change":
        return partial(editing.add_change, statement=draw(titles),
                       addresses=[draw(st.sampled_from(stakes))], leads_to_vision=True)
    if name == "marker":
        return partial(editing.add_marker, change=draw(change), text=draw(titles),
                       level=draw(st.sampled_from(MarkerLevel)))
    if name == "activity":
        return partial(editing.add_activity, title=draw(titles),
                       contributes_to=draw(st.lists(change, max_size=2, unique=True)))
    if name == "precondition":
        first, second = draw(change), draw(change)
        hypothesis = draw(st.one_of(st.none(), titles))
        return lambda p: editing.add_precondition(p, first, second, hypothesis)
    if name == "status":
        target, status = draw(change), draw(st.sampled_from(ChangeStatus))
        return lambda p: editing.update_fields(p, target, status=status, priority_rank=None)
    marker, target = draw(st.sampled_from(markers)), draw(change)
    return lambda p: editing.set_marker_change(p, marker, target)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_sequence_of_edits_keeps_the_project_valid(data: st.DataObject) -> None:
    project = make_project()
    for _ in range(data.draw(st.integers(min_value=1, max_value=8), label="edits")):
        edit = data.draw(edits(project))
        before = project.model_dump()
        try:
            new = edit(project)
        except EditError as error:
            assert error.message and error.message[0].isupper()
            assert project.model_dump() == before  # a refused edit changes nothing
            continue
        assert project.model_dump() == before  # the old project is never modified
        assert revalidated(new) == new
        assert nx.is_directed_acyclic_graph(precondition_graph(new))
        assert bool(diff_projects(project, new)) == (new != project)
        project = new


def test_refused_cycle_keeps_the_graph_acyclic_after_many_links() -> None:
    # A deterministic companion of the property: try every pair, keep what is accepted.
    project = make_project()
    ids = [change.id for change in project.changes]
    for first in ids:
        for second in ids:
            try:
                project = editing.add_precondition(project, first, second)
            except EditError as error:
                assert error.field == "preconditions"
    graph = precondition_graph(project)
    assert nx.is_directed_acyclic_graph(graph)
    # Every pair is now either linked one way or would close a loop: the order is total.
    assert graph.number_of_edges() == len(ids) * (len(ids) - 1) // 2
