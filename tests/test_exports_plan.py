"""The action plan (annexe 4): order, numbering, calendar, commune plans, in every format."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import docx
import pytest
from factories import make_activity, make_export_project, make_project, make_territory
from odf import teletype
from odf.dc import Language, Title
from odf.opendocument import load as load_odt
from odf.table import TableCell, TableRow
from odf.text import H
from openpyxl import load_workbook

from exports.action_plan import (
    UnknownCommuneError,
    action_plan_document,
    calendar_years,
    render_action_plan,
)
from exports.action_sheets import render_action_sheets
from exports.diagram import diagram_dot
from exports.formats import ExportFormatError
from exports.ordering import action_numbers
from exports.tracker import render_tracker
from theory_of_change.model import TerritoryKind

AXIS_1 = "Axe stratégique #1 - Faciliter la continuité des parcours"
AXIS_2 = "Axe stratégique #2 - Veiller à l'équité dans l'accès aux droits"
NO_AXIS = "Actions à rattacher à un axe stratégique"


def _docx_content(data: bytes) -> list[str | list[list[str]]]:
    """Headings and tables of a DOCX, in order (a table as rows of cell texts)."""
    document = docx.Document(io.BytesIO(data))
    content: list[str | list[list[str]]] = []
    for item in document.iter_inner_content():
        if isinstance(item, docx.table.Table):
            content.append([[cell.text for cell in row.cells] for row in item.rows])
        elif item.style is not None and item.style.name.startswith("Heading"):
            content.append(item.text)
    return content


def _odt_rows(data: bytes) -> list[list[str]]:
    document = load_odt(io.BytesIO(data))
    return [
        [teletype.extractText(cell) for cell in row.getElementsByType(TableCell)]
        for row in document.text.getElementsByType(TableRow)
    ]


def test_actions_are_listed_by_axis_then_sub_objective_with_continuous_numbers() -> None:
    content = _docx_content(render_action_plan(make_export_project(), "docx"))
    assert content[0] == "Plan d'action intercommunal — Communauté de communes du Test"
    assert content[1] == [
        ["Années", "N°", "Action", "Nature"],
        [AXIS_1] * 4,
        ["2027, 2029", "1", "Soutenir le point information jeunesse", "Action existante"],
        ["Informer les familles"] * 4,
        ["2026", "2", "Créer un guichet unique d'information des familles", "Action nouvelle"],
        [AXIS_2] * 4,
        ["Rapprocher les services"] * 4,
        ["2028", "3", "Organiser des permanences d'accès aux droits", "Action nouvelle"],
    ]


def test_the_calendar_marks_each_year_of_each_action() -> None:
    content = _docx_content(render_action_plan(make_export_project(), "docx"))
    assert content[2] == "Calendrier de mise en œuvre"
    calendar = content[3]
    assert isinstance(calendar, list)
    assert calendar[0] == ["N°", "Action", "2025", "2026", "2027", "2028", "2029"]
    rows = {row[0]: row[2:] for row in calendar if row[0].isdigit()}
    assert rows == {
        "1": ["", "", "■", "", "■"],
        "2": ["", "■", "", "", ""],
        "3": ["", "", "", "■", ""],
    }


def test_each_commune_with_scoped_actions_gets_its_own_plan_after_the_epcis() -> None:
    content = _docx_content(render_action_plan(make_export_project(), "docx"))
    headings = [item for item in content if isinstance(item, str)]
    assert headings == [
        "Plan d'action intercommunal — Communauté de communes du Test",
        "Calendrier de mise en œuvre",
        "Plan d'action communal — Alpha",
        "Calendrier de mise en œuvre",
        "Plan d'action communal — Bêta",
        "Calendrier de mise en œuvre",
    ]
    alpha = content[content.index("Plan d'action communal — Alpha") + 1]
    assert alpha == [
        ["Années", "N°", "Action", "Nature"],
        [AXIS_2] * 4,
        ["Rapprocher les services"] * 4,
        ["2025-2027", "4", "Ouvrir un accueil de loisirs à Alpha", "Projet phare"],
        [NO_AXIS] * 4,
        ["à compléter", "5", "Expérimenter des cafés des parents itinérants",
         "Action expérimentale"],
    ]
    beta = content[content.index("Plan d'action communal — Bêta") + 1]
    assert [row[1] for row in beta if row[1].isdigit()] == ["5"]


def test_an_action_without_years_says_so_in_the_calendar() -> None:
    content = _docx_content(render_action_plan(make_export_project(), "docx", commune="beta"))
    calendar = content[-1]
    assert calendar[-1] == [
        "5", "Expérimenter des cafés des parents itinérants (années à compléter)",
        "", "", "", "", "",
    ]


def test_numbers_are_shared_with_every_other_document() -> None:
    assert action_numbers(make_export_project()) == {
        "act-jeunesse": 1,
        "act-guichet-unique": 2,
        "act-acces-aux-droits": 3,
        "act-enfance": 4,
        "act-parentalite": 5,
    }


def test_a_year_outside_the_convention_gets_its_own_calendar_column() -> None:
    project = make_project(activities=[make_activity(years=[2029, 2030])])
    assert calendar_years(project, project.activities) == [2025, 2026, 2027, 2028, 2029, 2030]


def test_one_communes_plan_alone() -> None:
    content = _docx_content(render_action_plan(make_export_project(), "docx", commune="alpha"))
    headings = [item for item in content if isinstance(item, str)]
    assert headings == ["Plan d'action communal — Alpha", "Calendrier de mise en œuvre"]


def test_an_unknown_commune_is_refused_in_french() -> None:
    with pytest.raises(UnknownCommuneError) as error:
        render_action_plan(make_export_project(), "docx", commune="omega")
    assert str(error.value) == "la commune « omega » n'existe pas dans le territoire"


def test_a_commune_territory_has_a_single_plan_named_after_it() -> None:
    project = make_project(
        territory=make_territory(name="Ville de Test", kind=TerritoryKind.commune, communes=[])
    )
    content = _docx_content(render_action_plan(project, "docx"))
    assert content[0] == "Plan d'action — Ville de Test"


def test_a_plan_without_actions_says_what_is_missing() -> None:
    document = action_plan_document(make_project(activities=[], sppe={}))
    texts = [getattr(block, "text", "") for block in document.blocks]
    assert "Aucune action pour l'instant : à compléter" in texts


def test_the_odt_plan_has_the_same_rows_in_the_same_order() -> None:
    rows = _odt_rows(render_action_plan(make_export_project(), "odt"))
    numbered = [(row[1], row[2]) for row in rows if len(row) == 4 and row[1].isdigit()]
    assert numbered == [
        ("1", "Soutenir le point information jeunesse"),
        ("2", "Créer un guichet unique d'information des familles"),
        ("3", "Organiser des permanences d'accès aux droits"),
        ("4", "Ouvrir un accueil de loisirs à Alpha"),
        ("5", "Expérimenter des cafés des parents itinérants"),
        ("5", "Expérimenter des cafés des parents itinérants"),
    ]
    document = load_odt(io.BytesIO(render_action_plan(make_export_project(), "odt")))
    headings = [teletype.extractText(h) for h in document.text.getElementsByType(H)]
    assert headings[0] == "Plan d'action intercommunal — Communauté de communes du Test"
    axis_row = next(row for row in rows if row[0] == AXIS_1)
    assert len(axis_row) == 1  # one cell spanning the table


def test_the_markdown_plan_is_a_table_per_plan() -> None:
    text = render_action_plan(make_export_project(), "md").decode("utf-8")
    assert text.startswith("# Plan d'action\n")
    assert "## Plan d'action communal — Alpha" in text
    row = "| 2026 | 2 | Créer un guichet unique d'information des familles | Action nouvelle |"
    assert row in text
    assert "| 5 | Expérimenter des cafés des parents itinérants *(années à compléter)* |" in text


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_the_html_plan_is_self_contained_and_in_french() -> None:
    page = render_action_plan(make_export_project(), "html").decode("utf-8")
    parser = _Tags()
    parser.feed(page)
    names = [tag for tag, _ in parser.tags]
    assert ("html", {"lang": "fr"}) in parser.tags
    assert "script" not in names and "link" not in names and "img" not in names
    assert not any(
        (attrs.get("src") or attrs.get("href") or "").startswith(("http", "//"))
        for _, attrs in parser.tags
    )
    assert "<style>" in page
    assert f'<td colspan="4" style="background:#D6E4F0">' f"<strong>{AXIS_1}</strong></td>" in page
    assert "<th" in page and "<thead>" in page


def test_an_unknown_format_is_refused_in_french() -> None:
    with pytest.raises(ExportFormatError, match="format « pdf » non disponible"):
        render_action_plan(make_export_project(), "pdf")


def test_markup_characters_and_stray_control_characters_survive_every_format() -> None:
    title = 'Ateliers <parents> & enfants | "café" \\ 50 %'
    project = make_export_project()
    project.activity("act-guichet-unique").title = title
    project.activity("act-guichet-unique").sheet.description = "Ligne 1\nLigne 2\x0b fin"
    docx_rows = _docx_content(render_action_plan(project, "docx"))[1]
    assert isinstance(docx_rows, list)
    assert docx_rows[4][2] == title
    assert [title] == [row[2] for row in _odt_rows(render_action_plan(project, "odt"))
                       if len(row) == 4 and row[1] == "2"]
    page = render_action_plan(project, "html").decode("utf-8")
    assert "Ateliers &lt;parents&gt; &amp; enfants | &quot;café&quot; \\ 50 %" in page
    markdown = render_action_plan(project, "md").decode("utf-8")
    assert 'Ateliers \\<parents> & enfants \\| "café" \\\\ 50 %' in markdown
    sheets = docx.Document(io.BytesIO(render_action_sheets(project, "docx")))
    description = sheets.tables[1].rows[1].cells[1].text
    assert description == "Ligne 1\nLigne 2 fin"
    odt_sheets = load_odt(io.BytesIO(render_action_sheets(project, "odt")))
    assert "Ligne 2 fin" in teletype.extractText(odt_sheets.text)


def test_a_control_character_pasted_in_a_title_never_breaks_a_file() -> None:
    project = make_export_project()
    project.activity("act-guichet-unique").title = "Guichet\x01 unique"
    plan = docx.Document(io.BytesIO(render_action_plan(project, "docx")))
    assert plan.tables[0].rows[4].cells[2].text == "Guichet unique"
    odt = load_odt(io.BytesIO(render_action_plan(project, "odt")))
    assert "Guichet unique" in teletype.extractText(odt.text)
    sheet = load_workbook(io.BytesIO(render_tracker(project, "xlsx"))).active
    assert sheet["C3"].value == "Guichet unique"
    assert "Guichet unique" in diagram_dot(project, layers=["activities"])


def test_documents_carry_their_title_and_french_as_their_language() -> None:
    project = make_export_project()
    properties = docx.Document(io.BytesIO(render_action_plan(project, "docx"))).core_properties
    assert properties.title == "Plan d'action — CTG du Test 2025-2029"
    assert properties.language == "fr-FR"
    odt = load_odt(io.BytesIO(render_action_plan(project, "odt")))
    assert [teletype.extractText(t) for t in odt.meta.getElementsByType(Title)] == [
        "Plan d'action — CTG du Test 2025-2029"
    ]
    assert [teletype.extractText(t) for t in odt.meta.getElementsByType(Language)] == ["fr-FR"]
