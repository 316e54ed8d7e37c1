"""Render a :class:`~exports.document.Document` as Markdown (GitHub-flavoured tables).

A paragraph in the title style becomes the page's ``#`` heading, and document headings
start at ``##``.
"""

from __future__ import annotations

from .document import (
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

_SPECIAL = str.maketrans({char: f"\\{char}" for char in "\\`*_[]<|"})


def render_markdown(document: Document) -> str:
    """The document as Markdown text (ends with a newline)."""
    parts: list[str] = []
    for block in document.blocks:
        if isinstance(block, Heading):
            parts.append(f"{'#' * (block.level + 1)} {_escape(block.text)}")
        elif isinstance(block, Paragraph):
            text = _spans(block.spans)
            if not text:
                continue
            if block.style == "title":
                text = f"# {text}"
            elif block.style == "subtitle":
                text = f"**{text}**"
            parts.append(text)
        elif isinstance(block, BulletList):
            parts.append("\n".join(f"- {_spans(item)}" for item in block.items))
        elif isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, PageBreak):
            parts.append("---")
        elif isinstance(block, Image):
            # Markdown cannot hold the picture itself: its description stands in for it.
            parts.append(f"*Graphique : {_escape(block.caption or block.alt)}*")
    return "\n\n".join(part for part in parts if part) + "\n"


def _escape(text: str) -> str:
    return " ".join(text.translate(_SPECIAL).split())


def _spans(spans: tuple[Span, ...]) -> str:
    out: list[str] = []
    for span in spans:
        text = _escape(span.text)
        if not text:
            continue
        # Emphasis markers must hug the words: keep surrounding spaces outside them.
        lead = " " if span.text[:1].isspace() else ""
        trail = " " if span.text[-1:].isspace() else ""
        if span.bold and span.italic:
            text = f"***{text}***"
        elif span.bold:
            text = f"**{text}**"
        elif span.italic:
            text = f"*{text}*"
        out.append(f"{lead}{text}{trail}")
    return "".join(out).strip()


def _cell(spec: Cell) -> str:
    lines: list[str] = []
    for block in spec.blocks:
        if isinstance(block, Paragraph):
            lines.append(_spans(block.spans))
        else:
            lines.extend(f"• {_spans(item)}" for item in block.items)
    text = "<br>".join(line for line in lines if line)
    return f"**{text}**" if spec.bold and text and not text.startswith("**") else text


def _table(table: Table) -> str:
    width = len(table.widths)
    rows: list[list[str]] = []
    header: list[str] | None = None
    for row in table.rows:
        cells: list[str] = []
        for spec in row.cells:
            # Markdown has no column spans: the text goes in the first column.
            cells.append(_cell(spec))
            cells.extend("" for _ in range(spec.span - 1))
        if row.header and header is None:
            header = cells
        else:
            rows.append(cells)
    if header is None:
        header = ["" for _ in range(width)]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in range(width)) + "|",
    ]
    lines.extend("| " + " | ".join(cells) + " |" for cells in rows)
    return "\n".join(lines)
