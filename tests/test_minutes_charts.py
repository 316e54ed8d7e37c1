"""Charts of the minutes: bars and the 2×2 matrix, deterministic, described, web-ready."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest
from PIL import Image as PilImage

from exports.charts import (
    OKABE_ITO,
    PNG_DPI,
    WIDTH_CM,
    BarChart,
    BarSeries,
    ChartError,
    MatrixChart,
    MatrixPoint,
    chart_size_cm,
    inline_svg,
    render_chart,
)
from exports.labels import wrap_label

LONG_LABEL = "Les familles connaissent les modes d'accueil du territoire et savent où s'adresser"


def bars(**overrides: object) -> BarChart:
    fields: dict[str, object] = {
        "title": "Gommettes par option",
        "labels": (LONG_LABEL, "Changement pour l'enfance", "Changement pour la jeunesse"),
        "series": (
            BarSeries("Élus", (4.0, 3.0, 1.0)),
            BarSeries("Habitants", (2.0, 2.0, 4.0)),
        ),
        "value_label": "Gommettes",
        "notes": ("6", "5 (ex æquo)", "5 (ex æquo)"),
        "description": "Gommettes reçues : 6, 5 et 5.",
    }
    fields.update(overrides)
    return BarChart(**fields)  # type: ignore[arg-type]


def matrix() -> MatrixChart:
    return MatrixChart(
        title="Matrice impact × faisabilité",
        x_label="Impact (moyenne)",
        y_label="Faisabilité (moyenne)",
        scale_min=1, scale_max=5, midpoint=3,
        points=(
            MatrixPoint(1, "Guide des modes d'accueil", 4.5, 4.5),
            MatrixPoint(2, "Navette vers l'accueil de loisirs", 2.0, 2.0),
            MatrixPoint(3, "Portail numérique des familles", 2.0, 2.0),
        ),
        quadrant_labels={"high-high": "Impact fort / Faisabilité forte",
                         "low-low": "Impact faible / Faisabilité faible"},
        description="Deux options en case faible, une en case forte.",
    )


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_the_same_chart_gives_the_same_bytes(fmt: str) -> None:
    first = render_chart(bars(), fmt)
    assert render_chart(bars(), fmt) == first
    assert render_chart(matrix(), fmt) == render_chart(matrix(), fmt)
    changed = bars(series=(BarSeries("Élus", (4.0, 3.0, 2.0)),), notes=())
    assert render_chart(changed, fmt) != first


def test_png_is_sized_for_the_width_of_an_a4_portrait_page() -> None:
    png = render_chart(bars(), "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with PilImage.open(io.BytesIO(png)) as image:
        width, height = image.size
    # Pixels are whole: matplotlib drops the fraction of the last one.
    assert width == int(WIDTH_CM / 2.54 * PNG_DPI)
    width_cm, height_cm = chart_size_cm(bars())
    assert width_cm == pytest.approx(16.0)
    assert height == int(height_cm / 2.54 * PNG_DPI)
    assert height_cm < 25.7  # fits the body of an A4 page


def test_svg_carries_a_title_a_description_and_its_french_labels_wrapped() -> None:
    svg = render_chart(bars(), "svg").decode("utf-8")
    assert 'role="img"' in svg
    assert '<title id="chart-title">Gommettes par option</title>' in svg
    assert '<desc id="chart-desc">Gommettes reçues : 6, 5 et 5.</desc>' in svg
    lines = wrap_label(LONG_LABEL, 34, max_lines=3)
    assert len(lines) > 1
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    for line in lines:
        assert line in texts
    assert "5 (ex æquo)" in texts and "Gommettes" in texts
    assert "Élus" in texts and "Habitants" in texts  # the legend of the stacked series


def test_stacked_series_take_the_colour_blind_safe_palette_in_order() -> None:
    svg = render_chart(bars(), "svg").decode("utf-8").lower()
    fills = re.findall(r"fill: (#[0-9a-f]{6})", svg)
    assert OKABE_ITO[0].lower() in fills and OKABE_ITO[1].lower() in fills
    assert fills.index(OKABE_ITO[0].lower()) < fills.index(OKABE_ITO[1].lower())


def test_matrix_numbers_its_points_and_shares_a_mark_between_coincident_ones() -> None:
    svg = render_chart(matrix(), "svg").decode("utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "1" in texts and "2, 3" in texts
    assert "Guide des modes d'accueil" in texts  # the legend beside the matrix
    assert "Impact (moyenne)" in texts and "Faisabilité (moyenne)" in texts
    assert "Impact fort /" in texts


def test_user_text_is_escaped_in_the_svg() -> None:
    chart = bars(labels=("<script>alert(1)</script>", "B & C", "D"), notes=(),
                 title="Titre <b>", description="x < y")
    svg = render_chart(chart, "svg").decode("utf-8")
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "B &amp; C" in svg and "x &lt; y" in svg


def test_inline_svg_prefixes_every_id_and_reference_and_loads_nothing() -> None:
    svg = render_chart(bars(), "svg")
    inline = inline_svg(svg, "graphique-2")
    assert inline.startswith("<svg ")
    assert "<?xml" not in inline and "DOCTYPE" not in inline and "<metadata" not in inline
    assert "http" not in inline
    ids = re.findall(r'\bid="([^"]+)"', inline)
    assert ids and all(i.startswith("graphique-2-") for i in ids)
    references = re.findall(r'url\(#([^)]+)\)', inline) + re.findall(r'href="#([^"]+)"', inline)
    assert references and set(references) <= set(ids)
    assert 'aria-labelledby="graphique-2-chart-title graphique-2-chart-desc"' in inline
    other = inline_svg(svg, "graphique-3")
    assert not set(ids) & set(re.findall(r'\bid="([^"]+)"', other))


def test_bad_charts_are_refused_with_a_french_message() -> None:
    with pytest.raises(ChartError, match="format « pdf » non disponible"):
        render_chart(bars(), "pdf")
    with pytest.raises(ChartError, match="la série « Élus » a 2 valeurs pour 3 barres"):
        bars(series=(BarSeries("Élus", (1.0, 2.0)),), notes=())
    with pytest.raises(ChartError, match="au moins une série"):
        bars(series=())
    with pytest.raises(ChartError, match="au moins une barre"):
        bars(labels=(), series=(BarSeries("Élus", ()),), notes=())


def test_rendering_leaves_matplotlib_settings_as_they_were() -> None:
    before = dict(matplotlib.rcParams)
    render_chart(bars(), "svg")
    assert dict(matplotlib.rcParams) == before


def test_charts_never_load_pyplot_or_a_gui_backend() -> None:
    code = (
        "import sys\n"
        "from exports.charts import BarChart, BarSeries, render_chart\n"
        "render_chart(BarChart('t', ('a',), (BarSeries('s', (1.0,)),), 'v'), 'png')\n"
        "print(sorted(m for m in sys.modules if m.startswith('matplotlib.pyplot')\n"
        "             or m.startswith(('tkinter', 'PyQt', 'PySide', 'gi'))))\n"
    )
    root = Path(__file__).resolve().parent.parent
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    assert completed.stdout.strip() == "[]"
