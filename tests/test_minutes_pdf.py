"""LibreOffice opens the Word minutes: one conversion to PDF, its text and its charts."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from factories import make_minutes_inputs

from exports.minutes import render_minutes
from exports.pdf import convert_to_pdf
from workshops.minutes import build_minutes

pytestmark = pytest.mark.slow


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_libreoffice_turns_the_word_minutes_into_a_pdf_with_their_text_and_charts(
    tmp_path: Path,
) -> None:
    inputs = make_minutes_inputs()
    minutes = build_minutes(
        inputs.workshop, inputs.participants, inputs.ideas, inputs.ballots, inputs.decisions,
        generated_on=dt.date(2025, 6, 13), project_title=inputs.project.title,
    )
    source = tmp_path / "compte-rendu.docx"
    source.write_bytes(render_minutes(minutes, "docx"))

    (pdf,) = convert_to_pdf([source], tmp_path / "pdf")

    assert pdf.read_bytes().startswith(b"%PDF")
    info = _run("pdfinfo", str(pdf))
    pages = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    assert 4 <= pages <= 12
    text = " ".join(_run("pdftotext", str(pdf), "-").split())
    for expected in (
        "Compte-rendu d'atelier",
        "12 participants dont 4 élus",
        "Étape 3 — Classez les trois pistes d'action",
        "Cycle de Condorcet",
        "5 (ex æquo)",
        "Ce qui a été écrit dans le modèle",
    ):
        assert expected in text
    # pdfimages lists one line per image after a two-line header; each chart is an image
    # and its transparency mask ("smask"): five charts.
    listed = [line.split() for line in _run("pdfimages", "-list", str(pdf)).splitlines()[2:]]
    assert [row[2] for row in listed].count("image") == 5
