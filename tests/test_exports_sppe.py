"""The SPPE sheet: every structure type, "à compléter" for unknowns, duties by population."""

from __future__ import annotations

import io

import docx
from factories import (
    make_commune,
    make_export_project,
    make_project,
    make_sppe_row,
    make_territory,
)
from odf import teletype
from odf.opendocument import load as load_odt

from exports.sppe_sheet import SPPE_COLUMNS, projection_text, render_sppe_sheet
from theory_of_change.model import (
    Commune,
    SppeProjection,
    SppeSheet,
    SppeStructureType,
    TerritoryKind,
)

NNBSP = "\u202f"
NBSP = "\u00a0"
UNKNOWN_ROW = ["à compléter"] * 7


def _content(data: bytes) -> list[str | list[list[str]]]:
    document = docx.Document(io.BytesIO(data))
    content: list[str | list[list[str]]] = []
    for item in document.iter_inner_content():
        if isinstance(item, docx.table.Table):
            content.append([[cell.text for cell in row.cells] for row in item.rows])
        elif item.style is not None and item.style.name.startswith("Heading"):
            content.append(item.text)
    return content


def _table_after(content: list[str | list[list[str]]], heading: str) -> list[list[str]]:
    table = content[content.index(heading) + 1]
    assert isinstance(table, list)
    return table


def test_every_structure_type_has_a_row_with_a_completer_where_nothing_is_known() -> None:
    content = _content(render_sppe_sheet(make_export_project(), "docx"))
    table = _table_after(content, "Offre d'accueil par type de structure")
    assert table[0] == list(SPPE_COLUMNS)
    assert [row[0] for row in table[1:]] == [
        "EAJE PSU", "EAJE micro-crèche PAJE", "MAM", "RPE", "Dispositifs passerelle",
    ]
    assert table[2][1:] == UNKNOWN_ROW
    assert table[4][1:] == UNKNOWN_ROW
    assert table[5][1:] == UNKNOWN_ROW


def test_known_values_fill_the_structures_row() -> None:
    content = _content(render_sppe_sheet(make_export_project(), "docx"))
    psu = _table_after(content, "Offre d'accueil par type de structure")[1]
    assert psu == [
        "EAJE PSU",
        "Multi-accueil Les Lutins, 2 rue des Écoles (Alpha)",
        "24",
        "24",
        "Développement de places : 6 places, horizon 2027",
        "2 ETP d'auxiliaire de puériculture à créer",
        "extension",
        "Études en 2026, travaux en 2027",
    ]


def test_unknown_figures_read_a_completer_never_zero() -> None:
    content = _content(render_sppe_sheet(make_export_project(), "docx"))
    mam = _table_after(content, "Offre d'accueil par type de structure")[3]
    assert mam == [
        "MAM",
        "MAM Les Petits Pas (Bêta)",
        "à compléter",
        "à compléter",
        "Création de places : nombre de places à compléter, horizon 2028",
        "à compléter",
        "à compléter",
        "à compléter",
    ]


def test_rpe_staff_is_counted_in_ftes() -> None:
    project = make_project(
        sppe=SppeSheet(rows=[make_sppe_row(structure_type=SppeStructureType.rpe,
                                           current_places=1.5, supported_places=None)])
    )
    rpe = _table_after(_content(render_sppe_sheet(project, "docx")),
                       "Offre d'accueil par type de structure")[4]
    assert rpe[2:4] == [f"1,5{NBSP}ETP", "à compléter"]


def test_projection_modalities_use_the_templates_words() -> None:
    assert projection_text(make_sppe_row(projection=SppeProjection.maintain)) == (
        "Maintien sans difficulté"
    )
    assert projection_text(make_sppe_row(projection=None)) == "à compléter"
    assert projection_text(
        make_sppe_row(projection=SppeProjection.closure, projection_places=10,
                      projection_year=None)
    ) == "Fermeture de places envisagée : 10 places, horizon à compléter"


def test_a_small_authority_owes_only_the_base_duties_and_no_extra_elements() -> None:
    content = _content(render_sppe_sheet(make_export_project(), "docx"))
    heading = f"Communauté de communes du Test — 3{NNBSP}000 habitants"
    duties = _table_after(content, heading)
    assert duties == [
        ["Obligation", "Actions du plan qui y répondent", "Précisions"],
        ["Recenser les besoins des familles et les modes d'accueil",
         f"Action #2{NBSP}: Créer un guichet unique d'information des familles", "à compléter"],
        ["Informer et accompagner les familles",
         f"Action #2{NBSP}: Créer un guichet unique d'information des familles", "à compléter"],
    ]
    document = docx.Document(io.BytesIO(render_sppe_sheet(make_export_project(), "docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Sans objet : aucune autorité organisatrice du territoire ne dépasse 10 000" in text


def test_an_authority_over_10000_inhabitants_owes_the_scheme_and_the_extra_elements() -> None:
    territory = make_territory(
        communes=[Commune(id="alpha", name="Alpha", population=8000),
                  Commune(id="beta", name="Bêta", population=4000)]
    )
    content = _content(render_sppe_sheet(make_export_project(territory=territory), "docx"))
    duties = _table_after(content, f"Communauté de communes du Test — 12{NNBSP}000 habitants")
    assert [row[0] for row in duties[1:]] == [
        "Recenser les besoins des familles et les modes d'accueil",
        "Informer et accompagner les familles",
        "Planifier le développement des modes d'accueil",
        "Soutenir la qualité des modes d'accueil",
        "Élaborer le schéma pluriannuel de maintien et de développement de l'offre d'accueil",
    ]
    assert duties[3][1:] == ["à compléter", "à compléter"]
    extra = _table_after(
        content, "Éléments complémentaires pour les collectivités de plus de 10 000 habitants"
    )
    assert len(extra) == 6
    assert all(row[1] == "à compléter" for row in extra[1:])


def test_when_communes_hold_the_competence_each_is_an_authority() -> None:
    territory = make_territory(
        early_childhood_competence=TerritoryKind.commune,
        communes=[Commune(id="alpha", name="Alpha", population=5000),
                  make_commune(id="beta", name="Bêta", population=None)],
    )
    content = _content(render_sppe_sheet(make_export_project(territory=territory), "docx"))
    headings = [item for item in content if isinstance(item, str)]
    assert f"Alpha — 5{NNBSP}000 habitants" in headings
    assert "Bêta — population à compléter" in headings
    alpha = _table_after(content, f"Alpha — 5{NNBSP}000 habitants")
    assert len(alpha) == 1 + 4  # base and planning duties
    # A commune of unknown size might be over 10 000: the extra elements stay asked.
    assert "Éléments complémentaires pour les collectivités de plus de 10 000 habitants" in (
        headings
    )
    assert len(_table_after(
        content, "Éléments complémentaires pour les collectivités de plus de 10 000 habitants"
    )) == 6


def test_the_odt_sheet_has_the_same_table() -> None:
    document = load_odt(io.BytesIO(render_sppe_sheet(make_export_project(), "odt")))
    text = teletype.extractText(document.text)
    for label in ("EAJE PSU", "EAJE micro-crèche PAJE", "MAM", "RPE", "Dispositifs passerelle"):
        assert label in text
    assert "Création de places : nombre de places à compléter, horizon 2028" in text
    assert "Multi-accueil Les Lutins, 2 rue des Écoles" in text
