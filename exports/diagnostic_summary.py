"""The shared diagnostic's summary in DOCX, self-contained HTML and XLSX, and its bar charts.

Every format shows the same content, built once by :func:`build_summary`: the figures
per commune beside their references (EPCI, department), a bar chart per percentage
indicator (each commune beside the reference line), the tension table with the figures
that triggered each tension, the SPPE zones with insufficient provision, the draft
stakes still to decide, the retained stakes and the words people said.

The SVG chart (:func:`bar_chart_svg`, :func:`indicator_chart_svg`) is hand-written so
that the diagnostic page can reuse it without any plotting library.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from theory_of_change.diagnostic.drafts import DraftStake, propose_draft_stakes
from theory_of_change.diagnostic.model import (
    Diagnostic,
    DiagnosticQuote,
    Indicator,
    IndicatorUnit,
    TerritoryFigures,
    TerritoryLevel,
    level_label,
)
from theory_of_change.diagnostic.numbers import NBSP, format_number, format_value
from theory_of_change.diagnostic.table import FigureTable, Number
from theory_of_change.diagnostic.tensions import TensionReport, find_tensions
from theory_of_change.model import Project, Stake

MISSING = "n.d."
MISSING_NOTE = (
    "n.d. : donnée manquante ou couverte par le secret statistique (jamais comptée zéro)."
)
_BAR_COLOUR = "#2E75B6"
_REFERENCE_COLOUR = "#C00000"
_TEXT_COLOUR = "#262626"
_DOCX_BAR_WIDTH = 36
_DOCX_COLUMNS = 6
# python-docx stamps the creation date; a fixed one keeps two exports identical.
_FIXED_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass
class DiagnosticSummary:
    """Everything the summary shows, computed once for every format."""

    title: str
    territory: str
    sources: list[str]
    indicators: list[Indicator]
    communes: list[TerritoryFigures]
    references: list[TerritoryFigures]
    chart_reference: TerritoryFigures | None
    report: TensionReport
    drafts: list[DraftStake]
    stakes: list[Stake]
    quotes: list[DiagnosticQuote]
    table: FigureTable
    themes: dict[str, str] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)

    def value(self, row: TerritoryFigures, indicator_id: str) -> Number | None:
        """A territory's most recent known value of an indicator (any imported year)."""
        return _latest(self.table, row, indicator_id)

    def figure_blocks(self) -> list[tuple[str, list[TerritoryFigures], list[Indicator]]]:
        """The figure tables to print: ``(title, rows, indicators)``.

        Indicators no commune has (an EPCI-level synthesis) get their own table of the
        reference territories, rather than a column of "n.d." beside every commune.
        """
        for_communes = [
            i
            for i in self.indicators
            if any(self.value(c, i.id) is not None for c in self.communes)
        ]
        others = [i for i in self.indicators if i not in for_communes]
        blocks = []
        if self.communes and for_communes:
            blocks.append(("Chiffres par commune", self.communes + self.references, for_communes))
        if self.references and others:
            blocks.append(("Chiffres des territoires de référence", self.references, others))
        return blocks

    def percent_indicators(self) -> list[Indicator]:
        """The indicators in percent that some commune has a value for (one chart each)."""
        return [
            indicator
            for indicator in self.indicators
            if indicator.unit is IndicatorUnit.percent
            and any(self.value(c, indicator.id) is not None for c in self.communes)
        ]


def build_summary(project: Project) -> DiagnosticSummary:
    """Gather the summary's content from a project (nothing is changed)."""
    diagnostic = project.diagnostic
    table = FigureTable(diagnostic)
    report = find_tensions(diagnostic)
    communes = table.territories(TerritoryLevel.commune)
    references = [
        row
        for level in (
            TerritoryLevel.epci,
            TerritoryLevel.department,
            TerritoryLevel.region,
            TerritoryLevel.national,
        )
        for row in table.territories(level)
    ]
    indicators = list(diagnostic.indicators)
    sources = [
        f"{source.file_name} ({'open data Caf' if source.layout == 'opendata' else 'portrait'}"
        f", {source.rows} territoires"
        + (f", {', '.join(map(str, source.years))}" if source.years else "")
        + f", importé le {source.imported_at:%d/%m/%Y})"
        for source in diagnostic.sources
    ]
    return DiagnosticSummary(
        title=f"Diagnostic partagé — {project.title}",
        territory=project.territory.name,
        sources=sources,
        indicators=indicators,
        communes=communes,
        references=references,
        chart_reference=chart_reference(diagnostic, table),
        report=report,
        drafts=propose_draft_stakes(project, report),
        stakes=[stake for stake in project.stakes if stake.retained],
        quotes=list(diagnostic.quotes),
        table=table,
        themes={theme.id: theme.label for theme in project.themes},
        years=diagnostic.years(),
    )


