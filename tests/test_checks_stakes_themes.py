"""Coherence rules on retained stakes and on the themes the convention covers."""

from __future__ import annotations

from factories import make_change, make_project, make_stake, revalidated

from theory_of_change.checks import Finding, Severity, run_checks
from theory_of_change.model import ActivityStatus, ChangeStatus, Project, Theme


def findings_for(project: Project, rule_id: str) -> list[Finding]:
    return [finding for finding in run_checks(project) if finding.rule == rule_id]


def with_stake(**overrides: object) -> Project:
    project = make_project()
    fields: dict[str, object] = {"id": "enjeu-mobilite", "title": "Se déplacer sans voiture"}
    fields.update(overrides)
    project.stakes = [*project.stakes, make_stake(**fields)]
    return project


# stake-not-addressed -----------------------------------------------------------------------


def test_a_retained_stake_no_change_addresses_is_an_error():
    [finding] = findings_for(with_stake(), "stake-not-addressed")
    assert finding.severity == Severity.error
    assert finding.nodes == ["enjeu-mobilite"]
    assert "L'enjeu retenu « Se déplacer sans voiture » n'est pas traité" in finding.message
    assert "aucun changement n'y répond" in finding.message


def test_a_stake_not_retained_needs_no_change():
    assert findings_for(with_stake(retained=False), "stake-not-addressed") == []


def test_a_stake_answered_only_by_set_aside_changes_is_not_addressed():
    project = with_stake()
    project.changes = [
        *project.changes,
        make_change(id="chg-navette", statement="Une navette relie les communes",
                    status=ChangeStatus.set_aside, priority_rank=None,
                    addresses=["enjeu-mobilite"]),
    ]
    [finding] = findings_for(project, "stake-not-addressed")
    assert "seuls des changements écartés y répondent" in finding.message


def test_a_stake_answered_by_a_retained_change_passes():
    project = with_stake()
    project.change("chg-enfance").addresses = ["enjeu-enfance", "enjeu-mobilite"]
    assert findings_for(revalidated(project), "stake-not-addressed") == []


# stake-without-theme -----------------------------------------------------------------------


def test_a_retained_stake_without_theme_is_an_info():
    [finding] = findings_for(with_stake(theme=None, retained=True), "stake-without-theme")
    assert finding.severity == Severity.info
    assert finding.nodes == ["enjeu-mobilite"]
    assert "« Se déplacer sans voiture » n'a pas de thématique" in finding.message


def test_a_stake_with_a_theme_passes():
    assert findings_for(with_stake(theme="enfance"), "stake-without-theme") == []


# mandatory-theme-uncovered -----------------------------------------------------------------


def without_theme(theme_id: str, keep_activity: bool = False) -> Project:
    """The default project where nothing but (optionally) the activity carries ``theme_id``."""
    project = make_project()
    project.stake(f"enjeu-{theme_id}").theme = None
    project.change(f"chg-{theme_id}").themes = []
    if not keep_activity:
        project.activity(f"act-{theme_id}").themes = []
    return project


def test_a_mandatory_theme_covered_by_nothing_is_an_error():
    [finding] = findings_for(without_theme("jeunesse"), "mandatory-theme-uncovered")
    assert finding.severity == Severity.error
    assert finding.nodes == []
    assert "La thématique obligatoire « Jeunesse » n'est couverte par aucun élément" in (
        finding.message
    )


def test_one_activity_is_enough_to_cover_a_theme():
    project = without_theme("jeunesse", keep_activity=True)
    assert findings_for(project, "mandatory-theme-uncovered") == []


def test_an_abandoned_activity_or_a_set_aside_change_covers_nothing():
    project = without_theme("jeunesse", keep_activity=True)
    project.activity("act-jeunesse").status = ActivityStatus.abandoned
    project.changes = [
        *project.changes,
        make_change(id="chg-ecarte", statement="Écarté", themes=["jeunesse"],
                    status=ChangeStatus.set_aside, priority_rank=None, addresses=[]),
    ]
    [finding] = findings_for(project, "mandatory-theme-uncovered")
    assert "« Jeunesse »" in finding.message


def test_a_not_retained_stake_covers_nothing():
    project = without_theme("parentalite")
    project.stake("enjeu-parentalite").theme = "parentalite"
    project.stake("enjeu-parentalite").retained = False
    [finding] = findings_for(project, "mandatory-theme-uncovered")
    assert "« Parentalité »" in finding.message


# no-complementary-theme / complementary-theme-recommended ----------------------------------


def test_a_ctg_covering_only_the_four_mandatory_themes_must_widen():
    project = without_theme("acces-aux-droits")
    [finding] = findings_for(project, "no-complementary-theme")
    assert finding.severity == Severity.warning
    assert finding.nodes == []
    assert "la CTG devra s'élargir en cours de convention" in finding.message
    assert "« Accès aux droits » ou « Animation de la vie sociale »" in finding.message


def test_a_ctg_covering_access_to_rights_has_its_fifth_theme():
    project = make_project()
    assert findings_for(project, "no-complementary-theme") == []
    assert findings_for(project, "complementary-theme-recommended") == []


def test_another_fifth_theme_widens_the_ctg_but_the_recommended_ones_are_suggested():
    project = without_theme("acces-aux-droits")
    project.themes = [*project.themes, Theme(id="mobilite", label="Mobilité")]
    project.activity("act-acces-aux-droits").themes = ["mobilite"]
    assert findings_for(project, "no-complementary-theme") == []
    [finding] = findings_for(project, "complementary-theme-recommended")
    assert finding.severity == Severity.info
    assert "la CTG couvre « Mobilité », mais ni l'accès aux droits" in finding.message
