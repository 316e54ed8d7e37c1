"""A neutral document structure that every writer (DOCX, ODT, Markdown, HTML) renders.

The plan, the action sheets, the SPPE sheet, the cover page and the workshop minutes are
built once as a :class:`Document` — headings, paragraphs, bullet lists, tables, page
breaks, images — and each writer turns that structure into its format, so the formats
can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .labels import TO_COMPLETE, is_missing

Align = Literal["left", "center", "right"]
ParagraphStyle = Literal["body", "title", "subtitle", "small", "note"]

# A sober palette shared by the writers (hex without "#"): dark blue headings and table
# headers, light tints for axis and sub-objective rows.
ACCENT = "1F4E79"
ACCENT_LIGHT = "D6E4F0"
ACCENT_PALE = "EEF4FA"
MARK_FILL = "2E75B6"
MUTED = "595959"


@dataclass(frozen=True)
class Span:
    """A piece of text with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False
    color: str | None = None


Inline = str | Span


def _spans(content: Iterable[Inline] | Inline) -> tuple[Span, ...]:
    if isinstance(content, str | Span):
        content = (content,)
    return tuple(item if isinstance(item, Span) else Span(item) for item in content)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of spans."""

    spans: tuple[Span, ...]
    style: ParagraphStyle = "body"
    align: Align = "left"

    @property
    def text(self) -> str:
        """The plain text of the paragraph."""
        return "".join(span.text for span in self.spans)


@dataclass(frozen=True)
class Heading:
    """A heading of level 1 (document part) to 3."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class BulletList:
    """A bulleted list; each item is a paragraph of spans."""

    items: tuple[tuple[Span, ...], ...]


@dataclass(frozen=True)
class Cell:
    """A table cell: paragraphs and lists, an optional fill and a column span."""

    blocks: tuple[Paragraph | BulletList, ...]
    span: int = 1
    fill: str | None = None
    bold: bool = False
    color: str | None = None
    align: Align = "left"
    middle: bool = False

    @property
    def text(self) -> str:
        """The plain text of the cell, one line per paragraph or item."""
        lines: list[str] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                lines.append(block.text)
            else:
                lines.extend("".join(s.text for s in item) for item in block.items)
        return "\n".join(lines)


@dataclass(frozen=True)
class Row:
    """A table row; ``header`` rows repeat at the top of each page."""

    cells: tuple[Cell, ...]
    header: bool = False


@dataclass(frozen=True)
class Table:
    """A table with relative column widths (they are scaled to the page width)."""

    rows: tuple[Row, ...]
    widths: tuple[float, ...]

    def __post_init__(self) -> None:
        for index, row in enumerate(self.rows):
            if sum(cell.span for cell in row.cells) != len(self.widths):
                raise ValueError(f"row {index} does not fill the {len(self.widths)} columns")


@dataclass(frozen=True)
class PageBreak:
    """Start the next block on a new page."""


@dataclass(frozen=True)
class Image:
    """A picture (a chart): PNG for office documents, inline SVG for web pages.

    ``alt`` is the text alternative every format carries (Word's and LibreOffice's
    description, the HTML ``alt``). ``svg`` is SVG markup without its XML prolog, shown
    instead of the PNG in HTML. A document meant for one kind of output may carry only
    the picture it needs: DOCX and ODT need ``png``, HTML either. ``caption`` is printed
    under the picture.
    """

    alt: str
    width_cm: float
    height_cm: float
    png: bytes | None = None
    svg: str | None = None
    caption: str | None = None

    def __post_init__(self) -> None:
        if self.png is None and self.svg is None:
            raise ValueError("an image needs a PNG or an SVG")


Block = Heading | Paragraph | BulletList | Table | PageBreak | Image


@dataclass
class Document:
    """A whole document: metadata, page orientation and blocks."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    landscape: bool = False
    footer: str | None = None

    def add(self, *blocks: Block) -> Document:
        """Append blocks; returns the document so calls can be chained."""
        self.blocks.extend(blocks)
        return self


# --- Builders ----------------------------------------------------------------------------


def para(
    *content: Inline, style: ParagraphStyle = "body", align: Align = "left"
) -> Paragraph:
    """A paragraph from strings and spans."""
    return Paragraph(spans=_spans(content), style=style, align=align)


def bullets(items: Iterable[Inline | Sequence[Inline]]) -> BulletList:
    """A bulleted list from strings, spans or sequences of them."""
    return BulletList(items=tuple(_spans(item) for item in items))  # type: ignore[arg-type]


def missing() -> Span:
    """The "à compléter" span, in italics so it stands out."""
    return Span(TO_COMPLETE, italic=True, color=MUTED)


def text_or_missing(value: str | None) -> Inline:
    """The value, or the italic "à compléter" span when it is empty."""
    return missing() if is_missing(value) else str(value)


def labelled(label: str, value: str | None) -> Paragraph:
    """``Label : value`` with the label in bold and "à compléter" for a missing value."""
    return para(Span(f"{label}\u00a0: ", bold=True), text_or_missing(value))


def bullets_or_missing(items: Sequence[str]) -> Paragraph | BulletList:
    """A bulleted list of the items, or an "à compléter" paragraph when there is none."""
    kept = [item for item in items if not is_missing(item)]
    return bullets(kept) if kept else para(missing())


def cell(
    *content: Inline | Paragraph | BulletList,
    span: int = 1,
    fill: str | None = None,
    bold: bool = False,
    color: str | None = None,
    align: Align = "left",
    middle: bool = False,
) -> Cell:
    """A cell from strings, spans, paragraphs and lists (consecutive inlines share a line).

    ``middle`` centres the content vertically (the default is the top of the cell).
    """
    blocks: list[Paragraph | BulletList] = []
    pending: list[Inline] = []
    for item in content:
        if isinstance(item, Paragraph | BulletList):
            if pending:
                blocks.append(para(*pending, align=align))
                pending = []
            blocks.append(item)
        else:
            pending.append(item)
    if pending or not blocks:
        blocks.append(para(*pending, align=align))
    return Cell(
        blocks=tuple(blocks), span=span, fill=fill, bold=bold, color=color, align=align,
        middle=middle,
    )


def header_row(*labels: str, centred_from: int | None = None) -> Row:
    """A repeated header row: white bold text on the accent colour.

    Labels from index ``centred_from`` on are centred (columns of years, of marks).
    """
    return Row(
        cells=tuple(
            cell(
                label, fill=ACCENT, bold=True, color="FFFFFF",
                align="center" if centred_from is not None and index >= centred_from else "left",
            )
            for index, label in enumerate(labels)
        ),
        header=True,
    )


def document_text(document: Document) -> str:
    """Every text of the document, one line per paragraph or cell (for tests and search)."""
    lines: list[str] = []
    for block in document.blocks:
        if isinstance(block, Heading):
            lines.append(block.text)
        elif isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, BulletList):
            lines.extend("".join(s.text for s in item) for item in block.items)
        elif isinstance(block, Table):
            for row in block.rows:
                lines.extend(c.text for c in row.cells)
        elif isinstance(block, Image):
            lines.extend(text for text in (block.caption, block.alt) if text)
    return "\n".join(lines)
