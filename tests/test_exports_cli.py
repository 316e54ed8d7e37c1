"""``chemins export …``: files written from a project file, French errors with exit code 2."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from factories import make_export_project
from openpyxl import load_workbook

from exports.cli import export
from theory_of_change.files import save_project


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    path = tmp_path / "projet.yaml"
    save_project(make_export_project(), path)
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(export, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_diagram_writes_the_requested_format_with_layers(project_file: Path, tmp_path: Path
                                                         ) -> None:
    out = tmp_path / "schema.dot"
    code, stdout, _ = _run("diagram", str(project_file), "--format", "dot",
                           "--with", "markers,activities", "-o", str(out))
    assert code == 0
    assert f"Écrit : {out}" in stdout
    dot = out.read_text(encoding="utf-8")
    assert "subgraph cluster_axe_1 {" in dot and "marqueurs__chg-familles-informees" in dot


def test_diagram_png_at_print_resolution(project_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "schema.png"
    code, _, _ = _run("diagram", str(project_file), "--format", "png", "--dpi", "300",
                      "-o", str(out))
    assert code == 0
    assert out.read_bytes().startswith(b"\x89PNG")


def test_without_output_the_file_is_named_after_the_project(
    project_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, _ = _run("diagram", str(project_file))
    assert code == 0
    assert (tmp_path / "projet-schema.svg").read_bytes().lstrip().startswith(b"<?xml")


def test_a_dash_writes_to_standard_output(project_file: Path) -> None:
    code, stdout, _ = _run("diagram", str(project_file), "--format", "dot", "-o", "-")
    assert code == 0
    assert stdout.startswith("digraph chemins {")


def test_plan_sheets_sppe_tracker_and_dossier_write_their_documents(
    project_file: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.docx"
    assert _run("plan", str(project_file), "-o", str(plan))[0] == 0
    assert docx.Document(str(plan)).paragraphs[0].text == "Plan d'action"

    commune_plan = tmp_path / "plan-alpha.md"
    assert _run("plan", str(project_file), "--format", "md", "--commune", "alpha",
                "-o", str(commune_plan))[0] == 0
    assert "## Plan d'action communal — Alpha" in commune_plan.read_text(encoding="utf-8")

    sheets = tmp_path / "fiches.docx"
    assert _run("sheets", str(project_file), "--toutes", "-o", str(sheets))[0] == 0
    headings = [p.text for p in docx.Document(str(sheets)).paragraphs
                if p.style.name == "Heading 1"]
    assert len(headings) == 5

    sppe = tmp_path / "sppe.odt"
    assert _run("sppe", str(project_file), "--format", "odt", "-o", str(sppe))[0] == 0
    assert zipfile.ZipFile(sppe).read("mimetype") == b"application/vnd.oasis.opendocument.text"

    tracker = tmp_path / "suivi.xlsx"
    assert _run("tracker", str(project_file), "-o", str(tracker))[0] == 0
    assert load_workbook(tracker).active["C2"].value == "Soutenir le point information jeunesse"

    dossier = tmp_path / "dossier.zip"
    code, _, _ = _run("dossier", str(project_file), "--date", "2027-03-15",
                      "--revision", "v3", "-o", str(dossier))
    assert code == 0
    archive = zipfile.ZipFile(dossier)
    cover = docx.Document(io.BytesIO(archive.read(archive.namelist()[0])))
    assert "15 mars 2027" in "\n".join(p.text for p in cover.paragraphs)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("diagram", "{file}", "--format", "gif"), "« gif » n'est pas un choix possible"),
        (("diagram", "{file}", "--with", "jalons"), "couche « jalons » inconnue"),
        (("diagram", "{file}", "--dpi", "beaucoup"), "n'est pas un nombre entier"),
        (("diagram", "{file}", "--focus", "rien"), "l'élément « rien » n'existe pas"),
        (("plan", "{file}", "--commune", "omega"), "la commune « omega » n'existe pas"),
        (("dossier", "{file}", "--date", "15/03/2027"), "n'est pas au format AAAA-MM-JJ"),
    ],
)
def test_bad_options_stop_with_a_french_message_and_code_2(
    project_file: Path, args: tuple[str, ...], message: str
) -> None:
    code, stdout, stderr = _run(*(a.format(file=project_file) for a in args))
    assert code == 2
    assert message in stderr
    assert "Traceback" not in stdout + stderr


def test_a_missing_project_file_gives_code_2_without_traceback(tmp_path: Path) -> None:
    code, stdout, stderr = _run("tracker", str(tmp_path / "absent.yaml"))
    assert code == 2
    assert "absent.yaml" in stderr and "introuvable" in stderr
    assert "Traceback" not in stdout + stderr


def test_an_invalid_project_file_gives_code_2_and_says_why(tmp_path: Path) -> None:
    path = tmp_path / "casse.yaml"
    path.write_text("id: projet\ntitle: [\n", encoding="utf-8")
    code, _, stderr = _run("plan", str(path))
    assert code == 2
    assert "Impossible de charger" in stderr


def test_an_unwritable_output_is_reported_in_french(project_file: Path, tmp_path: Path) -> None:
    code, _, stderr = _run("tracker", str(project_file), "-o",
                           str(tmp_path / "absent" / "suivi.xlsx"))
    assert code == 1
    assert "impossible d'écrire" in stderr


def test_help_is_in_french() -> None:
    code, stdout, _ = _run("--help")
    assert code == 0
    assert "Utilisation" in stdout and "Commandes" in stdout
    assert "Tableau de suivi des actions" in stdout
