"""LibreOffice opens every document we write: each DOCX, ODT and XLSX converts to a PDF.

One LibreOffice run per format keeps the suite fast; the demo project gives documents of
realistic size. Page counts and text come from poppler (``pdfinfo``, ``pdftotext``).
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from exports.action_plan import render_action_plan
from exports.action_sheets import render_action_sheets, sheet_activities
from exports.docx_writer import render_docx
from exports.dossier import cover_page_document
from exports.odt_writer import render_odt
from exports.pdf import convert_to_pdf
from exports.sppe_sheet import render_sppe_sheet
from exports.tracker import render_tracker
from theory_of_change.demo import demo_project

pytestmark = pytest.mark.slow

DOCUMENTS = ("plan", "fiches", "sppe", "garde")


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    line = next(x for x in info.stdout.splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def _write_all(folder: Path, fmt: str) -> list[Path]:
    project = demo_project()
    cover = cover_page_document(project, generated_on=dt.date(2026, 12, 1), revision="v1")
    contents = {
        "plan": render_action_plan(project, fmt),
        "fiches": render_action_sheets(project, fmt),
        "sppe": render_sppe_sheet(project, fmt),
        "garde": render_docx(cover) if fmt == "docx" else render_odt(cover),
    }
    paths = []
    for name, data in contents.items():
        path = folder / f"{name}-{fmt}.{fmt}"
        path.write_bytes(data)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pdf")
    docx_files = _write_all(folder, "docx")
    tracker = folder / "suivi-xlsx.xlsx"
    tracker.write_bytes(render_tracker(demo_project(), "xlsx"))
    converted = convert_to_pdf([*docx_files, tracker], folder / "out")
    converted += convert_to_pdf(_write_all(folder, "odt"), folder / "out")
    return {pdf.stem: pdf for pdf in converted}


@pytest.mark.parametrize("fmt", ["docx", "odt"])
@pytest.mark.parametrize("name", DOCUMENTS)
def test_libreoffice_converts_each_document_to_a_real_pdf(
    pdfs: dict[str, Path], name: str, fmt: str
) -> None:
    pdf = pdfs[f"{name}-{fmt}"]
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert pdf.stat().st_size > 10_000
    assert _pages(pdf) >= 1


@pytest.mark.parametrize("fmt", ["docx", "odt"])
def test_each_action_sheet_takes_at_least_its_own_page(pdfs: dict[str, Path], fmt: str) -> None:
    count = len(sheet_activities(demo_project()))
    assert count == 13
    pdf = pdfs[f"fiches-{fmt}"]
    assert count <= _pages(pdf) <= 2 * count
    text = _text(pdf)
    pages = text.split("\f")
    # Every sheet opens a page: its "Action #n" heading is at the top of one.
    openings = [page for page in pages if page.lstrip().startswith("Action #")]
    assert len(openings) == count


@pytest.mark.parametrize("fmt", ["docx", "odt"])
def test_the_plan_pdf_shows_the_numbered_actions_and_calendar(
    pdfs: dict[str, Path], fmt: str
) -> None:
    text = _text(pdfs[f"plan-{fmt}"])
    assert "Plan d'action intercommunal" in text
    assert "Calendrier de mise en œuvre" in text
    assert "Axe stratégique #1" in text
    assert "Formaliser une stratégie d'accompagnement" in text


def test_the_sppe_pdf_keeps_every_structure_type(pdfs: dict[str, Path]) -> None:
    text = _text(pdfs["sppe-odt"])
    for label in ("EAJE PSU", "MAM", "RPE", "Dispositifs", "à compléter"):
        assert label in text


def test_libreoffice_opens_the_follow_up_table(pdfs: dict[str, Path]) -> None:
    text = _text(pdfs["suivi-xlsx"])
    # Headers wrap inside their cells: "Valeur observée 2029" spans three lines.
    assert "Intitulé de l'action" in text and "Statut" in text
    assert "observée" in text and "2029" in text
    assert "Formaliser une stratégie d'accompagnement" in text
