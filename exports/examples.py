"""Regenerate the PNG previews of ``docs/examples`` from the demo project.

``python -m exports.examples docs/examples`` (or ``make examples``) draws the pathway
diagram, and renders the first page of the action plan and of the action sheets through
LibreOffice and poppler's ``pdftoppm``, as the README shows them.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from theory_of_change.demo import demo_project

from .action_plan import render_action_plan
from .action_sheets import render_action_sheets
from .diagram import render_diagram
from .pdf import PdfConversionError, convert_to_pdf

DIAGRAM_DPI = 110
PAGE_DPI = 80
PREVIEWS = {
    "schema-chemins.png": "schéma des chemins de changement",
    "plan-d-action.png": "première page du plan d'action",
    "fiche-action.png": "première fiche action",
}


def _first_page_png(pdf: Path, target: Path) -> None:
    # pdftoppm adds "-1.png" to the prefix it is given; -singlefile keeps the name exact.
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(PAGE_DPI), "-f", "1", "-l", "1", "-singlefile",
         str(pdf), str(target.with_suffix(""))],
        check=True,
        capture_output=True,
    )


def write_examples(folder: Path) -> list[Path]:
    """Write the previews into ``folder`` and return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    project = demo_project()
    diagram = folder / "schema-chemins.png"
    diagram.write_bytes(render_diagram(project, "png", dpi=DIAGRAM_DPI))
    with tempfile.TemporaryDirectory(prefix="chemins-exemples-") as scratch:
        work = Path(scratch)
        plan = work / "plan-d-action.docx"
        plan.write_bytes(render_action_plan(project, "docx"))
        sheets = work / "fiche-action.docx"
        sheets.write_bytes(render_action_sheets(project, "docx"))
        pdfs = convert_to_pdf([plan, sheets], work / "pdf")
        outputs = [diagram]
        for pdf in pdfs:
            target = folder / f"{pdf.stem}.png"
            _first_page_png(pdf, target)
            outputs.append(target)
    return outputs


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``python -m exports.examples DOSSIER``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("Utilisation : python -m exports.examples DOSSIER", file=sys.stderr)
        return 2
    try:
        outputs = write_examples(Path(args[0]))
    except (PdfConversionError, subprocess.CalledProcessError, FileNotFoundError) as error:
        print(f"Erreur : impossible de produire les aperçus ({error}).", file=sys.stderr)
        return 1
    for path in outputs:
        print(f"Écrit : {path} ({PREVIEWS[path.name]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
