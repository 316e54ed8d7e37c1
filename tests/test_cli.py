"""The ``chemins`` command line: new, check, show, demo, tour — exit codes and French output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from factories import make_change, make_project, make_three_markers

from app.cli import main
from theory_of_change.cli import COMMANDS, translate_usage_message
from theory_of_change.demo import DEMO_FILE, demo_project
from theory_of_change.files import load_project, save_project
from theory_of_change.model import Link, Project, TerritoryKind


def run(*args: str | Path, input: str | None = None) -> Result:
    """Run ``chemins`` in-process, stdout and stderr kept apart."""
    return CliRunner().invoke(main, [str(arg) for arg in args], input=input)


def saved(project: Project, folder: Path, name: str = "projet.yaml") -> Path:
    """The project saved in ``folder``."""
    return save_project(project, folder / name)


# --- check -----------------------------------------------------------------------------------


def test_check_of_a_coherent_project_exits_0_with_a_zero_error_summary(tmp_path: Path) -> None:
    result = run("check", saved(make_project(), tmp_path))
    assert result.exit_code == 0, result.output
    assert "Contrôle de cohérence de « CTG du Test 2025-2029 »" in result.stdout
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("Bilan : ")
    assert "0 erreur," in summary or "aucun constat" in summary


def test_check_with_an_error_exits_1_and_shows_it_in_the_table(tmp_path: Path) -> None:
    result = run("check", saved(make_project(vision=None), tmp_path))
    assert result.exit_code == 1
    header = next(line for line in result.stdout.splitlines() if line.startswith("Gravité"))
    assert header.split() == ["Gravité", "Règle", "Message", "Éléments"]
    row = next(line for line in result.stdout.splitlines() if "vision-missing" in line)
    assert row.startswith("erreur ")
    assert "1 erreur" in result.stdout.strip().splitlines()[-1]


def test_check_json_is_parsable_and_keeps_the_exit_code(tmp_path: Path) -> None:
    result = run("check", saved(make_project(vision=None), tmp_path), "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["file"].endswith("projet.yaml")
    assert document["counts"]["error"] >= 1
    rules = {finding["rule"]: finding for finding in document["findings"]}
    assert rules["vision-missing"]["severity"] == "error"
    assert "vision" in rules["vision-missing"]["message"]
    assert set(rules["vision-missing"]) == {"rule", "severity", "message", "nodes"}


def test_check_json_of_a_coherent_project_exits_0(tmp_path: Path) -> None:
    result = run("check", "--json", saved(make_project(), tmp_path))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["counts"]["error"] == 0


def test_check_of_an_unreadable_file_exits_2_with_the_problems_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "cassé.yaml"
    path.write_text("schema_version: 1\nid: Mauvais Id\n", encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"Impossible de charger « {path} » : 4 problèmes." in result.stderr
    assert "  - ligne 2 : id → identifiant invalide « Mauvais Id »" in result.stderr
    assert "Traceback" not in result.output


def test_check_of_a_missing_file_exits_2_in_french(tmp_path: Path) -> None:
    result = run("check", tmp_path / "absent.yaml")
    assert result.exit_code == 2
    assert "fichier introuvable" in result.stderr


# --- new -------------------------------------------------------------------------------------


def test_new_writes_a_valid_skeleton_with_the_default_themes(tmp_path: Path) -> None:
    path = tmp_path / "vue.yaml"
    result = run(
        "new", path, "--territoire", "Vue", "--type", "commune", "--debut", "2025",
        "--population", "1800",
    )
    assert result.exit_code == 0, result.output
    project = load_project(path)
    assert project.territory.name == "Vue"
    assert project.territory.kind == TerritoryKind.commune
    assert project.territory.population == 1800
    assert (project.convention.start_year, project.convention.end_year) == (2025, 2029)
    assert [theme.id for theme in project.themes][:4] == [
        "petite-enfance", "enfance", "jeunesse", "parentalite"
    ]
    text = path.read_text(encoding="utf-8").replace("\u00a0", " ")
    assert text.startswith("# Projet Chemins créé par « chemins new »")
    header = " ".join(line.lstrip("# ") for line in text.splitlines() if line.startswith("#"))
    assert "petite-enfance, enfance, jeunesse, parentalite, acces-aux-droits" in header
    assert f"chemins check {path}" in result.stdout


def test_new_asks_for_the_territory_name_when_it_is_not_given(tmp_path: Path) -> None:
    path = tmp_path / "projet.json"
    result = run("new", path, "--debut", "2026", "--fin", "2030", input="Ma Communauté\n")
    assert result.exit_code == 0, result.output
    assert load_project(path).territory.name == "Ma Communauté"


def test_new_refuses_to_overwrite_an_existing_file_without_force(tmp_path: Path) -> None:
    path = tmp_path / "projet.yaml"
    path.write_text("mon travail\n", encoding="utf-8")
    result = run("new", path, "--territoire", "Vue")
    assert result.exit_code == 1
    assert "existe déjà" in result.stderr and "--force" in result.stderr
    assert path.read_text(encoding="utf-8") == "mon travail\n"

    forced = run("new", path, "--territoire", "Vue", "--force")
    assert forced.exit_code == 0
    assert load_project(path).territory.name == "Vue"


def test_new_explains_an_impossible_period_in_french(tmp_path: Path) -> None:
    path = tmp_path / "projet.yaml"
    result = run("new", path, "--territoire", "Vue", "--debut", "2029", "--fin", "2025")
    assert result.exit_code == 2
    assert "Erreur : projet impossible à créer : convention → l'année de fin précède" in (
        result.stderr
    )
    assert not path.exists()


def test_new_refuses_an_unknown_extension(tmp_path: Path) -> None:
    result = run("new", tmp_path / "projet.docx", "--territoire", "Vue")
    assert result.exit_code == 2
    assert "extension « .docx » non prise en charge" in result.stderr


# --- show ------------------------------------------------------------------------------------


def test_show_draws_the_chain_from_the_vision_down_to_preconditions(tmp_path: Path) -> None:
    project = make_project()
    base = make_change(
        id="chg-pros-formes",
        statement="Les professionnels sont formés",
        addresses=[],
        leads_to_vision=False,
        status="proposed",
        priority_rank=None,
    )
    changes = list(project.changes)
    changes[0] = changes[0].model_copy(
        update={"preconditions": [Link(to="chg-pros-formes", hypothesis="Si formés, alors…")]}
    )
    project = make_project(
        changes=[*changes, base],
        markers=[*project.markers, *make_three_markers("chg-pros-formes")],
    )
    result = run("show", saved(project, tmp_path))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "CTG du Test 2025-2029"
    assert lines[1] == (
        "Communauté de communes du Test (EPCI, 2 communes, 3 000 habitants) — CTG 2025–2029"
    )
    assert lines[3].startswith("Vision (horizon 2037) : En 2037, territoire")
    assert lines[4] == "├── Chemin 1 (2 changements)"
    end = lines.index(
        "│   └── [chg-familles-informees] Les familles connaissent les modes d'accueil du "
        "territoire (prioritaire n°1)"
    )
    block = lines[end:]
    assert "│       ├── enjeux traités" in block
    assert any("on s'attend à voir : Les familles consultent le guide" in line for line in block)
    assert any("on adorerait voir" in line for line in block)
    assert any("[act-guichet-unique] Créer un guichet unique" in line for line in block)
    precondition = next(i for i, line in enumerate(block) if "[chg-pros-formes]" in line)
    assert block[precondition - 1].endswith("préconditions")
    assert block[precondition + 1].endswith("hypothèse : Si formés, alors…")


def test_show_lists_what_hangs_outside_the_pathways(tmp_path: Path) -> None:
    project = make_project()
    loose = make_change(
        id="chg-isole", statement="Un changement isolé", leads_to_vision=False, addresses=[]
    )
    result = run(
        "show",
        saved(make_project(changes=[*project.changes, loose], vision=None), tmp_path),
    )
    assert result.exit_code == 0
    assert "Vision : (pas encore rédigée)" in result.stdout
    outside = result.stdout.split("Changements qui ne mènent pas (encore) à la vision :")[1]
    assert "[chg-isole] Un changement isolé (prioritaire n°1)" in outside


def test_show_of_an_unreadable_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "vide.yaml"
    path.write_text("", encoding="utf-8")
    result = run("show", path)
    assert result.exit_code == 2
    assert "le fichier est vide" in result.stderr


# --- demo and tour ---------------------------------------------------------------------------


def test_demo_copies_the_packaged_file_with_its_comments(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    result = run("demo", path)
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == DEMO_FILE.read_bytes()
    assert f"chemins check {path}" in result.stdout
    again = run("demo", path)
    assert again.exit_code == 1
    assert "existe déjà" in again.stderr


def test_demo_in_json_writes_the_same_project(tmp_path: Path) -> None:
    path = tmp_path / "demo.json"
    assert run("demo", path).exit_code == 0
    assert load_project(path) == demo_project()


def test_demo_writes_demo_pornic_yaml_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("demo").exit_code == 0
    assert load_project(tmp_path / "demo-pornic.yaml") == demo_project()


def test_tour_summarises_the_demo_and_its_check(tmp_path: Path) -> None:
    result = run("tour")
    assert result.exit_code == 0, result.output
    project = demo_project()
    prioritised = sum(1 for change in project.changes if change.status == "prioritised")
    assert project.territory.name in result.stdout
    assert "CTG 2025–2029" in result.stdout
    assert f"Changements : {len(project.changes)} (dont {prioritised} prioritaires)" in (
        result.stdout
    )
    assert f"Marqueurs de progrès : {len(project.markers)}" in result.stdout
    assert "Chemins de changement :\n  1. " in result.stdout
    assert "Contrôle de cohérence :" in result.stdout
    assert "Bilan : " in result.stdout


# --- French usage ----------------------------------------------------------------------------


def test_help_is_in_french_with_every_command() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Utilisation : chemins [OPTIONS] COMMAND [ARGS]...")
    assert "Afficher cette aide et quitter." in result.stdout
    assert "Commandes:" in result.stdout
    for command in COMMANDS:
        assert f"  {command.name} " in result.stdout


def test_a_mistyped_command_is_answered_in_french_with_a_suggestion() -> None:
    result = run("chek", "projet.yaml")
    assert result.exit_code == 2
    assert "Erreur : commande inconnue : « chek ». Vouliez-vous dire « check » ?" in result.stderr


def test_a_bad_option_value_is_answered_in_french(tmp_path: Path) -> None:
    result = run("new", tmp_path / "p.yaml", "--territoire", "Vue", "--type", "region")
    assert result.exit_code == 2
    assert (
        "Erreur : valeur invalide pour « --type » : « region » n'est pas un choix possible "
        "(choix : « commune », « epci »)."
    ) in result.stderr


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("Missing argument 'FICHIER'.", "argument manquant : « FICHIER »."),
        ("No such option: --jsn", "option inconnue : « --jsn »."),
        (
            "No such option '--jsn'. Did you mean '--json'?",
            "option inconnue : « --jsn ». Vouliez-vous dire « --json » ?",
        ),
        ("Option '--debut' requires an argument.", "l'option « --debut » attend une valeur."),
        ("Got unexpected extra argument (b)", "argument en trop : b."),
        (
            "Invalid value for '--debut': 'x' is not a valid integer.",
            "valeur invalide pour « --debut » : « x » n'est pas un nombre entier.",
        ),
        ("Something new in click", "Something new in click"),
    ],
)
def test_click_usage_messages_are_translated(english: str, french: str) -> None:
    assert translate_usage_message(english) == french


def test_show_marks_a_precondition_loop_instead_of_recursing_forever(tmp_path: Path) -> None:
    project = make_project()
    changes = list(project.changes)
    changes[0] = changes[0].model_copy(update={"preconditions": [Link(to="chg-a")]})
    loop = [
        make_change(id="chg-a", statement="A", leads_to_vision=False, addresses=[],
                    preconditions=["chg-b"]),
        make_change(id="chg-b", statement="B", leads_to_vision=False, addresses=[],
                    preconditions=["chg-a"]),
    ]
    result = run("show", saved(make_project(changes=[*changes, *loop]), tmp_path))
    assert result.exit_code == 0
    looped = [line for line in result.stdout.splitlines() if "boucle" in line]
    assert len(looped) == 1
    assert looped[0].endswith(
        "[chg-a] A (prioritaire n°1) — boucle : ce changement revient dans ses propres "
        "préconditions"
    )
