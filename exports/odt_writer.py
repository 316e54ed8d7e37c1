"""Render a :class:`~exports.document.Document` as an OpenDocument text (ODT) with odfpy."""

from __future__ import annotations

import io

from odf import teletype
from odf.dc import Language, Title
from odf.draw import Frame
from odf.draw import Image as DrawImage
from odf.element import Element
from odf.opendocument import OpenDocumentText
from odf.style import (
    FontFace,
    Footer,
    ListLevelProperties,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TableRowProperties,
    TextProperties,
)
from odf.svg import Desc
from odf.svg import Title as SvgTitle
from odf.table import (
    CoveredTableCell,
    TableCell,
    TableColumn,
    TableHeaderRows,
    TableRow,
)
from odf.table import Table as OdfTable
from odf.text import H, List, ListItem, ListLevelStyleBullet, ListStyle, P, PageCount, PageNumber
from odf.text import Span as OdfSpan

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
TABLE_FONT_PT = 9
_PARAGRAPH_SIZES = {"body": 10, "title": 26, "subtitle": 14, "small": 8, "note": 9}
_HEADING_SIZES = {1: 16, 2: 13, 3: 11}
_BORDER = "0.5pt solid #8c8c8c"
IMAGE_MAX_HEIGHT_CM = 22.0


def _add_text(element: Element, text: str) -> None:
    # teletype walks the text character by character to place <text:s>, tabs and line
    # breaks; plain text (by far the most common) is added at once.
    text = xml_safe(text)
    if "\n" in text or "\t" in text or "  " in text:
        teletype.addTextToElement(element, text)
    elif text:
        element.addText(text)


def render_odt(document: Document) -> bytes:
    """The document as the bytes of an ``.odt`` file."""
    writer = _OdtWriter(document)
    for block in document.blocks:
        writer.write_block(block)
    out = io.BytesIO()
    writer.odt.write(out)
    return out.getvalue()


