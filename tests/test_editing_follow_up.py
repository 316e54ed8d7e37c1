"""The follow-up of an action: values observed by year, status, baseline and target."""

from __future__ import annotations

from typing import Any

import pytest
from factories import make_observation, make_project, make_sheet

from theory_of_change import editing
from theory_of_change.editing import EditError
from theory_of_change.editing.measures import parse_measure
from theory_of_change.model import ActivityStatus, Observation
from theory_of_change.revisions import diff_projects

ACTION = "act-guichet-unique"


def refused(operation: Any, *args: Any, **kwargs: Any) -> EditError:
    """The EditError the operation raises (the test fails if it raises none)."""
    with pytest.raises(EditError) as caught:
        operation(*args, **kwargs)
    return caught.value


def observations(project: Any) -> list[Observation]:
    return project.activity(ACTION).sheet.observations


def test_an_observation_is_stored_as_a_number_one_per_year_in_year_order() -> None:
    project = editing.set_observation(make_project(), ACTION, 2027, "1 234", "Année pleine")
    project = editing.set_observation(project, ACTION, "2026", "120,5", None)
    project = editing.set_observation(project, ACTION, 2027, "1 300", "")
    assert observations(project) == [
        Observation(year=2026, value=120.5),
        Observation(year=2027, value=1300),
    ]


def test_a_value_in_words_is_kept_and_a_comment_alone_says_the_value_is_to_come() -> None:
    project = editing.set_observation(make_project(), ACTION, 2026, "guide diffusé", None)
    project = editing.set_observation(project, ACTION, 2027, "", "Mesure en cours")
    assert observations(project) == [
        Observation(year=2026, value="guide diffusé"),
        Observation(year=2027, value=None, comment="Mesure en cours"),
    ]


def test_an_empty_observation_or_a_year_outside_the_convention_is_refused() -> None:
    project = make_project()
    empty = refused(editing.set_observation, project, ACTION, 2026, " ", "")
    assert (empty.field, empty.message) == (
        "value", "Écrivez la valeur observée en 2026, ou un commentaire (« mesure en cours »)."
    )
    outside = refused(editing.set_observation, project, ACTION, 2031, "3")
    assert (outside.field, outside.message) == (
        "year", "2031 est hors de la convention (2025–2029) : le suivi porte sur ses années."
    )
    not_a_year = refused(editing.set_observation, project, ACTION, "l'an prochain", "3")
    assert not_a_year.field == "year"


def test_removing_an_observation_keeps_the_other_years() -> None:
    project = editing.set_observation(make_project(), ACTION, 2026, "10")
    project = editing.set_observation(project, ACTION, 2027, "20")
    assert observations(editing.remove_observation(project, ACTION, 2026)) == [
        Observation(year=2027, value=20)
    ]
    missing = refused(editing.remove_observation, project, ACTION, 2028)
    assert missing.message == (
        "L'action « Créer un guichet unique d'information des familles » n'a pas de valeur "
        "observée en 2028."
    )


def test_the_whole_follow_up_is_saved_at_once_and_a_year_emptied_loses_its_value() -> None:
    project = make_project(activities=[
        *make_project().activities[1:],
        make_project().activity(ACTION).model_copy(
            update={"sheet": make_sheet(observations=[make_observation(year=2025)])}
        ),
    ])
    new = editing.set_follow_up(
        project, ACTION, status="in_progress", baseline="0", target="1 200",
        observations={2025: ("", ""), 2026: ("350", "Ouverture en mars"), 2027: ("", "")},
    )
    activity = new.activity(ACTION)
    assert activity.status is ActivityStatus.in_progress
    assert (activity.sheet.baseline, activity.sheet.target) == (0, 1200)
    assert activity.sheet.observations == [
        Observation(year=2026, value=350, comment="Ouverture en mars")
    ]
    unknown = editing.set_follow_up(new, ACTION, baseline="", target="")
    assert (unknown.activity(ACTION).sheet.baseline, unknown.activity(ACTION).sheet.target) == (
        None, None
    )
    assert unknown.activity(ACTION).sheet.observations == activity.sheet.observations


def test_an_observation_outside_a_shortened_period_can_still_be_corrected() -> None:
    project = editing.set_observation(make_project(), ACTION, 2029, "5")
    shorter = editing.set_convention_period(project, 2025, 2028).project
    corrected = editing.set_follow_up(shorter, ACTION, observations={2029: ("6", "")})
    assert observations(corrected) == [Observation(year=2029, value=6)]


def test_an_unknown_status_is_refused_in_french() -> None:
    error = refused(editing.set_follow_up, make_project(), ACTION, status="fini")
    assert (error.field, error.message) == (
        "status", "Choisissez l'avancement : à venir, en cours, réalisé ou abandonné."
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("", None), ("  ", None), ("12", 12), ("-3", -3), ("1 234,5", 1234.5), ("0,25", 0.25),
     ("12.5", 12.5), ("45 %", "45 %"), ("à établir", "à établir"), (7, 7)],
)
def test_a_measure_is_a_number_when_it_reads_as_one(typed: Any, stored: Any) -> None:
    assert parse_measure(typed) == stored
    assert type(parse_measure(typed)) is type(stored)


def test_the_history_of_a_follow_up_says_realise_not_the_calendar_word() -> None:
    before = make_project()
    after = editing.set_follow_up(before, ACTION, status="done",
                                  observations={2026: ("120", "")})
    texts = [change.text for entry in diff_projects(before, after) for change in entry.fields]
    assert "avancement à venir → réalisé" in texts
    assert "fiche action, valeurs observées : ajout de « 2026 : 120 »" in texts
