"""Behaviour of the model itself: ids, links, unknown values, convention period, graph."""

from __future__ import annotations

import pytest
from factories import make_activity, make_change, make_marker, make_project, make_stake
from pydantic import ValidationError

from theory_of_change.graph import EdgeKind, NodeKind, build_graph, dependents, pathways
from theory_of_change.model import (
    VISION_ID,
    ConventionPeriod,
    DanglingReferences,
    Link,
    SppeRow,
    SppeSheet,
    SppeStructureType,
)
from theory_of_change.slugs import slugify, unique_slug


def test_slugify_drops_accents_and_punctuation() -> None:
    assert slugify("Renforcer l'offre d'accueil à Préfailles") == (
        "renforcer-l-offre-d-accueil-a-prefailles"
    )


def test_unique_slug_appends_a_counter_when_taken() -> None:
    assert unique_slug("Mobilité", {"chg-mobilite"}, prefix="chg-") == "chg-mobilite-2"


def test_link_written_as_bare_id_when_it_has_no_hypothesis() -> None:
    assert Link.model_validate("chg-a").to == "chg-a"
    assert Link(to="chg-a").model_dump() == "chg-a"
    assert Link(to="chg-a", hypothesis="si… alors…").model_dump() == {
        "to": "chg-a",
        "hypothesis": "si… alors…",
    }


def test_link_to_unknown_change_is_refused_with_its_path() -> None:
    with pytest.raises(ValidationError) as caught:
        make_project(activities=[make_activity(contributes_to=["chg-inconnu"])])
    error = caught.value.errors()[0]["ctx"]["error"]
    assert isinstance(error, DanglingReferences)
    assert (("activities", 0, "contributes_to", 0), (
        "le changement « chg-inconnu » n'existe pas dans le projet"
    )) in error.problems


def test_the_same_id_on_two_kinds_of_node_is_refused() -> None:
    with pytest.raises(ValidationError, match="déjà utilisé"):
        make_project(stakes=[make_stake(), make_stake(id="chg-familles-informees")])


def test_vision_id_is_reserved() -> None:
    with pytest.raises(ValidationError, match="réservé à la vision"):
        make_project(stakes=[make_stake(), make_stake(id=VISION_ID)])


def test_a_change_cannot_be_its_own_precondition() -> None:
    with pytest.raises(ValidationError, match="ne peut précéder lui-même"):
        make_project(changes=[make_change(preconditions=["chg-familles-informees"])])


def test_ids_must_be_slugs() -> None:
    with pytest.raises(ValidationError):
        make_change(id="Changement 1")


def test_portrait_unknown_markers_stay_unknown_never_zero() -> None:
    row = SppeRow(structure_type=SppeStructureType.mam, current_places="XXX", supported_places="")
    assert row.current_places is None
    assert row.supported_places is None


def test_convention_period_must_be_ordered_and_short() -> None:
    assert 2027 in ConventionPeriod(start_year=2025, end_year=2029)
    with pytest.raises(ValidationError, match="précède"):
        ConventionPeriod(start_year=2029, end_year=2025)
    with pytest.raises(ValidationError, match="6 ans"):
        ConventionPeriod(start_year=2020, end_year=2030)


def test_graph_has_one_node_per_element_and_edges_in_causal_direction() -> None:
    project = make_project(
        changes=[
            make_change(id="chg-amont", statement="Amont", leads_to_vision=False, priority_rank=2),
            make_change(preconditions=[{"to": "chg-amont", "hypothesis": "si A alors B"}]),
        ],
        markers=[make_marker()],
        activities=[make_activity()],
        stakes=[make_stake()],
    )
    graph = build_graph(project)
    assert graph.nodes["chg-amont"]["kind"] == NodeKind.change
    assert graph.nodes[VISION_ID]["kind"] == NodeKind.vision
    assert graph.edges["chg-amont", "chg-familles-informees"] == {
        "kind": EdgeKind.precondition,
        "hypothesis": "si A alors B",
    }
    assert graph.edges["chg-familles-informees", VISION_ID]["kind"] == EdgeKind.leads_to
    assert graph.edges["enjeu-accueil", "chg-familles-informees"]["kind"] == EdgeKind.addresses
    assert graph.edges["mq-expect", "chg-familles-informees"]["kind"] == EdgeKind.signals
    assert graph.edges["act-guichet-unique", "chg-familles-informees"]["kind"] == (
        EdgeKind.contributes
    )


def test_pathway_lists_preconditions_before_the_end_change() -> None:
    project = make_project(
        changes=[
            make_change(
                id="chg-b", statement="B", leads_to_vision=False, preconditions=["chg-a"],
                priority_rank=None,
            ),
            make_change(id="chg-a", statement="A", leads_to_vision=False, priority_rank=None),
            make_change(preconditions=["chg-b"]),
        ],
        markers=[],
        activities=[],
        sppe=SppeSheet(),
    )
    assert [p.changes for p in pathways(project)] == [("chg-a", "chg-b", "chg-familles-informees")]


def test_dependents_lists_every_link_that_deleting_a_node_would_cut() -> None:
    project = make_project()
    cut = dependents(build_graph(project), "chg-familles-informees")
    assert {(u, v) for u, v, _ in cut} >= {
        ("enjeu-accueil", "chg-familles-informees"),
        ("chg-familles-informees", VISION_ID),
        ("act-guichet-unique", "chg-familles-informees"),
    }
