"""Coherence rules on progress markers."""

from __future__ import annotations

from factories import make_change, make_project

from theory_of_change.checks import Finding, Severity, run_checks
from theory_of_change.model import ChangeStatus, MarkerLevel, Project


def findings_for(project: Project, rule_id: str) -> list[Finding]:
    return [finding for finding in run_checks(project) if finding.rule == rule_id]


def with_unmarked_change(**overrides: object) -> Project:
    project = make_project()
    fields: dict[str, object] = {
        "id": "chg-sans-marqueur",
        "statement": "Les jeunes proposent leurs projets",
        "addresses": [],
        "priority_rank": 9,
    }
    fields.update(overrides)
    project.changes = [*project.changes, make_change(**fields)]
    return project


def test_a_change_without_marker_is_a_warning():
    [finding] = findings_for(with_unmarked_change(), "change-without-marker")
    assert finding.severity == Severity.warning
    assert finding.nodes == ["chg-sans-marqueur"]
    assert "« Les jeunes proposent leurs projets » n'a aucun marqueur de progrès" in (
        finding.message
    )


def test_a_set_aside_change_needs_no_marker():
    project = with_unmarked_change(status=ChangeStatus.set_aside, priority_rank=None)
    assert findings_for(project, "change-without-marker") == []


def test_a_change_without_marker_is_not_also_reported_for_missing_levels():
    assert findings_for(with_unmarked_change(), "change-missing-marker-level") == []


def test_a_change_missing_a_marker_level_is_a_warning_naming_the_levels():
    project = make_project()
    project.markers = [
        m for m in project.markers
        if not (m.change == "chg-enfance" and m.level != MarkerLevel.expect)
    ]
    [finding] = findings_for(project, "change-missing-marker-level")
    assert finding.severity == Severity.warning
    assert finding.nodes == ["chg-enfance"]
    assert "« on aimerait voir » et « on adorerait voir »" in finding.message
    assert "« Changement pour enfance »" in finding.message


def test_a_change_with_the_three_levels_passes():
    assert findings_for(make_project(), "change-missing-marker-level") == []
