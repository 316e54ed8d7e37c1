"""SPPE duties of the organising authorities, and the coherence rules built on them."""

from __future__ import annotations

import pytest
from factories import make_commune, make_duty, make_project, make_territory

from theory_of_change.checks import Finding, Severity, run_checks
from theory_of_change.model import (
    SPPE_DUTY_LABELS,
    Commune,
    Project,
    SppeDuty,
    SppeExtra,
    SppeRow,
    SppeSheet,
    SppeStructureType,
    TerritoryKind,
)
from theory_of_change.sppe import (
    OrganisingAuthority,
    organising_authorities,
    required_duties,
)

BASE = [SppeDuty.needs_inventory, SppeDuty.family_information]
PLANNING = [SppeDuty.development_plan, SppeDuty.quality_support]
ALL_DUTIES = list(SppeDuty)
FULL_EXTRA = SppeExtra(
    vulnerable_families="Partenariat avec la PMI",
    insertion_oriented_care="Places AVIP en crèche",
    quality_support="Animation du RPE",
    indicators="Taux de couverture",
    partnerships="Conseil départemental",
)


def findings_for(project: Project, rule_id: str) -> list[Finding]:
    return [finding for finding in run_checks(project) if finding.rule == rule_id]


def epci_of(*populations: int | None, **territory: object) -> Project:
    """A project whose EPCI has one commune per population; every duty is covered."""
    communes = [
        Commune(id=f"commune-{i}", name=f"Commune {i}", population=population)
        for i, population in enumerate(populations, start=1)
    ]
    sheet = SppeSheet(duties=[make_duty(duty) for duty in SppeDuty], extra=FULL_EXTRA)
    return make_project(territory=make_territory(communes=communes, **territory), sppe=sheet)


def uncovered(project: Project) -> list[str]:
    return [f.message for f in findings_for(project, "sppe-duty-uncovered")]


# required_duties and organising_authorities ------------------------------------------------


@pytest.mark.parametrize(
    ("population", "duties"),
    [
        (None, BASE),
        (0, BASE),
        (3_500, BASE),
        (3_501, BASE + PLANNING),
        (10_000, BASE + PLANNING),
        (10_001, ALL_DUTIES),
    ],
)
def test_duties_grow_strictly_above_3500_and_10000_inhabitants(population, duties):
    assert required_duties(population) == duties


def test_an_epci_holding_the_competence_is_the_one_authority_with_its_communes_summed():
    project = epci_of(2_000, 1_500, 500, population=9_999)
    assert organising_authorities(project) == [
        OrganisingAuthority(authority=None, name="Communauté de communes du Test",
                            kind=TerritoryKind.epci, population=4_000)
    ]


def test_an_epci_with_a_commune_of_unknown_population_falls_back_on_its_declared_one():
    assert organising_authorities(epci_of(2_000, None, population=5_000))[0].population == 5_000
    assert organising_authorities(epci_of(2_000, None))[0].population is None


def test_without_the_competence_each_commune_is_an_authority_with_its_own_population():
    project = epci_of(2_000, 12_000, early_childhood_competence=TerritoryKind.commune)
    assert organising_authorities(project) == [
        OrganisingAuthority(authority="commune-1", name="Commune 1",
                            kind=TerritoryKind.commune, population=2_000),
        OrganisingAuthority(authority="commune-2", name="Commune 2",
                            kind=TerritoryKind.commune, population=12_000),
    ]


def test_a_commune_territory_is_its_own_authority_whatever_the_competence_says():
    territory = make_territory(name="Pornic", kind=TerritoryKind.commune, population=15_000,
                               communes=[], early_childhood_competence=TerritoryKind.commune)
    [authority] = organising_authorities(make_project(territory=territory))
    assert (authority.authority, authority.name, authority.population) == (None, "Pornic", 15_000)


# sppe-duty-uncovered -----------------------------------------------------------------------


def test_the_default_small_epci_meets_its_base_duties():
    assert uncovered(make_project()) == []


