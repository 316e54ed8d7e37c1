"""Options and columns drawn from the model and from ideas, with stable ids."""

from __future__ import annotations

from factories import (
    make_change,
    make_idea,
    make_project,
    make_project_with_proposed_changes,
    make_stake,
    revalidated,
)

from theory_of_change.model import ActivityKind, ChangeStatus
from workshops.options import (
    columns_from_changes,
    options_from_activities,
    options_from_changes,
    options_from_ideas,
    options_from_stakes,
    short_label,
    vision_vote_options,
)


def test_options_from_changes_take_the_proposed_ones_with_their_ids() -> None:
    project = make_project_with_proposed_changes(7)
    options = options_from_changes(project)
    assert [o.id for o in options] == [c.id for c in project.changes]
    assert options[0].label == "Les familles connaissent les modes d'accueil du territoire"
    assert {(o.source, o.ref == o.id) for o in options} == {("change", True)}
    assert options_from_changes(make_project()) == []  # all five are prioritised
    assert len(options_from_changes(make_project(), statuses=[ChangeStatus.prioritised])) == 5


def test_long_statements_are_cut_on_a_word_to_fit_an_option() -> None:
    long = "mot " * 200
    project = make_project(changes=[*make_project().changes,
                                    make_change(id="chg-long", statement=long,
                                                status="proposed", priority_rank=None)])
    (option,) = options_from_changes(revalidated(project))
    assert len(option.label) <= 300 and option.label.endswith("mot…")
    assert short_label("court") == "court"


def test_options_from_activities_and_retained_stakes() -> None:
    project = make_project(stakes=[*make_project().stakes,
                                   make_stake(id="enjeu-ecarte", title="Écarté", retained=False)])
    assert "enjeu-ecarte" not in [o.id for o in options_from_stakes(project)]
    assert len(options_from_stakes(project)) == 5
    activities = options_from_activities(project)
    assert activities[0].id == "act-guichet-unique" and activities[0].source == "activity"
    assert options_from_activities(project, kinds=[ActivityKind.flagship]) == []


def test_options_from_ideas_keep_visible_unmerged_ideas_only() -> None:
    ideas = [make_idea(id="i1"), make_idea(id="i2", hidden=True),
             make_idea(id="i3", merged_into="i1"), make_idea(id="i4", text="Autre")]
    options = options_from_ideas(ideas)
    assert [(o.id, o.source, o.ref) for o in options] == [("i1", "idea", "i1"),
                                                          ("i4", "idea", "i4")]


def test_vision_options_and_columns_by_prioritised_change() -> None:
    assert [o.label for o in vision_vote_options()] == [
        "D'accord", "D'accord avec modifications", "Pas d'accord"
    ]
    columns = columns_from_changes(make_project())
    assert [c.ref for c in columns] == [
        "chg-familles-informees", "chg-enfance", "chg-jeunesse", "chg-parentalite",
        "chg-acces-aux-droits",
    ]