class _OdtWriter:
    """Holds the ODT being written and the automatic styles created on demand."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.odt = OpenDocumentText()
        self._styles: dict[tuple[object, ...], Style] = {}
        self._tables = 0
        self._images = 0
        self._page_break_pending = False
        self.width_cm = 26.7 if document.landscape else 17.0
        self.odt.meta.addElement(Title(text=xml_safe(document.title)))
        self.odt.meta.addElement(Language(text="fr-FR"))
        self._page_setup()
        self._named_styles()

    # Styles -------------------------------------------------------------------------------

    def _page_setup(self) -> None:
        landscape = self.document.landscape
        layout = PageLayout(name="Mise_en_page")
        layout.addElement(
            PageLayoutProperties(
                pagewidth="29.7cm" if landscape else "21cm",
                pageheight="21cm" if landscape else "29.7cm",
                printorientation="landscape" if landscape else "portrait",
                margin="1.5cm" if landscape else "2cm",
            )
        )
        self.odt.automaticstyles.addElement(layout)
        master = MasterPage(name="Standard", pagelayoutname=layout)
        if self.document.footer:
            footer = Footer()
            paragraph = P(stylename=self._paragraph_style("small", align="right"))
            _add_text(paragraph, f"{self.document.footer} — page ")
            paragraph.addElement(PageNumber(selectpage="current"))
            _add_text(paragraph, " / ")
            paragraph.addElement(PageCount())
            footer.addElement(paragraph)
            master.addElement(footer)
        self.odt.masterstyles.addElement(master)

    def _named_styles(self) -> None:
        self.odt.fontfacedecls.addElement(
            FontFace(name=FONT, fontfamily=FONT, fontfamilygeneric="swiss", fontpitch="variable")
        )
        standard = Style(name="Standard", family="paragraph")
        standard.addElement(
            TextProperties(fontname=FONT, fontsize="10pt", language="fr", country="FR")
        )
        standard.addElement(ParagraphProperties(marginbottom="0.1cm"))
        self.odt.styles.addElement(standard)
        self.headings: dict[int, Style] = {}
        for level, size in _HEADING_SIZES.items():
            style = Style(
                name=f"Heading_20_{level}",
                displayname=f"Heading {level}",
                family="paragraph",
                parentstylename=standard,
                defaultoutlinelevel=str(level),
            )
            style.addElement(
                ParagraphProperties(
                    margintop="0.4cm" if level == 1 else "0.3cm",
                    marginbottom="0.15cm",
                    keepwithnext="always",
                )
            )
            style.addElement(
                TextProperties(fontsize=f"{size}pt", fontweight="bold", color=f"#{ACCENT}")
            )
            self.odt.styles.addElement(style)
            self.headings[level] = style
        self.bullets = ListStyle(name="Puces")
        level_style = ListLevelStyleBullet(level=1, bulletchar="•")
        level_style.addElement(
            ListLevelProperties(spacebefore="0.2cm", minlabelwidth="0.4cm")
        )
        self.bullets.addElement(level_style)
        self.odt.automaticstyles.addElement(self.bullets)

    def _automatic(
        self, key: tuple[object, ...], family: str, *properties: Element,
        parent: Style | str = "Standard",
    ) -> Style:
        style = self._styles.get(key)
        if style is None:
            style = Style(name=f"A{len(self._styles) + 1}", family=family)
            if family == "paragraph":
                style.setAttribute("parentstylename", parent)
            for element in properties:
                style.addElement(element)
            self.odt.automaticstyles.addElement(style)
            self._styles[key] = style
        return style

    def _paragraph_style(
        self, kind: str = "body", *, align: str = "left", page_break: bool = False,
        space_after: str = "0.1cm", in_table: bool = False,
    ) -> Style:
        size = TABLE_FONT_PT if in_table and kind == "body" else _PARAGRAPH_SIZES[kind]
        text: dict[str, str] = {"fontsize": f"{size}pt"}
        if kind in ("title", "subtitle"):
            text.update(fontweight="bold", color=f"#{ACCENT}")
        if kind == "note":
            text.update(fontstyle="italic", color=f"#{MUTED}")
        if kind == "small":
            text.update(color=f"#{MUTED}")
        paragraph: dict[str, str] = {
            "textalign": {"left": "start", "center": "center", "right": "end"}[align],
            "marginbottom": "0.4cm" if kind == "title" else space_after,
        }
        if page_break:
            paragraph["breakbefore"] = "page"
        return self._automatic(
            ("p", kind, align, page_break, space_after, in_table),
            "paragraph",
            ParagraphProperties(**paragraph),
            TextProperties(**text),
        )

    def _text_style(self, bold: bool, italic: bool, color: str | None) -> Style:
        properties: dict[str, str] = {}
        if bold:
            properties["fontweight"] = "bold"
        if italic:
            properties["fontstyle"] = "italic"
        if color:
            properties["color"] = f"#{color}"
        return self._automatic(("t", bold, italic, color), "text", TextProperties(**properties))

    # Blocks -------------------------------------------------------------------------------

    def write_block(self, block: object) -> None:
        """Append one block of the document to the ODT body."""
        if isinstance(block, PageBreak):
            self._page_break_pending = True
            return
        page_break, self._page_break_pending = self._page_break_pending, False
        if isinstance(block, Heading):
            style = self.headings[block.level]
            if page_break:
                style = self._automatic(
                    ("h", block.level), "paragraph", ParagraphProperties(breakbefore="page"),
                    parent=self.headings[block.level],
                )
            heading = H(outlinelevel=block.level, stylename=style)
            _add_text(heading, block.text)
            self.odt.text.addElement(heading)
        elif isinstance(block, Paragraph):
            self.odt.text.addElement(self._paragraph(block, page_break=page_break))
        elif isinstance(block, BulletList):
            if page_break:
                self.odt.text.addElement(P(stylename=self._paragraph_style(page_break=True)))
            self.odt.text.addElement(self._list(block))
        elif isinstance(block, Table):
            if page_break:
                self.odt.text.addElement(P(stylename=self._paragraph_style(page_break=True)))
            self.odt.text.addElement(self._table(block))
            self.odt.text.addElement(P(stylename=self._paragraph_style("small")))
        elif isinstance(block, Image):
            self.odt.text.addElement(self._image(block, page_break=page_break))
            if block.caption:
                caption = P(stylename=self._paragraph_style("note", align="center"))
                _add_text(caption, block.caption)
                self.odt.text.addElement(caption)

    def _image(self, image: Image, *, page_break: bool) -> P:
        """A centred paragraph holding the PNG, scaled to fit the page, with its alt text."""
        if image.png is None:
            raise ValueError(f"the image « {image.alt} » has no PNG for an ODT document")
        self._images += 1
        href = self.odt.addPicture(
            f"Pictures/graphique-{self._images}.png", "image/png", image.png
        )
        scale = min(1.0, self.width_cm / image.width_cm, IMAGE_MAX_HEIGHT_CM / image.height_cm)
        frame = Frame(
            name=f"Graphique {self._images}",
            anchortype="as-char",
            width=f"{image.width_cm * scale:.2f}cm",
            height=f"{image.height_cm * scale:.2f}cm",
        )
        frame.addElement(DrawImage(href=href, type="simple", show="embed", actuate="onLoad"))
        title = SvgTitle()
        _add_text(title, image.caption or image.alt)
        frame.addElement(title)
        description = Desc()
        _add_text(description, image.alt)
        frame.addElement(description)
        paragraph = P(stylename=self._paragraph_style(align="center", page_break=page_break,
                                                      space_after="0.1cm"))
        paragraph.addElement(frame)
        return paragraph

    def _paragraph(
        self, block: Paragraph, *, page_break: bool = False, bold: bool = False,
        color: str | None = None, align: str | None = None, space_after: str = "0.1cm",
        in_table: bool = False,
    ) -> P:
        paragraph = P(
            stylename=self._paragraph_style(
                block.style, align=align or block.align, page_break=page_break,
                space_after=space_after, in_table=in_table,
            )
        )
        self._add_spans(paragraph, block.spans, bold=bold, color=color)
        return paragraph

    def _add_spans(
        self, parent: Element, spans: tuple[Span, ...], *, bold: bool = False,
        color: str | None = None,
    ) -> None:
        for span in spans:
            is_bold, text_color = span.bold or bold, span.color or color
            if is_bold or span.italic or text_color:
                element = OdfSpan(stylename=self._text_style(is_bold, span.italic, text_color))
                _add_text(element, span.text)
                parent.addElement(element)
            else:
                _add_text(parent, span.text)

    def _list(self, block: BulletList, *, bold: bool = False, color: str | None = None,
              in_table: bool = False) -> List:
        items = List(stylename=self.bullets)
        style = self._paragraph_style(space_after="0.05cm", in_table=in_table)
        for spans in block.items:
            item = ListItem()
            paragraph = P(stylename=style)
            self._add_spans(paragraph, spans, bold=bold, color=color)
            item.addElement(paragraph)
            items.addElement(item)
        return items

    def _table(self, table: Table) -> OdfTable:
        self._tables += 1
        name = f"Tableau{self._tables}"
        table_style = self._automatic(
            ("table", self._tables),
            "table",
            TableProperties(width=f"{self.width_cm}cm", align="center"),
        )
        grid = OdfTable(name=name, stylename=table_style)
        total = sum(table.widths)
        for index, weight in enumerate(table.widths):
            width = self.width_cm * weight / total
            column_style = self._automatic(
                ("col", self._tables, index),
                "table-column",
                TableColumnProperties(columnwidth=f"{width:.2f}cm"),
            )
            grid.addElement(TableColumn(stylename=column_style))
        headers = TableHeaderRows()
        if any(row.header for row in table.rows):
            grid.addElement(headers)
        row_style = self._automatic(("row",), "table-row", TableRowProperties(keeptogether="auto"))
        for row in table.rows:
            odt_row = TableRow(stylename=row_style)
            for spec in row.cells:
                odt_row.addElement(self._cell(spec))
                for _ in range(spec.span - 1):
                    odt_row.addElement(CoveredTableCell())
            (headers if row.header else grid).addElement(odt_row)
        return grid

    def _cell(self, spec: Cell) -> TableCell:
        properties: dict[str, str] = {"border": _BORDER, "padding": "0.1cm"}
        if spec.fill:
            properties["backgroundcolor"] = f"#{spec.fill}"
        if spec.middle:
            properties["verticalalign"] = "middle"
        style = self._automatic(
            ("cell", spec.fill, spec.middle), "table-cell", TableCellProperties(**properties)
        )
        attributes: dict[str, object] = {"stylename": style, "valuetype": "string"}
        if spec.span > 1:
            attributes["numbercolumnsspanned"] = spec.span
        odt_cell = TableCell(**attributes)
        for block in spec.blocks:
            if isinstance(block, Paragraph):
                odt_cell.addElement(
                    self._paragraph(
                        block, bold=spec.bold, color=spec.color,
                        align=spec.align if spec.align != "left" else None,
                        space_after="0.05cm", in_table=True,
                    )
                )
            else:
                odt_cell.addElement(
                    self._list(block, bold=spec.bold, color=spec.color, in_table=True)
                )
        return odt_cell
