"""The follow-up table (annexe 6): XLSX with a status drop-down, and CSV for French Excel."""

from __future__ import annotations

import csv
import io

import pytest
from factories import make_export_project, make_observation, make_sheet
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from exports.formats import ExportFormatError
from exports.tracker import render_tracker, tracker_headers
from theory_of_change.model import Project

HEADERS = [
    "Axe stratégique", "N°", "Intitulé de l'action", "Pilote", "Partenaires", "Années",
    "Statut", "Indicateurs", "Valeur de référence", "Cible",
    "Valeur observée 2025", "Valeur observée 2026", "Valeur observée 2027",
    "Valeur observée 2028", "Valeur observée 2029", "Commentaire",
]


def _sheet(project: Project | None = None) -> Worksheet:
    data = render_tracker(project or make_export_project(), "xlsx")
    return load_workbook(io.BytesIO(data)).active


def _rows(sheet: Worksheet) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_one_row_per_action_in_number_order_with_every_field_in_its_column() -> None:
    rows = _rows(_sheet())
    assert rows[0] == HEADERS
    assert [row[1] for row in rows[1:]] == [1, 2, 3, 4, 5]
    guichet = dict(zip(HEADERS, rows[2], strict=True))
    assert guichet == {
        "Axe stratégique": "1. Faciliter la continuité des parcours",
        "N°": 2,
        "Intitulé de l'action": "Créer un guichet unique d'information des familles",
        "Pilote": "Service petite enfance",
        "Partenaires": "Caf, RPE",
        "Années": "2026",
        "Statut": "à venir",
        "Indicateurs": "Nombre de familles reçues au guichet",
        "Valeur de référence": "à compléter",
        "Cible": "à compléter",
        "Valeur observée 2025": None,
        "Valeur observée 2026": 120,
        "Valeur observée 2027": None,
        "Valeur observée 2028": None,
        "Valeur observée 2029": None,
        "Commentaire": "2026 : Ouverture en mars",
    }


def test_numbers_stay_numbers_and_unknowns_read_a_completer() -> None:
    rows = _rows(_sheet())
    access = dict(zip(HEADERS, rows[3], strict=True))
    assert access["Valeur de référence"] == 12.5
    assert access["Cible"] == 50
    assert access["Statut"] == "en cours"
    empty = dict(zip(HEADERS, rows[5], strict=True))
    assert empty["Axe stratégique"] == empty["Pilote"] == empty["Indicateurs"] == "à compléter"
    assert empty["Années"] == "à compléter"


def test_the_status_column_is_a_drop_down_of_the_four_statuses() -> None:
    sheet = _sheet()
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1
    validation = validations[0]
    assert validation.type == "list"
    assert validation.formula1 == '"à venir,en cours,réalisé,abandonné"'
    assert not validation.showDropDown  # OOXML's flag hides the arrow when true
    status_column = HEADERS.index("Statut") + 1
    assert sheet.cell(row=1, column=status_column).value == "Statut"
    for row in range(2, 7):
        assert f"G{row}" in validation.sqref
    assert "G1" not in validation.sqref
    assert "G1000" in validation.sqref  # rows added by hand below get it too


def test_the_header_is_frozen_filtered_and_repeated_when_printed() -> None:
    sheet = _sheet()
    assert sheet.freeze_panes == "D2"
    assert sheet.auto_filter.ref == "A1:P6"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.column_dimensions["C"].width == 38
    assert sheet.cell(row=1, column=1).font.bold
    assert sheet["D6"].value == "à compléter" and sheet["D6"].font.i  # stands out
    assert sheet["C2"].alignment.wrap_text and sheet["C2"].border.left.style == "thin"


def test_rows_are_tall_enough_for_their_wrapped_text() -> None:
    project = make_export_project()
    project.activity("act-jeunesse").sheet = make_sheet(
        indicators=[f"Indicateur numéro {n}" for n in range(6)]
    )
    sheet = _sheet(project)
    assert sheet.row_dimensions[2].height >= 6 * 12.5  # six indicators, one per line
    assert sheet.row_dimensions[3].height < sheet.row_dimensions[2].height


def test_there_is_one_observed_value_column_per_convention_year() -> None:
    assert [h for h in tracker_headers(make_export_project()) if h.startswith("Valeur obs")] == [
        f"Valeur observée {year}" for year in range(2025, 2030)
    ]


def test_an_observation_outside_the_convention_adds_its_year_and_unknown_values_say_so() -> None:
    project = make_export_project()
    guichet = project.activity("act-guichet-unique")
    guichet.sheet = make_sheet(
        observations=[make_observation(year=2030, value=None, comment=None)]
    )
    rows = _rows(_sheet(project))
    assert rows[0][-2] == "Valeur observée 2030"
    assert rows[2][-2] == "à compléter"


def test_the_csv_is_utf8_with_bom_semicolons_and_crlf_for_french_excel() -> None:
    data = render_tracker(make_export_project(), "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.count("\r\n") >= 6
    assert text.split("\r\n")[0] == ";".join(HEADERS)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == HEADERS
    access = dict(zip(HEADERS, rows[3], strict=True))
    assert access["Valeur de référence"] == "12,5"  # decimal comma
    assert access["Cible"] == "50"
    assert access["Valeur observée 2025"] == ""
    assert len(rows) == 6


def test_an_unknown_tracker_format_is_refused_in_french() -> None:
    with pytest.raises(ExportFormatError, match="formats possibles : xlsx, csv"):
        render_tracker(make_export_project(), "ods")
