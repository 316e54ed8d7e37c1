"""Importing the portrait de territoire: without loss, or not at all with clear messages."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from factories import DIAGNOSTIC_FILES, SEED_PORTRAIT, SEED_SYNTHESIS, make_project
from openpyxl import Workbook

from theory_of_change.diagnostic.importer import (
    DiagnosticImportError,
    ImportResult,
    import_bytes,
    import_file,
    import_into_project,
    merge_import,
)
from theory_of_change.diagnostic.mapping import (
    ColumnMapping,
    MappingError,
    load_mapping,
    parse_mapping,
)
from theory_of_change.diagnostic.model import Diagnostic, TerritoryFigures, TerritoryLevel

HEADER = "niveau;territoire;taux de couverture petite enfance;enfants 00-02 ans"


def _row(result: ImportResult, name: str) -> TerritoryFigures:
    return next(row for row in result.figures if row.name == name)


def _problems(data: bytes | str, file_name: str = "t.csv", **options: object) -> list[str]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(DiagnosticImportError) as error:
        import_bytes(raw, file_name, **options)  # type: ignore[arg-type]
    return error.value.problems


def _seed_value(cell: str) -> int | float | None:
    # An independent reading of the seed's cells: "XXX" is missing, "76,9 %" is 76.9.
    if cell == "XXX":
        return None
    number = cell.replace("%", "").replace(" ", "").replace(",", ".")
    return float(number) if "." in number else int(number)


# The seed's tables --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "names"),
    [
        (SEED_PORTRAIT, ["LES MOUTIERS EN RETZ", "PREFAILLES", "LOIRE ATLANTIQUE", "CHAUVE"]),
        (SEED_SYNTHESIS, ["CA PORNIC AGGLO PAYS DE RETZ", "LOIRE ATLANTIQUE"]),
    ],
)
def test_the_seed_tables_import_every_cell_of_a_row_without_loss(
    path: Path, names: list[str]
) -> None:
    result = import_file(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert len(result.figures) == len(body)
    indicator_of = {column.heading: column.indicator for column in result.report.columns}
    for name in names:
        line = next(cells for cells in body if name in cells)
        imported = _row(result, name)
        for heading, cell in zip(header, line, strict=True):
            if heading in indicator_of:
                assert imported.values[indicator_of[heading]] == _seed_value(cell), heading


def test_the_seed_portrait_keeps_levels_rates_above_100_and_negative_percentages() -> None:
    result = import_file(SEED_PORTRAIT)
    prefailles = _row(result, "PREFAILLES")
    assert prefailles.level is TerritoryLevel.commune
    assert prefailles.values["taux-couverture"] == 259
    assert prefailles.values["evolution-enfants-0-2-ans"] == -28
    assert _row(result, "LOIRE ATLANTIQUE").level is TerritoryLevel.department
    assert _row(result, "LOIRE ATLANTIQUE").label == "Loire-Atlantique"
    assert _row(result, "CA PORNIC AGGLO PAYS DE RETZ").level is TerritoryLevel.epci
    assert _row(result, "LES MOUTIERS EN RETZ").label == "Les Moutiers-en-Retz"
    assert result.report.rows_per_level == {
        TerritoryLevel.commune: 15,
        TerritoryLevel.epci: 1,
        TerritoryLevel.department: 1,
    }
    assert result.report.ignored == []
    assert [c.indicator for c in result.report.columns] == [
        "evolution-enfants-0-2-ans",
        "part-assmat-60-ans-et-plus",
        "part-enfants-parents-actifs",
        "taux-couverture",
    ]


def test_the_seed_synthesis_keeps_xxx_as_missing_and_deduces_levels_from_names() -> None:
    result = import_file(SEED_SYNTHESIS)
    department = _row(result, "LOIRE ATLANTIQUE")
    assert department.values["naissances"] == 16130
    assert department.values["taux-couverture"] == 76.2
    assert department.values["places-mam"] is None
    assert department.level is TerritoryLevel.department
    assert _row(result, "CC DU SUD ESTUAIRE").level is TerritoryLevel.epci
    assert result.report.missing_values == 9
    assert result.report.level_deduced
    text = result.report.text()
    assert "Pas de colonne « niveau »" in text
    assert "Valeurs manquantes ou secrètes (XXX, vide…) : 9" in text


def test_the_report_names_the_file_encoding_separator_and_recognised_columns() -> None:
    text = import_file(SEED_PORTRAIT).report.text()
    assert "« portrait-pornic-petite-enfance.csv » (CSV, séparateur « ; », encodage UTF-8)" in text
    assert "« taux de couverture petite enfance » → Taux de couverture petite enfance (%)" in text
    assert "Territoires importés : 17 (15 communes, 1 EPCI, 1 département)" in text


# Encodings and separators -------------------------------------------------------------------


def test_a_windows_1252_file_keeps_its_accents() -> None:
    result = import_file(DIAGNOSTIC_FILES / "portrait-windows-1252.csv")
    assert result.report.encoding == "cp1252"
    assert [row.name for row in result.figures] == [
        "Préfailles",
        "Chauvé",
        "Saint-Hilaire-de-Chaléons",
        "Loire-Atlantique",
    ]
    assert _row(result, "Loire-Atlantique").level is TerritoryLevel.department
    assert _row(result, "Préfailles").values["taux-couverture"] == 259


def test_a_utf8_file_with_bom_and_comma_separator_is_read() -> None:
    data = (
        "\ufeffterritoire,niveau,taux de couverture petite enfance,enfants 00-02 ans\n"
        'PORNIC,commune,"98,5 %","1 633"\n'
    ).encode()
    result = import_bytes(data, "virgules.csv")
    assert result.report.delimiter == ","
    assert result.report.encoding == "utf-8-sig"
    assert result.figures[0].values == {"taux-couverture": 98.5, "enfants-0-2-ans": 1633}


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u202f"])
def test_thousands_separated_by_any_space_are_one_number(space: str) -> None:
    data = f"{HEADER}\ndepartement;LOIRE ATLANTIQUE;76,2 %;43{space}670\n"
    result = import_bytes(data.encode(), "milliers.csv")
    assert result.figures[0].values["enfants-0-2-ans"] == 43670


# Problems: each named by row and column, nothing imported -----------------------------------


def test_a_text_in_a_number_column_names_its_row_and_column() -> None:
    lines = [HEADER] + [f"commune;COMMUNE {i};70 %;100" for i in range(2, 7)]
    lines.append("commune;LA PLAINE SUR MER;abc;100")
    problems = _problems("\n".join(lines) + "\n")
    assert problems == [
        "ligne 7, colonne « taux de couverture petite enfance » : « abc » n'est pas un nombre"
    ]


def test_every_rejected_cell_is_listed_and_the_message_says_nothing_was_imported() -> None:
    data = f"{HEADER}\ncommune;PORNIC;n/c;12\ncommune;VUE;87 %;douze\n"
    with pytest.raises(DiagnosticImportError) as error:
        import_bytes(data.encode(), "deux-erreurs.csv")
    assert error.value.problems == [
        "ligne 2, colonne « taux de couverture petite enfance » : « n/c » n'est pas un nombre",
        "ligne 3, colonne « enfants 00-02 ans » : « douze » n'est pas un nombre",
    ]
    assert error.value.message().startswith(
        "Import de « deux-erreurs.csv » impossible (2 problèmes) : rien n'a été importé."
    )


def test_a_missing_territory_column_is_named_with_the_columns_present() -> None:
    problems = _problems("niveau;taux de couverture petite enfance\ncommune;76 %\n")
    assert len(problems) == 1
    assert problems[0].startswith("ligne 1 : colonne « territoire » introuvable")
    assert "« niveau », « taux de couverture petite enfance »" in problems[0]


def test_a_file_without_any_known_indicator_is_refused() -> None:
    problems = _problems("territoire;commentaire\nPORNIC;RAS\n")
    assert problems == [
        "ligne 1 : aucune colonne d'indicateur reconnue parmi « territoire », « commentaire » ; "
        "associez les colonnes à des indicateurs dans la correspondance (--mapping)"
    ]


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    problems = _problems(data)
    assert problems[0].startswith("le fichier est vide")


def test_a_header_only_file_is_refused() -> None:
    assert _problems(HEADER + "\n") == [
        "le fichier ne contient que la ligne d'en-tête (ligne 1) : aucune donnée à importer"
    ]


def test_a_percentage_in_a_count_column_is_refused() -> None:
    problems = _problems(f"{HEADER}\ncommune;PORNIC;98 %;13 %\n")
    assert problems == [
        "ligne 2, colonne « enfants 00-02 ans » : « 13 % » est un pourcentage alors que la "
        "colonne attend un nombre"
    ]


def test_an_unknown_level_and_a_duplicate_territory_are_refused() -> None:
    data = f"{HEADER}\nville;PORNIC;98 %;1\ncommune;VUE;87 %;1\ncommune;VUE;86 %;1\n"
    assert _problems(data) == [
        "ligne 2, colonne « niveau » : « ville » n'est pas un niveau connu "
        "(commune, EPCI, département, région, France)",
        "ligne 4 : « VUE » (commune) figure déjà ligne 3",
    ]


def test_a_row_with_more_values_than_headings_is_refused() -> None:
    problems = _problems(f"{HEADER}\ncommune;PORNIC;98 %;1;en trop\n")
    assert problems == [
        "ligne 2 : 5 valeurs pour 4 colonnes d'en-tête (séparateur ou guillemets mal placés ?)"
    ]


def test_a_cut_row_or_an_unclosed_quote_is_refused_rather_than_misread() -> None:
    assert _problems(f"{HEADER}\ncommune;PORNIC;98 %\n") == [
        "ligne 2 : 3 valeurs pour 4 colonnes d'en-tête (séparateur ou guillemets mal placés ?)"
    ]
    assert _problems(f'{HEADER}\ncommune;"PORNIC;98 %;1\ncommune;VUE;87 %;2\n') == [
        "« t.csv », ligne 2 : ligne CSV illisible (guillemet non refermé ou mal placé ?)."
    ]


def test_an_old_excel_file_is_refused_with_the_way_out() -> None:
    problems = _problems(b"\xd0\xcf\x11\xe0rest", "portrait.xls")
    assert "enregistrez-le au format .xlsx ou CSV" in problems[0]


# Workbooks -----------------------------------------------------------------------------------


def _workbook() -> bytes:
    workbook = Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes["A1"] = "Portrait transmis par la Caf"
    sheet = workbook.create_sheet("Tensions")
    sheet["A1"] = "Petite enfance - Identification des tensions"
    sheet.append([])
    sheet.append(["niveau", "territoire", "taux de couverture petite enfance", "enfants 0-2 ans"])
    for level, name, rate, children in (
        ("commune", "LES MOUTIERS EN RETZ", 0.41, 35),
        ("commune", "PREFAILLES", 2.59, "XXX"),
        ("département", "LOIRE ATLANTIQUE", 0.762, 43670),
    ):
        sheet.append([level, name, rate, children])
        sheet.cell(sheet.max_row, 3).number_format = "0%"
    sheet.append(["commune", "VUE", "beaucoup", 12])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_workbook_with_several_sheets_asks_which_one_and_lists_them() -> None:
    problems = _problems(_workbook(), "portrait.xlsx")
    assert problems == [
        "Le classeur « portrait.xlsx » contient 2 feuilles (« Notes », « Tensions ») : précisez "
        "laquelle importer (option --sheet)."
    ]
    assert (
        "n'a pas de feuille « Synthèse » ; feuilles : « Notes », « Tensions »"
        in _problems(_workbook(), "portrait.xlsx", sheet="Synthèse")[0]
    )


def test_a_workbook_sheet_reports_problems_on_the_rows_the_spreadsheet_shows() -> None:
    problems = _problems(_workbook(), "portrait.xlsx", sheet="tensions")
    assert problems == [
        "ligne 7, colonne « taux de couverture petite enfance » : « beaucoup » n'est pas un nombre"
    ]


def test_a_workbook_sheet_imports_percent_cells_as_points() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Tensions"
    sheet.append(["territoire", "taux de couverture petite enfance", "enfants 0-2 ans"])
    sheet.append(["PREFAILLES", 2.59, None])
    sheet.append(["LOIRE ATLANTIQUE", 0.762, 43670])
    for row in (2, 3):
        sheet.cell(row, 2).number_format = "0.0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = import_bytes(buffer.getvalue(), "portrait.xlsx")
    assert result.report.sheet == "Tensions"
    assert _row(result, "PREFAILLES").values == {"taux-couverture": 259, "enfants-0-2-ans": None}
    assert _row(result, "LOIRE ATLANTIQUE").values["taux-couverture"] == 76.2


# Column mapping -----------------------------------------------------------------------------


def test_a_facilitator_mapping_recognises_other_headings_and_ignores_columns() -> None:
    path = DIAGNOSTIC_FILES / "titres-differents.csv"
    assert "colonne « territoire » introuvable" in _problems(path.read_bytes())[0]
    result = import_file(path, mapping=load_mapping(DIAGNOSTIC_FILES / "correspondance.yaml"))
    assert result.report.ignored == ["Commentaire"]
    assert result.report.identity == ["Commune"]
    assert _row(result, "LOIRE ATLANTIQUE").values == {
        "taux-couverture": 76,
        "places-mam": 1204,
    }
    assert _row(result, "LES MOUTIERS EN RETZ").values["places-mam"] is None


def test_headings_match_without_accents_case_or_punctuation() -> None:
    data = "TERRITOIRE;Taux de couverture petite-enfance;ENFANTS 00-02 ANS\nVUE;87 %;52\n"
    result = import_bytes(data.encode(), "majuscules.csv")
    assert result.figures[0].values == {"taux-couverture": 87, "enfants-0-2-ans": 52}


def test_a_mapping_column_absent_from_the_file_is_a_missing_column() -> None:
    mapping = ColumnMapping(columns={"Taux couv.": "taux-couverture"})
    problems = _problems(f"{HEADER}\ncommune;VUE;87 %;52\n", mapping=mapping)
    assert problems[0].startswith(
        "ligne 1 : colonne « Taux couv. » (indiquée dans la correspondance) absente du fichier"
    )


def test_a_mapping_to_an_undefined_indicator_is_refused_and_new_indicators_are_accepted() -> None:
    with pytest.raises(MappingError, match="colonne « RPE » → « places-rpe »"):
        parse_mapping({"colonnes": {"RPE": "places-rpe"}})
    mapping = parse_mapping(
        {
            "colonnes": {"RPE": "places-rpe"},
            "indicateurs": [{"id": "places-rpe", "libelle": "Places en RPE", "unite": "nombre"}],
        }
    )
    result = import_bytes(b"territoire;RPE\nVUE;3\n", "rpe.csv", mapping=mapping)
    assert result.figures[0].values == {"places-rpe": 3}
    assert result.indicators[0].label == "Places en RPE"


def test_a_mapping_file_with_an_unknown_key_gets_a_french_message(tmp_path: Path) -> None:
    path = tmp_path / "correspondance.yaml"
    path.write_text("colonne:\n  A: taux-couverture\n", encoding="utf-8")
    with pytest.raises(
        MappingError, match="La correspondance « correspondance.yaml » est invalide"
    ):
        load_mapping(path)


# Merging into the project -------------------------------------------------------------------


def test_a_second_file_completes_the_figures_and_never_erases_a_known_value() -> None:
    diagnostic, _ = merge_import(Diagnostic(), import_file(SEED_PORTRAIT))
    synthesis = import_file(SEED_SYNTHESIS)
    merged, changed = merge_import(diagnostic, synthesis)
    department = next(r for r in merged.figures if r.territory == "department-loire-atlantique")
    assert department.values["taux-couverture"] == 76.2  # the synthesis is more precise
    assert department.values["part-assmat-60-ans-et-plus"] == 11  # kept from the portrait
    assert department.sources == [SEED_PORTRAIT.name, SEED_SYNTHESIS.name]
    assert changed == 2  # the EPCI's and the department's coverage rates
    again, _ = merge_import(
        merged, import_bytes(f"{HEADER}\ndepartement;LOIRE ATLANTIQUE;XXX;1\n".encode(), "x.csv")
    )
    department = next(r for r in again.figures if r.territory == "department-loire-atlantique")
    assert department.values["taux-couverture"] == 76.2
    replaced, _ = merge_import(merged, synthesis, replace=True)
    assert len(replaced.figures) == 3
    assert [s.file_name for s in replaced.sources] == [SEED_SYNTHESIS.name]


def test_importing_into_a_project_returns_a_new_project_and_a_year_can_be_given() -> None:
    project = make_project()
    result = import_file(SEED_PORTRAIT, year=2023)
    updated, _ = import_into_project(project, result)
    assert project.diagnostic.figures == []
    assert {row.year for row in updated.diagnostic.figures} == {2023}
    assert updated.diagnostic.sources[0].file_name == SEED_PORTRAIT.name
    assert updated.diagnostic.sources[0].rows == 17
