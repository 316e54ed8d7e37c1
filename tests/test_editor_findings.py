"""The coherence findings on every project page, each linking to the node to fix."""

from __future__ import annotations

from typing import Any

from editor_helpers import get_page, open_project, project_url, submit
from factories import make_change, make_project
from pages_helpers import parse

from theory_of_change.checks import run_checks


def _isolated_change_project() -> Any:
    """The default project plus a change that leads nowhere (an error finding)."""
    base = make_project()
    return make_project(changes=[*base.changes, make_change(
        id="chg-isole", statement="Les associations se connaissent", themes=["enfance"],
        addresses=["enjeu-enfance"], leads_to_vision=False, status="proposed",
        priority_rank=None,
    )])


def test_each_finding_shows_its_message_and_links_to_the_node_form(app: Any, client: Any) -> None:
    project = _isolated_change_project()
    expected = next(f for f in run_checks(project) if f.rule == "change-without-path-to-vision")
    project_id = open_project(app, client, project)
    html = get_page(client, project_url(project_id, "evaluation"))
    findings = html.split('id="constats"', 1)[1]
    assert expected.message in " ".join(parse(findings).text)
    link = project_url(project_id, "changements", "chg-isole")
    assert f'<a href="{link}">Corriger : Les associations se connaissent</a>' in findings


def test_the_header_counts_the_findings_by_severity(app: Any, client: Any) -> None:
    project = _isolated_change_project()
    findings = run_checks(project)
    errors = sum(1 for f in findings if f.severity == "error")
    project_id = open_project(app, client, project)
    header = get_page(client, project_url(project_id, "enjeux")).split('id="compte-constats"')[1]
    header = header.split("</a>", 1)[0]
    assert f"<strong>{errors}</strong> erreur" in header
    assert errors >= 1


def test_fixing_the_node_removes_its_finding_and_updates_the_count(app: Any, client: Any) -> None:
    project = _isolated_change_project()
    error = next(f for f in run_checks(project) if f.rule == "change-without-path-to-vision")
    project_id = open_project(app, client, project)
    page = project_url(project_id, "changements", "chg-isole")
    before = " ".join(parse(get_page(client, page)).text)
    assert "À revoir ici" in before and error.message in before
    submit(client, page, changes={"leads_to_vision": "y"})
    after = get_page(client, page)
    assert '<span class="sev ok">Aucune erreur</span>' in after
    assert error.message not in " ".join(parse(after).text)


def test_a_finding_about_the_whole_project_links_to_the_page_to_complete(
    app: Any, client: Any
) -> None:
    base = make_project()
    project = make_project(
        stakes=[s for s in base.stakes if s.theme != "jeunesse"],
        changes=[c for c in base.changes if "jeunesse" not in c.themes],
        markers=[m for m in base.markers if m.change != "chg-jeunesse"],
        activities=[a for a in base.activities if "jeunesse" not in a.themes],
    )
    uncovered = [f for f in run_checks(project) if f.rule == "mandatory-theme-uncovered"]
    assert uncovered and uncovered[0].nodes == []
    project_id = open_project(app, client, project)
    findings = get_page(client, project_url(project_id)).split('id="constats"', 1)[1]
    assert uncovered[0].message in " ".join(parse(findings).text)
    assert f'<a href="{project_url(project_id, "enjeux")}">Corriger : Ouvrir la page à compléter' \
           "</a>" in findings
