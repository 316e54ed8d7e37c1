"""Coherence rules on change pathways: cycles, paths to the vision, priorities, hypotheses."""

from __future__ import annotations

from factories import make_change, make_project, make_three_markers, revalidated

from theory_of_change.checks import Finding, Severity, run_checks
from theory_of_change.model import Change, ChangeStatus, Link, Project


def findings_for(project: Project, rule_id: str) -> list[Finding]:
    return [finding for finding in run_checks(project) if finding.rule == rule_id]


def step(change_id: str, *preconditions: str, **overrides: object) -> Change:
    """A proposed change that is a mere step of a pathway (no stake, no vision link)."""
    fields: dict[str, object] = {
        "id": change_id,
        "statement": f"Étape {change_id}",
        "status": ChangeStatus.proposed,
        "priority_rank": None,
        "addresses": [],
        "leads_to_vision": False,
        "preconditions": list(preconditions),
    }
    fields.update(overrides)
    return make_change(**fields)


def with_changes(*changes: Change, **enabling: list[str]) -> Project:
    """The default project plus ``changes``; ``enabling`` adds preconditions to its changes.

    ``with_changes(step("a"), chg_enfance=["a"])`` makes "a" a precondition of chg-enfance.
    """
    project = make_project()
    project.changes = [*project.changes, *changes]
    project.markers = [*project.markers, *(m for c in changes for m in make_three_markers(c.id))]
    for change_id, preconditions in enabling.items():
        project.change(change_id.replace("_", "-")).preconditions = [
            Link(to=p, hypothesis="si… alors…") for p in preconditions
        ]
    return revalidated(project)


# precondition-cycle ------------------------------------------------------------------------


def test_three_changes_in_a_loop_are_one_cycle_error():
    project = with_changes(
        step("chg-a", "chg-c"), step("chg-b", "chg-a"), step("chg-c", "chg-b"),
        chg_enfance=["chg-c"],
    )
    [finding] = findings_for(project, "precondition-cycle")
    assert finding.severity == Severity.error
    assert finding.nodes == ["chg-a", "chg-b", "chg-c"]
    assert "« Étape chg-a », « Étape chg-b » et « Étape chg-c » forment une boucle" in (
        finding.message
    )
    # The example loop closes on its first step.
    assert finding.message.count("« Étape chg-a »") == 3


def test_the_same_chain_without_the_closing_link_has_no_cycle():
    project = with_changes(
        step("chg-a"), step("chg-b", "chg-a"), step("chg-c", "chg-b"), chg_enfance=["chg-c"]
    )
    assert findings_for(project, "precondition-cycle") == []


def test_a_tangle_of_loops_is_reported_once_and_two_separate_loops_twice():
    # Four changes all preconditions of one another: dozens of simple cycles, one component.
    ids = ["chg-a", "chg-b", "chg-c", "chg-d"]
    tangle = [step(i, *(j for j in ids if j != i)) for i in ids]
    pair = [step("chg-x", "chg-y"), step("chg-y", "chg-x")]
    project = with_changes(*tangle, *pair, chg_enfance=["chg-a", "chg-x"])
    findings = findings_for(project, "precondition-cycle")
    assert [f.nodes for f in findings] == [ids, ["chg-x", "chg-y"]]


# change-without-path-to-vision -------------------------------------------------------------


def test_a_change_linked_to_nothing_does_not_lead_to_the_vision():
    project = with_changes(step("chg-isole"))
    [finding] = findings_for(project, "change-without-path-to-vision")
    assert finding.severity == Severity.error
    assert finding.nodes == ["chg-isole"]
    assert finding.message.startswith("Le changement « Étape chg-isole » ne mène pas à la vision")


def test_a_precondition_of_a_change_that_leads_to_the_vision_leads_there_too():
    project = with_changes(step("chg-isole"), step("chg-amont", "chg-isole"),
                           chg_enfance=["chg-amont"])
    assert findings_for(project, "change-without-path-to-vision") == []


def test_a_path_through_a_set_aside_change_does_not_count():
    project = with_changes(
        step("chg-amont"),
        step("chg-ecarte", "chg-amont", status=ChangeStatus.set_aside, leads_to_vision=True),
    )
    [finding] = findings_for(project, "change-without-path-to-vision")
    assert finding.nodes == ["chg-amont"]
    assert "qu'à travers des changements écartés" in finding.message


