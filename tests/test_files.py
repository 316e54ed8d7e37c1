"""Project files: readable YAML, JSON by extension, exact round trip, atomic saving."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import yaml
from factories import make_change, make_project, make_stake

from theory_of_change.demo import demo_project
from theory_of_change.files import (
    ProjectFileError,
    dumps_project,
    file_format,
    load_project,
    loads_project,
    save_project,
)
from theory_of_change.model import Link, Project, QualitativeEvidence, QuantitativeEvidence


def test_yaml_starts_with_schema_version_then_follows_the_model_field_order() -> None:
    text = dumps_project(make_project())
    top_level_keys = [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()]
    assert top_level_keys[0] == "schema_version"
    model_order = [name for name in Project.model_fields if name in top_level_keys]
    assert top_level_keys == model_order
    assert text.startswith("schema_version: 1\nid: projet-test\ntitle: CTG du Test 2025-2029\n")


def test_yaml_keeps_accents_and_writes_multiline_texts_as_blocks() -> None:
    project = make_project(notes="Première ligne : Préfailles\n  deuxième, en retrait\n# dièse")
    text = dumps_project(project)
    assert "name: Bêta" in text
    assert "\\u" not in text and "\\x" not in text
    assert (
        "notes: |-\n  Première ligne : Préfailles\n    deuxième, en retrait\n  # dièse\n"
    ) in text


def test_yaml_leaves_out_default_values_but_keeps_the_evidence_kind() -> None:
    stake = make_stake(
        evidence=[
            QuantitativeEvidence(indicator="taux de couverture", value=76.9),
            QualitativeEvidence(quote="On fait vingt minutes de route", group="habitants"),
        ]
    )
    text = dumps_project(make_project(stakes=[stake, *make_project().stakes[1:]]))
    assert "retained:" not in text  # True is the default
    assert "sppe:\n  duties:" in text  # only what differs from the defaults
    assert "      - kind: quantitative\n        indicator: taux de couverture\n" in text
    assert "      - kind: qualitative\n        quote: On fait vingt minutes de route\n" in text
    assert loads_project(text).stakes[0].evidence == stake.evidence


def test_links_are_bare_ids_unless_they_carry_a_hypothesis() -> None:
    changes = [
        make_change(id="chg-a", statement="A", leads_to_vision=False),
        make_change(id="chg-b", statement="B", preconditions=["chg-a"]),
        make_change(
            id="chg-c",
            statement="C",
            preconditions=[Link(to="chg-b", hypothesis="Si B, alors C")],
        ),
    ]
    text = dumps_project(make_project(changes=changes, markers=[], activities=[], sppe={}))
    assert "    preconditions:\n      - chg-a\n" in text
    assert "    preconditions:\n      - to: chg-b\n        hypothesis: Si B, alors C\n" in text


def test_texts_yaml_would_misread_are_quoted_and_come_back_as_written() -> None:
    tricky = ["yes", "2025", "null", "a: b", "#x", "l'offre : « ici »"]
    project = make_project(signatories=[{"name": name} for name in tricky])
    text = dumps_project(project)
    assert '  - name: "yes"\n  - name: "2025"\n  - name: "null"\n' in text
    assert "  - name: \"l'offre : « ici »\"" in text  # double quotes spare the apostrophe
    assert [s.name for s in loads_project(text).signatories] == tricky


def test_json_is_chosen_by_extension_and_is_plain_utf8_json(tmp_path: Path) -> None:
    project = make_project()
    path = save_project(project, tmp_path / "projet.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(data)[:3] == ["schema_version", "id", "title"]
    assert "Bêta" in path.read_text(encoding="utf-8")
    assert load_project(path) == project


@pytest.mark.parametrize(
    ("name", "fmt"), [("a.yaml", "yaml"), ("a.YML", "yaml"), ("a.json", "json")]
)
def test_file_format_follows_the_extension(name: str, fmt: str) -> None:
    assert file_format(name) == fmt


def test_save_then_load_then_save_gives_the_same_text(tmp_path: Path) -> None:
    project = demo_project()
    first = save_project(project, tmp_path / "un.yaml")
    loaded = load_project(first)
    second = save_project(loaded, tmp_path / "deux.yaml")
    assert loaded == project
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + dumps_project(make_project()).encode("utf-8"))
    assert load_project(path) == make_project()


def test_saving_leaves_no_temporary_file_and_keeps_the_permissions(tmp_path: Path) -> None:
    path = tmp_path / "projet.yaml"
    save_project(make_project(), path)
    os.chmod(path, 0o640)
    save_project(make_project(title="Nouveau titre"), path)
    assert [p.name for p in tmp_path.iterdir()] == ["projet.yaml"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert load_project(path).title == "Nouveau titre"


def test_a_crash_while_saving_keeps_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save_project(make_project(), tmp_path / "projet.yaml")
    before = path.read_bytes()

    def crash(*args: object) -> None:
        raise KeyboardInterrupt  # the laptop lid closes in the middle of a save

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        save_project(make_project(title="Jamais écrit"), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["projet.yaml"]


def test_saving_into_a_missing_folder_is_reported_in_french(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError) as raised:
        save_project(make_project(), tmp_path / "absent" / "projet.yaml")
    assert raised.value.problems[0].reason == f"le dossier « {tmp_path / 'absent'} » n'existe pas"


def test_saving_with_an_unknown_extension_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError) as raised:
        save_project(make_project(), tmp_path / "projet.docx")
    assert "extension « .docx » non prise en charge" in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_the_written_yaml_is_plain_yaml_other_tools_can_read() -> None:
    data = yaml.safe_load(dumps_project(make_project()))
    assert data["schema_version"] == 1
    assert data["changes"][0]["addresses"] == ["enjeu-accueil"]
