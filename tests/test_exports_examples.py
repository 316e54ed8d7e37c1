"""``make examples``: the README's PNG previews are regenerated from the demo project."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from exports.examples import PREVIEWS, main, write_examples

pytestmark = pytest.mark.slow


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_previews_are_the_diagram_the_plans_page_and_a_sheets_page(tmp_path: Path) -> None:
    written = write_examples(tmp_path / "examples")
    assert sorted(path.name for path in written) == sorted(PREVIEWS)
    plan_width, plan_height = _png_size(tmp_path / "examples" / "plan-d-action.png")
    sheet_width, sheet_height = _png_size(tmp_path / "examples" / "fiche-action.png")
    assert plan_height > plan_width  # a portrait A4 page at 80 dpi: about 661 × 935
    assert plan_width == pytest.approx(21.0 / 2.54 * 80, abs=3)
    assert sheet_width > sheet_height  # the sheet is landscape, like the Caf's template
    diagram_width, diagram_height = _png_size(tmp_path / "examples" / "schema-chemins.png")
    assert diagram_width > 800 and diagram_height > 800


def test_the_script_needs_exactly_one_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "Utilisation : python -m exports.examples DOSSIER" in capsys.readouterr().err
