"""The French diff between two revisions of a project, and the clashes of two saves."""

from __future__ import annotations

import datetime as dt

from factories import make_milestone, make_project, make_sppe_row

from theory_of_change import editing
from theory_of_change.calendar import MilestoneStatus
from theory_of_change.demo import demo_project
from theory_of_change.model import CooperationOfficer, Decision, Governance, Project, SppeSheet
from theory_of_change.revisions import (
    Action,
    ChangeEntry,
    conflicting_changes,
    diff_projects,
    summarise,
)


def texts(entries: list[ChangeEntry]) -> list[str]:
    return [entry.text for entry in entries]


def edited(project: Project) -> Project:
    """A session of realistic edits on ``make_project``."""
    project = editing.update_fields(project, "chg-enfance", status="proposed")
    project = editing.add_precondition(
        project, "chg-enfance", "chg-familles-informees", "Si les familles savent, alors…"
    )
    project = editing.update_action_sheet(
        project, "act-guichet-unique", lead="Service enfance", partners=["Caf", "RPE", "PMI"]
    )
    project = editing.add_stake(project, title="Favoriser la mobilité des jeunes")
    return editing.delete_node(project, "mq-chg-jeunesse-love", cut_links=False)


def test_identical_projects_have_no_difference() -> None:
    assert diff_projects(make_project(), make_project()) == []
    assert diff_projects(demo_project(), demo_project()) == []
    assert summarise([]) == "aucune différence"


def test_realistic_edits_read_as_french_sentences_in_a_fixed_order() -> None:
    old = make_project()
    entries = diff_projects(old, edited(old))
    assert texts(entries) == [
        "Enjeu ajouté : « Favoriser la mobilité des jeunes »",
        "Changement « Changement pour enfance » : statut priorisé → proposé ; préconditions : "
        "ajout de « Les familles connaissent les modes d'accueil du territoire » (hypothèse "
        "« Si les familles savent, alors… »)",
        "Marqueur de progrès supprimé : « Les familles consultent le guide des modes d'accueil »",
        "Action « Créer un guichet unique d'information des familles » : fiche action, pilote "
        "« Service petite enfance » → « Service enfance » ; fiche action, partenaires : ajout "
        "de « PMI »",
    ]
    assert [(e.action, e.kind, e.key) for e in entries] == [
        (Action.added, "stake", "enjeu-favoriser-mobilite-jeunes"),
        (Action.modified, "change", "chg-enfance"),
        (Action.removed, "marker", "mq-chg-jeunesse-love"),
        (Action.modified, "activity", "act-guichet-unique"),
    ]
    assert summarise(entries) == "1 ajout, 1 suppression, 2 modifications"
    assert diff_projects(old, edited(old)) == entries


def test_modified_fields_keep_their_full_values_before_and_after() -> None:
    old = make_project()
    long_statement = (
        "Les enfants de trois à onze ans trouvent un accueil de loisirs près de chez eux"
    )
    new = editing.update_fields(old, "chg-enfance", statement=long_statement, priority_rank=7)
    (entry,) = diff_projects(old, new)
    statement, rank = entry.fields
    assert (statement.field, statement.label) == ("statement", "énoncé")
    assert (statement.before, statement.after) == (
        "« Changement pour enfance »", f"« {long_statement} »"
    )
    assert statement.text == (
        "énoncé « Changement pour enfance » → « Les enfants de trois à onze ans trouvent un "
        "accueil de… »"
    )
    assert (rank.before, rank.after, rank.text) == ("2", "7", "rang de priorité 2 → 7")


def test_links_removed_and_hypotheses_changed_are_described() -> None:
    old = editing.set_contributions(
        make_project(), "act-guichet-unique", [("chg-familles-informees", "Si…"), "chg-enfance"]
    )
    new = editing.set_contributions(
        old, "act-guichet-unique", [("chg-familles-informees", "Si le guichet existe…")]
    )
    (entry,) = diff_projects(old, new)
    assert entry.fields[0].text == (
        "changements visés : retrait de « Changement pour enfance », hypothèse du lien avec "
        "« Les familles connaissent les modes d'accueil du territoire » « Si… » → « Si le "
        "guichet existe… »"
    )
    assert entry.fields[0].references == frozenset()


