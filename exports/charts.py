"""Charts of the workshop minutes: horizontal bars and the 2×2 matrix, as SVG or PNG.

A chart is described as data (:class:`BarChart`, :class:`MatrixChart`) and drawn with
matplotlib's Agg and SVG renderers — never pyplot, so no GUI and no global figure
state. PNG goes into Word documents, SVG into the web page. The same chart always gives
the same bytes: matplotlib's SVG ids are salted with a fixed value and no date or
version stamp is written. Figures are sized for the body of an A4 portrait page
(16 cm wide); labels are French, wrapped on words; colours come from the Okabe–Ito
palette, which stays distinct for colour-blind readers and in greyscale print.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .labels import format_number, wrap_label, xml_safe

ChartFormat = Literal["svg", "png"]
CHART_FORMATS: tuple[ChartFormat, ...] = ("svg", "png")

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
NEUTRAL = "#8C8C8C"
TEXT = "#1A1A1A"
MUTED = "#595959"
GRID = "#D9D9D9"

WIDTH_CM = 16.0
"""Width of every chart: the body of an A4 portrait page (21 cm less 2 × 2 cm margins)."""
PNG_DPI = 200
LABEL_WIDTH = 34
LABEL_LINES = 3

_CM = 1 / 2.54
_MATRIX_SIDE_CM = 8.6
_MATRIX_LEFT_CM = 1.5
_LEGEND_WIDTH = 28
# The cell where both criteria are high (impact fort, faisabilité forte) is tinted: it is
# the one a group usually looks at first.
_QUADRANT_TINTS = {"high-high": "#E8F1F8", "high-low": "#F6F6F6", "low-high": "#F6F6F6",
                   "low-low": "#FBFBFB"}
_RC = {
    "svg.hashsalt": "chemins",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial"],
    "font.size": 9,
    "axes.unicode_minus": False,
    "text.color": TEXT,
    "axes.labelcolor": TEXT,
    "xtick.color": MUTED,
    "ytick.color": TEXT,
}
# rcParams are process-wide and matplotlib's font cache is not thread-safe: the web app
# may render two minutes at once, so charts are drawn one at a time.
_LOCK = threading.Lock()


class ChartError(ValueError):
    """A chart that cannot be drawn (bad format, inconsistent data); French message."""


@dataclass(frozen=True)
class BarSeries:
    """One series of a bar chart: a value per bar; several series are stacked."""

    name: str
    values: tuple[float, ...]
    color: str | None = None


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, first label on top, with the figure written at each bar's end.

    ``notes`` replaces the written figure ("5 (ex æquo)"); ``description`` is the text
    alternative (the SVG's ``<desc>``, the image's alternative text).
    """

    title: str
    labels: tuple[str, ...]
    series: tuple[BarSeries, ...]
    value_label: str
    notes: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        if not self.labels:
            raise ChartError("un graphique en barres demande au moins une barre")
        if not self.series:
            raise ChartError("un graphique en barres demande au moins une série")
        for series in self.series:
            if len(series.values) != len(self.labels):
                raise ChartError(
                    f"la série « {series.name} » a {len(series.values)} valeurs pour "
                    f"{len(self.labels)} barres"
                )
        if self.notes and len(self.notes) != len(self.labels):
            raise ChartError("il faut une note par barre")

    def totals(self) -> list[float]:
        """The length of each bar: its series added up."""
        return [sum(series.values[i] for series in self.series) for i in range(len(self.labels))]


@dataclass(frozen=True)
class MatrixPoint:
    """An option placed in the 2×2 matrix by its two means; ``number`` names it on the chart."""

    number: int
    label: str
    x: float
    y: float


@dataclass(frozen=True)
class MatrixChart:
    """The 2×2 matrix of a rating on two criteria: x the first, y the second.

    ``quadrant_labels`` maps ``"high-high"``, ``"high-low"``, ``"low-high"`` and
    ``"low-low"`` (first criterion, then second) to the words shown in each cell.
    """

    title: str
    x_label: str
    y_label: str
    scale_min: float
    scale_max: float
    midpoint: float
    points: tuple[MatrixPoint, ...]
    quadrant_labels: dict[str, str] = field(default_factory=dict)
    description: str = ""


Chart = BarChart | MatrixChart


def render_chart(chart: Chart, fmt: str) -> bytes:
    """The chart as ``svg`` or ``png`` bytes, the same bytes for the same chart."""
    if fmt not in CHART_FORMATS:
        raise ChartError(
            f"format « {fmt} » non disponible pour un graphique ; formats possibles : svg, png"
        )
    with _LOCK, matplotlib.rc_context(_RC):
        figure = _bar_figure(chart) if isinstance(chart, BarChart) else _matrix_figure(chart)
        # Agg lays out and rasterises without any GUI toolkit; SVG reuses its layout.
        FigureCanvasAgg(figure)
        out = io.BytesIO()
        if fmt == "png":
            figure.savefig(out, format="png", dpi=PNG_DPI, metadata={"Software": "Chemins"})
            return out.getvalue()
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": "Chemins"})
    return _describe_svg(out.getvalue().decode("utf-8"), chart).encode("utf-8")


