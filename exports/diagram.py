"""The pathway diagram: stakes → changes (pathways with their preconditions) → vision.

Built with graphviz from the model only, in the model's order, so the same project always
gives the same DOT, byte for byte. Optional layers add the progress markers (one box per
change, by level) and the activities (grouped in one cluster per strategic axis). Nodes
are coloured by theme with Paul Tol's "light" palette, which stays distinct for
colour-blind readers and keeps black text legible; prioritised changes have a thick
border and their rank. The hypotheses of links become tooltips of the edges in SVG.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable
from html import escape

import graphviz

from theory_of_change.graph import build_graph, neighbourhood
from theory_of_change.model import (
    MARKER_LEVEL_LABELS,
    VISION_ID,
    Change,
    ChangeStatus,
    MarkerLevel,
    Project,
)

from .labels import wrap_label, xml_safe

LAYERS = ("markers", "activities")
LAYER_LABELS = {"markers": "marqueurs de progrès", "activities": "activités"}
DIAGRAM_FORMATS = ("svg", "png", "pdf", "dot")

# Paul Tol's "light" qualitative scheme (colour-blind safe, made for labelled cells).
THEME_PALETTE = (
    "#77AADD",
    "#EE8866",
    "#EEDD88",
    "#FFAABB",
    "#99DDFF",
    "#44BB99",
    "#BBCC33",
    "#AAAA00",
    # Beyond eight themes, Tol's "pale" scheme: still light behind black text.
    "#BBCCEE",
    "#CCDDAA",
    "#FFCCCC",
    "#EEEEBB",
    "#CCEEFF",
    "#DDDDDD",
)
NO_THEME_COLOUR = "#FFFFFF"
FONT = "Arial"
INK = "#1A1A1A"
MUTED = "#6B6B6B"
VISION_FILL = "#1F4E79"
CLUSTER_FILL = "#F5F7FA"
DOT_TIMEOUT_SECONDS = 120

_STATUS_PREFIX = {
    ChangeStatus.set_aside: "Écarté",
}


NodeLinks = Callable[[str], str | None]
"""Gives the address a node opens when clicked in SVG (``None``: not clickable)."""


class DiagramError(ValueError):
    """A filter or format the diagram cannot honour; the message is in French."""


def _link(links: NodeLinks | None, node_id: str) -> dict[str, str]:
    # Graphviz turns URL into an SVG <a>; "_top" leaves any frame the page sits in.
    if links is None:
        return {}
    url = links(node_id)
    return {"URL": url, "target": "_top"} if url else {}


def theme_colours(project: Project) -> dict[str, str]:
    """The colour of every theme used by a stake, change or activity.

    Colours go to the used themes in the project's order of themes, so a filtered view
    keeps the colours of the whole diagram and unused themes do not use up the palette.
    """
    used = {s.theme for s in project.stakes if s.theme}
    used |= {t for c in project.changes for t in c.themes}
    used |= {t for a in project.activities for t in a.themes}
    ordered = [theme.id for theme in project.themes if theme.id in used]
    return {
        theme_id: THEME_PALETTE[index % len(THEME_PALETTE)]
        for index, theme_id in enumerate(ordered)
    }


def check_layers(layers: Iterable[str]) -> tuple[str, ...]:
    """The layers in canonical order; :class:`DiagramError` for an unknown one."""
    wanted = {layer.strip().lower() for layer in layers if layer and layer.strip()}
    unknown = sorted(wanted - set(LAYERS))
    if unknown:
        raise DiagramError(
            f"couche « {unknown[0]} » inconnue ; couches possibles : {', '.join(LAYERS)}"
        )
    return tuple(layer for layer in LAYERS if layer in wanted)


def selected_nodes(
    project: Project,
    *,
    theme: str | None = None,
    axis: str | None = None,
    focus: str | None = None,
) -> set[str]:
    """The ids of the nodes a filtered diagram keeps (before layers are applied).

    - ``focus``: the node, everything leading to it and everything it leads to;
    - ``axis``: the activities of that strategic axis and everything they lead to;
    - ``theme``: the stakes, changes and activities of that theme, and the vision.

    Filters combine: a node must pass each one given.
    """
    graph = build_graph(project)
    nodes = set(graph.nodes)
    if focus is not None:
        if focus not in graph:
            raise DiagramError(f"l'élément « {focus} » n'existe pas dans le projet")
        nodes &= neighbourhood(graph, focus)
    if axis is not None:
        if axis not in {a.id for a in project.axes}:
            raise DiagramError(f"l'axe stratégique « {axis} » n'existe pas dans le projet")
        reached: set[str] = set()
        for activity in project.activities:
            if activity.axis == axis:
                reached |= neighbourhood(graph, activity.id)
        nodes &= reached
    if theme is not None:
        if theme not in {t.id for t in project.themes}:
            raise DiagramError(f"le thème « {theme} » n'existe pas dans le projet")
        themed = {VISION_ID}
        themed |= {s.id for s in project.stakes if s.theme == theme}
        themed |= {c.id for c in project.changes if theme in c.themes}
        themed |= {a.id for a in project.activities if theme in a.themes}
        nodes &= themed
    return nodes


# --- Labels ------------------------------------------------------------------------------


def _html(text: str) -> str:
    # Inside Graphviz HTML labels only &, < and > need escaping; apostrophes stay readable.
    return escape(text, quote=False)


def _html_lines(lines: list[str]) -> str:
    return '<BR ALIGN="CENTER"/>'.join(_html(line) for line in lines)


def _tooltip(text: str) -> str:
    # Graphviz reads backslashes in attribute strings as escapes (\N is the node name).
    return " ".join(xml_safe(text).split()).replace("\\", "\\\\")


def _change_label(change: Change) -> str:
    lines = _html_lines(wrap_label(change.statement, 28, max_lines=6))
    if change.status is ChangeStatus.prioritised:
        rank = f"Priorité {change.priority_rank}" if change.priority_rank else "Prioritaire"
        return f'<<FONT POINT-SIZE="9"><B>{_html(rank.upper())}</B></FONT><BR/>{lines}>'
    if change.status in _STATUS_PREFIX:
        prefix = _html(_STATUS_PREFIX[change.status].upper())
        return f'<<FONT POINT-SIZE="9">{prefix}</FONT><BR/>{lines}>'
    return f"<{lines}>"


def _change_tooltip(change: Change, project: Project) -> str:
    parts = [change.statement]
    if change.actors:
        parts.append(f"Acteurs : {', '.join(change.actors)}")
    if change.themes:
        labels = [project.theme(t).label for t in change.themes]
        parts.append(f"Thématiques : {', '.join(labels)}")
    parts.extend(f"Hypothèse : {h}" for h in change.hypotheses)
    return _tooltip(" · ".join(parts))


def _markers_label(project: Project, change_id: str) -> str:
    rows: list[str] = []
    for level in MarkerLevel:
        texts = [m.text for m in project.markers if m.change == change_id and m.level is level]
        if not texts:
            continue
        title = MARKER_LEVEL_LABELS[level]
        rows.append(
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="8" COLOR="{MUTED}">'
            f"<B>{_html(title[:1].upper() + title[1:])}</B></FONT></TD></TR>"
        )
        for text in texts:
            lines = '<BR ALIGN="LEFT"/>'.join(
                _html(line) for line in wrap_label(f"• {text}", 34, max_lines=3)
            )
            rows.append(f'<TR><TD ALIGN="LEFT">{lines}<BR ALIGN="LEFT"/></TD></TR>')
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
        + "".join(rows)
        + "</TABLE>>"
    )


def _legend_label(project: Project, used_themes: list[str], layers: tuple[str, ...]) -> str:
    colours = theme_colours(project)
    rows = ['<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Légende</B></TD></TR>']
    for theme_id in used_themes:
        label = _html(project.theme(theme_id).label)
        rows.append(
            f'<TR><TD BGCOLOR="{colours[theme_id]}" WIDTH="22" HEIGHT="12" FIXEDSIZE="TRUE">'
            f'</TD><TD ALIGN="LEFT">{label}</TD></TR>'
        )
    def _sample(attributes: str, text: str) -> str:
        return (
            f'<TR><TD {attributes} WIDTH="22" HEIGHT="12" FIXEDSIZE="TRUE"></TD>'
            f'<TD ALIGN="LEFT">{_html(text)}</TD></TR>'
        )

    rows.append(_sample('BORDER="2" COLOR="#808080"', "Enjeu (bordure : thématique)"))
    rows.append(_sample('BORDER="1" COLOR="#4D4D4D"',
                       "Changement (fond : thématique)"))
    rows.append(_sample(f'BORDER="3" COLOR="{INK}"',
                       "Changement prioritaire, avec son rang"))
    rows.append(_sample(f'BGCOLOR="{VISION_FILL}"', "Vision"))
    if "markers" in layers:
        rows.append(_sample('BORDER="1" COLOR="#9A9A9A"', "Marqueurs de progrès d'un changement"))
    if "activities" in layers:
        rows.append(_sample(f'BORDER="2" COLOR="#808080" BGCOLOR="{CLUSTER_FILL}"',
                           "Activité, regroupée par axe stratégique"))
    rows.append(
        '<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="8" COLOR="#6B6B6B">'
        "En SVG, survoler un lien affiche son hypothèse.</FONT></TD></TR>"
    )
    return (
        '<<TABLE BORDER="1" COLOR="#BBBBBB" CELLBORDER="0" CELLSPACING="2" CELLPADDING="3">'
        + "".join(rows)
        + "</TABLE>>"
    )


# --- Building ----------------------------------------------------------------------------


def build_diagram(
    project: Project,
    *,
    layers: Iterable[str] = (),
    theme: str | None = None,
    axis: str | None = None,
    focus: str | None = None,
    dpi: int | None = None,
    links: NodeLinks | None = None,
) -> graphviz.Digraph:
    """The graphviz graph of the (filtered) diagram; see :func:`diagram_dot`."""
    shown_layers = check_layers(layers)
    if axis is not None and "activities" not in shown_layers:
        # Filtering by axis is about its activities: show them.
        shown_layers = check_layers((*shown_layers, "activities"))
    keep = selected_nodes(project, theme=theme, axis=axis, focus=focus)
    colours = theme_colours(project)

    title = f"{project.title} — chemins de changement"
    if focus or axis or theme:
        title += " (vue filtrée)"
    dot = graphviz.Digraph(name="chemins", comment=None)
    graph_attributes = {
        "rankdir": "LR",
        "newrank": "true",
        "ranksep": "0.55",
        "nodesep": "0.18",
        "splines": "spline",
        "outputorder": "edgesfirst",
        "pad": "0.3",
        "bgcolor": "white",
        "fontname": FONT,
        "fontsize": "20",
        "label": title,
        "labelloc": "t",
        "labeljust": "l",
        "tooltip": project.title,
    }
    if dpi is not None:
        graph_attributes["dpi"] = str(dpi)
    dot.attr("graph", **graph_attributes)
    dot.attr(
        "node", fontname=FONT, fontsize="11", fontcolor=INK, penwidth="1.2", margin="0.12,0.06"
    )
    dot.attr("edge", color="#8A8A8A", arrowsize="0.7", penwidth="1.1")

    used_themes: set[str] = set()

    stakes = [s for s in project.stakes if s.id in keep]
    with dot.subgraph(name="enjeux") as column:
        column.attr(rank="same")
        for stake in stakes:
            colour = colours.get(stake.theme or "", NO_THEME_COLOUR)
            if stake.theme:
                used_themes.add(stake.theme)
            column.node(
                stake.id,
                label=f"<{_html_lines(wrap_label(stake.title, 26, max_lines=5))}>",
                shape="box",
                style="filled",
                fillcolor="white",
                color=colour,
                penwidth="3",
                tooltip=_tooltip(f"Enjeu : {stake.title}"),
                **_link(links, stake.id),
            )

    changes = [c for c in project.changes if c.id in keep]
    for change in changes:
        fills = [colours[t] for t in change.themes if t in colours] or [NO_THEME_COLOUR]
        used_themes.update(t for t in change.themes if t in colours)
        attributes = {
            "label": _change_label(change),
            "shape": "box",
            "style": "striped" if len(fills) > 1 else "filled",
            "fillcolor": ":".join(fills),
            "tooltip": _change_tooltip(change, project),
        }
        if change.status is ChangeStatus.prioritised:
            attributes.update(penwidth="3.5", color=INK)
        elif change.status is ChangeStatus.set_aside:
            attributes.update(style="dashed", fillcolor="white", color=MUTED, fontcolor=MUTED)
        else:
            attributes.update(color="#4D4D4D")
        attributes.update(_link(links, change.id))
        dot.node(change.id, **attributes)

    if project.vision is not None and VISION_ID in keep:
        vision_lines = _html_lines(wrap_label(project.vision.text, 36, max_lines=9))
        with dot.subgraph(name="vision") as column:
            column.attr(rank="max")
            column.node(
                VISION_ID,
                label=(
                    f'<<FONT POINT-SIZE="14"><B>VISION {project.vision.horizon_year}</B></FONT>'
                    f"<BR/>{vision_lines}>"
                ),
                shape="box",
                style="rounded,filled",
                fillcolor=VISION_FILL,
                color=VISION_FILL,
                fontcolor="white",
                margin="0.2,0.12",
                tooltip=_tooltip(project.vision.text),
                **_link(links, VISION_ID),
            )

    shown_changes = {c.id for c in changes}
    if "markers" in shown_layers:
        for change in changes:
            if any(m.change == change.id for m in project.markers):
                node_id = f"marqueurs__{change.id}"
                dot.node(
                    node_id,
                    label=_markers_label(project, change.id),
                    shape="note",
                    style="filled",
                    fillcolor="#FFFFFF",
                    color="#9A9A9A",
                    fontsize="9",
                    margin="0.08,0.04",
                    tooltip=_tooltip(f"Marqueurs de progrès : {change.statement}"),
                    **_link(links, node_id),
                )
                dot.edge(
                    change.id, node_id, style="dotted", arrowhead="none", color="#9A9A9A",
                    tooltip=_tooltip("Marqueurs de progrès du changement"),
                )

    activities = (
        [a for a in project.activities if a.id in keep] if "activities" in shown_layers else []
    )
    axis_numbers = {a.id: n for n, a in enumerate(project.sorted_axes(), start=1)}
    for strategic_axis in [*project.sorted_axes(), None]:
        members = [
            a for a in activities
            if (a.axis == strategic_axis.id if strategic_axis else a.axis is None)
        ]
        if not members:
            continue
        if strategic_axis is None:
            cluster_name, cluster_label = "cluster_sans_axe", "Sans axe stratégique"
        else:
            cluster_name = f"cluster_{strategic_axis.id.replace('-', '_')}"
            cluster_label = f"Axe {axis_numbers[strategic_axis.id]} — {strategic_axis.title}"
        with dot.subgraph(name=cluster_name) as cluster:
            cluster.attr(
                label=f"<<B>{_html_lines(wrap_label(cluster_label, 40, max_lines=3))}</B>>",
                style="rounded,filled",
                fillcolor=CLUSTER_FILL,
                color="#B8C4D0",
                fontsize="11",
                labeljust="l",
                tooltip=_tooltip(cluster_label),
            )
            for activity in members:
                colour = next(
                    (colours[t] for t in activity.themes if t in colours), NO_THEME_COLOUR
                )
                used_themes.update(t for t in activity.themes if t in colours)
                cluster.node(
                    activity.id,
                    label=f"<{_html_lines(wrap_label(activity.title, 26, max_lines=4))}>",
                    shape="cds",
                    style="filled",
                    fillcolor="white",
                    color=colour,
                    penwidth="2",
                    fontsize="10",
                    tooltip=_tooltip(f"Activité : {activity.title}"),
                    **_link(links, activity.id),
                )

    # Edges, in the model's order.
    for change in changes:
        for stake_id in change.addresses:
            if stake_id in keep and any(s.id == stake_id for s in stakes):
                dot.edge(stake_id, change.id, tooltip=_tooltip("Enjeu traité par ce changement"))
        for link in change.preconditions:
            if link.to in shown_changes:
                dot.edge(link.to, change.id, color="#333333", penwidth="1.5",
                         tooltip=_edge_tooltip(link.hypothesis, "Précondition"))
        if change.leads_to_vision and VISION_ID in keep and project.vision is not None:
            dot.edge(change.id, VISION_ID, color=VISION_FILL, penwidth="2",
                     tooltip=_edge_tooltip(change.vision_hypothesis, "Mène à la vision"))
    for activity in activities:
        for link in activity.contributes_to:
            if link.to in shown_changes:
                dot.edge(activity.id, link.to, style="dashed", color="#7A7A7A",
                         tooltip=_edge_tooltip(link.hypothesis, "Contribue au changement"))

    ordered_themes = [t.id for t in project.themes if t.id in used_themes]
    with dot.subgraph(name="legende") as corner:
        # On the last rank, under the vision: out of the way of the pathways.
        corner.attr(rank="max")
        corner.node(
            "legende__",
            label=_legend_label(project, ordered_themes, shown_layers),
            shape="plaintext",
            fontsize="10",
            tooltip="Légende",
        )
    return dot


def _edge_tooltip(hypothesis: str | None, fallback: str) -> str:
    if hypothesis:
        return _tooltip(f"Hypothèse : {hypothesis}")
    return _tooltip(f"{fallback} (hypothèse à compléter)")


def diagram_dot(
    project: Project,
    *,
    layers: Iterable[str] = (),
    theme: str | None = None,
    axis: str | None = None,
    focus: str | None = None,
    links: NodeLinks | None = None,
) -> str:
    """The DOT source of the diagram; the same project always gives the same text.

    ``layers`` may hold ``"markers"`` and ``"activities"``; ``theme``, ``axis`` and
    ``focus`` (a node id) filter the nodes (see :func:`selected_nodes`). ``links`` gives
    each node the address it opens when clicked in SVG (the editor's forms); without it
    the DOT has no link at all.
    """
    return build_diagram(
        project, layers=layers, theme=theme, axis=axis, focus=focus, links=links
    ).source


def render_dot(source: str, fmt: str) -> bytes:
    """Lay out a DOT source with the system's ``dot`` and return the image bytes."""
    try:
        completed = subprocess.run(
            ["dot", f"-T{fmt}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=DOT_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError as error:
        raise DiagramError(
            "le programme « dot » de Graphviz est introuvable : installez le paquet graphviz"
        ) from error
    except subprocess.TimeoutExpired as error:
        raise DiagramError(
            f"Graphviz n'a pas fini de dessiner le schéma en {DOT_TIMEOUT_SECONDS} s ; "
            "filtrez-le (par thème, par axe ou autour d'un élément)"
        ) from error
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiagramError(
            "Graphviz n'a pas pu dessiner le schéma"
            + (f" : {detail[-1]}" if detail else "")
        )
    return completed.stdout


def render_diagram(
    project: Project,
    fmt: str = "svg",
    *,
    dpi: int = 96,
    layers: Iterable[str] = (),
    theme: str | None = None,
    axis: str | None = None,
    focus: str | None = None,
    links: NodeLinks | None = None,
) -> bytes:
    """The diagram as ``svg``, ``png`` (at ``dpi``; 300 for print), ``pdf`` or ``dot`` bytes.

    ``links`` makes nodes clickable (see :func:`diagram_dot`).
    """
    fmt = fmt.strip().lower()
    if fmt not in DIAGRAM_FORMATS:
        raise DiagramError(
            f"format « {fmt} » non disponible ; formats possibles : {', '.join(DIAGRAM_FORMATS)}"
        )
    if not 30 <= dpi <= 1200:
        raise DiagramError("la résolution doit être comprise entre 30 et 1200 points par pouce")
    if fmt == "dot":
        return diagram_dot(
            project, layers=layers, theme=theme, axis=axis, focus=focus, links=links
        ).encode()
    dot = build_diagram(
        project, layers=layers, theme=theme, axis=axis, focus=focus, links=links,
        dpi=dpi if fmt == "png" else None,
    )
    return render_dot(dot.source, fmt)
