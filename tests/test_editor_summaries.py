"""What the step pages list: pathways in order, loose changes, markers by level, sheets."""

from __future__ import annotations

from factories import make_activity, make_change, make_project, make_sheet

from app.editor.fields import keep_order
from app.editor.summaries import (
    changes_off_pathways,
    markers_by_change,
    pathway_views,
    sheet_state,
    stakes_by_theme,
    step_cards,
)
from theory_of_change.model import ActionSheet, ActivityKind, Link, MarkerLevel, Project


def _chained_project() -> Project:
    """The default project where ``chg-enfance`` leads to the vision through ``chg-jeunesse``."""
    base = make_project()
    changes = [
        make_change(id="chg-enfance", statement="Changement pour enfance", themes=["enfance"],
                    addresses=["enjeu-enfance"], leads_to_vision=False,
                    status="proposed", priority_rank=None),
        *(c for c in base.changes if c.id != "chg-enfance"),
    ]
    changes = [
        c.model_copy(update={"preconditions": [Link(to="chg-enfance")]})
        if c.id == "chg-jeunesse" else c
        for c in changes
    ]
    return make_project(changes=changes)


def test_a_pathway_lists_its_preconditions_before_the_change_leading_to_the_vision() -> None:
    paths = pathway_views(_chained_project())
    youth = next(path for path in paths if path.end.id == "chg-jeunesse")
    assert [change.id for change in youth.changes] == ["chg-enfance", "chg-jeunesse"]
    assert [path.number for path in paths] == list(range(1, len(paths) + 1))


def test_a_change_leading_nowhere_is_listed_apart() -> None:
    project = make_project(changes=[
        *make_project().changes,
        make_change(id="chg-isole", statement="Isolé", leads_to_vision=False),
    ])
    assert [change.id for change in changes_off_pathways(project)] == ["chg-isole"]


def test_markers_are_grouped_by_change_and_level_in_the_graded_order() -> None:
    group = markers_by_change(make_project())[0]
    assert group.change.id == "chg-familles-informees"
    assert [level for level, _ in group.levels] == [
        MarkerLevel.expect, MarkerLevel.like, MarkerLevel.love,
    ]
    assert group.count == 3


def test_a_sheet_is_needed_for_new_actions_and_names_its_empty_headings() -> None:
    state = sheet_state(make_activity(kind=ActivityKind.new, sheet=ActionSheet()))
    assert state.needed and not state.complete
    assert "pilote" in state.missing and "public cible" in state.missing
    assert sheet_state(make_activity(kind=ActivityKind.flagship, sheet=make_sheet())).complete
    assert not sheet_state(make_activity(kind=ActivityKind.existing)).needed


def test_stakes_are_grouped_by_theme_with_the_changes_answering_them() -> None:
    groups = dict(stakes_by_theme(make_project()))
    rows = groups["Petite enfance"]
    assert [row.stake.id for row in rows] == ["enjeu-accueil"]
    assert [change.id for change in rows[0].changes] == ["chg-familles-informees"]


def test_the_overview_says_what_each_step_holds_and_what_is_left_to_do() -> None:
    cards = step_cards(make_project(vision=None))
    assert [card.number for card in cards] == [1, 2, 3, 4, 5]
    assert cards[1].todo == "Écrivez la vision : « En 2037, territoire… »."
    assert cards[0].facts == ["5 enjeux", "5 retenus"]
    assert cards[2].todo is None and cards[2].facts[1] == "5 chemins vers la vision"


def test_checked_values_keep_the_stored_order_then_the_new_ones() -> None:
    assert keep_order(["a", "b", "c"], ["c", "x", "a"]) == ["c", "a", "b"]
    assert keep_order(["b", "b"], []) == ["b"]
