"""Bad project files give clear French problems (path, line, reason), never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import make_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import main
from theory_of_change.files import (
    FileProblem,
    ProjectFileError,
    dumps_project,
    load_project,
    loads_project,
)

MALFORMED = Path(__file__).parent / "malformed"

# file, path of the problem, its line, a fragment of its French reason.
CASES = [
    (
        "syntax_unclosed_quote.yaml",
        "",
        4,
        "syntaxe YAML invalide : un guillemet est ouvert ici mais n'est jamais refermé",
    ),
    ("colon_in_text.yaml", "", 16, "un texte qui contient « : » doit être mis entre guillemets"),
    (
        "wrong_type.yaml",
        "territory.population",
        8,
        "il faut un nombre entier ici, pas le texte « 12 500 » ; écrivez le nombre sans "
        "espace : 12500",
    ),
    (
        "unknown_key.yaml",
        "changes[0].statment",
        17,
        "clé inconnue « statment » : elle n'existe pas à cet endroit. "
        "Vouliez-vous dire « statement » ?",
    ),
    (
        "bad_id.yaml",
        "stakes[0].id",
        12,
        "identifiant invalide « Enjeu Accueil Épinal » : un identifiant ne contient que des "
        "lettres minuscules sans accent, des chiffres et des tirets",
    ),
    (
        "dangling_reference.yaml",
        "changes[0].addresses[0]",
        19,
        "l'enjeu « enjeu-acceuil » n'existe pas dans le projet",
    ),
    (
        "dangling_reference.yaml",
        "markers[0].change",
        22,
        "le changement « chg-familles-informes » n'existe pas dans le projet",
    ),
    (
        "missing_field.yaml",
        "territory.kind",
        6,
        "champ obligatoire absent : ajoutez une ligne « kind: … » dans ce bloc",
    ),
    (
        "newer_version.yaml",
        "schema_version",
        2,
        "ce fichier a été créé par une version plus récente de Chemins",
    ),
    (
        "missing_schema_version.yaml",
        "schema_version",
        1,
        "un projet Chemins commence par la ligne « schema_version: 1 »",
    ),
    (
        "enum_typo.yaml",
        "changes[0].status",
        15,
        "valeur « prioritized » inconnue ; valeurs acceptées : « proposed », « prioritised », "
        "« set_aside ». Vouliez-vous dire « prioritised » ?",
    ),
    (
        "duplicate_key.yaml",
        "title",
        5,
        "la clé « title » apparaît deux fois dans le même bloc (déjà ligne 4)",
    ),
    ("not_a_project.yaml", "", 1, "le fichier doit décrire un projet"),
    (
        "period_reversed.yaml",
        "convention",
        8,
        "l'année de fin précède l'année de début de la convention",
    ),
    ("missing_comma.json", "", 5, "syntaxe JSON invalide : il manque une virgule"),
    (
        "wrong_type.json",
        "stakes[0].retained",
        8,
        "il faut vrai ou faux (true ou false) ici, pas le texte « peut-être »",
    ),
]


@pytest.mark.parametrize(("name", "path", "line", "reason"), CASES)
def test_malformed_file_gives_its_french_problem_with_path_and_line(
    name: str, path: str, line: int, reason: str
) -> None:
    with pytest.raises(ProjectFileError) as raised:
        load_project(MALFORMED / name)
    matching = [p for p in raised.value.problems if p.path == path and reason in p.reason]
    assert matching, f"no problem at {path!r} saying {reason!r}: {raised.value.problems}"
    assert matching[0].line == line
    assert raised.value.source == str(MALFORMED / name)


@pytest.mark.parametrize("name", sorted({case[0] for case in CASES}))
def test_cli_check_of_a_malformed_file_exits_2_with_french_problems_and_no_traceback(
    name: str,
) -> None:
    reasons = [case[3] for case in CASES if case[0] == name]
    result = CliRunner().invoke(main, ["check", str(MALFORMED / name)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert f"Impossible de charger « {MALFORMED / name} »" in result.stderr
    for reason in reasons:
        assert reason in result.stderr


def test_every_sample_file_in_the_malformed_folder_is_tested() -> None:
    tested = {case[0] for case in CASES}
    assert {path.name for path in MALFORMED.iterdir()} == tested


def test_problem_lines_are_written_line_then_path_then_reason() -> None:
    with pytest.raises(ProjectFileError) as raised:
        load_project(MALFORMED / "unknown_key.yaml")
    assert str(raised.value).splitlines() == [
        "ligne 16 : changes[0].statement → champ obligatoire absent : ajoutez une ligne "
        "« statement: … » dans ce bloc",
        "ligne 17 : changes[0].statment → clé inconnue « statment » : elle n'existe pas à cet "
        "endroit. Vouliez-vous dire « statement » ?",
    ]


def test_a_problem_without_line_or_path_shows_only_its_reason() -> None:
    assert str(FileProblem(path="", reason="le fichier est vide")) == "le fichier est vide"
    assert str(FileProblem(path="title", reason="trop long")) == "title → trop long"


def test_missing_file_is_reported_in_french(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError) as raised:
        load_project(tmp_path / "absent.yaml")
    assert raised.value.problems == [
        FileProblem(path="", reason=f"fichier introuvable : « {tmp_path / 'absent.yaml'} »")
    ]


def test_folder_instead_of_file_is_reported_in_french(tmp_path: Path) -> None:
    folder = tmp_path / "projet.yaml"
    folder.mkdir()
    with pytest.raises(ProjectFileError) as raised:
        load_project(folder)
    assert raised.value.problems[0].reason == f"« {folder} » est un dossier, pas un fichier"


def test_file_not_in_utf8_names_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("schema_version: 1\ntitle: Préfailles\n".encode("latin-1"))
    with pytest.raises(ProjectFileError) as raised:
        load_project(path)
    (problem,) = raised.value.problems
    assert problem.line == 2
    assert "n'est pas enregistré en UTF-8 (octet 0xE9 illisible)" in problem.reason


def test_unknown_extension_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError) as raised:
        load_project(tmp_path / "projet.txt")
    assert "extension « .txt » non prise en charge" in raised.value.problems[0].reason


def test_empty_file_is_reported_as_empty() -> None:
    with pytest.raises(ProjectFileError) as raised:
        loads_project("# rien que des commentaires\n")
    assert [p.reason for p in raised.value.problems] == ["le fichier est vide"]


def test_tab_indentation_is_explained() -> None:
    with pytest.raises(ProjectFileError) as raised:
        loads_project("schema_version: 1\nterritory:\n\tname: Vue\n")
    (problem,) = raised.value.problems
    assert problem.line == 3
    assert "tabulation interdite pour le retrait : indentez avec des espaces" in problem.reason


def test_number_written_with_decimal_comma_gets_the_written_fix() -> None:
    text = dumps_project(make_project()).replace(
        "    level: like\n", "    level: like\n    baseline: [1]\n", 1
    )
    text += "facilities:\n  - id: creche\n    type: eaje_psu\n    name: Crèche\n"
    text += "    caf_funding: 12,5\n"
    with pytest.raises(ProjectFileError) as raised:
        loads_project(text)
    reasons = {p.path: p.reason for p in raised.value.problems}
    assert reasons["facilities[0].caf_funding"] == (
        "il faut un nombre ici, pas le texte « 12,5 » ; les décimales s'écrivent avec un "
        "point : 12.5"
    )
    # A value refused by every member of a union is explained once, not once per member.
    marker_path = next(path for path in reasons if path.endswith(".baseline"))
    assert reasons[marker_path] == (
        "il faut un nombre ou un texte ici, pas une liste"
    )


def test_evidence_without_kind_asks_for_it() -> None:
    text = dumps_project(make_project()).replace(
        "    theme: petite-enfance\n",
        "    theme: petite-enfance\n    evidence:\n      - indicator: naissances\n",
        1,
    )
    with pytest.raises(ProjectFileError) as raised:
        loads_project(text)
    (problem,) = raised.value.problems
    assert problem.path == "stakes[0].evidence[0]"
    assert "la clé « kind » est obligatoire ici" in problem.reason


def test_link_of_the_wrong_shape_explains_both_accepted_forms() -> None:
    text = dumps_project(make_project()).replace(
        "    leads_to_vision: true\n",
        "    leads_to_vision: true\n    preconditions:\n      - 3\n",
        1,
    )
    with pytest.raises(ProjectFileError) as raised:
        loads_project(text)
    (problem,) = raised.value.problems
    assert problem.path == "changes[0].preconditions[0]"
    assert "écrivez l'identifiant visé" in problem.reason
    assert "un bloc avec « to » et « hypothesis »" in problem.reason


def test_text_field_given_a_number_suggests_quotes() -> None:
    text = dumps_project(make_project()).replace(
        "title: CTG du Test 2025-2029", "title: 2025", 1
    )
    with pytest.raises(ProjectFileError) as raised:
        loads_project(text)
    (problem,) = raised.value.problems
    assert (problem.path, problem.line) == ("title", 3)
    assert problem.reason.startswith("il faut un texte ici, pas le nombre 2025")
    assert "mettez-le entre guillemets" in problem.reason


def test_json_validation_problems_carry_their_line() -> None:
    text = dumps_project(make_project(), "json").replace('"kind": "epci"', '"kind": "région"')
    with pytest.raises(ProjectFileError) as raised:
        loads_project(text, "json")
    (problem,) = raised.value.problems
    assert problem.path == "territory.kind"
    assert problem.line == 7
    assert "valeur « région » inconnue ; valeurs acceptées : « commune », « epci »" in (
        problem.reason
    )


def test_duplicate_key_in_json_is_refused_with_its_line() -> None:
    text = '{\n  "schema_version": 1,\n  "id": "a",\n  "id": "b"\n}\n'
    with pytest.raises(ProjectFileError) as raised:
        loads_project(text, "json")
    (problem,) = raised.value.problems
    assert (problem.path, problem.line) == ("id", 4)
    assert "apparaît deux fois" in problem.reason


def _mutations() -> st.SearchStrategy[list[tuple[int, str, str]]]:
    """Edits of a valid file: (position, action, inserted text)."""
    inserted = st.sampled_from(
        [":", " ", "  ", "\t", "-", "- ", '"', "'", "#", "\n", "[", "{", "]", "*", "&", "!",
         "é", "0", "true", "null", "x: y", "\n  - ", "<<: *a"]
    )
    action = st.sampled_from(["insert", "delete", "replace", "cut-line"])
    return st.lists(
        st.tuples(st.integers(min_value=0, max_value=10_000), action, inserted),
        min_size=1,
        max_size=4,
    )


VALID_TEXT = dumps_project(make_project())


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations())
def test_a_damaged_file_loads_or_fails_with_french_problems_only(
    mutations: list[tuple[int, str, str]],
) -> None:
    text = VALID_TEXT
    for position, action, insert in mutations:
        index = position % (len(text) + 1)
        if action == "insert":
            text = text[:index] + insert + text[index:]
        elif action == "delete":
            text = text[:index] + text[index + len(insert):]
        elif action == "replace":
            text = text[:index] + insert + text[index + 1:]
        else:
            start = text.rfind("\n", 0, index) + 1
            end = text.find("\n", index)
            text = text[:start] + (text[end + 1:] if end != -1 else "")
    try:
        loads_project(text)
    except ProjectFileError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.reason
            assert "Input should" not in problem.reason  # pydantic's English never leaks
            assert problem.line is None or 1 <= problem.line <= text.count("\n") + 1
