"""The action sheets: the seed's template, one sheet per page, DOCX and ODT."""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn
from factories import make_export_project, make_project
from odf import teletype
from odf.opendocument import load as load_odt
from odf.style import ParagraphProperties, Style
from odf.text import H, P

from exports.action_sheets import SHEET_COLUMNS, render_action_sheets, sheet_activities
from theory_of_change.model import ActivityKind

NBSP = "\u00a0"


def _sheets(data: bytes) -> dict[str, list[list[list[str]]]]:
    """Each sheet's tables (rows of cell texts), keyed by the sheet's heading."""
    document = docx.Document(io.BytesIO(data))
    sheets: dict[str, list[list[list[str]]]] = {}
    current = ""
    for item in document.iter_inner_content():
        if isinstance(item, docx.table.Table):
            rows = [[cell.text for cell in row.cells] for row in item.rows]
            sheets[current].append(rows)
        elif item.style is not None and item.style.name == "Heading 1":
            current = item.text
            sheets[current] = []
    return sheets


def _page_breaks(data: bytes) -> int:
    body = docx.Document(io.BytesIO(data)).element.body
    return sum(1 for br in body.iter(qn("w:br")) if br.get(qn("w:type")) == "page")


def test_flagship_experimental_and_new_actions_get_a_sheet_by_number() -> None:
    sheets = _sheets(render_action_sheets(make_export_project(), "docx"))
    assert list(sheets) == [
        "Action #2 — Créer un guichet unique d'information des familles",
        "Action #3 — Organiser des permanences d'accès aux droits",
        "Action #4 — Ouvrir un accueil de loisirs à Alpha",
        "Action #5 — Expérimenter des cafés des parents itinérants",
    ]


def test_the_all_option_gives_every_action_a_sheet() -> None:
    project = make_export_project()
    assert [a.id for a in sheet_activities(project, include_all=True)] == [
        "act-jeunesse", "act-guichet-unique", "act-acces-aux-droits", "act-enfance",
        "act-parentalite",
    ]
    sheets = _sheets(render_action_sheets(project, "docx", include_all=True))
    assert next(iter(sheets)) == "Action #1 — Soutenir le point information jeunesse"


def test_each_sheet_starts_on_a_new_page() -> None:
    data = render_action_sheets(make_export_project(), "docx")
    assert _page_breaks(data) == 3
    section = docx.Document(io.BytesIO(data)).sections[0]
    assert section.page_width > section.page_height  # landscape, like the template


def test_the_axis_box_lists_every_axis_and_ticks_the_actions_own() -> None:
    sheets = _sheets(render_action_sheets(make_export_project(), "docx"))
    axis_row = sheets["Action #4 — Ouvrir un accueil de loisirs à Alpha"][0][0]
    assert axis_row == [
        "Action #4",
        "AXE STRATÉGIQUE\n"
        "☐ Faciliter la continuité des parcours\n"
        "☒ Veiller à l'équité dans l'accès aux droits — Rapprocher les services",
    ]


def test_the_five_columns_of_the_template_hold_the_sheets_fields() -> None:
    sheets = _sheets(render_action_sheets(make_export_project(), "docx"))
    header, content = sheets["Action #3 — Organiser des permanences d'accès aux droits"][1]
    assert header == list(SHEET_COLUMNS)
    objectives, description, people, calendar, success = content
    assert objectives == "Informer chaque famille des modes d'accueil disponibles"
    assert description == "Un guichet unique et un guide papier et en ligne."
    assert people == (
        f"Pilote{NBSP}: Service petite enfance\n"
        f"Partenaires{NBSP}: Caf, RPE\n"
        f"Public cible{NBSP}: Familles avec enfants de moins de 3 ans"
    )
    assert calendar == f"Années{NBSP}: 2028\n2026{NBSP}: Création du guide"
    assert success == (
        f"Résultats attendus{NBSP}:\n90 % des familles connaissent le guichet\n"
        f"Indicateurs d'évaluation{NBSP}:\nNombre de familles reçues au guichet\n"
        f"Valeur de référence{NBSP}: 12,5\nCible{NBSP}: 50"
    )


def test_an_empty_sheet_says_a_completer_in_every_field() -> None:
    sheets = _sheets(render_action_sheets(make_export_project(), "docx"))
    axis, main, _changes = sheets["Action #5 — Expérimenter des cafés des parents itinérants"]
    assert axis[0][1].endswith(f"Axe{NBSP}: à compléter")
    assert "☒" not in axis[0][1]
    objectives, description, people, calendar, success = main[1]
    assert objectives == description == "à compléter"
    assert people.count("à compléter") == 3
    assert calendar == f"Années{NBSP}: à compléter\nÉtapes{NBSP}: à compléter"
    assert success.count("à compléter") == 4
    assert "0" not in success


def test_linked_changes_show_their_priority_hypothesis_and_markers_by_level() -> None:
    sheets = _sheets(render_action_sheets(make_export_project(), "docx"))
    header, row = sheets["Action #4 — Ouvrir un accueil de loisirs à Alpha"][2]
    assert header == ["Changement visé", "On s'attend à voir", "On aimerait voir",
                      "On adorerait voir"]
    assert row[0] == (
        f"Priorité 2 — Changement pour enfance\n"
        f"Hypothèse{NBSP}: Si l'accueil est proche, alors il est utilisé"
    )
    assert row[1:] == ["Les familles consultent le guide des modes d'accueil"] * 3


def test_a_project_whose_actions_need_no_sheet_says_so() -> None:
    project = make_project()
    project = project.model_copy(
        update={"activities": [a.model_copy(update={"kind": ActivityKind.existing})
                               for a in project.activities]}
    )
    data = render_action_sheets(project, "docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "aucune fiche n'est requise" in text


def test_the_odt_sheets_have_the_same_content_and_page_breaks() -> None:
    data = render_action_sheets(make_export_project(), "odt")
    document = load_odt(io.BytesIO(data))
    headings = [
        teletype.extractText(h) for h in document.text.getElementsByType(H)
        if h.getAttribute("outlinelevel") == "1"
    ]
    assert headings == [
        "Action #2 — Créer un guichet unique d'information des familles",
        "Action #3 — Organiser des permanences d'accès aux droits",
        "Action #4 — Ouvrir un accueil de loisirs à Alpha",
        "Action #5 — Expérimenter des cafés des parents itinérants",
    ]
    text = teletype.extractText(document.text)
    assert "☒ Veiller à l'équité dans l'accès aux droits" in text
    assert f"Pilote{NBSP}: Service petite enfance" in text
    assert "Nous aurons réussi si…" in text
    breaking = {
        style.getAttribute("name")
        for style in document.automaticstyles.getElementsByType(Style)
        if any(p.getAttribute("breakbefore") == "page"
               for p in style.getElementsByType(ParagraphProperties))
    }
    with_break = [
        h for h in document.text.getElementsByType(H) + document.text.getElementsByType(P)
        if h.getAttribute("stylename") in breaking
    ]
    assert len(with_break) == 3
