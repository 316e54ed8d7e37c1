"""Coherence rules on the collective vision."""

from __future__ import annotations

import pytest
from factories import make_project

from theory_of_change.checks import Finding, Severity, run_checks
from theory_of_change.model import Project, Vision


def findings_for(project: Project, rule_id: str) -> list[Finding]:
    return [finding for finding in run_checks(project) if finding.rule == rule_id]


def with_vision(text: str, horizon_year: int = 2037) -> Project:
    return make_project(vision=Vision(text=text, horizon_year=horizon_year))


def test_a_project_without_vision_is_an_error():
    [finding] = findings_for(make_project(vision=None), "vision-missing")
    assert finding.severity == Severity.error
    assert finding.nodes == []
    assert "pas encore de vision collective" in finding.message


def test_a_blank_vision_counts_as_missing():
    [finding] = findings_for(with_vision("   "), "vision-missing")
    assert finding.severity == Severity.error


def test_a_written_vision_is_not_missing():
    assert findings_for(make_project(), "vision-missing") == []


def test_without_vision_changes_are_not_each_reported_as_leading_nowhere():
    findings = run_checks(make_project(vision=None))
    assert [f.rule for f in findings if f.rule.startswith("change-without-path")] == []


def test_a_vision_not_opening_with_en_year_is_a_warning():
    [finding] = findings_for(
        with_vision("Nous, acteurs des 15 communes, avons l'ambition de services de qualité."),
        "vision-opening",
    )
    assert finding.severity == Severity.warning
    assert finding.nodes == ["vision"]
    assert "devrait commencer par « En 2037, territoire… »" in finding.message
    assert "« Nous, acteurs des 15 communes, avons…" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "En 2037, territoire où chaque famille trouve sa place.",
        "En 2037 territoire où chaque famille trouve sa place.",
        "en 2037, territoire solidaire.",
        "EN 2037, TERRITOIRE SOLIDAIRE.",
        "  En  2037, territoire solidaire.",
    ],
)
def test_a_vision_opening_with_en_year_passes_whatever_the_case(text):
    assert findings_for(with_vision(text), "vision-opening") == []


def test_a_vision_opening_with_a_longer_number_is_not_a_year():
    [finding] = findings_for(with_vision("En 20370 territoires"), "vision-opening")
    assert finding.nodes == ["vision"]


def test_a_vision_whose_written_year_differs_from_its_horizon_is_an_error():
    [finding] = findings_for(
        with_vision("En 2036, territoire solidaire.", horizon_year=2037), "vision-year-mismatch"
    )
    assert finding.severity == Severity.error
    assert finding.nodes == ["vision"]
    assert "« En 2036 »" in finding.message
    assert "année d'horizon est 2037" in finding.message


def test_a_vision_whose_written_year_is_its_horizon_passes():
    project = with_vision("En 2037, territoire solidaire.", horizon_year=2037)
    assert findings_for(project, "vision-year-mismatch") == []


@pytest.mark.parametrize("horizon", [2034, 2041, 2026])
def test_a_vision_horizon_outside_10_to_15_years_is_a_warning(horizon):
    [finding] = findings_for(
        with_vision(f"En {horizon}, territoire solidaire.", horizon_year=horizon),
        "vision-horizon",
    )
    assert finding.severity == Severity.warning
    assert finding.nodes == ["vision"]
    assert f"({horizon})" in finding.message
    assert "entre 2035 et 2040" in finding.message


@pytest.mark.parametrize("horizon", [2035, 2037, 2040])
def test_a_vision_horizon_10_to_15_years_after_the_start_passes(horizon):
    project = with_vision(f"En {horizon}, territoire solidaire.", horizon_year=horizon)
    assert findings_for(project, "vision-horizon") == []
