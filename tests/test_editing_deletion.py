"""Deleting: what depends on an item, refusal while it does, and cutting every link."""

from __future__ import annotations

from typing import Any

import pytest
from factories import (
    make_axis,
    make_duty,
    make_export_project,
    make_project,
    make_sppe_row,
    revalidated,
)

from theory_of_change import editing
from theory_of_change.demo import demo_project
from theory_of_change.diagnostic.model import Diagnostic, DiagnosticQuote
from theory_of_change.editing import DependentsError, EditError, Effect, ItemKind
from theory_of_change.model import (
    CooperationOfficer,
    Facility,
    FacilityType,
    Governance,
    Project,
    QualitativeEvidence,
    SppeDuty,
    SppeSheet,
    SubObjective,
)


def referenced_ids(project: Project) -> set[str]:
    """Every id some item refers to, validated by the model or not (themes of officers…)."""
    ids: set[str] = set()
    for stake in project.stakes:
        ids |= {stake.theme} | {getattr(e, "theme", None) for e in stake.evidence}
    for change in project.changes:
        ids |= set(change.addresses) | set(change.themes)
        ids |= {link.to for link in change.preconditions}
    ids |= {marker.change for marker in project.markers}
    for activity in project.activities:
        ids |= {activity.axis, activity.sub_objective} | set(activity.themes)
        ids |= set(activity.scope) | {link.to for link in activity.contributes_to}
    for duty in project.sppe.duties:
        ids |= {duty.authority} | set(duty.activities)
    ids |= {row.commune for row in project.sppe.rows}
    ids |= {facility.commune for facility in project.facilities}
    for officer in project.governance.cooperation_officers:
        ids |= set(officer.themes)
    for quote in project.diagnostic.quotes:
        ids |= {quote.theme} | set(quote.stakes)
    return ids - {None}


def assert_cleanly_deleted(project: Project, node_id: str) -> None:
    """The id names no item any more, nothing refers to it and the project reloads."""
    with pytest.raises(EditError):
        editing.locate(project, node_id)
    assert node_id not in referenced_ids(project)
    assert revalidated(project) == project


def test_an_item_nothing_depends_on_is_deleted_without_confirmation() -> None:
    project = make_project()
    assert editing.dependents_of(project, "mq-chg-enfance-love") == []
    new = editing.delete_node(project, "mq-chg-enfance-love", cut_links=False)
    assert len(new.markers) == len(project.markers) - 1
    assert_cleanly_deleted(new, "mq-chg-enfance-love")
    assert any(m.id == "mq-chg-enfance-love" for m in project.markers)


def test_a_change_lists_its_preconditions_markers_and_contributions_as_dependents() -> None:
    project = editing.add_precondition(make_project(), "chg-enfance", "chg-familles-informees")
    dependents = editing.dependents_of(project, "chg-familles-informees")
    assert [(d.holder_kind, d.holder_id, d.field, d.effect) for d in dependents] == [
        ("change", "chg-enfance", "preconditions", Effect.cut),
        ("marker", "mq-chg-familles-informees-expect", "change", Effect.deleted),
        ("marker", "mq-chg-familles-informees-like", "change", Effect.deleted),
        ("marker", "mq-chg-familles-informees-love", "change", Effect.deleted),
        ("activity", "act-guichet-unique", "contributes_to", Effect.cut),
    ]
    assert dependents[0].description == (
        "Le changement « Changement pour enfance » a ce changement pour précondition : ce lien "
        "sera coupé."
    )
    assert dependents[1].description == (
        "Le marqueur de progrès « Les familles consultent le guide des modes d'accueil » "
        "observe ce changement : il sera supprimé avec lui (rattachez-le d'abord à un autre "
        "changement pour le garder)."
    )
    assert dependents[4].description == (
        "L'action « Créer un guichet unique d'information des familles » contribue à ce "
        "changement : ce lien sera coupé."
    )


