"""The pathway diagram: deterministic DOT, real Graphviz output, layers and filters."""

from __future__ import annotations

import os
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from factories import make_export_project, make_project

from exports.diagram import (
    THEME_PALETTE,
    DiagramError,
    diagram_dot,
    render_diagram,
    selected_nodes,
    theme_colours,
)
from exports.labels import wrap_label
from theory_of_change.demo import demo_project
from theory_of_change.model import ChangeStatus, Theme

GOLDEN = Path(__file__).parent / "golden"
SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"
_NODE_LINE = re.compile(r'^\t+"?([^"\s\[]+)"? \[', re.MULTILINE)


def _dot_nodes(dot: str) -> set[str]:
    """The ids of the nodes a DOT source declares (edges have no `[` right after an id)."""
    return {match for match in _NODE_LINE.findall(dot) if match not in {"graph", "node", "edge"}}


def _svg_groups(svg: bytes, kind: str) -> dict[str, tuple[list[str], str]]:
    """Each SVG node or edge group by its title: its visible texts and its tooltip."""
    root = ET.fromstring(svg)
    groups: dict[str, tuple[list[str], str]] = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != kind:
            continue
        title = group.findtext(f"{SVG}title") or ""
        texts = [text.text or "" for text in group.iter(f"{SVG}text")]
        link = next(group.iter(f"{SVG}a"), None)
        groups[title] = (texts, link.get(XLINK_TITLE, "") if link is not None else "")
    return groups


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} manque : relancez avec UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), (
        f"le DOT diffère de {path.name} ; si le changement est voulu, relancez avec "
        "UPDATE_GOLDEN=1"
    )


# --- DOT ---------------------------------------------------------------------------------


def test_the_same_project_gives_the_same_dot_byte_for_byte() -> None:
    first = diagram_dot(make_export_project(), layers=("markers", "activities"))
    second = diagram_dot(make_export_project(), layers=("activities", "markers"))
    assert first == second
    assert "chg-familles-informees" in first


def test_the_demo_diagram_matches_its_golden_dot() -> None:
    _check_golden("demo-diagram.dot", diagram_dot(demo_project()))


def test_the_demo_diagram_with_every_layer_matches_its_golden_dot() -> None:
    _check_golden(
        "demo-diagram-complet.dot",
        diagram_dot(demo_project(), layers=("markers", "activities")),
    )


def test_the_dot_is_laid_out_left_to_right_for_large_diagrams() -> None:
    dot = diagram_dot(make_project())
    for attribute in ("rankdir=LR", "splines=spline", "ranksep=", "nodesep="):
        assert attribute in dot


def test_without_layers_only_stakes_changes_and_the_vision_are_drawn() -> None:
    project = make_export_project()
    nodes = _dot_nodes(diagram_dot(project))
    expected = {s.id for s in project.stakes} | {c.id for c in project.changes}
    assert nodes == expected | {"vision", "legende__"}


def test_the_markers_layer_adds_one_box_per_change_with_its_markers_by_level() -> None:
    project = make_export_project()
    dot = diagram_dot(project, layers=["markers"])
    nodes = _dot_nodes(dot)
    assert {f"marqueurs__{c.id}" for c in project.changes} <= nodes
    assert "On s'attend à voir" in dot
    assert "On adorerait voir" in dot
    assert "act-guichet-unique" not in nodes


def test_the_activities_layer_groups_activities_in_one_cluster_per_axis() -> None:
    project = make_export_project()
    dot = diagram_dot(project, layers=["activities"])
    assert "subgraph cluster_axe_1 {" in dot
    assert "subgraph cluster_axe_2 {" in dot
    assert "subgraph cluster_sans_axe {" in dot
    axis_two = dot.split("subgraph cluster_axe_2 {")[1].split("}")[0]
    assert '"act-enfance"' in axis_two and '"act-acces-aux-droits"' in axis_two
    assert '"act-guichet-unique"' not in axis_two
    assert "Axe 2 — Veiller à l'équité" in dot


def test_prioritised_changes_have_a_thick_border_and_their_rank() -> None:
    dot = diagram_dot(make_export_project())
    line = next(x for x in dot.splitlines() if x.strip().startswith('"chg-familles-informees"'))
    assert "penwidth=3.5" in line and "PRIORITÉ 1" in line
    set_aside = next(x for x in dot.splitlines() if x.strip().startswith('"chg-acces-aux-droits"'))
    assert "style=dashed" in set_aside and "ÉCARTÉ" in set_aside