def test_references_are_named_by_their_target_even_once_deleted() -> None:
    old = make_project()
    new = editing.delete_node(old, "enjeu-enfance", cut_links=True)
    assert texts(diff_projects(old, new)) == [
        "Enjeu supprimé : « Enjeu enfance »",
        "Changement « Changement pour enfance » : enjeux traités : retrait de « Enjeu enfance »",
    ]


def test_the_vision_the_calendar_and_choices_read_in_french() -> None:
    old = make_project(vision=None)
    new = editing.set_vision(old, text="En 2037, territoire solidaire.")
    new = editing.update_fields(new, "jalon-diagnostic", status=MilestoneStatus.done,
                                end=dt.date(2026, 4, 30))
    new = editing.set_leads_to_vision(new, "chg-enfance", False)
    assert texts(diff_projects(old, new)) == [
        "Vision ajoutée : « En 2037, territoire solidaire. »",
        "Changement « Changement pour enfance » : mène à la vision oui → non",
        "Étape du calendrier « Élaboration du diagnostic de la future CTG » : fin 31 mars 2026 "
        "→ 30 avril 2026 ; état à venir → terminée",
    ]
    assert texts(diff_projects(new, old))[0] == (
        "Vision supprimée : « En 2037, territoire solidaire. »"
    )
    changed = editing.set_vision(new, text="En 2040, territoire solidaire.")
    assert texts(diff_projects(new, changed)) == [
        "Vision : texte « En 2037, territoire solidaire. » → « En 2040, territoire solidaire. » "
        "; horizon 2037 → 2040"
    ]


def test_rows_without_ids_are_matched_so_an_edit_is_not_a_removal() -> None:
    old = make_project(
        sppe=SppeSheet(rows=[make_sppe_row(), make_sppe_row(structure_type="mam",
                                                            name_address="MAM Les Petits Pas")]),
        governance=Governance(cooperation_officers=[CooperationOfficer(name="Léa Martin")]),
    )
    new = editing.update_sppe_row(old, 0, name_address="Multi-accueil Les Lutins, 4 rue Neuve")
    new = editing.update_cooperation_officer(new, 0, name="Léa Martin-Durand", fte=1)
    new = editing.delete_sppe_row(new, 1)
    entries = diff_projects(old, new)
    assert texts(entries) == [
        "Ligne de la fiche SPPE « EAJE PSU — Multi-accueil Les Lutins, 4 rue Neuve » : nom et "
        "adresse « Multi-accueil Les Lutins, 2 rue des Écoles » → « Multi-accueil Les Lutins, "
        "4 rue Neuve »",
        "Ligne de la fiche SPPE supprimée : « MAM — MAM Les Petits Pas »",
        "Chargé(e) de coopération « Léa Martin-Durand » : nom « Léa Martin » → « Léa "
        "Martin-Durand » ; ETP (vide) → 1",
    ]
    assert entries[0].key == "eaje_psu|Multi-accueil Les Lutins, 2 rue des Écoles|alpha#0"


def test_decisions_and_project_fields_are_listed() -> None:
    old = make_project()
    decision = Decision(date=dt.datetime(2026, 3, 12, 18, 30), summary="Vision votée")
    new = make_project(title="CTG du Test 2026-2030", decisions=[decision], notes="Version 2")
    assert texts(diff_projects(old, new)) == [
        "Projet : titre « CTG du Test 2025-2029 » → « CTG du Test 2026-2030 » ; notes (vide) → "
        "« Version 2 »",
        "Décision ajoutée : « Vision votée »",
    ]


def test_demo_edits_give_a_readable_diff() -> None:
    demo = demo_project()
    stake = demo.stakes[0].id
    new = editing.add_change(
        demo, statement="Les familles trouvent vite un mode d'accueil",
        addresses=[stake], leads_to_vision=True,
    )
    victim = next(
        change for change in demo.changes
        if any(link.to == change.id for a in demo.activities for link in a.contributes_to)
    )
    new = editing.delete_node(new, victim.id, cut_links=True)
    entries = diff_projects(demo, new)
    assert entries[0].text == (
        "Changement ajouté : « Les familles trouvent vite un mode d'accueil »"
    )
    assert entries[1].text.startswith(f"Changement supprimé : « {victim.statement[:40]}")
    assert entries[1].label == victim.statement
    removed_markers = [e for e in entries if e.kind == "marker"]
    assert {e.key for e in removed_markers} == {m.id for m in demo.markers
                                                 if m.change == victim.id}
    assert all(e.action is Action.removed for e in removed_markers)
    cut = [e for e in entries if e.kind == "activity"]
    assert cut and all("changements visés : retrait de" in e.text for e in cut)
    counts = summarise(entries)
    assert counts == (
        f"1 ajout, {1 + len(removed_markers)} suppressions, {len(cut)} modification"
        + ("s" if len(cut) > 1 else "")
    )