def test_deleting_a_change_with_dependents_is_refused_then_done_cutting_links() -> None:
    project = editing.add_precondition(make_project(), "chg-enfance", "chg-familles-informees")
    with pytest.raises(DependentsError) as caught:
        editing.delete_node(project, "chg-familles-informees", cut_links=False)
    error = caught.value
    assert error.message == (
        "Le changement « Les familles connaissent les modes d'accueil du territoire » n'est "
        "pas supprimé : 5 éléments en dépendent. Confirmez pour couper ces liens."
    )
    assert len(error.dependents) == 5
    assert [p.message for p in error.problems[1:]] == [d.description for d in error.dependents]

    new = editing.delete_node(project, "chg-familles-informees", cut_links=True)
    assert_cleanly_deleted(new, "chg-familles-informees")
    assert new.change("chg-enfance").preconditions == []
    assert not [m for m in new.markers if m.id.startswith("mq-chg-familles-informees")]
    assert new.activity("act-guichet-unique").contributes_to == []
    assert len(new.markers) == len(project.markers) - 3


def test_a_marker_moved_first_survives_the_deletion_of_its_change() -> None:
    project = editing.set_marker_change(
        make_project(), "mq-chg-familles-informees-love", "chg-enfance"
    )
    new = editing.delete_node(project, "chg-familles-informees", cut_links=True)
    assert new.marker("mq-chg-familles-informees-love").change == "chg-enfance"


def test_deleting_a_stake_cuts_the_changes_and_quotes_that_cite_it() -> None:
    quote = DiagnosticQuote(id="cit-1", quote="On manque de places", stakes=["enjeu-accueil"])
    project = make_project(diagnostic=Diagnostic(quotes=[quote]))
    dependents = editing.dependents_of(project, "enjeu-accueil")
    assert [(d.holder_kind, d.holder_id, d.field) for d in dependents] == [
        ("change", "chg-familles-informees", "addresses"),
        ("quote", "cit-1", "stakes"),
    ]
    assert dependents[1].description == (
        "La parole recueillie « On manque de places » est rattachée à cet enjeu : ce "
        "rattachement sera retiré."
    )
    with pytest.raises(DependentsError):
        editing.delete_node(project, "enjeu-accueil", cut_links=False)
    new = editing.delete_node(project, "enjeu-accueil", cut_links=True)
    assert_cleanly_deleted(new, "enjeu-accueil")
    assert new.diagnostic.quotes[0].stakes == []


def test_deleting_an_activity_cuts_the_sppe_duties_it_meets() -> None:
    project = make_project()
    dependents = editing.dependents_of(project, "act-guichet-unique")
    assert [d.description for d in dependents] == [
        "L'obligation SPPE « recenser les besoins des familles et les modes d'accueil "
        "(territoire entier) » s'appuie sur cette action : ce lien sera coupé.",
        "L'obligation SPPE « informer et accompagner les familles (territoire entier) » "
        "s'appuie sur cette action : ce lien sera coupé.",
    ]
    new = editing.delete_node(project, "act-guichet-unique", cut_links=True)
    assert_cleanly_deleted(new, "act-guichet-unique")
    assert [duty.activities for duty in new.sppe.duties] == [[], []]


def test_deleting_an_axis_takes_its_sub_objectives_and_leaves_its_actions_without_axis() -> None:
    project = make_project()
    dependents = editing.dependents_of(project, "axe-1")
    assert [(d.holder_id, d.effect) for d in dependents] == [("so-1", Effect.deleted)] + [
        (activity.id, Effect.cut) for activity in project.activities
    ]
    assert dependents[1].description == (
        "L'action « Créer un guichet unique d'information des familles » relève de cet axe : "
        "elle n'aura plus d'axe ni de sous-objectif."
    )
    new = editing.delete_node(project, "axe-1", cut_links=True)
    assert new.axes == []
    activity = new.activity("act-guichet-unique")
    assert (activity.axis, activity.sub_objective) == (None, None)
    assert_cleanly_deleted(new, "so-1")


def test_deleting_a_sub_objective_leaves_its_actions_in_the_axis() -> None:
    axis = make_axis(sub_objectives=[SubObjective(id="so-1", title="Informer"),
                                     SubObjective(id="so-2", title="Accueillir")])
    project = make_project(axes=[axis])
    assert [d.holder_id for d in editing.dependents_of(project, "so-1")] == [
        activity.id for activity in project.activities
    ]
    assert editing.dependents_of(project, "so-2") == []
    new = editing.delete_node(project, "so-1", cut_links=True)
    assert [s.id for s in new.axis("axe-1").sub_objectives] == ["so-2"]
    activity = new.activity("act-guichet-unique")
    assert (activity.axis, activity.sub_objective) == ("axe-1", None)
    assert_cleanly_deleted(new, "so-1")