def test_a_set_aside_change_is_not_asked_to_lead_to_the_vision():
    project = with_changes(step("chg-ecarte", status=ChangeStatus.set_aside))
    assert findings_for(project, "change-without-path-to-vision") == []


# precondition-set-aside --------------------------------------------------------------------


def test_a_retained_change_resting_on_a_set_aside_change_is_a_warning():
    project = with_changes(
        step("chg-ecarte", status=ChangeStatus.set_aside), chg_enfance=["chg-ecarte"]
    )
    [finding] = findings_for(project, "precondition-set-aside")
    assert finding.severity == Severity.warning
    assert finding.nodes == ["chg-ecarte", "chg-enfance"]
    assert "a pour précondition « Étape chg-ecarte », qui a été écarté" in finding.message


def test_a_retained_change_resting_on_a_proposed_change_passes():
    project = with_changes(step("chg-propose"), chg_enfance=["chg-propose"])
    assert findings_for(project, "precondition-set-aside") == []


# priority-rank-missing / priority-rank-duplicate --------------------------------------------


def test_a_prioritised_change_without_rank_is_a_warning():
    project = make_project()
    project.change("chg-enfance").priority_rank = None
    [finding] = findings_for(project, "priority-rank-missing")
    assert finding.severity == Severity.warning
    assert finding.nodes == ["chg-enfance"]
    assert "« Changement pour enfance » n'a pas de rang de priorité" in finding.message


def test_a_proposed_change_needs_no_rank():
    project = make_project()
    project.change("chg-enfance").status = ChangeStatus.proposed
    project.change("chg-enfance").priority_rank = None
    assert findings_for(project, "priority-rank-missing") == []


def test_two_prioritised_changes_with_the_same_rank_are_a_warning():
    project = make_project()
    project.change("chg-enfance").priority_rank = 1
    [finding] = findings_for(project, "priority-rank-duplicate")
    assert finding.severity == Severity.warning
    assert finding.nodes == ["chg-familles-informees", "chg-enfance"]
    assert "ont tous le rang 1" in finding.message


def test_distinct_ranks_pass():
    assert findings_for(make_project(), "priority-rank-duplicate") == []


# hypothesis-missing ------------------------------------------------------------------------


def test_a_precondition_without_hypothesis_on_a_prioritised_pathway_is_an_info():
    project = with_changes(step("chg-amont"))
    project.change("chg-enfance").preconditions = [Link(to="chg-amont")]
    project = revalidated(project)
    findings = findings_for(project, "hypothesis-missing")
    [link] = [f for f in findings if f.nodes == ["chg-amont", "chg-enfance"]]
    assert link.severity == Severity.info
    assert "Le lien de « Étape chg-amont » vers « Changement pour enfance »" in link.message


def test_a_precondition_with_its_hypothesis_or_a_change_with_hypotheses_passes():
    project = with_changes(step("chg-amont"), step("chg-autre"))
    project.change("chg-enfance").preconditions = [
        Link(to="chg-amont", hypothesis="Si les familles sont informées, alors…")
    ]
    project.change("chg-jeunesse").preconditions = [Link(to="chg-autre")]
    project.change("chg-jeunesse").hypotheses = ["Si les jeunes sont écoutés, alors…"]
    project = revalidated(project)
    nodes = [f.nodes for f in findings_for(project, "hypothesis-missing")]
    assert ["chg-amont", "chg-enfance"] not in nodes
    assert ["chg-autre", "chg-jeunesse"] not in nodes


def test_a_vision_link_without_hypothesis_of_a_prioritised_change_is_an_info():
    project = make_project()
    project.change("chg-enfance").vision_hypothesis = "Si les enfants…, alors en 2037…"
    nodes = [f.nodes for f in findings_for(project, "hypothesis-missing")]
    assert ["chg-jeunesse", "vision"] in nodes
    assert ["chg-enfance", "vision"] not in nodes


def test_a_pathway_ending_on_a_proposed_change_is_not_checked_for_hypotheses():
    project = with_changes(step("chg-amont"))
    project.change("chg-enfance").preconditions = [Link(to="chg-amont")]
    project.change("chg-enfance").status = ChangeStatus.proposed
    project.change("chg-enfance").priority_rank = None
    project = revalidated(project)
    assert [f for f in findings_for(project, "hypothesis-missing")
            if "chg-enfance" in f.nodes] == []
