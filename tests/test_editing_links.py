"""Editing links: preconditions with hypotheses (no loops), stakes, vision, contributions."""

from __future__ import annotations

from typing import Any

import pytest
from factories import make_change, make_project, revalidated

from theory_of_change import editing
from theory_of_change.editing import EditError
from theory_of_change.model import Link, MarkerLevel, Project


def refused(operation: Any, *args: Any, **kwargs: Any) -> EditError:
    """The EditError the operation raises (the test fails if it raises none)."""
    with pytest.raises(EditError) as caught:
        operation(*args, **kwargs)
    return caught.value


def chain() -> Project:
    """``make_project`` where enfance needs familles-informees, and jeunesse needs enfance."""
    project = editing.set_preconditions(
        make_project(), "chg-enfance", [("chg-familles-informees", "Si les familles savent…")]
    )
    return editing.set_preconditions(project, "chg-jeunesse", ["chg-enfance"])


def test_preconditions_are_set_with_their_hypotheses_from_any_form_of_link() -> None:
    project = editing.set_preconditions(
        make_project(),
        "chg-jeunesse",
        [
            "chg-enfance",
            ("chg-familles-informees", "Si les familles sont informées, alors…"),
            Link(to="chg-parentalite", hypothesis="Si les parents…"),
            {"to": "chg-acces-aux-droits", "hypothesis": "  "},
        ],
    )
    links = project.change("chg-jeunesse").preconditions
    assert [(link.to, link.hypothesis) for link in links] == [
        ("chg-enfance", None),
        ("chg-familles-informees", "Si les familles sont informées, alors…"),
        ("chg-parentalite", "Si les parents…"),
        ("chg-acces-aux-droits", None),
    ]
    assert revalidated(project) == project


def test_one_precondition_is_added_then_its_hypothesis_changed_then_removed() -> None:
    project = editing.add_precondition(make_project(), "chg-enfance", "chg-familles-informees")
    project = editing.add_precondition(
        project, "chg-enfance", "chg-familles-informees", "Si les familles savent, alors…"
    )
    assert project.change("chg-enfance").preconditions == [
        Link(to="chg-familles-informees", hypothesis="Si les familles savent, alors…")
    ]
    project = editing.remove_precondition(project, "chg-enfance", "chg-familles-informees")
    assert project.change("chg-enfance").preconditions == []
    error = refused(editing.remove_precondition, project, "chg-enfance", "chg-jeunesse")
    assert (error.field, error.message) == (
        "preconditions", "« chg-jeunesse » n'est pas une précondition de ce changement."
    )


def test_a_precondition_closing_a_loop_is_refused_naming_the_loop() -> None:
    project = chain()
    error = refused(editing.add_precondition, project, "chg-familles-informees", "chg-jeunesse")
    assert error.field == "preconditions"
    assert error.message.startswith(
        "Ce lien créerait une boucle de préconditions : « Changement pour jeunesse » → "
        "« Les familles connaissent les modes… » → « Changement pour enfance » → "
        "« Changement pour jeunesse »."
    )
    assert project.change("chg-familles-informees").preconditions == []


def test_a_two_change_loop_is_refused_whatever_the_way_the_link_is_set() -> None:
    project = chain()
    for operation in (
        lambda: editing.set_preconditions(project, "chg-familles-informees", ["chg-enfance"]),
        lambda: editing.update_fields(
            project, "chg-familles-informees", preconditions=["chg-enfance"]
        ),
    ):
        error = refused(operation)
        assert "« Changement pour enfance » → « Les familles connaissent les modes… » → " \
               "« Changement pour enfance »" in error.message


def test_a_change_cannot_be_its_own_precondition() -> None:
    error = refused(editing.add_precondition, make_project(), "chg-enfance", "chg-enfance")
    assert (error.field, error.message) == (
        "preconditions", "Un changement ne peut précéder lui-même."
    )


