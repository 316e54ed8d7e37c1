"""The demo project carries the seed's portrait: its diagnostic page reads like the seed.

The demo file's ``diagnostic`` section is generated from the packaged tables
(``theory_of_change/data/portrait/*.csv``) by ``python -m theory_of_change.demo``; these
tests fail when it is stale or when regenerating it would touch any other line.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from pages_helpers import log_in, parse, seed_project

from theory_of_change.checks import Severity, run_checks
from theory_of_change.demo import (
    demo_project,
    demo_yaml,
    diagnostic_section,
    portrait_diagnostic,
    portrait_files,
    with_diagnostic_section,
)
from theory_of_change.diagnostic.tensions import TensionKind, find_tensions

SEED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def test_the_packaged_portrait_tables_are_the_seeds() -> None:
    names = [path.name for path in portrait_files()]
    assert names == ["portrait-pornic-petite-enfance.csv", "synthese-petite-enfance.csv"]
    if SEED_DATA.is_dir():
        for path in portrait_files():
            assert path.read_bytes() == (SEED_DATA / path.name).read_bytes()


def test_the_demo_diagnostic_is_the_import_of_the_packaged_tables() -> None:
    project = demo_project()
    assert project.diagnostic == portrait_diagnostic(project)
    assert len(project.diagnostic.figures) == 18  # 15 communes, 2 EPCI, the department


def test_regenerating_the_section_changes_no_line_of_the_demo_file() -> None:
    text = demo_yaml()
    assert with_diagnostic_section(text, diagnostic_section(demo_project())) == text
    assert "Section GÉNÉRÉE : ne pas\n# la modifier à la main" in text


def test_the_demo_reads_the_seeds_tensions_and_keeps_no_error_finding() -> None:
    project = demo_project()
    report = find_tensions(project.diagnostic)
    moutiers = report.commune("Les Moutiers-en-Retz")
    assert TensionKind.coverage_below_reference in moutiers.kinds()
    coverage = next(t for t in moutiers.tensions
                    if t.kind is TensionKind.coverage_below_reference)
    assert (coverage.value, coverage.reference) == (41, 76.2)
    plaine = report.commune("La Plaine-sur-Mer")
    assert TensionKind.coverage_below_reference in plaine.kinds()
    assert TensionKind.coverage_below_reference not in report.commune("Préfailles").kinds()
    assert not [f for f in run_checks(project) if f.severity is Severity.error]


def test_the_demo_diagnostic_page_shows_the_portrait_and_the_quotes(app: Any,
                                                                     client: Any) -> None:
    project_id = seed_project(app, demo_project())
    log_in(client, app)
    page = client.get(f"/console/projets/{project_id}/diagnostic/").get_data(as_text=True)
    text = html.unescape(" ".join(parse(page).text))
    assert "portrait-pornic-petite-enfance.csv" in text
    assert "synthese-petite-enfance.csv" in text
    assert ("Les Moutiers-en-Retz : taux de couverture petite enfance de 41\u00a0%, "
            "35,2\u00a0points sous Loire-Atlantique (76,2\u00a0%)") in text
    assert "Aux Moutiers, il n'y a presque rien" in text
    assert page.count('<figure class="chart"') == 4  # the percentages known per commune
