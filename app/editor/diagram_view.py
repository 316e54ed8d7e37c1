"""The live pathway diagram beside the editor: filters read from the address, and the
SVG made clickable (each node opens its form) and safe to put inside a page.

The default view is the pathways alone (stakes → changes → vision); progress markers
and activities are layers one adds; a theme, an axis or one pathway (the focus of a
node: what leads to it and what it leads to) narrow it, so the diagram never becomes a
"spaghetti" nobody can read.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from exports.diagram import DiagramError, diagram_dot, render_dot
from theory_of_change.editing.labels import truncate
from theory_of_change.graph import pathways
from theory_of_change.model import Project

from .workspace import node_url

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

LAYER_PARAMETERS = {"marqueurs": "markers", "actions": "activities"}
"""The ``couches`` values of the address and the diagram's layers they show."""
FILTER_PARAMETERS = ("couches", "thematique", "axe", "chemin")
FILTERED_MARK = "filtre"
"""Present in the address when the filter form was sent: its values replace the page's
defaults (so unticking a layer the page shows by default works)."""

_FORBIDDEN_TAGS = {f"{{{SVG_NS}}}script", f"{{{SVG_NS}}}foreignObject"}
_HREFS = ("href", f"{{{XLINK_NS}}}href")


@dataclass(frozen=True)
class DiagramFilters:
    """What the diagram shows: its layers, and the theme, axis or node it is narrowed to."""

    layers: tuple[str, ...] = ()
    theme: str | None = None
    axis: str | None = None
    focus: str | None = None

    @property
    def narrowed(self) -> bool:
        """Whether a filter hides part of the pathways."""
        return bool(self.theme or self.axis or self.focus)

    def query(self) -> dict[str, Any]:
        """The address parameters that give these filters (for ``url_for``)."""
        reverse = {layer: name for name, layer in LAYER_PARAMETERS.items()}
        query: dict[str, Any] = {FILTERED_MARK: "1"}
        if self.layers:
            query["couches"] = [reverse[layer] for layer in self.layers]
        for name, value in (("thematique", self.theme), ("axe", self.axis),
                            ("chemin", self.focus)):
            if value:
                query[name] = value
        return query


def read_filters(args: Mapping[str, Any], defaults: DiagramFilters) -> DiagramFilters:
    """The filters the address asks for; the page's ``defaults`` when it asks for none."""
    if not isinstance(args, MultiDict):
        args = MultiDict(args)
    if FILTERED_MARK not in args and not any(name in args for name in FILTER_PARAMETERS):
        return defaults
    layers = tuple(
        dict.fromkeys(
            LAYER_PARAMETERS[value] for value in args.getlist("couches")
            if value in LAYER_PARAMETERS
        )
    )
    return DiagramFilters(
        layers=layers,
        theme=(args.get("thematique") or "").strip() or None,
        axis=(args.get("axe") or "").strip() or None,
        focus=(args.get("chemin") or "").strip() or None,
    )


def editor_svg(
    project_id: int, project: Project, filters: DiagramFilters, current: str | None = None
) -> str:
    """The diagram's SVG with each node linked to its form, ready to put inside a page.

    ``current`` is the node being edited, marked so the page can highlight it. Raises
    :class:`~exports.diagram.DiagramError` (French) for a filter naming nothing.
    """
    source = diagram_dot(
        project,
        layers=filters.layers,
        theme=filters.theme,
        axis=filters.axis,
        focus=filters.focus,
        links=lambda node_id: node_url(project_id, project, node_id),
    )
    return inline_svg(_laid_out(source), current=current)


@functools.lru_cache(maxsize=64)
def _laid_out(source: str) -> bytes:
    # The same DOT always gives the same picture: pages reloaded at the same revision
    # (and the SVG fetched by the script) skip Graphviz.
    return render_dot(source, "svg")


def inline_svg(svg: bytes, *, current: str | None = None) -> str:
    """Graphviz's SVG made fit for a page: no prolog, no script, only links of this site.

    The stylesheet fits it to its frame (the ``viewBox`` keeps the proportions; its own
    size is the "real size"), and the node ``current`` gets the class ``current``.
    """
    root = ET.fromstring(svg)
    _clean(root)
    root.set("class", "diagram-svg")
    # Not role="img": that would hide the nodes' links from screen readers.
    root.set("role", "group")
    title = root.findtext(f"{{{SVG_NS}}}g/{{{SVG_NS}}}title") or _("Schéma des chemins")
    root.set("aria-label", _("Schéma des chemins de changement — %(title)s", title=title))
    if current is not None:
        for group in root.iter(f"{{{SVG_NS}}}g"):
            if group.get("class") == "node" and group.findtext(f"{{{SVG_NS}}}title") == current:
                group.set("class", "node current")
    return ET.tostring(root, encoding="unicode")


def _clean(element: ET.Element) -> None:
    for child in list(element):
        if child.tag in _FORBIDDEN_TAGS:
            element.remove(child)
        else:
            _clean(child)
    for name in list(element.attrib):
        if name.lower().startswith("on"):
            del element.attrib[name]
        elif name in _HREFS and not _own_link(element.attrib[name]):
            del element.attrib[name]


def _own_link(target: str) -> bool:
    # Only paths of this site (or anchors): Graphviz never writes others for us.
    return (target.startswith("/") and not target.startswith("//")) or target.startswith("#")


@dataclass(frozen=True)
class DiagramView:
    """The diagram panel of a page: its SVG (or the French reason it has none) and the
    choices of its filter form."""

    filters: DiagramFilters
    svg: Markup | None
    error: str | None
    themes: list[tuple[str, str]] = field(default_factory=list)
    axes: list[tuple[str, str]] = field(default_factory=list)
    pathways: list[tuple[str, str]] = field(default_factory=list)
    current: str | None = None
    current_label: str | None = None


def diagram_view(
    project_id: int,
    project: Project,
    filters: DiagramFilters,
    *,
    current: str | None = None,
    current_label: str | None = None,
) -> DiagramView:
    """The diagram panel for a page (an empty project gets an explanation, not a picture)."""
    choices = {
        "themes": [(theme.id, theme.label) for theme in project.themes],
        "axes": [(axis.id, truncate(axis.title, 60)) for axis in project.sorted_axes()],
        "pathways": [
            (path.end, truncate(project.change(path.end).statement, 70))
            for path in pathways(project)
        ],
    }
    if not project.stakes and not project.changes and project.vision is None:
        message = _(
            "Le schéma apparaîtra dès que le projet aura un enjeu, un changement ou sa vision."
        )
        return DiagramView(filters, None, message, current=current,
                           current_label=current_label, **choices)
    error: str | None = None
    try:
        svg = editor_svg(project_id, project, filters, current)
    except DiagramError as refused:
        # A filter naming nothing (a deleted node, a stale link): say so, show it all.
        message = str(refused)
        error = _("%(problem)s : le schéma est affiché sans filtre.",
                  problem=message[:1].upper() + message[1:])
        filters = replace(filters, theme=None, axis=None, focus=None)
        svg = editor_svg(project_id, project, filters, current)
    return DiagramView(filters, Markup(svg), error, current=current,
                       current_label=current_label, **choices)