@pytest.mark.parametrize(
    ("populations", "missing"),
    [
        ((2_500, 1_000), []),
        ((2_501, 1_000), PLANNING),
        ((9_000, 1_000), PLANNING),
        ((9_001, 1_000), PLANNING + [SppeDuty.multi_year_scheme]),
    ],
)
def test_an_epci_meeting_only_base_duties_misses_those_of_its_summed_population(
    populations, missing
):
    # The default sheet covers the base duties only: 3 500 / 3 501 / 10 000 / 10 001.
    project = epci_of(*populations)
    project.sppe = SppeSheet(duties=[make_duty(d) for d in BASE], extra=FULL_EXTRA)
    findings = findings_for(project, "sppe-duty-uncovered")
    assert len(findings) == len(missing)
    for finding in findings:
        assert finding.severity == Severity.error
        assert finding.nodes == []
        assert "autorité organisatrice de l'accueil du jeune enfant" in finding.message
        assert f"({sum(populations):,} habitants)".replace(",", " ") in finding.message
    for duty in missing:
        assert sum(f"doit {SPPE_DUTY_LABELS[duty]} :" in f.message for f in findings) == 1


def test_a_duty_listed_with_neither_action_nor_note_is_not_met():
    project = make_project()
    project.sppe = SppeSheet(duties=[
        make_duty(SppeDuty.needs_inventory, activities=[], note="  "),
        make_duty(SppeDuty.family_information, activities=[], note="Le RPE informe."),
    ])
    [message] = uncovered(project)
    assert message.startswith("Communauté de communes du Test (3 000 habitants)")
    assert "doit recenser les besoins des familles" in message
    assert "ni action ni note" in message


def test_communes_holding_the_competence_each_answer_for_their_own_population():
    project = epci_of(2_000, 4_000, early_childhood_competence=TerritoryKind.commune)
    project.sppe = SppeSheet(duties=[make_duty(d) for d in BASE])
    messages = uncovered(project)
    # The territory-wide answers cover both communes' base duties; only Commune 2 plans.
    assert len(messages) == 2
    assert all(m.startswith("Commune 2 (4 000 habitants)") for m in messages)
    project.sppe = SppeSheet(duties=[
        *(make_duty(d) for d in BASE),
        *(make_duty(d, authority="commune-2", activities=[], note="Schéma communal")
          for d in PLANNING),
    ])
    assert uncovered(project) == []


def test_an_answer_for_one_commune_does_not_cover_another():
    project = epci_of(4_000, 4_000, early_childhood_competence=TerritoryKind.commune)
    project.sppe = SppeSheet(duties=[
        *(make_duty(d) for d in BASE),
        *(make_duty(d, authority="commune-1") for d in PLANNING),
    ])
    messages = uncovered(project)
    assert len(messages) == 2
    assert all(m.startswith("Commune 2") for m in messages)


def test_an_epci_answer_written_for_a_commune_does_not_cover_the_epci():
    project = epci_of(2_000, 1_000)
    project.sppe = SppeSheet(duties=[make_duty(d, authority="commune-1") for d in BASE])
    assert len(uncovered(project)) == 2


# sppe-population-unknown -------------------------------------------------------------------


def test_an_unknown_population_is_said_and_only_base_duties_are_checked():
    project = epci_of(2_000, None)
    project.sppe = SppeSheet(duties=[make_duty(d) for d in BASE])
    [finding] = findings_for(project, "sppe-population-unknown")
    assert finding.severity == Severity.warning
    assert finding.nodes == []
    assert "La population de Communauté de communes du Test n'est pas connue" in finding.message
    assert "(population inconnue pour Commune 2)" in finding.message
    assert uncovered(project) == []


def test_a_commune_authority_of_unknown_population_is_named():
    project = epci_of(2_000, None, early_childhood_competence=TerritoryKind.commune)
    [finding] = findings_for(project, "sppe-population-unknown")
    assert finding.message.startswith("La population de Commune 2 n'est pas connue")


def test_known_populations_pass():
    assert findings_for(epci_of(2_000, 1_000), "sppe-population-unknown") == []


