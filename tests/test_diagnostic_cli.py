"""``chemins diagnostic``: import into a project file, list tensions, export the summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from factories import DIAGNOSTIC_FILES, SEED_PORTRAIT, make_project

from theory_of_change.diagnostic.cli import diagnostic
from theory_of_change.files import load_project, save_project


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    return save_project(make_project(), tmp_path / "projet.yaml")


def _run(*args: str | Path) -> object:
    return CliRunner().invoke(diagnostic, [str(arg) for arg in args])


def test_import_writes_the_figures_into_the_project_and_prints_the_report(
    project_file: Path,
) -> None:
    result = _run("import", SEED_PORTRAIT, "--project", project_file)
    assert result.exit_code == 0, result.output
    assert "Territoires importés : 17 (15 communes, 1 EPCI, 1 département)" in result.output
    assert "12 commune(s) avec au moins une tension" in result.output
    project = load_project(project_file)
    assert len(project.diagnostic.figures) == 17
    assert project.diagnostic.sources[0].file_name == SEED_PORTRAIT.name


def test_a_failed_import_lists_the_problems_and_leaves_the_project_file_untouched(
    project_file: Path, tmp_path: Path
) -> None:
    before = project_file.read_bytes()
    bad = tmp_path / "portrait.csv"
    bad.write_text(
        "territoire;taux de couverture petite enfance\nPORNIC;98 %\nVUE;beaucoup\n",
        encoding="utf-8",
    )
    result = _run("import", bad, "--project", project_file)
    assert result.exit_code == 2
    assert "Import de « portrait.csv » impossible (1 problème) : rien n'a été importé." in (
        result.output
    )
    assert (
        "ligne 3, colonne « taux de couverture petite enfance » : « beaucoup » n'est pas un nombre"
        in result.output
    )
    assert project_file.read_bytes() == before


def test_import_options_choose_the_mapping_and_the_year(project_file: Path) -> None:
    result = _run(
        "import",
        DIAGNOSTIC_FILES / "titres-differents.csv",
        "--projet",
        project_file,
        "--correspondance",
        DIAGNOSTIC_FILES / "correspondance.yaml",
        "--annee",
        "2024",
    )
    assert result.exit_code == 0, result.output
    assert "Colonnes ignorées (1) : « Commentaire »" in result.output
    assert {row.year for row in load_project(project_file).diagnostic.figures} == {2024}


def test_import_usage_errors_and_missing_files_are_french(project_file: Path) -> None:
    result = _run("import", SEED_PORTRAIT)
    assert result.exit_code == 2
    assert "option obligatoire manquante : « --project PROJET »" in result.output
    result = _run("import", "absent.csv", "--project", project_file)
    assert result.exit_code == 2
    assert "fichier introuvable : « absent.csv »" in result.output


def test_tensions_prints_each_commune_with_its_figures_and_the_sppe_zones(
    project_file: Path,
) -> None:
    assert _run("import", SEED_PORTRAIT, "--project", project_file).exit_code == 0
    result = _run("tensions", project_file)
    assert result.exit_code == 0
    assert "Tensions relevées : 12 commune(s) sur 15." in result.output
    assert (
        "Les Moutiers-en-Retz : taux de couverture petite enfance de 41\u00a0%, 35\u00a0points "
        "sous Loire-Atlantique (76\u00a0%)" in result.output
    )
    assert "Sans tension relevée : Port-Saint-Pere, Rouans, Villeneuve-en-Retz." in result.output
    zones = next(line for line in result.output.splitlines() if line.startswith("Zones"))
    assert "Les Moutiers-en-Retz" in zones and "Prefailles" not in zones


def test_tensions_json_is_machine_readable(project_file: Path) -> None:
    _run("import", SEED_PORTRAIT, "--project", project_file)
    data = json.loads(_run("tensions", project_file, "--json").output)
    pornic = next(c for c in data["communes"] if c["commune"] == "Pornic")
    assert [(t["type"], t["valeur"], t["reference"]) for t in pornic["tensions"]] == [
        ("childminders_ageing", 20, 11)
    ]
    assert "La Plaine-sur-Mer" in data["zones_offre_insuffisante"]


def test_tensions_without_figures_says_what_to_do(project_file: Path) -> None:
    result = _run("tensions", project_file)
    assert result.exit_code == 0
    assert "Aucun chiffre dans le diagnostic : importez d'abord" in result.output


def test_drafts_and_summary_commands(project_file: Path, tmp_path: Path) -> None:
    _run("import", SEED_PORTRAIT, "--project", project_file)
    drafts = _run("enjeux", project_file)
    assert "Anticiper les départs en retraite des assistantes maternelles" in drafts.output
    target = tmp_path / "synthese.docx"
    result = _run("synthese", project_file, "--format", "docx", "-o", target)
    assert result.exit_code == 0, result.output
    document = Document(str(target))
    assert document.paragraphs[0].text == "Diagnostic partagé — CTG du Test 2025-2029"


def test_drafts_can_be_accepted_or_dropped_from_the_command_line(project_file: Path) -> None:
    _run("import", SEED_PORTRAIT, "--project", project_file)
    result = _run(
        "enjeux",
        project_file,
        "--accepter",
        "enjeu-retraite-assistantes-maternelles",
        "--ecarter",
        "enjeu-baisse-jeunes-enfants",
    )
    assert result.exit_code == 0, result.output
    assert "Enjeu ajouté : Anticiper les départs en retraite" in result.output
    project = load_project(project_file)
    assert len(project.stake("enjeu-retraite-assistantes-maternelles").evidence) == 3
    assert project.diagnostic.dismissed_drafts == ["enjeu-baisse-jeunes-enfants"]
    listed = _run("enjeux", project_file).output
    assert "enjeu-retraite-assistantes-maternelles" not in listed
    assert "enjeu-offre-accueil-insuffisante" in listed
    before = project_file.read_bytes()
    unknown = _run("enjeux", project_file, "--accepter", "enjeu-inconnu")
    assert unknown.exit_code == 2
    assert "Enjeu proposé inconnu : enjeu-inconnu." in unknown.output
    assert project_file.read_bytes() == before
