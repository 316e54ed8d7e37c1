"""Render a :class:`~exports.document.Document` as one self-contained HTML page.

The page embeds its style sheet and uses no external asset, so it opens offline, can be
sent by e-mail and prints cleanly (page breaks, repeated table headers).
"""

from __future__ import annotations

import base64
from html import escape

from .document import (
    ACCENT,
    ACCENT_PALE,
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

_CSS = f"""
:root {{ color-scheme: light; }}
body {{ font-family: Arial, "Liberation Sans", "DejaVu Sans", sans-serif; font-size: 11pt;
  color: #1a1a1a; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }}
body.landscape {{ max-width: 90rem; }}
h1, h2, h3, h4 {{ color: #{ACCENT}; line-height: 1.2; }}
h1 {{ font-size: 1.7rem; }} h2 {{ font-size: 1.35rem; margin-top: 2rem; }}
h3 {{ font-size: 1.15rem; }} h4 {{ font-size: 1rem; }}
p {{ margin: 0.3rem 0; }}
p.title {{ font-size: 1.9rem; font-weight: bold; color: #{ACCENT}; }}
p.subtitle {{ font-size: 1.25rem; font-weight: bold; color: #{ACCENT}; }}
p.small {{ font-size: 0.8rem; color: #{MUTED}; }}
p.note {{ font-size: 0.9rem; font-style: italic; color: #{MUTED}; }}
.center {{ text-align: center; }} .right {{ text-align: right; }}
table {{ border-collapse: collapse; width: 100%; margin: 0.8rem 0 1.2rem; }}
th, td {{ border: 1px solid #8c8c8c; padding: 0.3rem 0.45rem; vertical-align: top; }}
th {{ text-align: left; }}
td ul, th ul {{ margin: 0; padding-left: 1.1rem; }}
tr:nth-child(even) td:not([style]) {{ background: #{ACCENT_PALE}; }}
.page-break {{ break-after: page; border: 0; margin: 2rem 0; border-top: 1px dashed #bbb; }}
footer {{ margin-top: 2rem; font-size: 0.8rem; color: #{MUTED}; }}
figure {{ margin: 1rem 0; text-align: center; overflow-x: auto; }}
figure svg, figure img {{ width: 100%; max-width: 48rem; min-width: 34rem; height: auto; }}
figcaption {{ font-size: 0.9rem; font-style: italic; color: #{MUTED}; margin-top: 0.3rem; }}
@media (max-width: 40rem) {{
  body {{ margin: 1rem auto; padding: 0 0.5rem; }}
  table {{ font-size: 0.9rem; }}
  th, td {{ padding: 0.2rem 0.25rem; }}
}}
@media print {{
  body {{ margin: 0; max-width: none; font-size: 10pt; }}
  .page-break {{ border: 0; margin: 0; }}
  thead {{ display: table-header-group; }}
  tr {{ break-inside: avoid; }}
  figure {{ break-inside: avoid; }}
}}
"""


def render_html(document: Document) -> str:
    """The document as a complete HTML page (UTF-8, French, no external asset)."""
    body: list[str] = []
    for block in document.blocks:
        if isinstance(block, Heading):
            level = min(block.level + 1, 4)
            body.append(f"<h{level}>{escape(block.text)}</h{level}>")
        elif isinstance(block, Paragraph):
            body.append(_paragraph(block))
        elif isinstance(block, BulletList):
            body.append(_list(block))
        elif isinstance(block, Table):
            body.append(_table(block))
        elif isinstance(block, PageBreak):
            body.append('<hr class="page-break">')
        elif isinstance(block, Image):
            body.append(_figure(block))
    footer = f"<footer>{escape(document.footer)}</footer>" if document.footer else ""
    page_class = ' class="landscape"' if document.landscape else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="Chemins">\n'
        f"<title>{escape(document.title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body{page_class}>\n<main>\n"
        + "\n".join(body)
        + f"\n</main>\n{footer}\n</body>\n</html>\n"
    )


def _figure(image: Image) -> str:
    """A figure: the inline SVG when there is one (it has its own title), else the PNG."""
    if image.svg is not None or image.png is None:
        picture = image.svg or ""
    else:
        data = base64.b64encode(image.png).decode("ascii")
        picture = f'<img src="data:image/png;base64,{data}" alt="{escape(xml_safe(image.alt))}">'
    caption = (
        f"<figcaption>{escape(xml_safe(image.caption))}</figcaption>" if image.caption else ""
    )
    return f"<figure>{picture}{caption}</figure>"


def _spans(spans: tuple[Span, ...]) -> str:
    out: list[str] = []
    for span in spans:
        text = escape(xml_safe(span.text)).replace("\n", "<br>")
        if span.bold:
            text = f"<strong>{text}</strong>"
        if span.italic:
            text = f"<em>{text}</em>"
        if span.color:
            text = f'<span style="color:#{span.color}">{text}</span>'
        out.append(text)
    return "".join(out)


def _paragraph(block: Paragraph) -> str:
    if block.style == "title":
        return f"<h1>{_spans(block.spans)}</h1>"
    classes = [c for c in (block.style if block.style != "body" else "",
                           block.align if block.align != "left" else "") if c]
    attribute = f' class="{" ".join(classes)}"' if classes else ""
    return f"<p{attribute}>{_spans(block.spans)}</p>"


def _list(block: BulletList) -> str:
    items = "".join(f"<li>{_spans(item)}</li>" for item in block.items)
    return f"<ul>{items}</ul>"


def _cell(spec: Cell, tag: str, width: float | None) -> str:
    styles: list[str] = []
    if spec.fill:
        styles.append(f"background:#{spec.fill}")
    if spec.color:
        styles.append(f"color:#{spec.color}")
    if spec.bold and tag == "td":
        styles.append("font-weight:bold")
    if spec.align != "left":
        styles.append(f"text-align:{spec.align}")
    if spec.middle:
        styles.append("vertical-align:middle")
    if width is not None:
        styles.append(f"width:{width:.1f}%")
    attributes = ' scope="col"' if tag == "th" else ""
    attributes += f' colspan="{spec.span}"' if spec.span > 1 else ""
    if styles:
        attributes += f' style="{";".join(styles)}"'
    content = "".join(
        _spans(block.spans) if len(spec.blocks) == 1 and isinstance(block, Paragraph)
        else _paragraph(block) if isinstance(block, Paragraph)
        else _list(block)
        for block in spec.blocks
    )
    return f"<{tag}{attributes}>{content}</{tag}>"


def _table(table: Table) -> str:
    total = sum(table.widths)
    percents = [100 * w / total for w in table.widths]
    head: list[str] = []
    body: list[str] = []
    first_data = True
    for row in table.rows:
        tag = "th" if row.header else "td"
        widths: list[float | None] = []
        position = 0
        for spec in row.cells:
            # Widths go on the first row only; the browser keeps them for the column.
            widths.append(sum(percents[position : position + spec.span]) if first_data else None)
            position += spec.span
        cells = "".join(_cell(spec, tag, w) for spec, w in zip(row.cells, widths, strict=True))
        (head if row.header else body).append(f"<tr>{cells}</tr>")
        first_data = False
    thead = f"<thead>{''.join(head)}</thead>" if head else ""
    return f"<table>{thead}<tbody>{''.join(body)}</tbody></table>"