def chart_reference(
    diagnostic: Diagnostic, table: FigureTable | None = None
) -> TerritoryFigures | None:
    """The territory whose value the charts draw as a line: the rules' reference level
    when it has a single territory, else the other of department and EPCI."""
    table = table or FigureTable(diagnostic)
    wanted = diagnostic.settings.reference_level
    for level in (wanted, TerritoryLevel.department, TerritoryLevel.epci):
        rows = table.territories(level)
        if len(rows) == 1:
            return rows[0]
    return None


# SVG bar chart -----------------------------------------------------------------------------


def bar_chart_svg(
    bars: Sequence[tuple[str, Number | None]],
    *,
    title: str,
    reference: tuple[str, Number] | None = None,
    percent: bool = True,
    width: int = 640,
) -> str:
    """A horizontal bar chart as SVG text: one bar per territory, a dashed reference line.

    Missing values are written "n.d." without a bar (never drawn as zero). The chart
    scales to its container (``viewBox``) so it reads on a phone as on a projector.
    """
    label_width, value_width, row_height, top, bottom = 210, 70, 24, 56, 16
    plot_width = width - label_width - value_width
    height = top + row_height * max(len(bars), 1) + bottom
    known = [value for _, value in bars if value is not None]
    if reference is not None:
        known.append(reference[1])
    scale_max = max([v for v in known if v > 0], default=1) * 1.05
    scale_min = min([v for v in known if v < 0], default=0) * 1.05
    span = (scale_max - scale_min) or 1

    def x(value: float) -> float:
        return label_width + (value - scale_min) / span * plot_width

    zero = x(0)
    escaped_title = html.escape(title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escaped_title}" '
        f'style="max-width:{width}px;font-family:Arial,Helvetica,sans-serif">',
        f"<title>{escaped_title}</title>",
        f'<text x="0" y="18" font-size="15" font-weight="bold" fill="{_TEXT_COLOUR}">'
        f"{escaped_title}</text>",
    ]
    for index, (label, value) in enumerate(bars):
        y = top + index * row_height
        middle = y + row_height / 2 + 4
        shown = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{middle:.1f}" font-size="12" text-anchor="end" '
            f'fill="{_TEXT_COLOUR}">{html.escape(shown)}</text>'
        )
        if value is None:
            parts.append(
                f'<text x="{zero + 4:.1f}" y="{middle:.1f}" font-size="12" font-style="italic" '
                f'fill="#767676">{MISSING}</text>'
            )
            continue
        left, right = sorted((zero, x(value)))
        parts.append(
            f'<rect x="{left:.1f}" y="{y + 4}" width="{max(right - left, 1):.1f}" '
            f'height="{row_height - 8}" fill="{_BAR_COLOUR}">'
            f"<title>{html.escape(label)} : {html.escape(format_value(value, percent))}</title>"
            "</rect>"
        )
        parts.append(
            f'<text x="{max(right, zero) + 4:.1f}" y="{middle:.1f}" font-size="12" '
            f'fill="{_TEXT_COLOUR}">{html.escape(format_value(value, percent))}</text>'
        )
    if reference is not None:
        ref_x = x(reference[1])
        caption = f"{reference[0]} : {format_value(reference[1], percent)}"
        anchor = "end" if ref_x > label_width + plot_width * 0.6 else "start"
        offset = -4 if anchor == "end" else 4
        parts.append(
            f'<line x1="{ref_x:.1f}" y1="{top - 6}" x2="{ref_x:.1f}" y2="{height - bottom + 4}" '
            f'stroke="{_REFERENCE_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<text x="{ref_x + offset:.1f}" y="{top - 12}" font-size="12" text-anchor="{anchor}" '
            f'fill="{_REFERENCE_COLOUR}">{html.escape(caption)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def indicator_chart_svg(diagnostic: Diagnostic, indicator_id: str) -> str | None:
    """The bar chart of one indicator: every commune beside the reference's line.

    ``None`` when the indicator is unknown or no commune has a value for it.
    """
    indicator = diagnostic.indicator(indicator_id)
    if indicator is None:
        return None
    table = FigureTable(diagnostic)
    communes = table.territories(TerritoryLevel.commune)
    bars = [(row.label, _latest(table, row, indicator_id)) for row in communes]
    if not any(value is not None for _, value in bars):
        return None
    reference_row = chart_reference(diagnostic, table)
    reference = None
    if reference_row is not None:
        value = _latest(table, reference_row, indicator_id)
        if value is not None:
            reference = (reference_row.label, value)
    return bar_chart_svg(
        bars,
        title=indicator.label,
        reference=reference,
        percent=indicator.unit is IndicatorUnit.percent,
    )


def _latest(table: FigureTable, row: TerritoryFigures, indicator_id: str) -> Number | None:
    found = table.latest(row.territory, indicator_id)
    return found[1] if found else None


# HTML --------------------------------------------------------------------------------------

_CSS = """
body{font-family:Arial,Helvetica,sans-serif;color:#262626;margin:1.5rem auto;max-width:64rem;
padding:0 1rem;line-height:1.4}
h1{color:#1F4E79;font-size:1.6rem}h2{color:#1F4E79;border-bottom:2px solid #D6E4F0;
padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #BFBFBF;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#1F4E79;color:#fff}td.n{text-align:right;white-space:nowrap}
tr.ref td{background:#EEF4FA;font-weight:bold}.note{color:#595959;font-size:.85rem}
.scroll{overflow-x:auto}figure{margin:1rem 0}blockquote{margin:.5rem 0;padding-left:.8rem;
border-left:4px solid #D6E4F0}
"""


def diagnostic_summary_html(project: Project) -> bytes:
    """The summary as one self-contained HTML page (inline style and SVG, no asset)."""
    summary = build_summary(project)
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="fr"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(summary.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(summary.title)}</h1>",
        f"<p>Territoire : {e(summary.territory)}</p>",
    ]
    out.append("<h2>Sources</h2>")
    out.append(_html_list(summary.sources or ["Aucune donnée importée."]))
    blocks = summary.figure_blocks()
    if not blocks:
        out.append("<h2>Chiffres par commune</h2><p>Aucune donnée importée.</p>")
    for title, rows, indicators in blocks:
        out.append(f"<h2>{e(title)}</h2>")
        out.append(f'<p class="note">{e(_values_note(summary))}</p>')
        out.append('<div class="scroll"><table><thead><tr><th>Territoire</th>')
        out += [f"<th>{e(indicator.label)}</th>" for indicator in indicators]
        out.append("</tr></thead><tbody>")
        for row in rows:
            reference = row.level is not TerritoryLevel.commune
            out.append(f"<tr{' class=ref' if reference else ''}><td>{e(_row_label(row))}</td>")
            out += [
                f'<td class="n">{e(_cell(summary, row, indicator))}</td>'
                for indicator in indicators
            ]
            out.append("</tr>")
        out.append("</tbody></table></div>")
    diagnostic = project.diagnostic
    charts = [
        svg
        for indicator in summary.percent_indicators()
        if (svg := indicator_chart_svg(diagnostic, indicator.id))
    ]
    if charts:
        out.append("<h2>Graphiques</h2>")
        out += [f"<figure>{svg}</figure>" for svg in charts]
    out.append("<h2>Tensions par commune</h2>")
    out += _html_tensions(summary)
    out.append("<h2>Zones où l'offre d'accueil est insuffisante (SPPE)</h2>")
    zones = summary.report.insufficient_provision_zones()
    out.append(
        _html_list([zone.label for zone in zones])
        if zones
        else "<p>Aucune commune n'est sous les seuils d'offre insuffisante.</p>"
    )
    out.append("<h2>Enjeux proposés à partir des tensions</h2>")
    if summary.drafts:
        for draft in summary.drafts:
            out.append(f"<h3>{e(draft.title)}</h3>")
            out.append(f"<p>Communes concernées : {e(', '.join(draft.communes))}</p>")
            out.append(_html_list(_draft_findings(draft)))
    else:
        out.append("<p>Aucun enjeu à proposer (ou tous ont déjà été retenus ou écartés).</p>")
    out.append("<h2>Enjeux retenus</h2>")
    out.append(
        _html_list([_stake_line(stake, summary) for stake in summary.stakes])
        if summary.stakes
        else "<p>Aucun enjeu retenu pour l'instant.</p>"
    )
    out.append("<h2>Paroles recueillies</h2>")
    if summary.quotes:
        for quote in summary.quotes:
            out.append(
                f"<blockquote>« {e(quote.quote)} »<br>"
                f'<span class="note">{e(_quote_origin(quote, summary))}</span></blockquote>'
            )
    else:
        out.append("<p>Aucune parole recueillie pour l'instant.</p>")
    out.append("</body></html>")
    return "\n".join(out).encode("utf-8")


