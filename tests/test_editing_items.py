"""Adding and updating items: new validated projects, stable ids, French errors by field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from factories import make_project, revalidated

from theory_of_change import editing
from theory_of_change.editing import EditError, ItemKind
from theory_of_change.model import (
    ActivityKind,
    Body,
    ChangeStatus,
    Governance,
    MarkerLevel,
    Project,
    ScheduleStep,
    SppeDuty,
    SppeStructureType,
    ThemeKind,
)


def refused(operation: Any, *args: Any, **kwargs: Any) -> EditError:
    """The EditError the operation raises (the test fails if it raises none)."""
    with pytest.raises(EditError) as caught:
        operation(*args, **kwargs)
    return caught.value


def test_adding_a_stake_returns_a_new_valid_project_and_leaves_the_old_one_alone() -> None:
    project = make_project()
    before = project.model_dump()
    new = editing.add_stake(project, title="Favoriser la mobilité des jeunes", theme="jeunesse")
    assert project.model_dump() == before
    assert new.stakes[-1].id == "enjeu-favoriser-mobilite-jeunes"
    assert new.stakes[-1].title == "Favoriser la mobilité des jeunes"
    assert len(new.stakes) == len(project.stakes) + 1
    assert revalidated(new) == new


def test_generated_ids_drop_small_words_and_never_collide_with_any_kind() -> None:
    project = make_project()
    assert editing.id_base("Les familles connaissent les modes d'accueil du territoire") == (
        "familles-connaissent-modes-accueil"
    )
    twice = editing.add_stake(editing.add_stake(project, title="Mobilité"), title="Mobilité !")
    assert [s.id for s in twice.stakes[-2:]] == ["enjeu-mobilite", "enjeu-mobilite-2"]
    # A commune has no prefix: its id must still avoid the ids of every other kind.
    themed = editing.add_commune(project, name="Jeunesse")
    assert themed.territory.communes[-1].id == "jeunesse-2"


def test_a_given_id_is_kept() -> None:
    new = editing.add_change(make_project(), statement="Les jeunes se déplacent", id="chg-mobilite")
    assert new.changes[-1].id == "chg-mobilite"


def test_a_given_id_already_used_is_refused_naming_its_holder() -> None:
    error = refused(editing.add_stake, make_project(), title="Autre", id="chg-enfance")
    assert error.field == "id"
    assert error.message == (
        "L'identifiant « chg-enfance » est déjà utilisé par le changement « Changement pour "
        "enfance » : choisissez-en un autre ou laissez le champ vide."
    )
    assert refused(editing.add_stake, make_project(), title="V", id="vision").field == "id"


def test_a_malformed_id_is_refused_with_an_example() -> None:
    error = refused(editing.add_stake, make_project(), title="Autre", id="Mon Enjeu")
    assert error.field == "id"
    assert error.message.startswith("Identifiant invalide « Mon Enjeu »")
    assert "par exemple « mon-enjeu »" in error.message


def test_a_blank_title_is_refused_next_to_the_title_field() -> None:
    error = refused(editing.add_stake, make_project(), title="   ")
    assert (error.field, error.message) == ("title", "Ce champ ne peut pas être vide.")


def test_a_too_long_title_is_refused_with_the_limit() -> None:
    error = refused(editing.add_stake, make_project(), title="x" * 301)
    assert error.field == "title"
    assert error.message.startswith("Texte trop long : 300 caractères au plus (ici 301)")


def test_a_link_to_an_unknown_theme_is_refused_next_to_the_theme_field() -> None:
    error = refused(editing.add_stake, make_project(), title="Enjeu", theme="sport")
    assert (error.field, error.message) == (
        "theme", "Le thème « sport » n'existe pas dans le projet."
    )


def test_an_unknown_field_is_refused_in_french() -> None:
    error = refused(editing.update_fields, make_project(), "enjeu-accueil", titel="Nouveau")
    assert (error.field, error.message) == ("titel", "Champ inconnu « titel » pour l'enjeu.")


def test_every_problem_of_a_form_is_reported_with_its_field() -> None:
    error = refused(editing.add_commune, make_project(), name=" ", insee_code="4413")
    assert {problem.field for problem in error.problems} == {"name", "insee_code"}
    assert error.field == "name"
    assert error.message == "Nom : ce champ ne peut pas être vide."
    insee = next(p for p in error.problems if p.field == "insee_code")
    assert insee.message.startswith("Code INSEE invalide « 4413 »")


def test_updating_changes_only_the_given_fields_and_never_the_id() -> None:
    project = make_project()
    new = editing.update_fields(
        project, "chg-enfance", status="set_aside", statement="Les enfants ont un accueil proche"
    )
    change = new.change("chg-enfance")
    assert change.status is ChangeStatus.set_aside
    assert change.statement == "Les enfants ont un accueil proche"
    assert change.addresses == project.change("chg-enfance").addresses
    assert project.change("chg-enfance").status is ChangeStatus.prioritised


def test_changing_an_id_is_refused_but_resending_the_same_id_is_fine() -> None:
    project = make_project()
    error = refused(editing.update_fields, project, "enjeu-accueil", id="enjeu-autre")
    assert error.field == "id"
    assert error.message.startswith("L'identifiant de l'enjeu ne change pas : il reste")
    same = editing.update_fields(project, "enjeu-accueil", id="enjeu-accueil", retained=False)
    assert same.stake("enjeu-accueil").retained is False


def test_updating_an_unknown_item_is_refused() -> None:
    error = refused(editing.update_fields, make_project(), "enjeu-inconnu", title="x")
    assert error.message == "L'élément « enjeu-inconnu » n'existe pas dans le projet."
    error = refused(editing.update_fields, make_project(), "chg-enfance", item_kind=ItemKind.stake)
    assert error.message == "L'enjeu « chg-enfance » n'existe pas dans le projet."


def test_an_id_shared_by_two_kinds_asks_which_one() -> None:
    project = make_project(governance=Governance(bodies=[Body(id="enfance", name="Groupe")]))
    error = refused(editing.update_fields, project, "enfance", name="Groupe enfance")
    assert "désigne plusieurs éléments (la thématique, l'instance de pilotage)" in error.message
    new = editing.update_fields(project, "enfance", item_kind=ItemKind.body, name="Groupe enfance")
    assert new.governance.bodies[0].name == "Groupe enfance"
    assert new.theme("enfance").label == "Enfance"


def test_form_values_are_normalised() -> None:
    project = make_project()
    new = editing.update_fields(
        project, "chg-enfance", vision_hypothesis="  ", actors=["parents", "", "  "]
    )
    assert new.change("chg-enfance").vision_hypothesis is None
    assert new.change("chg-enfance").actors == ["parents"]
    commune = editing.add_commune(project, name="Gamma", population="12 345")
    assert commune.territory.communes[-1].population == 12345
    row = editing.add_sppe_row(project, structure_type="rpe", current_places="1,5")
    assert row.sppe.rows[-1].current_places == 1.5


def test_a_bad_number_is_refused_with_a_french_reason() -> None:
    error = refused(editing.add_commune, make_project(), name="Gamma", population="beaucoup")
    assert error.field == "population"
    assert error.message.startswith("Il faut un nombre entier ici, pas le texte « beaucoup »")


def test_a_change_a_marker_and_an_activity_with_its_sheet_can_be_added() -> None:
    project = editing.add_change(
        make_project(), statement="Les jeunes se déplacent seuls", addresses=["enjeu-jeunesse"],
        leads_to_vision=True, vision_hypothesis="Si les jeunes bougent, alors ils s'engagent",
    )
    change_id = project.changes[-1].id
    project = editing.add_marker(
        project, change=change_id, text="Les jeunes prennent le bus", level=MarkerLevel.like
    )
    project = editing.add_activity(
        project, title="Créer une navette des jeunes", kind=ActivityKind.new,
        contributes_to=[change_id], sheet={"lead": "Service jeunesse", "partners": ["Région"]},
    )
    assert project.markers[-1].id == "mq-jeunes-prennent-bus"
    assert project.markers[-1].change == change_id
    assert project.activities[-1].id == "act-creer-navette-jeunes"
    assert project.activities[-1].sheet.partners == ["Région"]
    assert revalidated(project) == project


def test_a_marker_of_an_unknown_change_or_level_is_refused() -> None:
    error = refused(editing.add_marker, make_project(), change="chg-x", text="Signe")
    assert (error.field, error.message) == (
        "change", "Le changement « chg-x » n'existe pas dans le projet."
    )
    error = refused(
        editing.add_marker, make_project(), change="chg-enfance", text="Signe", level="adore"
    )
    assert error.field == "level"
    assert "valeurs acceptées : « expect », « like », « love »" in error.message


def test_axes_are_added_last_in_the_plan_with_their_sub_objectives() -> None:
    project = editing.add_axis(make_project(), title="Veiller à l'équité")
    assert (project.axes[-1].id, project.axes[-1].order) == ("axe-veiller-equite", 2)
    project = editing.add_sub_objective(project, "axe-veiller-equite", title="Aller vers")
    assert project.axis("axe-veiller-equite").sub_objectives[-1].id == "so-aller-vers"
    error = refused(editing.add_sub_objective, project, "axe-inconnu", title="Aller vers")
    assert error.message == "L'axe stratégique « axe-inconnu » n'existe pas dans le projet."
    error = refused(editing.add_item, project, ItemKind.sub_objective, title="Sans axe")
    assert error.field == "axis"


def test_themes_communes_facilities_bodies_and_steps_can_be_added() -> None:
    project = editing.add_theme(make_project(), label="Mobilité", kind=ThemeKind.other)
    project = editing.add_commune(project, name="Gamma", insee_code="44131")
    project = editing.add_facility(project, name="Crèche des Lutins", type="eaje_psu",
                                   commune="gamma", caf_funding="12 000")
    project = editing.add_body(project, name="Cercle de pilotage", kind="circle",
                               members=["Maires"])
    project = editing.add_milestone(project, title="Atelier vision", start=dt.date(2026, 9, 1),
                                    end="2026-09-30")
    assert project.themes[-1].id == "mobilite"
    assert project.territory.communes[-1].id == "gamma"
    assert (project.facilities[-1].id, project.facilities[-1].caf_funding) == (
        "eq-creche-lutins", 12000
    )
    assert project.governance.bodies[-1].id == "cercle-pilotage"
    assert project.milestones[-1].id == "jalon-atelier-vision"
    assert revalidated(project) == project


@pytest.mark.parametrize(
    ("operation", "fields", "field", "start"),
    [
        (editing.add_facility, {"name": "X", "type": "creche"}, "type", "Valeur « creche »"),
        (editing.add_body, {"name": "X", "kind": "copyl"}, "kind", "Valeur « copyl »"),
        (editing.add_cooperation_officer, {"name": "Léa", "fte": 12}, "fte",
         "Valeur trop grande (le nombre 12) : au plus 10"),
        (editing.add_theme, {"label": ""}, "label", "Ce champ ne peut pas être vide"),
    ],
)
def test_invalid_values_of_other_kinds_are_refused_by_field(
    operation: Any, fields: dict[str, Any], field: str, start: str
) -> None:
    error = refused(operation, make_project(), **fields)
    assert error.field == field
    assert error.message.startswith(start)


def test_a_step_ending_before_it_starts_is_refused() -> None:
    error = refused(editing.add_milestone, make_project(), title="Atelier",
                    start="2026-10-01", end="2026-09-01")
    assert error.message == "La date de fin de l'étape précède sa date de début."


def test_rows_without_ids_are_added_updated_by_position() -> None:
    project = editing.add_cooperation_officer(make_project(), name="Léa Martin", fte="0,8")
    project = editing.update_cooperation_officer(project, 0, missions=["Animer la CTG"])
    assert project.governance.cooperation_officers[0].fte == 0.8
    assert project.governance.cooperation_officers[0].missions == ["Animer la CTG"]
    project = editing.add_sppe_row(project, structure_type=SppeStructureType.mam, commune="beta")
    project = editing.update_sppe_row(project, 0, supported_places=8)
    assert project.sppe.rows[0].supported_places == 8
    error = refused(editing.update_sppe_row, project, 3, supported_places=1)
    assert error.message == "La ligne de la fiche SPPE n° 4 n'existe pas (il y en a 1)."


def test_an_sppe_duty_is_covered_once_per_authority() -> None:
    project = make_project()
    error = refused(editing.add_duty_coverage, project, duty=SppeDuty.needs_inventory)
    assert error.field == "duty"
    assert error.message == (
        "L'obligation « recenser les besoins des familles et les modes d'accueil » est déjà "
        "renseignée pour le territoire entier : complétez la ligne existante."
    )
    project = editing.add_duty_coverage(
        project, duty=SppeDuty.needs_inventory, authority="alpha", note="Enquête en 2026"
    )
    assert project.sppe.duties[-1].authority == "alpha"
    error = refused(editing.update_duty_coverage, project, 2, authority=None)
    assert error.field == "duty"
    error = refused(editing.update_duty_coverage, project, 0, activities=["act-inconnue"])
    assert (error.field, error.message) == (
        "activities", "L'action « act-inconnue » n'existe pas dans le projet."
    )


def test_the_action_sheet_is_edited_field_by_field() -> None:
    project = editing.update_action_sheet(
        make_project(), "act-guichet-unique", lead="Service enfance",
        schedule=[{"period": "2026", "text": "Guide"}, ScheduleStep(period="2027", text="Bilan")],
    )
    sheet = project.activity("act-guichet-unique").sheet
    assert sheet.lead == "Service enfance"
    assert [step.period for step in sheet.schedule] == ["2026", "2027"]
    assert sheet.partners == ["Caf", "RPE"]
    error = refused(editing.update_action_sheet, project, "act-guichet-unique",
                    schedule=[{"period": "2026", "text": ""}])
    assert error.field == "schedule"
    assert error.problems[0].where == "schedule[0].text"


def test_the_vision_takes_its_horizon_from_the_text_or_keeps_the_current_one() -> None:
    project = editing.set_vision(make_project(), text="En 2040, territoire solidaire.")
    assert (project.vision.text, project.vision.horizon_year) == (
        "En 2040, territoire solidaire.", 2040
    )
    project = editing.set_vision(project, text="Un territoire où chacun trouve sa place.")
    assert project.vision.horizon_year == 2040
    project = editing.set_vision(project, text="Territoire ouvert.", horizon_year="2035")
    assert project.vision.horizon_year == 2035


def test_a_vision_without_text_or_horizon_is_refused() -> None:
    error = refused(editing.set_vision, make_project(vision=None), text="Territoire ouvert.")
    assert error.field == "horizon_year"
    assert error.message.startswith("Indiquez l'horizon de la vision (par exemple 2037)")
    assert refused(editing.set_vision, make_project(), text=" ").field == "text"
    error = refused(editing.set_vision, make_project(), text="Vision", horizon_year=3000)
    assert error.field == "horizon_year"


def test_evaluation_and_sppe_extra_fields_are_set_with_errors_by_field() -> None:
    project = editing.set_evaluation(
        make_project(), mid_term_evaluation="En 2027, avec les partenaires", final_report_year=2029
    )
    assert project.evaluation.final_report_year == 2029
    error = refused(editing.set_evaluation, project, interim_report_year="l'an prochain")
    assert error.field == "interim_report_year"
    project = editing.set_sppe_extra(project, partnerships="PMI, RPE")
    assert project.sppe.extra.partnerships == "PMI, RPE"
    assert refused(editing.set_sppe_extra, project, partenaires="x").field == "partenaires"


def test_an_edit_error_is_a_value_error_carrying_field_and_message() -> None:
    error = refused(editing.add_stake, make_project(), title="")
    assert isinstance(error, ValueError)
    assert str(error) == error.message


def test_new_ids_are_predicted_before_adding() -> None:
    project: Project = make_project()
    predicted = editing.new_id(project, ItemKind.activity, "Ouvrir un LAEP itinérant")
    assert predicted == "act-ouvrir-laep-itinerant"
    assert editing.add_activity(project, title="Ouvrir un LAEP itinérant").activities[-1].id == (
        predicted
    )


def test_sub_objectives_and_calendar_steps_are_updated_by_id() -> None:
    project = editing.update_fields(make_project(), "so-1", title="Informer toutes les familles")
    assert project.axis("axe-1").sub_objectives[0].title == "Informer toutes les familles"
    project = editing.update_fields(project, "jalon-validation-caf", status="in_progress")
    assert project.milestones[7].status.value == "in_progress"
    error = refused(editing.update_fields, project, "jalon-validation-caf", end="2026-01-01")
    assert error.message == "La date de fin de l'étape précède sa date de début."
    project = editing.delete_node(project, "jalon-validation-caf", cut_links=False)
    assert "jalon-validation-caf" not in [m.id for m in project.milestones]