def chart_size_cm(chart: Chart) -> tuple[float, float]:
    """Width and height of the chart on the page, in centimetres."""
    width, height = _figure_size(chart)
    return width / _CM, height / _CM


# --- Bars ---------------------------------------------------------------------------------


def _wrapped(label: str, width: int = LABEL_WIDTH, lines: int = LABEL_LINES) -> str:
    return "\n".join(wrap_label(label, width, max_lines=lines)) or " "


def _figure_size(chart: Chart) -> tuple[float, float]:
    if isinstance(chart, MatrixChart):
        legend_cm = sum(
            0.42 * len(wrap_label(p.label, _LEGEND_WIDTH, max_lines=2)) + 0.1
            for p in chart.points
        )
        return WIDTH_CM * _CM, max(_MATRIX_SIDE_CM + 1.9, legend_cm + 1.0) * _CM
    lines = sum(max(1, len(wrap_label(label, LABEL_WIDTH, max_lines=LABEL_LINES)))
                for label in chart.labels)
    legend = 0.9 if len(chart.series) > 1 else 0.0
    height_cm = 1.6 + legend + 0.3 * len(chart.labels) + 0.34 * lines
    return WIDTH_CM * _CM, height_cm * _CM


def _number(value: float) -> str:
    return format_number(round(value, 2))


def _bar_figure(chart: BarChart) -> Figure:
    figure = Figure(figsize=_figure_size(chart), layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(chart.labels)))
    left = [0.0] * len(chart.labels)
    for index, series in enumerate(chart.series):
        color = series.color or OKABE_ITO[index % len(OKABE_ITO)]
        axes.barh(
            positions, series.values, left=left, height=0.62, color=color,
            edgecolor="white", linewidth=0.8, label=xml_safe(series.name),
        )
        left = [a + b for a, b in zip(left, series.values, strict=True)]
    totals = chart.totals()
    top = max(totals, default=0) or 1
    notes = chart.notes or tuple(_number(total) for total in totals)
    for position, total, note in zip(positions, totals, notes, strict=True):
        axes.text(total + top * 0.015, position, xml_safe(note), va="center", ha="left",
                  fontsize=8.5, color=TEXT)
    axes.set_yticks(positions, [_wrapped(label) for label in chart.labels], fontsize=8.5)
    axes.invert_yaxis()
    axes.set_xlim(0, top * 1.22)
    axes.set_ylim(len(chart.labels) - 0.5, -0.5)
    _style_value_axis(axes, chart.value_label, integers=_all_whole(chart))
    if len(chart.series) > 1:
        figure.legend(
            loc="outside upper center", ncols=min(len(chart.series), 3), frameon=False,
            fontsize=8, handlelength=1.2, columnspacing=1.2,
        )
    return figure


def _all_whole(chart: BarChart) -> bool:
    return all(float(v).is_integer() for series in chart.series for v in series.values)


