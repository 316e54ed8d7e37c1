"""A project's settings: title and notes, territory, convention period, signatories."""

from __future__ import annotations

from typing import Any

import pytest
from factories import make_activity, make_observation, make_project, make_sheet, revalidated

from theory_of_change import editing
from theory_of_change.editing import EditError
from theory_of_change.model import Signatory, TerritoryKind


def refused(operation: Any, *args: Any, **kwargs: Any) -> EditError:
    """The EditError the operation raises (the test fails if it raises none)."""
    with pytest.raises(EditError) as caught:
        operation(*args, **kwargs)
    return caught.value


def test_the_title_and_notes_change_and_the_given_project_is_left_alone() -> None:
    project = make_project()
    new = editing.update_project_settings(project, title="CTG 2026-2030", notes="À relire")
    assert (new.title, new.notes) == ("CTG 2026-2030", "À relire")
    assert project.title == "CTG du Test 2025-2029"
    assert new.id == project.id
    assert editing.update_project_settings(new, notes="  ").notes is None


def test_an_empty_or_too_long_title_is_refused_naming_the_field() -> None:
    project = make_project()
    empty = refused(editing.update_project_settings, project, title="  ")
    assert (empty.field, empty.message) == ("title", "Donnez un titre au projet.")
    long = refused(editing.update_project_settings, project, title="x" * 301)
    assert long.field == "title"
    assert long.message == "Ce texte est trop long (300 caractères au plus, il en a 301)."


def test_the_settings_never_change_the_id_or_another_part_of_the_project() -> None:
    error = refused(editing.update_project_settings, make_project(), id="autre-projet")
    assert error.field == "id"
    assert error.message == "Le champ « id » ne se modifie pas avec les paramètres du projet."


def test_the_territory_changes_its_fields_and_keeps_its_communes() -> None:
    project = make_project()
    new = editing.set_territory(
        project, name="Communauté de communes du Pays", kind="epci", population="12 500",
        department="", early_childhood_competence="commune",
    )
    territory = new.territory
    assert territory.name == "Communauté de communes du Pays"
    assert territory.population == 12_500
    assert territory.department is None
    assert territory.early_childhood_competence is TerritoryKind.commune
    assert territory.communes == project.territory.communes
    assert revalidated(new) == new


def test_a_territory_without_name_or_with_a_wrong_population_is_refused_in_french() -> None:
    project = make_project()
    unnamed = refused(editing.set_territory, project, name=" ")
    assert (unnamed.field, unnamed.message) == (
        "name", "Écrivez le nom de la collectivité signataire."
    )
    wrong = refused(editing.set_territory, project, population="beaucoup")
    assert wrong.field == "population"
    assert "nombre entier" in wrong.message
    communes = refused(editing.set_territory, project, communes=[])
    assert communes.field == "communes"


def test_a_new_period_is_saved_with_the_actions_left_outside_it() -> None:
    project = make_project(activities=[
        make_activity(years=[2025, 2026]),
        make_activity(id="act-autre", title="Autre action", years=[2027],
                      sheet=make_sheet(observations=[make_observation(year=2026)])),
    ])
    change = editing.set_convention_period(project, "2027", 2031)
    assert (change.project.convention.start_year, change.project.convention.end_year) == (
        2027, 2031
    )
    assert [(o.activity_id, o.years, o.observation_years) for o in change.outside] == [
        ("act-guichet-unique", (2025, 2026), ()),
        ("act-autre", (), (2026,)),
    ]
    assert change.warnings == [
        "L'action « Créer un guichet unique d'information des familles » prévue en 2025 et "
        "2026, hors de la nouvelle période.",
        "L'action « Autre action » a des valeurs observées en 2026, hors de la nouvelle période.",
    ]
    # The actions themselves are not changed: the facilitator reviews them.
    assert change.project.activity("act-guichet-unique").years == [2025, 2026]


def test_a_period_inside_every_action_year_gives_no_warning() -> None:
    assert editing.set_convention_period(make_project(), 2026, 2030).outside == ()


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (2027, 2025, "end_year",
         "L'année de fin (2025) précède l'année de début (2027) de la convention."),
        (2025, 2032, "end_year",
         "Une CTG dure 4 à 5 ans : de 2025 à 2032, la période dépasse 6 ans."),
        ("deux mille", 2029, "start_year",
         "L'année de début s'écrit en chiffres, par exemple 2025 (et non « deux mille »)."),
        (2025, "", "end_year", "Indiquez l'année de fin, par exemple 2025."),
        (1850, 1852, "start_year",
         "L'année de début doit être comprise entre 1990 et 2100 (et non 1850)."),
    ],
)
def test_a_wrong_period_is_refused_naming_the_field(
    start: Any, end: Any, field: str, message: str
) -> None:
    error = refused(editing.set_convention_period, make_project(), start, end)
    assert (error.field, error.message) == (field, message)


def test_signatories_are_added_edited_and_deleted_by_position() -> None:
    project = editing.add_signatory(make_project(), name="Caf de Loire-Atlantique",
                                    role="signataire")
    project = editing.add_signatory(project, name="Communauté de communes du Test",
                                    represented_by="le président")
    assert project.signatories == [
        Signatory(name="Caf de Loire-Atlantique", role="signataire"),
        Signatory(name="Communauté de communes du Test", represented_by="le président"),
    ]
    project = editing.update_signatory(project, 0, represented_by="la directrice", role="")
    assert project.signatories[0] == Signatory(
        name="Caf de Loire-Atlantique", represented_by="la directrice"
    )
    project = editing.delete_signatory(project, 0)
    assert [s.name for s in project.signatories] == ["Communauté de communes du Test"]


def test_a_signatory_without_name_or_out_of_range_is_refused() -> None:
    project = editing.add_signatory(make_project(), name="Caf")
    unnamed = refused(editing.update_signatory, project, 0, name="")
    assert unnamed.field == "name"
    missing = refused(editing.delete_signatory, project, 3)
    assert missing.message == "Le signataire n° 4 n'existe pas (il y en a 1)."
