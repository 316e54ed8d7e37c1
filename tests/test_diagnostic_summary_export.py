"""The diagnostic summary in DOCX, HTML and XLSX, opened back, and the SVG bar chart."""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from docx import Document
from factories import SEED_PORTRAIT, SEED_SYNTHESIS, make_diagnostic_project, make_project
from openpyxl import load_workbook

from exports.diagnostic_summary import (
    bar_chart_svg,
    diagnostic_summary_docx,
    diagnostic_summary_html,
    diagnostic_summary_xlsx,
    indicator_chart_svg,
)
from theory_of_change.diagnostic.evidence import add_quote
from theory_of_change.diagnostic.importer import import_bytes
from theory_of_change.model import Project

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def project() -> Project:
    base = make_diagnostic_project(SEED_PORTRAIT, SEED_SYNTHESIS)
    return add_quote(
        base,
        "Il n'y a plus de place en crèche aux Moutiers",
        group="habitants",
        workshop="Atelier petite enfance",
        theme="petite-enfance",
        stakes=["enjeu-accueil"],
    )


def test_the_docx_summary_has_the_commune_table_tensions_drafts_and_quotes(
    project: Project,
) -> None:
    document = Document(io.BytesIO(diagnostic_summary_docx(project)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Chiffres par commune" in headings
    assert "Tensions par commune" in headings
    assert "Chiffres des territoires de référence" in headings
    figures, tensions = (
        next(t for t in document.tables if t.rows[0].cells[0].text == first)
        for first in ("Territoire", "Commune")
    )
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in figures.rows}
    header = rows["Territoire"]
    moutiers = rows["Les Moutiers-en-Retz"]
    assert moutiers[header.index("Taux de couverture petite enfance")] == "41\u00a0%"
    assert rows["Loire-Atlantique (département)"][
        header.index("Taux de couverture petite enfance")
    ] == ("76,2\u00a0%")
    tension_rows = [[c.text for c in row.cells] for row in tensions.rows]
    assert [
        "Les Moutiers-en-Retz",
        "Offre d'accueil insuffisante (sous la référence)",
        "Les Moutiers-en-Retz : taux de couverture petite enfance de 41\u00a0%, 35,2\u00a0points "
        "sous Loire-Atlantique (76,2\u00a0%) ; alerte au-delà de 10\u00a0points d'écart.",
    ] in tension_rows
    assert not any(row[0] == "Prefailles" and "insuffisante" in row[1] for row in tension_rows)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Anticiper les départs en retraite des assistantes maternelles" in text
    assert "« Il n'y a plus de place en crèche aux Moutiers »" in text
    assert "habitants — Atelier petite enfance — Petite enfance — enjeux : enjeu-accueil" in text


def test_the_xlsx_summary_keeps_true_percentages_and_reimports_to_the_same_figures(
    project: Project,
) -> None:
    data = diagnostic_summary_xlsx(project)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == [
        "Synthèse",
        "Communes",
        "Tensions",
        "Enjeux proposés",
        "Paroles recueillies",
        "Graphiques",
    ]
    communes = workbook["Communes"]
    header = [cell.value for cell in communes[1]]
    prefailles = next(row for row in communes.iter_rows(min_row=2) if row[1].value == "Prefailles")
    coverage = prefailles[header.index("Taux de couverture petite enfance")]
    assert coverage.value == pytest.approx(2.59)
    assert coverage.number_format == "0%"
    tensions = [[c.value for c in row] for row in workbook["Tensions"].iter_rows(min_row=2)]
    assert any(row[0] == "Pornic" and row[3] == 20 and row[4] == 11 for row in tensions)
    assert len(workbook["Graphiques"]._charts) == 4
    reimported = import_bytes(data, "synthese.xlsx", sheet="Communes")
    for original in project.diagnostic.figures:
        again = next(row for row in reimported.figures if row.label == original.label)
        known = {key: value for key, value in again.values.items() if value is not None}
        assert known == {k: v for k, v in original.values.items() if v is not None}


def test_the_html_summary_is_self_contained_with_one_chart_per_percentage(
    project: Project,
) -> None:
    page = diagnostic_summary_html(project).decode("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert page.count("<svg ") == 4
    assert "Loire-Atlantique : 76,2\u00a0%" in page
    text = html.unescape(page)
    assert (
        "<td>Les Moutiers-en-Retz</td><td>Offre d'accueil insuffisante (sous la référence)" in text
    )
    assert "Zones où l'offre d'accueil est insuffisante (SPPE)" in text


def test_the_bar_chart_draws_each_commune_beside_the_reference_line() -> None:
    svg = bar_chart_svg(
        [("Les Moutiers-en-Retz", 41), ("Prefailles", 259), ("Vue", None)],
        title="Taux de couverture <petite enfance>",
        reference=("Loire-Atlantique", 76),
    )
    root = ET.fromstring(svg)
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == 2  # a missing value is never drawn as a zero bar
    widths = [float(bar.get("width", 0)) for bar in bars]
    assert widths[1] / widths[0] == pytest.approx(259 / 41, rel=0.01)
    line = root.find(f"{SVG}line")
    assert line is not None and line.get("stroke-dasharray") == "6 4"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Taux de couverture <petite enfance>" in texts
    assert "n.d." in texts
    assert "Loire-Atlantique : 76\u00a0%" in texts


def test_the_indicator_chart_reads_the_diagnostic_and_skips_an_unknown_indicator() -> None:
    project = make_diagnostic_project()
    svg = indicator_chart_svg(project.diagnostic, "part-assmat-60-ans-et-plus")
    assert svg is not None
    root = ET.fromstring(svg)
    assert len(root.findall(f"{SVG}rect")) == 15
    assert "Loire-Atlantique : 11\u00a0%" in [t.text for t in root.iter(f"{SVG}text")]
    assert indicator_chart_svg(project.diagnostic, "inconnu") is None


def test_an_empty_diagnostic_still_exports_with_a_clear_statement() -> None:
    project = make_project()
    document = Document(io.BytesIO(diagnostic_summary_docx(project)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Aucune donnée importée." in text
    assert "Aucune tension relevée avec les seuils actuels." in text
    page = diagnostic_summary_html(project).decode("utf-8")
    assert "Aucune donnée importée." in page
    workbook = load_workbook(io.BytesIO(diagnostic_summary_xlsx(project)))
    assert "Graphiques" not in workbook.sheetnames


@pytest.mark.slow
def test_libreoffice_opens_the_docx_and_xlsx_summaries(project: Project, tmp_path: Path) -> None:
    from exports.pdf import convert_to_pdf

    docx = tmp_path / "synthese.docx"
    xlsx = tmp_path / "synthese-classeur.xlsx"
    docx.write_bytes(diagnostic_summary_docx(project))
    xlsx.write_bytes(diagnostic_summary_xlsx(project))
    pdfs = convert_to_pdf([docx, xlsx], tmp_path / "pdf")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) est nécessaire pour lire les PDF")
    for pdf in pdfs:
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Les Moutiers-en-Retz" in text