# sppe-no-authority -------------------------------------------------------------------------


def test_an_epci_without_the_competence_nor_communes_leaves_the_authorities_unknown():
    project = make_project(territory=make_territory(
        communes=[], early_childhood_competence=TerritoryKind.commune))
    [finding] = findings_for(project, "sppe-no-authority")
    assert finding.severity == Severity.warning
    assert "aucune commune n'est listée" in finding.message


def test_an_epci_without_the_competence_but_with_communes_has_authorities():
    project = make_project(territory=make_territory(
        communes=[make_commune()], early_childhood_competence=TerritoryKind.commune))
    assert findings_for(project, "sppe-no-authority") == []


# sppe-extra-missing ------------------------------------------------------------------------


def test_above_10000_inhabitants_every_empty_extra_element_is_listed():
    project = epci_of(9_001, 1_000)
    project.sppe = SppeSheet(duties=[make_duty(d) for d in SppeDuty],
                             extra=SppeExtra(indicators="Taux de couverture"))
    [finding] = findings_for(project, "sppe-extra-missing")
    assert finding.severity == Severity.error
    assert "Avec plus de 10 000 habitants, Communauté de communes du Test (10 001 habitants)" in (
        finding.message
    )
    assert "familles vulnérables" in finding.message
    assert "insertion professionnelle" in finding.message
    assert "indicateurs" not in finding.message


def test_a_filled_extra_or_10000_inhabitants_pass():
    assert findings_for(epci_of(9_001, 1_000), "sppe-extra-missing") == []
    project = epci_of(9_000, 1_000)
    project.sppe = SppeSheet(duties=[make_duty(d) for d in SppeDuty])
    assert findings_for(project, "sppe-extra-missing") == []


# sppe-sheet-empty / sppe-row-incomplete ----------------------------------------------------


def test_an_sppe_sheet_without_structures_is_a_warning():
    [finding] = findings_for(make_project(), "sppe-sheet-empty")
    assert finding.severity == Severity.warning
    assert "ne liste aucune structure" in finding.message


COMPLETE_ROW = {
    "structure_type": SppeStructureType.eaje_psu,
    "name_address": "Multi-accueil Les Lutins, 2 rue des Écoles",
    "commune": "alpha",
    "current_places": 24,
    "supported_places": 24,
    "projection": "creation",
    "projection_places": 12,
    "projection_year": 2028,
    "jobs_and_skills": "3 ETP à créer",
}


def test_a_complete_row_passes_both_sheet_rules():
    project = make_project(sppe=SppeSheet(
        rows=[SppeRow(**COMPLETE_ROW)], duties=make_project().sppe.duties))
    assert findings_for(project, "sppe-sheet-empty") == []
    assert findings_for(project, "sppe-row-incomplete") == []


def test_a_row_with_unknown_values_lists_what_remains_to_fill():
    row = SppeRow(**{**COMPLETE_ROW, "current_places": "XXX", "projection_year": None})
    project = make_project(sppe=SppeSheet(rows=[row], duties=make_project().sppe.duties))
    [finding] = findings_for(project, "sppe-row-incomplete")
    assert finding.severity == Severity.info
    assert finding.message.startswith(
        "Fiche SPPE, ligne 1 (EAJE PSU « Multi-accueil Les Lutins, 2 rue des Écoles » à Alpha)"
    )
    assert "nombre actuel de places" in finding.message
    assert "nombre de places et année de la projection" in finding.message
    assert "places soutenues" not in finding.message


# territory-population-mismatch -------------------------------------------------------------


def test_a_declared_population_differing_from_the_communes_sum_is_an_info():
    [finding] = findings_for(epci_of(2_000, 1_000, population=3_100),
                             "territory-population-mismatch")
    assert finding.severity == Severity.info
    assert "(3 100 habitants) diffère de la somme de ses communes (3 000)" in finding.message


def test_a_declared_population_equal_to_the_sum_passes():
    assert findings_for(epci_of(2_000, 1_000, population=3_000),
                        "territory-population-mismatch") == []