def test_each_used_theme_gets_its_own_colour_and_a_line_in_the_legend() -> None:
    themes = [Theme(id=f"theme-{n}", label=f"Thème {n}") for n in range(10)]
    stakes = [
        {"id": f"enjeu-{n}", "title": f"Enjeu {n}", "theme": f"theme-{n}"} for n in range(10)
    ]
    project = make_project(themes=themes, stakes=stakes, changes=[], markers=[], activities=[],
                           sppe={})
    colours = theme_colours(project)
    assert len(set(colours.values())) == 10
    assert list(colours.values()) == list(THEME_PALETTE[:10])
    dot = diagram_dot(project)
    assert all(f"Thème {n}" in dot for n in range(10))


# --- Filters -----------------------------------------------------------------------------


def test_focus_keeps_the_node_what_leads_to_it_and_what_it_leads_to() -> None:
    project = make_export_project()
    nodes = _dot_nodes(diagram_dot(project, focus="chg-jeunesse"))
    assert {"chg-jeunesse", "chg-familles-informees", "enjeu-jeunesse", "enjeu-accueil",
            "vision"} <= nodes
    assert "chg-enfance" not in nodes and "enjeu-enfance" not in nodes


def test_theme_filter_keeps_that_themes_stakes_and_changes_and_the_vision() -> None:
    nodes = _dot_nodes(diagram_dot(make_export_project(), theme="enfance"))
    assert nodes == {"enjeu-enfance", "chg-enfance", "vision", "legende__"}


def test_axis_filter_shows_the_axis_activities_and_what_they_lead_to() -> None:
    nodes = _dot_nodes(diagram_dot(make_export_project(), axis="axe-2"))
    assert {"act-enfance", "act-acces-aux-droits", "chg-enfance", "chg-acces-aux-droits",
            "vision"} <= nodes
    assert "act-guichet-unique" not in nodes and "chg-familles-informees" not in nodes


def test_filters_combine() -> None:
    assert selected_nodes(make_export_project(), axis="axe-2", theme="enfance") == {
        "act-enfance", "chg-enfance", "vision"
    }


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"focus": "inconnu"}, "l'élément « inconnu » n'existe pas dans le projet"),
        ({"theme": "sport"}, "le thème « sport » n'existe pas dans le projet"),
        ({"axis": "axe-9"}, "l'axe stratégique « axe-9 » n'existe pas dans le projet"),
        ({"layers": ["jalons"]}, "couche « jalons » inconnue"),
    ],
)
def test_an_unknown_filter_is_refused_in_french(filters: dict[str, object], message: str) -> None:
    with pytest.raises(DiagramError, match=message):
        diagram_dot(make_export_project(), **filters)  # type: ignore[arg-type]


# --- Rendered with Graphviz ----------------------------------------------------------------


def test_the_demo_svg_shows_every_prioritised_changes_label() -> None:
    project = demo_project()
    nodes = _svg_groups(render_diagram(project, "svg"), "node")
    prioritised = [c for c in project.changes if c.status is ChangeStatus.prioritised]
    assert len(prioritised) == 5
    for change in prioritised:
        texts, tooltip = nodes[change.id]
        assert f"PRIORITÉ {change.priority_rank}" in texts
        for line in wrap_label(change.statement, 28, max_lines=6):
            assert line in texts
        assert tooltip.startswith(" ".join(change.statement.split()))


def test_link_hypotheses_are_edge_tooltips_in_the_svg() -> None:
    edges = _svg_groups(render_diagram(make_export_project(), "svg"), "edge")
    texts, tooltip = edges["chg-familles-informees->chg-jeunesse"]
    assert tooltip == "Hypothèse : Si les familles sont informées, alors les jeunes viennent"
    assert texts == []  # the hypothesis does not clutter the drawing


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_png_resolution_follows_the_dpi_option() -> None:
    project = make_project()
    width_96, height_96 = _png_size(render_diagram(project, "png", dpi=96))
    width_300, height_300 = _png_size(render_diagram(project, "png", dpi=300))
    assert width_300 == pytest.approx(width_96 * 300 / 96, rel=0.02)
    assert height_300 == pytest.approx(height_96 * 300 / 96, rel=0.02)


def test_pdf_and_dot_formats() -> None:
    project = make_project()
    assert render_diagram(project, "pdf").startswith(b"%PDF-")
    assert render_diagram(project, "dot").decode() == diagram_dot(project)


def test_the_dpi_does_not_change_the_dot_source() -> None:
    project = make_project()
    assert render_diagram(project, "dot", dpi=300) == render_diagram(project, "dot", dpi=96)


@pytest.mark.parametrize(
    ("fmt", "dpi", "message"),
    [("gif", 96, "format « gif » non disponible"), ("png", 5000, "entre 30 et 1200")],
)
def test_a_bad_format_or_resolution_is_refused_in_french(fmt: str, dpi: int, message: str
                                                         ) -> None:
    with pytest.raises(DiagramError, match=message):
        render_diagram(make_project(), fmt, dpi=dpi)
