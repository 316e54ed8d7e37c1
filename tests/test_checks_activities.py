"""Coherence rules on activities (actions of the plan) and their action sheets."""

from __future__ import annotations

import pytest
from factories import make_activity, make_change, make_project, make_sheet

from theory_of_change.checks import Finding, Severity, run_checks
from theory_of_change.checks.french import starts_with_infinitive
from theory_of_change.checks.registry import RULES
from theory_of_change.model import (
    SHEET_REQUIRED_FIELDS,
    ActionSheet,
    ActivityKind,
    ActivityStatus,
    ChangeStatus,
    Project,
)


def findings_for(project: Project, rule_id: str) -> list[Finding]:
    return [finding for finding in run_checks(project) if finding.rule == rule_id]


def with_activity(**overrides: object) -> Project:
    project = make_project()
    fields: dict[str, object] = {"id": "act-test", "title": "Ouvrir un lieu d'accueil parents"}
    fields.update(overrides)
    project.activities = [*project.activities, make_activity(**fields)]
    return project


# activity-without-change -------------------------------------------------------------------


def test_an_activity_contributing_to_no_change_is_a_warning():
    [finding] = findings_for(with_activity(contributes_to=[]), "activity-without-change")
    assert finding.severity == Severity.warning
    assert finding.nodes == ["act-test"]
    assert "L'action « Ouvrir un lieu d'accueil parents » ne contribue à aucun changement" in (
        finding.message
    )


def test_an_activity_contributing_only_to_set_aside_changes_serves_no_change():
    project = make_project()
    project.changes = [
        *project.changes,
        make_change(id="chg-ecarte", statement="Écarté", status=ChangeStatus.set_aside,
                    priority_rank=None, addresses=[]),
    ]
    project.activities = [*project.activities,
                          make_activity(id="act-test", contributes_to=["chg-ecarte"])]
    [finding] = findings_for(project, "activity-without-change")
    assert "ne contribue qu'à des changements écartés" in finding.message


def test_an_activity_contributing_to_a_change_or_abandoned_passes():
    assert findings_for(with_activity(), "activity-without-change") == []
    project = with_activity(contributes_to=[], status=ActivityStatus.abandoned)
    assert findings_for(project, "activity-without-change") == []


# action-sheet-incomplete -------------------------------------------------------------------


@pytest.mark.parametrize("kind", [ActivityKind.new, ActivityKind.flagship,
                                  ActivityKind.experimental])
def test_a_sheet_missing_required_fields_is_an_error_listing_them(kind):
    sheet = make_sheet(lead=None, indicators=[], description="   ")
    [finding] = findings_for(with_activity(kind=kind, sheet=sheet), "action-sheet-incomplete")
    assert finding.severity == Severity.error
    assert finding.nodes == ["act-test"]
    assert "il manque descriptif de l'action, pilote et indicateurs d'évaluation" in (
        finding.message
    )
    assert "objectifs visés" not in finding.message


def test_an_empty_sheet_lists_every_required_field():
    [finding] = findings_for(
        with_activity(kind=ActivityKind.flagship, sheet=ActionSheet()), "action-sheet-incomplete"
    )
    assert "(projet phare)" in finding.message
    for label in SHEET_REQUIRED_FIELDS.values():
        assert label in finding.message


def test_a_complete_sheet_or_an_existing_action_passes():
    assert findings_for(with_activity(kind=ActivityKind.new), "action-sheet-incomplete") == []
    project = with_activity(kind=ActivityKind.existing, sheet=ActionSheet())
    assert findings_for(project, "action-sheet-incomplete") == []


def test_the_rule_documentation_names_every_required_field():
    for label in SHEET_REQUIRED_FIELDS.values():
        assert label.split(" (")[0] in RULES["action-sheet-incomplete"].doc


# activity-without-year / activity-year-outside-period --------------------------------------


def test_an_activity_without_year_is_an_error():
    [finding] = findings_for(with_activity(years=[]), "activity-without-year")
    assert finding.severity == Severity.error
    assert finding.nodes == ["act-test"]
    assert "n'a pas d'année de réalisation" in finding.message
    assert "entre 2025 et 2029" in finding.message


def test_an_activity_with_a_year_passes():
    assert findings_for(with_activity(years=[2025]), "activity-without-year") == []


def test_years_outside_the_convention_are_a_warning_naming_them():
    project = with_activity(years=[2024, 2026, 2031])
    [finding] = findings_for(project, "activity-year-outside-period")
    assert finding.severity == Severity.warning
    assert finding.nodes == ["act-test"]
    assert "est prévue en 2024 et 2031, hors de la convention (2025–2029)" in finding.message


def test_years_at_both_ends_of_the_convention_pass():
    assert findings_for(with_activity(years=[2025, 2029]), "activity-year-outside-period") == []


# activity-without-axis ---------------------------------------------------------------------


def test_an_activity_without_axis_is_a_warning():
    [finding] = findings_for(with_activity(axis=None, sub_objective=None),
                             "activity-without-axis")
    assert finding.severity == Severity.warning
    assert finding.nodes == ["act-test"]
    assert "n'est rattachée à aucun axe stratégique" in finding.message


def test_an_activity_with_an_axis_passes():
    assert findings_for(with_activity(), "activity-without-axis") == []


# activity-title-verb -----------------------------------------------------------------------


def test_a_title_opening_with_a_noun_is_an_info():
    project = with_activity(title="Création d'un guichet unique")
    [finding] = findings_for(project, "activity-title-verb")
    assert finding.severity == Severity.info
    assert finding.nodes == ["act-test"]
    assert "« Création d'un guichet unique » ne commence pas par un verbe" in finding.message


def test_a_title_opening_with_a_verb_passes():
    assert findings_for(with_activity(title="Créer un guichet unique"),
                        "activity-title-verb") == []


@pytest.mark.parametrize(
    "title",
    [
        "Créer un guichet unique",
        "Mettre en œuvre l'action « repérer pour mieux prévenir »",
        "Promouvoir la médiation par les pairs",
        "S'appuyer sur les associations",
        "Se doter d'un observatoire",
        "Établir un cadre d'échanges",
        "Conforter les ateliers Ville",
    ],
)
def test_infinitives_are_recognised(title):
    assert starts_with_infinitive(title)


@pytest.mark.parametrize(
    "title",
    [
        "Mise en œuvre de l'action « repérer pour mieux prévenir »",
        "Formalisation d'une stratégie d'accompagnement à 360",
        "Cadre d'échanges sur des situations problématiques",
        "Atelier parents-enfants",
        "Rencontre annuelle des partenaires",
        "Médiation par les pairs",
        "1 000 premiers jours",
        "2026 : créer un guichet",
        "",
    ],
)
def test_nouns_are_not_taken_for_verbs(title):
    assert not starts_with_infinitive(title)