def _style_value_axis(axes: Axes, label: str, *, integers: bool) -> None:
    axes.set_xlabel(xml_safe(label), fontsize=8.5, color=MUTED)
    axes.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=integers))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: _number(value)))
    axes.tick_params(axis="x", labelsize=8, length=0)
    axes.tick_params(axis="y", length=0, pad=6)
    axes.grid(axis="x", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    axes.spines["left"].set_color(NEUTRAL)


# --- 2×2 matrix -----------------------------------------------------------------------------


def _matrix_figure(chart: MatrixChart) -> Figure:
    figure = Figure(figsize=_figure_size(chart))
    side_cm = _MATRIX_SIDE_CM
    height_cm = figure.get_figheight() / _CM
    bottom = (height_cm - side_cm - 0.4) / height_cm
    axes = figure.add_axes(
        (_MATRIX_LEFT_CM / WIDTH_CM, bottom, side_cm / WIDTH_CM, side_cm / height_cm)
    )
    low, high, mid = chart.scale_min - 0.4, chart.scale_max + 0.4, chart.midpoint
    axes.set_xlim(low, high)
    axes.set_ylim(low, high)
    cells = {
        "low-low": (low, low), "high-low": (mid, low),
        "low-high": (low, mid), "high-high": (mid, mid),
    }
    for key, (x0, y0) in cells.items():
        axes.axvspan(x0, x0 + (mid - low if x0 == low else high - mid),
                     ymin=(y0 - low) / (high - low),
                     ymax=((mid if y0 == low else high) - low) / (high - low),
                     color=_QUADRANT_TINTS[key], zorder=0, linewidth=0)
        text = chart.quadrant_labels.get(key)
        if text:
            right = x0 != low
            upper = y0 != low
            axes.text(
                high - 0.08 if right else low + 0.08,
                high - 0.08 if upper else low + 0.08,
                "\n".join(wrap_label(text, 24, max_lines=3)),
                ha="right" if right else "left", va="top" if upper else "bottom",
                fontsize=7.5, color=MUTED, style="italic", zorder=1,
            )
    axes.axvline(mid, color=NEUTRAL, linewidth=1, linestyle=(0, (4, 3)), zorder=1)
    axes.axhline(mid, color=NEUTRAL, linewidth=1, linestyle=(0, (4, 3)), zorder=1)
    ticks = list(range(int(chart.scale_min), int(chart.scale_max) + 1))
    axes.set_xticks(ticks, [str(t) for t in ticks])
    axes.set_yticks(ticks, [str(t) for t in ticks])
    axes.tick_params(labelsize=8, length=0, colors=MUTED)
    axes.set_xlabel(xml_safe(chart.x_label), fontsize=9)
    axes.set_ylabel(xml_safe(chart.y_label), fontsize=9)
    for spine in axes.spines.values():
        spine.set_color(NEUTRAL)
    for (x, y), numbers in _coincident(chart.points):
        axes.annotate(
            ", ".join(str(n) for n in numbers), (x, y), ha="center", va="center",
            fontsize=8, fontweight="bold", color="white", zorder=3,
            bbox={"boxstyle": "circle,pad=0.35" if len(numbers) == 1 else "round,pad=0.35",
                  "facecolor": OKABE_ITO[0], "edgecolor": "white", "linewidth": 1},
        )
    _matrix_legend(figure, chart, left=(_MATRIX_LEFT_CM + side_cm + 0.6) / WIDTH_CM)
    return figure


def _coincident(points: Sequence[MatrixPoint]) -> list[tuple[tuple[float, float], list[int]]]:
    """Points at the same place share one mark ("2, 5") rather than hide each other."""
    groups: dict[tuple[float, float], list[int]] = {}
    for point in points:
        key = (round(point.x, 2), round(point.y, 2))
        groups.setdefault(key, []).append(point.number)
    return list(groups.items())


def _matrix_legend(figure: Figure, chart: MatrixChart, *, left: float) -> None:
    height_cm = figure.get_figheight() / _CM
    y = 1 - 0.5 / height_cm
    step = 0.42 / height_cm
    for point in chart.points:
        lines = wrap_label(point.label, _LEGEND_WIDTH, max_lines=2) or [" "]
        figure.text(left, y, f"{point.number}", fontsize=8, fontweight="bold",
                    color=OKABE_ITO[0], va="top")
        figure.text(left + 0.5 / WIDTH_CM, y, "\n".join(lines), fontsize=8, va="top",
                    linespacing=1.25)
        y -= step * len(lines) + 0.1 / height_cm


# --- SVG for the web ------------------------------------------------------------------------


def _describe_svg(svg: str, chart: Chart) -> str:
    """Give the SVG a role, a ``<title>`` and a ``<desc>`` for screen readers."""
    title = _xml_text(chart.title)
    description = _xml_text(chart.description or chart.title)
    return re.sub(
        r"<svg ([^>]*)>",
        lambda match: (
            f'<svg {match.group(1)} role="img" aria-labelledby="chart-title chart-desc">'
            f'\n <title id="chart-title">{title}</title>'
            f'\n <desc id="chart-desc">{description}</desc>'
        ),
        svg,
        count=1,
    )


def _xml_text(text: str) -> str:
    return (
        xml_safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )


_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(svg: bytes, prefix: str) -> str:
    """The SVG ready to sit inside an HTML page among other charts.

    Drops the XML prolog, the doctype, the metadata block and the namespace declarations
    (the HTML parser puts ``<svg>`` and ``xlink:href`` in their namespaces by itself), and
    prefixes every id (and every reference to it) with ``prefix``, since matplotlib
    numbers its ids per figure and two charts on one page would otherwise share them.
    """
    text = svg.decode("utf-8")
    text = text[text.index("<svg"):]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.DOTALL)
    text = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", text, count=2)
    ids = sorted(set(_ID.findall(text)), key=len, reverse=True)
    for old in ids:
        new = f"{prefix}-{old}"
        text = text.replace(f'id="{old}"', f'id="{new}"')
        text = text.replace(f"#{old})", f"#{new})").replace(f'"#{old}"', f'"#{new}"')
    text = text.replace(
        'aria-labelledby="chart-title chart-desc"',
        f'aria-labelledby="{prefix}-chart-title {prefix}-chart-desc"',
    )
    return text.strip()
