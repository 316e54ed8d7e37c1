"""The rule registry: running every rule, sorting, counting, and the generated docs page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import make_project, revalidated

from theory_of_change.checks import (
    RULES,
    Finding,
    Severity,
    checks_markdown,
    count_by_severity,
    run_checks,
)
from theory_of_change.checks.context import CheckContext
from theory_of_change.checks.registry import RULE_ID_PATTERN, Rule, finding, rule
from theory_of_change.graph import build_graph
from theory_of_change.model import ChangeStatus, Vision

ROOT = Path(__file__).resolve().parent.parent


def test_the_complete_factory_project_has_no_error():
    findings = run_checks(make_project())
    assert [f for f in findings if f.severity == Severity.error] == []
    # What remains is what the factory leaves open on purpose: no SPPE row, no hypothesis.
    assert {f.rule for f in findings} == {"sppe-sheet-empty", "hypothesis-missing"}


def test_findings_come_errors_first_then_by_rule_then_nodes():
    project = make_project(vision=Vision(text="Un territoire solidaire.", horizon_year=2050))
    project.change("chg-enfance").priority_rank = None
    project.activity("act-enfance").years = []
    project.activity("act-jeunesse").years = []
    findings = run_checks(revalidated(project))
    ranks = {Severity.error: 0, Severity.warning: 1, Severity.info: 2}
    keys = [(ranks[f.severity], f.rule, f.nodes) for f in findings]
    assert keys == sorted(keys)
    assert [f.nodes for f in findings if f.rule == "activity-without-year"] == [
        ["act-enfance"], ["act-jeunesse"]
    ]
    assert findings[0].severity == Severity.error
    assert findings[-1].severity == Severity.info


def test_count_by_severity_counts_each_severity_and_keeps_zeros():
    findings = [
        finding("vision-missing", "a"),
        finding("sppe-sheet-empty", "b"),
        finding("sppe-population-unknown", "c"),
    ]
    assert count_by_severity(findings) == {
        Severity.error: 1, Severity.warning: 2, Severity.info: 0
    }
    assert count_by_severity([]) == dict.fromkeys(Severity, 0)


def test_a_given_graph_is_used_instead_of_building_one():
    project = make_project()
    graph = build_graph(project)
    assert run_checks(project, graph) == run_checks(project)
    # A graph without the vision node: the checks read the graph they are given.
    graph.remove_node("vision")
    rules = {f.rule for f in run_checks(project, graph)}
    assert "change-without-path-to-vision" not in rules
    assert "hypothesis-missing" not in rules


def test_findings_serialise_to_json_with_plain_values():
    project = make_project()
    project.change("chg-enfance").status = ChangeStatus.set_aside
    project.change("chg-enfance").priority_rank = None
    data = [f.model_dump(mode="json") for f in run_checks(project)]
    text = json.dumps(data, ensure_ascii=False)
    assert '"severity": "error"' in text
    assert '"rule": "stake-not-addressed"' in text
    assert '"nodes": ["enjeu-enfance"]' in text


def test_finding_takes_the_rule_severity():
    assert finding("vision-horizon", "x", ["vision"]) == Finding(
        rule="vision-horizon", severity=Severity.warning, message="x", nodes=["vision"]
    )
    with pytest.raises(KeyError):
        finding("no-such-rule", "x")


def test_a_rule_returning_another_rule_finding_is_a_programming_error():
    def impostor(context: CheckContext):
        yield finding("vision-missing", "x")

    bogus = Rule(id="bogus", severity=Severity.info, title="t", doc="d", function=impostor,
                 topic="rules_vision")
    context = CheckContext(project=make_project(), graph=build_graph(make_project()))
    with pytest.raises(RuntimeError, match="bogus returned a finding of vision-missing"):
        bogus.check(context)


def test_rule_ids_must_be_kebab_case_unique_and_documented():
    with pytest.raises(ValueError, match="kebab-case"):
        rule("Pas_Kebab", Severity.info, "t")
    with pytest.raises(ValueError, match="registered twice"):
        rule("vision-missing", Severity.info, "t")(lambda context: [])

    def undocumented(context: CheckContext):
        return []

    with pytest.raises(ValueError, match="no docstring"):
        rule("undocumented-rule", Severity.info, "t")(undocumented)
    assert "undocumented-rule" not in RULES


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_is_documented_in_french_with_why_and_how_to_fix(rule_id):
    registered = RULES[rule_id]
    assert RULE_ID_PATTERN.match(registered.id)
    assert registered.title and registered.title[0].isupper()
    assert registered.doc.startswith("Signale")
    assert "**Pourquoi :**" in registered.doc
    assert "**Corriger :**" in registered.doc
    assert "<" not in registered.doc + registered.title  # would vanish as HTML in Markdown


def test_every_rule_has_its_tests():
    sources = "".join(path.read_text() for path in (ROOT / "tests").glob("test_checks_*.py")
                      if path.name != Path(__file__).name)
    untested = [rule_id for rule_id in RULES if f'"{rule_id}"' not in sources]
    assert untested == []


def test_the_committed_docs_page_is_the_generated_one():
    committed = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    assert committed == checks_markdown(), (
        "docs/checks.md is stale: run "
        "`.venv/bin/python -m theory_of_change.checks > docs/checks.md`"
    )


def test_the_docs_page_lists_every_rule_with_its_french_severity():
    page = checks_markdown()
    assert page.startswith("# Contrôle de cohérence\n")
    for registered in RULES.values():
        assert f"`{registered.id}` — {registered.title}" in page
    assert "| [`precondition-cycle`](#precondition-cycle) | erreur |" in page
    assert "| [`no-complementary-theme`](#no-complementary-theme) | avertissement |" in page
    assert "## Service public de la petite enfance (SPPE)" in page