def test_deleting_a_theme_removes_it_from_everything_that_carries_it() -> None:
    base = make_project()
    stake = base.stake("enjeu-accueil").model_copy(
        update={"evidence": [QualitativeEvidence(quote="Trop loin", theme="petite-enfance")]}
    )
    project = make_project(
        stakes=[stake, *base.stakes[1:]],
        governance=Governance(cooperation_officers=[
            CooperationOfficer(name="Léa Martin", themes=["petite-enfance", "enfance"])
        ]),
    )
    kinds = [(d.holder_kind, d.field) for d in editing.dependents_of(project, "petite-enfance")]
    assert kinds == [
        ("stake", "theme"), ("evidence", "evidence"), ("change", "themes"),
        ("activity", "themes"), ("cooperation_officer", "themes"),
    ]
    new = editing.delete_node(project, "petite-enfance", cut_links=True)
    assert_cleanly_deleted(new, "petite-enfance")
    assert new.governance.cooperation_officers[0].themes == ["enfance"]
    assert new.stake("enjeu-accueil").theme is None


def test_deleting_a_commune_clears_scopes_rows_facilities_and_drops_its_duties() -> None:
    project = make_export_project(
        facilities=[Facility(id="eq-creche", type=FacilityType.eaje_psu, name="Crèche",
                             commune="alpha")],
    )
    project = editing.add_duty_coverage(
        project, duty=SppeDuty.needs_inventory, authority="alpha", note="Enquête"
    )
    dependents = editing.dependents_of(project, "alpha")
    assert [(d.holder_kind, d.holder_id, d.effect) for d in dependents] == [
        ("activity", "act-enfance", Effect.cut),
        ("activity", "act-parentalite", Effect.cut),
        ("sppe_row", None, Effect.cut),
        ("duty_coverage", None, Effect.deleted),
        ("facility", "eq-creche", Effect.cut),
    ]
    assert "c'était sa seule commune : l'action concernera alors tout le territoire" in (
        dependents[0].description
    )
    assert "elle sera retirée de ses communes" in dependents[1].description
    new = editing.delete_node(project, "alpha", cut_links=True)
    assert_cleanly_deleted(new, "alpha")
    assert new.activity("act-enfance").scope == []
    assert new.activity("act-parentalite").scope == ["beta"]
    assert len(new.sppe.duties) == len(project.sppe.duties) - 1


def test_deleting_an_unknown_item_is_refused_in_french() -> None:
    with pytest.raises(EditError) as caught:
        editing.delete_node(make_project(), "chg-inconnu", cut_links=True)
    assert caught.value.message == "L'élément « chg-inconnu » n'existe pas dans le projet."


def test_rows_without_ids_are_deleted_by_position() -> None:
    project = make_project(
        sppe=SppeSheet(
            rows=[make_sppe_row(), make_sppe_row(name_address="Autre")],
            duties=[make_duty(SppeDuty.needs_inventory)],
        ),
        governance=Governance(cooperation_officers=[CooperationOfficer(name="Léa")]),
    )
    new = editing.delete_sppe_row(project, 0)
    assert [row.name_address for row in new.sppe.rows] == ["Autre"]
    assert editing.delete_duty_coverage(project, 0).sppe.duties == []
    assert editing.delete_cooperation_officer(project, 0).governance.cooperation_officers == []
    with pytest.raises(EditError) as caught:
        editing.delete_row(project, ItemKind.cooperation_officer, 1)
    assert caught.value.message == (
        "Le ou la chargé(e) de coopération n° 2 n'existe pas (il y en a 1)."
    )


@pytest.mark.parametrize("kind", [ItemKind.change, ItemKind.stake, ItemKind.activity,
                                  ItemKind.theme, ItemKind.commune, ItemKind.axis])
def test_any_node_of_the_demo_deleted_with_its_links_leaves_a_valid_project(
    kind: ItemKind,
) -> None:
    demo = demo_project()
    ids: list[Any] = [located.item.id for located in editing.kinds.iter_items(demo, kind)]
    assert ids
    for node_id in ids:
        new = editing.delete_node(demo, node_id, cut_links=True, item_kind=kind)
        assert_cleanly_deleted(new, node_id)


def test_an_activity_added_to_the_demo_and_deleted_gives_the_demo_back() -> None:
    demo = demo_project()
    added = editing.add_activity(demo, title="Créer une ludothèque", contributes_to=[
        demo.changes[0].id
    ])
    assert editing.delete_node(added, added.activities[-1].id, cut_links=False) == demo