def test_a_loop_already_in_the_file_does_not_block_other_edits() -> None:
    # The model accepts loops (the checks report them); an edit elsewhere must still work.
    looped = make_project(
        changes=[
            make_change(preconditions=["chg-b"]),
            make_change(id="chg-b", statement="B", preconditions=["chg-familles-informees"],
                        priority_rank=2, leads_to_vision=False),
        ],
        stakes=make_project().stakes[:1],
        markers=[],
        activities=[],
        sppe=make_project().sppe.model_copy(update={"duties": []}),
    )
    project = editing.update_fields(looped, "chg-b", statement="B, mieux dit")
    assert project.change("chg-b").statement == "B, mieux dit"


def test_links_to_unknown_or_repeated_targets_are_refused() -> None:
    error = refused(editing.set_preconditions, make_project(), "chg-enfance", ["chg-x"])
    assert (error.field, error.message) == (
        "preconditions", "Le changement « chg-x » n'existe pas dans le projet."
    )
    error = refused(editing.set_preconditions, make_project(), "chg-enfance",
                    ["chg-jeunesse", ("chg-jeunesse", "Si…")])
    assert error.message == "« chg-jeunesse » est choisi deux fois : gardez un seul lien."
    error = refused(editing.set_preconditions, make_project(), "chg-inconnu", ["chg-enfance"])
    assert error.message == "Le changement « chg-inconnu » n'existe pas dans le projet."


def test_the_stakes_a_change_addresses_are_set() -> None:
    project = editing.set_addressed_stakes(
        make_project(), "chg-enfance", ["enjeu-enfance", "enjeu-accueil"]
    )
    assert project.change("chg-enfance").addresses == ["enjeu-enfance", "enjeu-accueil"]
    error = refused(editing.set_addressed_stakes, project, "chg-enfance", ["chg-jeunesse"])
    assert (error.field, error.message) == (
        "addresses", "L'enjeu « chg-jeunesse » n'existe pas dans le projet."
    )


def test_hypotheses_are_set_without_blank_lines() -> None:
    project = editing.set_hypotheses(
        make_project(), "chg-enfance", ["Si l'accueil est proche, alors…", " ", "Si…"]
    )
    assert project.change("chg-enfance").hypotheses == ["Si l'accueil est proche, alors…", "Si…"]


def test_leading_to_the_vision_carries_a_hypothesis_that_goes_with_the_link() -> None:
    project = editing.set_leads_to_vision(
        make_project(), "chg-enfance", True, "Si les enfants sont accueillis, alors…"
    )
    change = project.change("chg-enfance")
    assert change.leads_to_vision and change.vision_hypothesis == (
        "Si les enfants sont accueillis, alors…"
    )
    project = editing.set_leads_to_vision(project, "chg-enfance", False, "ignorée")
    change = project.change("chg-enfance")
    assert (change.leads_to_vision, change.vision_hypothesis) == (False, None)


def test_an_activity_contributes_to_changes_with_hypotheses() -> None:
    project = editing.set_contributions(
        make_project(),
        "act-guichet-unique",
        [("chg-familles-informees", "Si le guichet existe, alors…"), "chg-parentalite"],
    )
    assert project.activity("act-guichet-unique").contributes_to == [
        Link(to="chg-familles-informees", hypothesis="Si le guichet existe, alors…"),
        Link(to="chg-parentalite"),
    ]
    error = refused(editing.set_contributions, project, "act-guichet-unique", ["enjeu-accueil"])
    assert (error.field, error.message) == (
        "contributes_to", "Le changement « enjeu-accueil » n'existe pas dans le projet."
    )


def test_a_marker_is_moved_to_another_change_and_its_level_set() -> None:
    marker_id = "mq-chg-enfance-like"
    project = editing.set_marker_change(
        make_project(), marker_id, "chg-jeunesse", MarkerLevel.love
    )
    assert (project.marker(marker_id).change, project.marker(marker_id).level) == (
        "chg-jeunesse", MarkerLevel.love
    )
    project = editing.set_marker_change(project, marker_id, "chg-enfance")
    assert project.marker(marker_id).level is MarkerLevel.love
    error = refused(editing.set_marker_change, project, marker_id, "chg-x")
    assert error.field == "change"
    error = refused(editing.set_marker_change, project, marker_id, "chg-enfance", "beaucoup")
    assert error.field == "level"