def test_the_other_persons_change_to_the_same_field_is_a_conflict() -> None:
    base = make_project()
    mine = editing.update_fields(base, "chg-enfance", status="set_aside", priority_rank=None)
    theirs = editing.update_fields(base, "chg-enfance", status="proposed",
                                   statement="Les enfants trouvent un accueil")
    (clash,) = conflicting_changes(base, mine, theirs)
    assert clash.key == "chg-enfance"
    assert [change.field for change in clash.fields] == ["status"]
    assert clash.text == (
        "Changement « Les enfants trouvent un accueil » : statut priorisé → proposé"
    )


def test_different_fields_or_nodes_do_not_conflict() -> None:
    base = make_project()
    mine = editing.update_fields(base, "chg-enfance", status="set_aside", priority_rank=None)
    theirs = editing.update_fields(base, "chg-enfance", statement="Autre énoncé")
    theirs = editing.update_action_sheet(theirs, "act-guichet-unique", lead="Service enfance")
    assert conflicting_changes(base, mine, theirs) == []
    both_lead = editing.update_action_sheet(base, "act-guichet-unique", lead="Mairie")
    assert [e.key for e in conflicting_changes(base, both_lead, theirs)] == [
        "act-guichet-unique"
    ]


def test_editing_a_node_the_other_deleted_is_a_conflict_both_ways() -> None:
    base = make_project()
    deleted = editing.delete_node(base, "mq-chg-enfance-love", cut_links=False)
    modified = editing.update_fields(base, "mq-chg-enfance-love", text="Les enfants sourient")
    assert [(e.action, e.key) for e in conflicting_changes(base, modified, deleted)] == [
        (Action.removed, "mq-chg-enfance-love")
    ]
    assert [(e.action, e.key) for e in conflicting_changes(base, deleted, modified)] == [
        (Action.modified, "mq-chg-enfance-love")
    ]
    assert conflicting_changes(base, deleted, deleted) == []


def test_linking_to_a_node_the_other_deleted_is_a_conflict_both_ways() -> None:
    base = make_project()
    deleted = editing.delete_node(base, "chg-parentalite", cut_links=True)
    linked = editing.add_precondition(base, "chg-enfance", "chg-parentalite")
    clashes = conflicting_changes(base, deleted, linked)
    assert [(e.key, [f.field for f in e.fields]) for e in clashes] == [
        ("chg-enfance", ["preconditions"])
    ]
    assert ("chg-parentalite", Action.removed) in [
        (e.key, e.action) for e in conflicting_changes(base, linked, deleted)
    ]


def test_the_same_new_id_added_by_both_is_a_conflict() -> None:
    base = make_project()
    mine = editing.add_stake(base, title="Mobilité")
    theirs = editing.add_stake(base, title="Mobilité", description="Autre description")
    assert [e.key for e in conflicting_changes(base, mine, theirs)] == ["enjeu-mobilite"]


def test_calendar_steps_added_by_both_from_the_same_base_are_compared_by_id() -> None:
    base = make_project(milestones=[make_milestone()])
    mine = editing.update_fields(base, "jalon-test", status=MilestoneStatus.done)
    theirs = editing.update_fields(base, "jalon-test", title="Atelier des changements")
    assert conflicting_changes(base, mine, theirs) == []
    assert summarise(diff_projects(base, mine) + diff_projects(base, theirs)) == (
        "2 modifications"
    )


def test_every_field_the_editor_shows_has_a_french_name() -> None:
    from theory_of_change.editing import KINDS
    from theory_of_change.editing.labels import FIELD_LABELS

    models = set(FIELD_LABELS) | {spec.model for spec in KINDS.values()}
    missing = {
        model.__name__: sorted(set(model.model_fields) - set(FIELD_LABELS.get(model, {})))
        for model in models
    }
    assert {name: fields for name, fields in missing.items() if fields} == {}
