"""Render a :class:`~exports.document.Document` as a Word (DOCX) file with python-docx."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.styles import Styles
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from .document import (
    ACCENT,
    MUTED,
    BulletList,
    Cell,
    Document,
    Heading,
    Image,
    PageBreak,
    Paragraph,
    Span,
    Table,
)
from .labels import xml_safe

FONT = "Arial"
A4_SHORT, A4_LONG = Cm(21.0), Cm(29.7)
PORTRAIT_MARGIN, LANDSCAPE_MARGIN = Cm(2.0), Cm(1.5)

TABLE_STYLE, TABLE_BULLET_STYLE = "Texte de tableau", "Puce de tableau"
_PARAGRAPH_SIZES = {"body": 10, "title": 26, "subtitle": 14, "small": 8, "note": 9}
_HEADING_SIZES = {1: 16, 2: 13, 3: 11}
_EMU_PER_TWIP = 635

# The template's properties carry python-docx's dates; a fixed value keeps two exports of
# the same project identical in their properties.
_FIXED_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def render_docx(document: Document) -> bytes:
    """The document as the bytes of a ``.docx`` file.

    python-docx sets up the page, the styles and the footer; the body is written as XML
    fragments, because its object API (style lookups by scanning every style, row.cells
    recomputing the grid) made a 500-action plan take seconds.
    """
    docx = new_docx()
    _setup(docx, document)
    styles = docx.styles
    headings = {level: styles[f"Heading {level}"].style_id for level in _HEADING_SIZES}
    bullet = styles["List Bullet"].style_id
    table_ids = (
        styles[TABLE_STYLE].style_id,
        styles[TABLE_BULLET_STYLE].style_id,
        styles["Table Grid"].style_id,
    )
    body_width = _body_width(document)
    body = docx.element.body
    for block in document.blocks:
        fragments: list[str] = []
        if isinstance(block, Heading):
            fragments.append(
                _paragraph_xml((Span(block.text),), headings[block.level], "left",
                               standalone=True)
            )
        elif isinstance(block, Paragraph):
            fragments.append(
                _paragraph_xml(block.spans, None, block.align, style=block.style,
                               standalone=True)
            )
        elif isinstance(block, BulletList):
            fragments.extend(
                _paragraph_xml(item, bullet, "left", standalone=True) for item in block.items
            )
        elif isinstance(block, Table):
            body._insert_tbl(parse_xml(_table_xml(block, body_width, table_ids)))
            # Word glues consecutive tables together; a small paragraph keeps them apart.
            fragments.append(
                f'<w:p {nsdecls("w")}><w:pPr><w:spacing w:after="0" w:line="120" '
                'w:lineRule="exact"/></w:pPr></w:p>'
            )
        elif isinstance(block, PageBreak):
            fragments.append(f'<w:p {nsdecls("w")}><w:r><w:br w:type="page"/></w:r></w:p>')
        elif isinstance(block, Image):
            _insert_image(docx, block, body_width, keep_with_next=bool(block.caption))
            if block.caption:
                fragments.append(
                    _paragraph_xml((Span(block.caption),), None, "center", style="note",
                                   standalone=True)
                )
        for fragment in fragments:
            body._insert_p(parse_xml(fragment))
    out = io.BytesIO()
    docx.save(out)
    return out.getvalue()


# An image never takes more than this height, so that its caption fits on its page.
_IMAGE_MAX_HEIGHT = Cm(22.0)


def _insert_image(docx: DocxDocument, image: Image, body_width: int, *,
                  keep_with_next: bool) -> None:
    """A centred paragraph holding the PNG, scaled to fit the page, with its alt text."""
    keep = "<w:keepNext/>" if keep_with_next else ""
    element = docx.element.body._insert_p(
        parse_xml(
            f'<w:p {nsdecls("w")}><w:pPr>{keep}<w:spacing w:before="120" w:after="60"/>'
            '<w:jc w:val="center"/></w:pPr></w:p>'
        )
    )
    if image.png is None:
        raise ValueError(f"the image « {image.alt} » has no PNG for a Word document")
    width, height = Cm(image.width_cm), Cm(image.height_cm)
    scale = min(1.0, body_width / width, _IMAGE_MAX_HEIGHT / height)
    run = DocxParagraph(element, docx._body).add_run()
    run.add_picture(io.BytesIO(image.png), width=int(width * scale), height=int(height * scale))
    # Word reads an image's alternative text from the descr attribute of its docPr.
    for properties in run._r.iter(qn("wp:docPr")):
        properties.set("descr", xml_safe(image.alt))
        properties.set("title", xml_safe(image.caption or image.alt)[:250])


def _setup(docx: DocxDocument, document: Document) -> None:
    section = docx.sections[0]
    margin = LANDSCAPE_MARGIN if document.landscape else PORTRAIT_MARGIN
    if document.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = A4_LONG, A4_SHORT
    else:
        section.page_width, section.page_height = A4_SHORT, A4_LONG
    section.left_margin = section.right_margin = margin
    section.top_margin = section.bottom_margin = margin

    styles = docx.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    _set_font(normal.element, FONT)
    normal.paragraph_format.space_after = Pt(4)
    for level, size in _HEADING_SIZES.items():
        style = styles[f"Heading {level}"]
        style.font.name = FONT
        _set_font(style.element, FONT)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor.from_string(ACCENT)
        style.paragraph_format.space_before = Pt(12 if level == 1 else 8)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
    styles["List Bullet"].paragraph_format.space_after = Pt(2)
    cell_text = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    cell_text.base_style = normal
    cell_text.font.size = Pt(9)
    cell_text.paragraph_format.space_after = Pt(2)
    cell_bullet = styles.add_style(TABLE_BULLET_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    cell_bullet.base_style = styles["List Bullet"]
    cell_bullet.font.size = Pt(9)
    cell_bullet.paragraph_format.space_after = Pt(1)

    properties = docx.core_properties
    properties.title = document.title
    properties.author = "Chemins"
    properties.last_modified_by = "Chemins"
    properties.created = properties.modified = _FIXED_DATE
    properties.revision = 1
    properties.language = "fr-FR"
    _set_language(styles, "fr-FR")

    if document.footer:
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = footer.add_run(xml_safe(f"{document.footer} — page "))
        _small(run)
        _page_field(footer, "PAGE")
        _small(footer.add_run(" / "))
        _page_field(footer, "NUMPAGES")


def _set_language(styles: Styles, language: str) -> None:
    # Word checks spelling in the language of the text: French, not the template's English.
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    run_properties = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if run_properties is None:
        return
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)
    lang.set(qn("w:val"), language)


def _set_font(style_element: Any, font: str) -> None:
    run_properties = style_element.get_or_add_rPr()
    fonts = run_properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        run_properties.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), font)
    # The template's headings name theme fonts, which win over explicit ones: drop them.
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attribute), None)


def _small(run: Run) -> None:
    run.font.size = Pt(8)
    run.font.color.rgb = RGBColor.from_string(MUTED)


def _page_field(paragraph: DocxParagraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    run_properties = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "16")
    run_properties.append(size)
    run.append(run_properties)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _body_width(document: Document) -> int:
    if document.landscape:
        return int(A4_LONG - 2 * LANDSCAPE_MARGIN)
    return int(A4_SHORT - 2 * PORTRAIT_MARGIN)


def _table_xml(table: Table, body_width: int, style_ids: tuple[str, str, str]) -> str:
    total = sum(table.widths)
    widths = [int(body_width * w / total) // _EMU_PER_TWIP for w in table.widths]
    text_style, bullet_style, grid_style = style_ids
    parts = [
        f"<w:tbl {nsdecls('w')}><w:tblPr>"
        f'<w:tblStyle w:val="{grid_style}"/>'
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{width}"/>' for width in widths),
        "</w:tblGrid>",
    ]
    for row in table.rows:
        parts.append("<w:tr>")
        if row.header:
            parts.append("<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
        position = 0
        for spec in row.cells:
            width = sum(widths[position : position + spec.span])
            parts.append(_cell_xml(spec, width, (text_style, bullet_style)))
            position += spec.span
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


def _cell_xml(spec: Cell, width: int, style_ids: tuple[str, str]) -> str:
    text_style, bullet_style = style_ids
    properties = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if spec.span > 1:
        properties += f'<w:gridSpan w:val="{spec.span}"/>'
    if spec.fill:
        properties += f'<w:shd w:val="clear" w:color="auto" w:fill="{spec.fill}"/>'
    if spec.middle:
        properties += '<w:vAlign w:val="center"/>'
    paragraphs: list[str] = []
    for block in spec.blocks:
        if isinstance(block, Paragraph):
            align = spec.align if spec.align != "left" else block.align
            paragraphs.append(
                _paragraph_xml(block.spans, text_style, align, style=block.style,
                               bold=spec.bold, color=spec.color)
            )
        else:
            paragraphs.extend(
                _paragraph_xml(item, bullet_style, "left", bold=spec.bold, color=spec.color)
                for item in block.items
            )
    return f"<w:tc><w:tcPr>{properties}</w:tcPr>{''.join(paragraphs) or '<w:p/>'}</w:tc>"


_JC = {"left": "left", "center": "center", "right": "right"}


def _paragraph_xml(
    spans: tuple[Span, ...], style_id: str | None, align: str, *, style: str = "body",
    bold: bool = False, color: str | None = None, standalone: bool = False,
) -> str:
    size = _PARAGRAPH_SIZES[style] if style != "body" else None
    emphasis = style in ("title", "subtitle")
    base_colour = color or (ACCENT if emphasis else MUTED if style in ("note", "small") else None)
    layout = f'<w:pStyle w:val="{style_id}"/>' if style_id else ""
    if style == "title":
        layout += '<w:spacing w:after="240"/>'
    if align != "left":
        layout += f'<w:jc w:val="{_JC[align]}"/>'
    runs = []
    for span in spans:
        properties = ""
        if span.bold or bold or emphasis:
            properties += "<w:b/>"
        if span.italic or style == "note":
            properties += "<w:i/>"
        colour = span.color or base_colour
        if colour:
            properties += f'<w:color w:val="{colour}"/>'
        if size:
            properties += f'<w:sz w:val="{size * 2}"/>'
        run_properties = f"<w:rPr>{properties}</w:rPr>" if properties else ""
        runs.append(f"<w:r>{run_properties}{_text_xml(span.text)}</w:r>")
    paragraph_properties = f"<w:pPr>{layout}</w:pPr>" if layout else ""
    # A standalone paragraph is parsed on its own and must declare the namespace.
    opening = f'<w:p {nsdecls("w")}>' if standalone else "<w:p>"
    return f'{opening}{paragraph_properties}{"".join(runs)}</w:p>'


def _text_xml(text: str) -> str:
    pieces = []
    for index, line in enumerate(xml_safe(text).split("\n")):
        if index:
            pieces.append("<w:br/>")
        for position, chunk in enumerate(line.split("\t")):
            if position:
                pieces.append("<w:tab/>")
            if chunk:
                pieces.append(f'<w:t xml:space="preserve">{xml_escape(chunk)}</w:t>')
    return "".join(pieces)
