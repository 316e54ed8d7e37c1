"""The live diagram: SVG nodes labelled and linked to their forms, filters, projector mode."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from editor_helpers import get_page, open_project, project_url, submit
from factories import make_project

from app.editor.diagram_view import inline_svg
from exports.diagram import diagram_dot
from theory_of_change.demo import demo_project

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def _nodes(svg: str) -> dict[str, tuple[str, str | None]]:
    """Each node of the SVG by id: its visible text and the address it opens."""
    root = ET.fromstring(svg)
    nodes: dict[str, tuple[str, str | None]] = {}
    for group in root.iter(f"{SVG}g"):
        if "node" not in (group.get("class") or "").split():
            continue
        node_id = group.findtext(f"{SVG}title") or ""
        text = " ".join(t.text or "" for t in group.iter(f"{SVG}text"))
        link = next(group.iter(f"{SVG}a"), None)
        nodes[node_id] = (" ".join(text.split()), link.get(XLINK_HREF) if link is not None
                          else None)
    return nodes


def _canvas(html: str) -> str:
    """The diagram inside a page (its SVG only, not the findings beside it)."""
    return html.split('class="diagram-canvas"', 1)[1].split("</svg>", 1)[0]


def _svg(client: Any, project_id: int, query: str = "") -> str:
    response = client.get(project_url(project_id, "schema.svg") + query)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "image/svg+xml"
    return response.get_data(as_text=True)


def test_the_svg_shows_the_pathways_with_each_node_opening_its_form(
    app: Any, client: Any
) -> None:
    project_id = open_project(app, client)
    nodes = _nodes(_svg(client, project_id))
    assert "Renforcer l'offre d'accueil du jeune enfant" in nodes["enjeu-accueil"][0]
    assert nodes["enjeu-accueil"][1] == project_url(project_id, "enjeux", "enjeu-accueil")
    assert nodes["chg-enfance"][1] == project_url(project_id, "changements", "chg-enfance")
    assert nodes["vision"][1] == project_url(project_id, "vision")
    # Markers and activities are layers one adds: not in the default view.
    assert not any(node.startswith(("mq-", "act-", "marqueurs__")) for node in nodes)


def test_layers_add_the_markers_and_the_activities(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    nodes = _nodes(_svg(client, project_id, "?couches=marqueurs&couches=actions"))
    assert nodes["act-guichet-unique"][1] == project_url(
        project_id, "actions", "act-guichet-unique"
    )
    assert nodes["marqueurs__chg-enfance"][1] == (
        project_url(project_id, "marqueurs") + "#marqueurs-chg-enfance"
    )


def test_filters_by_theme_and_by_pathway_reduce_the_nodes(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    everything = set(_nodes(_svg(client, project_id)))
    by_theme = set(_nodes(_svg(client, project_id, "?thematique=jeunesse")))
    assert {"enjeu-jeunesse", "chg-jeunesse", "vision"} <= by_theme
    assert "chg-enfance" not in by_theme and by_theme < everything
    submit(client, project_url(project_id, "changements", "chg-enfance"),
           changes={"preconditions": ["chg-familles-informees"]})
    around = set(_nodes(_svg(client, project_id, "?chemin=chg-enfance")))
    assert {"chg-enfance", "chg-familles-informees", "enjeu-accueil", "vision"} <= around
    assert "chg-jeunesse" not in around


def test_a_filter_naming_nothing_is_a_french_400(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    response = client.get(project_url(project_id, "schema.svg") + "?thematique=inconnue")
    assert response.status_code == 400
    assert response.get_data(as_text=True) == (
        "Le thème « inconnue » n'existe pas dans le projet."
    )


def test_every_project_page_shows_the_diagram_beside_its_form(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    html = get_page(client, project_url(project_id, "marqueurs"))
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert 'class="diagram-svg"' in html
    # The markers page shows the markers layer by default; the filter form can untick it.
    assert f'xlink:href="{project_url(project_id, "marqueurs")}#marqueurs-chg-enfance"' in html
    plain = get_page(client, project_url(project_id, "marqueurs") + "?filtre=1")
    assert "#marqueurs-chg-enfance" not in _canvas(plain)


def test_a_node_page_marks_its_node_and_offers_its_pathway_alone(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    html = get_page(client, project_url(project_id, "changements", "chg-jeunesse"))
    assert '<g id="node' in html and 'class="node current"' in html
    assert 'name="chemin" value="chg-jeunesse"' in html
    focused = get_page(client, project_url(project_id, "changements", "chg-jeunesse")
                       + "?chemin=chg-jeunesse")
    canvas = _canvas(focused)
    assert "chg-jeunesse" in canvas and "chg-enfance" not in canvas


def test_the_saved_change_appears_in_the_diagram_after_the_save(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    submit(client, project_url(project_id, "changements"),
           project_url(project_id, "changements", "ajouter"), {
               "changements-statement": "Les grands-parents gardent les petits le mercredi",
               "changements-addresses": ["enjeu-enfance"],
               "changements-leads_to_vision": "y",
           })
    html = get_page(client, project_url(project_id, "changements"))
    canvas = _canvas(html)
    assert "<title>chg-grands-parents-gardent-petits-mercredi</title>" in canvas
    assert "Les grands-parents gardent" in canvas


def test_the_projector_mode_walks_through_the_pathways(app: Any, client: Any) -> None:
    project_id = open_project(app, client)
    html = get_page(client, project_url(project_id, "projection"))
    assert 'class="diagram-projector"' in html
    for number in range(1, 6):
        assert f">Chemin {number}</a>" in html
    one = get_page(client, project_url(project_id, "projection") + "?chemin=chg-jeunesse")
    assert '<p class="pathway-caption">Changement pour jeunesse</p>' in one


def test_links_leave_the_dot_unchanged_when_not_asked_for() -> None:
    project = make_project()
    plain = diagram_dot(project)
    linked = diagram_dot(project, links=lambda node: f"/fiche/{node}")
    assert "URL=" not in plain
    assert 'URL="/fiche/chg-enfance"' in linked and "target=_top" in linked
    assert plain == diagram_dot(project, links=None)


def test_the_inlined_svg_keeps_only_links_of_this_site() -> None:
    svg = (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
        b'xmlns:xlink="http://www.w3.org/1999/xlink" width="10pt" height="10pt">'
        b'<g class="node"><title>a</title><a xlink:href="javascript:alert(1)" '
        b'onclick="x()"><text>A</text></a></g><script>alert(1)</script>'
        b'<g class="node"><title>b</title><a xlink:href="/console/b"><text>B</text></a></g>'
        b"</svg>"
    )
    cleaned = inline_svg(svg, current="b")
    assert "javascript" not in cleaned and "onclick" not in cleaned
    assert "<script" not in cleaned
    assert 'xlink:href="/console/b"' in cleaned
    assert 'class="node current"' in cleaned


def test_the_demo_opens_in_the_editor_with_no_error_finding(app: Any, client: Any) -> None:
    project_id = open_project(app, client, demo_project())
    html = get_page(client, project_url(project_id))
    assert '<span class="sev ok">Aucune erreur</span>' in html
    assert 'class="finding error"' not in html
    assert "VISION 2037" in html