def _html_list(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>"


def _html_tensions(summary: DiagnosticSummary) -> list[str]:
    e = html.escape
    out = [f'<p class="note">{e(note)}</p>' for note in summary.report.notes]
    tensions = summary.report.tensions()
    if not tensions:
        out.append("<p>Aucune tension relevée avec les seuils actuels.</p>")
        return out
    out.append(
        "<table><thead><tr><th>Commune</th><th>Tension</th><th>Constat (chiffres)</th>"
        "</tr></thead><tbody>"
    )
    for tension in tensions:
        out.append(
            f"<tr><td>{e(tension.territory_label)}</td><td>{e(tension.label)}</td>"
            f"<td>{e(tension.message)}</td></tr>"
        )
    out.append("</tbody></table>")
    quiet = [c.label for c in summary.report.communes if not c.tensions]
    if quiet:
        out.append(f'<p class="note">Sans tension relevée : {e(", ".join(quiet))}.</p>')
    return out


# DOCX --------------------------------------------------------------------------------------


def diagnostic_summary_docx(project: Project) -> bytes:
    """The summary as a Word document (A4 landscape, for the wide tables)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    summary = build_summary(project)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(10)
    properties = document.core_properties
    properties.title = summary.title
    properties.language = "fr-FR"
    properties.created = properties.modified = _FIXED_DATE

    document.add_heading(summary.title, level=0)
    document.add_paragraph(f"Territoire : {summary.territory}")
    document.add_heading("Sources", level=1)
    for line in summary.sources or ["Aucune donnée importée."]:
        document.add_paragraph(line, style="List Bullet")

    blocks = summary.figure_blocks()
    if not blocks:
        document.add_heading("Chiffres par commune", level=1)
        document.add_paragraph("Aucune donnée importée.")
    for title, rows, indicators in blocks:
        document.add_heading(title, level=1)
        document.add_paragraph(_values_note(summary))
        for start in range(0, len(indicators), _DOCX_COLUMNS):
            chunk = indicators[start : start + _DOCX_COLUMNS]
            table = document.add_table(rows=1, cols=len(chunk) + 1)
            table.style = "Table Grid"
            header = table.rows[0].cells
            header[0].text = "Territoire"
            for index, indicator in enumerate(chunk, start=1):
                header[index].text = indicator.label
            _bold_row(table.rows[0])
            for row in rows:
                cells = table.add_row().cells
                cells[0].text = _row_label(row)
                for index, indicator in enumerate(chunk, start=1):
                    cells[index].text = _cell(summary, row, indicator)
                if row.level is not TerritoryLevel.commune:
                    _bold_row(table.rows[-1])
            document.add_paragraph()

    percent_indicators = summary.percent_indicators()
    if percent_indicators:
        document.add_heading("Graphiques", level=1)
        for indicator in percent_indicators:
            _docx_bars(document, summary, indicator)

    document.add_heading("Tensions par commune", level=1)
    for note in summary.report.notes:
        document.add_paragraph(note)
    tensions = summary.report.tensions()
    if tensions:
        table = document.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells, ("Commune", "Tension", "Constat (chiffres)"), strict=True
        ):
            cell.text = text
        _bold_row(table.rows[0])
        for tension in tensions:
            cells = table.add_row().cells
            cells[0].text = tension.territory_label
            cells[1].text = tension.label
            cells[2].text = tension.message
        _column_widths(table, (4.5, 6.0, 16.2))
    else:
        document.add_paragraph("Aucune tension relevée avec les seuils actuels.")

    document.add_heading("Zones où l'offre d'accueil est insuffisante (SPPE)", level=1)
    zones = summary.report.insufficient_provision_zones()
    for zone in zones:
        document.add_paragraph(zone.label, style="List Bullet")
    if not zones:
        document.add_paragraph("Aucune commune n'est sous les seuils d'offre insuffisante.")

    document.add_heading("Enjeux proposés à partir des tensions", level=1)
    for draft in summary.drafts:
        document.add_heading(draft.title, level=2)
        document.add_paragraph(f"Communes concernées : {', '.join(draft.communes)}")
        for finding in _draft_findings(draft):
            document.add_paragraph(finding, style="List Bullet")
    if not summary.drafts:
        document.add_paragraph("Aucun enjeu à proposer (ou tous ont déjà été retenus ou écartés).")

    document.add_heading("Enjeux retenus", level=1)
    for stake in summary.stakes:
        document.add_paragraph(_stake_line(stake, summary), style="List Bullet")
    if not summary.stakes:
        document.add_paragraph("Aucun enjeu retenu pour l'instant.")

    document.add_heading("Paroles recueillies", level=1)
    for quote in summary.quotes:
        paragraph = document.add_paragraph(f"« {quote.quote} »")
        paragraph.runs[0].italic = True
        document.add_paragraph(_quote_origin(quote, summary))
    if not summary.quotes:
        document.add_paragraph("Aucune parole recueillie pour l'instant.")

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _column_widths(table: object, centimetres: Sequence[float]) -> None:
    """Fix a table's column widths (Word reads the cells', LibreOffice the columns')."""
    from docx.shared import Cm

    table.autofit = False  # type: ignore[attr-defined]
    for column, width in zip(table.columns, centimetres, strict=True):  # type: ignore[attr-defined]
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def _bold_row(row: object) -> None:
    for cell in row.cells:  # type: ignore[attr-defined]
        for paragraph in cell.paragraphs:
            for run in paragraph.runs:
                run.bold = True


def _docx_bars(document: object, summary: DiagnosticSummary, indicator: Indicator) -> None:
    """A bar chart drawn with block characters: Word opens it without any image."""
    from docx.shared import Pt

    reference = summary.chart_reference
    reference_value = summary.value(reference, indicator.id) if reference else None
    values = [(row.label, summary.value(row, indicator.id)) for row in summary.communes]
    known = [v for _, v in values if v is not None] + (
        [reference_value] if reference_value is not None else []
    )
    top = max([abs(v) for v in known if v], default=1)
    caption = indicator.label
    if reference is not None and reference_value is not None:
        caption += f" — référence {reference.label} : {format_value(reference_value, True)}"
    document.add_heading(caption, level=3)  # type: ignore[attr-defined]
    legend = "Dernière colonne : écart à la référence, en points."
    if any(v is not None and v < 0 for _, v in values):
        legend = "█ hausse, ░ baisse (longueur : son ampleur). " + legend
    document.add_paragraph(legend)  # type: ignore[attr-defined]
    table = document.add_table(rows=0, cols=4)  # type: ignore[attr-defined]
    for label, value in values:
        cells = table.add_row().cells
        cells[0].text = label
        if value is None:
            cells[1].text, cells[2].text = "", MISSING
        else:
            # A falling figure is drawn with a lighter block, its length the size of the fall.
            block = "█" if value >= 0 else "░"
            # A zero still gets a hairline, so that its row keeps the height of the others.
            cells[1].text = block * round(abs(value) / top * _DOCX_BAR_WIDTH) or "▏"
            cells[2].text = format_value(value, True)
        if value is not None and reference_value is not None:
            gap = value - reference_value
            sign = "+" if gap > 0 else ""
            cells[3].text = f"{sign}{format_number(gap)}{NBSP}pt"
        for cell in cells:
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
            for run in paragraph.runs:
                run.font.size = Pt(8)
        for run in cells[1].paragraphs[0].runs:
            run.font.name = "Consolas"
    _column_widths(table, (5.5, 14.0, 3.0, 3.0))


# XLSX --------------------------------------------------------------------------------------


def diagnostic_summary_xlsx(project: Project) -> bytes:
    """The summary as a workbook: figures (re-importable), tensions, drafts, quotes, charts."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Font, PatternFill

    summary = build_summary(project)
    workbook = Workbook()
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="1F4E79")
    header_font = Font(bold=True, color="FFFFFF")

    def header(sheet: object, titles: Sequence[str]) -> None:
        sheet.append(list(titles))  # type: ignore[attr-defined]
        for cell in sheet[1]:  # type: ignore[index]
            cell.font, cell.fill = header_font, header_fill

    about = workbook.active
    about.title = "Synthèse"
    about.append([summary.title])
    about["A1"].font = Font(bold=True, size=14)
    about.append([f"Territoire : {summary.territory}"])
    about.append([])
    about.append(["Sources"])
    about["A4"].font = bold
    for line in summary.sources or ["Aucune donnée importée."]:
        about.append([line])
    about.append([])
    about.append([_values_note(summary)])
    for note in summary.report.notes:
        about.append([note])
    about.column_dimensions["A"].width = 110

    figures = workbook.create_sheet("Communes")
    header(
        figures,
        ["niveau", "territoire", "code", "année"] + [i.label for i in summary.indicators],
    )
    for row in summary.communes + summary.references:
        values: list[object] = [level_label(row.level), row.label, row.code, row.year]
        values += [_xlsx_number(summary.value(row, i.id), i) for i in summary.indicators]
        figures.append(values)
        for cell, indicator in zip(figures[figures.max_row][4:], summary.indicators, strict=True):
            cell.number_format = _xlsx_format(summary.value(row, indicator.id), indicator)
        if row.level is not TerritoryLevel.commune:
            for cell in figures[figures.max_row]:
                cell.font = bold
    figures.column_dimensions["B"].width = 34
    figures.freeze_panes = "C2"

    tensions = workbook.create_sheet("Tensions")
    header(
        tensions,
        [
            "commune",
            "tension",
            "indicateur",
            "valeur",
            "référence",
            "territoire de référence",
            "seuil",
            "année",
            "constat",
        ],
    )
    for tension in summary.report.tensions():
        tensions.append(
            [
                tension.territory_label,
                tension.label,
                tension.indicator_label,
                tension.value,
                tension.reference,
                tension.reference_label,
                tension.threshold,
                tension.year,
                tension.message,
            ]
        )
    tensions.column_dimensions["A"].width = 28
    tensions.column_dimensions["B"].width = 44
    tensions.column_dimensions["I"].width = 110

    drafts = workbook.create_sheet("Enjeux proposés")
    header(drafts, ["enjeu proposé", "thème", "communes", "constats"])
    for draft in summary.drafts:
        theme = summary.themes.get(draft.theme or "", draft.theme or "")
        drafts.append(
            [draft.title, theme, ", ".join(draft.communes), "\n".join(_draft_findings(draft))]
        )
    drafts.column_dimensions["A"].width = 70
    drafts.column_dimensions["D"].width = 110

    quotes = workbook.create_sheet("Paroles recueillies")
    header(quotes, ["citation", "collège", "atelier", "thème", "enjeux liés"])
    for quote in summary.quotes:
        quotes.append(
            [
                quote.quote,
                quote.group,
                quote.workshop,
                summary.themes.get(quote.theme or "", quote.theme),
                ", ".join(quote.stakes),
            ]
        )
    quotes.column_dimensions["A"].width = 80

    percent_indicators = summary.percent_indicators()
    if percent_indicators and summary.communes:
        charts = workbook.create_sheet("Graphiques")
        reference = summary.chart_reference
        anchor_row = 1
        for indicator in percent_indicators:
            first = charts.max_row + 2 if charts.max_row > 1 else 1
            reference_value = summary.value(reference, indicator.id) if reference else None
            reference_name = reference.label if reference else "référence"
            charts.cell(first, 1, "territoire").font = bold
            charts.cell(first, 2, indicator.label).font = bold
            charts.cell(first, 3, f"référence : {reference_name}").font = bold
            for offset, row in enumerate(summary.communes, start=1):
                value = summary.value(row, indicator.id)
                charts.cell(first + offset, 1, row.label)
                charts.cell(first + offset, 2, value)
                charts.cell(first + offset, 3, reference_value)
            last = first + len(summary.communes)
            bar = BarChart()
            bar.type = "bar"
            bar.title = indicator.label
            bar.y_axis.title = "%"
            bar.height, bar.width = max(7.5, 0.55 * len(summary.communes)), 18
            bar.add_data(
                Reference(charts, min_col=2, min_row=first, max_row=last), titles_from_data=True
            )
            bar.set_categories(Reference(charts, min_col=1, min_row=first + 1, max_row=last))
            if reference_value is not None:
                line = LineChart()
                line.add_data(
                    Reference(charts, min_col=3, min_row=first, max_row=last), titles_from_data=True
                )
                bar += line
            charts.add_chart(bar, f"E{anchor_row}")
            anchor_row += int(bar.height * 2) + 2
        charts.column_dimensions["A"].width = 30

    buffer = io.BytesIO()
    workbook.properties.created = workbook.properties.modified = _FIXED_DATE.replace(tzinfo=None)
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_number(value: Number | None, indicator: Indicator) -> float | None:
    if value is None:
        return None
    # Stored as a true percentage (0.41 shown "41 %"): re-imported, it reads 41 again.
    return value / 100 if indicator.unit is IndicatorUnit.percent else value


def _xlsx_format(value: Number | None, indicator: Indicator) -> str:
    if indicator.unit is IndicatorUnit.count:
        return "#,##0.##" if isinstance(value, float) and not value.is_integer() else "#,##0"
    if isinstance(value, float) and not value.is_integer():
        return "0.0%"
    return "0%"


# Shared wording ----------------------------------------------------------------------------


def _values_note(summary: DiagnosticSummary) -> str:
    if summary.years:
        when = f"Valeurs de l'année la plus récente disponible ({summary.years[-1]})"
    else:
        when = "Valeurs du portrait de territoire (année non précisée)"
    return f"{when}. {MISSING_NOTE}"


def _row_label(row: TerritoryFigures) -> str:
    if row.level is TerritoryLevel.commune:
        return row.label
    return f"{row.label} ({level_label(row.level)})"


def _cell(summary: DiagnosticSummary, row: TerritoryFigures, indicator: Indicator) -> str:
    return format_value(
        summary.value(row, indicator.id),
        indicator.unit is IndicatorUnit.percent,
        missing=MISSING,
    )


def _draft_findings(draft: DraftStake) -> list[str]:
    lines = (draft.description or "").splitlines()
    return [line[2:] for line in lines if line.startswith("- ")] or lines


def _stake_line(stake: Stake, summary: DiagnosticSummary) -> str:
    theme = f" ({summary.themes.get(stake.theme, stake.theme)})" if stake.theme else ""
    count = len(stake.evidence)
    evidence = f" — {count} élément{'s' if count > 1 else ''} de preuve" if count else ""
    return f"{stake.title}{theme}{evidence}"


def _quote_origin(quote: DiagnosticQuote, summary: DiagnosticSummary) -> str:
    parts = [
        quote.group or "collège non précisé",
        quote.workshop or "atelier non précisé",
    ]
    if quote.theme:
        parts.append(summary.themes.get(quote.theme, quote.theme))
    if quote.stakes:
        parts.append("enjeux : " + ", ".join(quote.stakes))
    return " — ".join(parts)
