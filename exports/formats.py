"""Turn a neutral :class:`~exports.document.Document` into the bytes of a chosen format."""

from __future__ import annotations

from .document import Document
from .docx_writer import render_docx
from .html import render_html
from .markdown import render_markdown
from .odt_writer import render_odt

DOCUMENT_FORMATS = ("docx", "odt", "md", "html")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
    "pdf": "application/pdf",
    "dot": "text/vnd.graphviz; charset=utf-8",
    "zip": "application/zip",
}


class ExportFormatError(ValueError):
    """A format that an export does not offer; the message is in French."""


def check_format(fmt: str, allowed: tuple[str, ...]) -> str:
    """``fmt`` in lower case if it is one of ``allowed``, else :class:`ExportFormatError`."""
    normalised = fmt.strip().lower().lstrip(".")
    if normalised not in allowed:
        raise ExportFormatError(
            f"format « {fmt} » non disponible ; formats possibles : {', '.join(allowed)}"
        )
    return normalised


def render_document(document: Document, fmt: str, allowed: tuple[str, ...] = DOCUMENT_FORMATS
                    ) -> bytes:
    """The document in ``fmt`` (``docx``, ``odt``, ``md`` or ``html``, within ``allowed``)."""
    fmt = check_format(fmt, allowed)
    if fmt == "docx":
        return render_docx(document)
    if fmt == "odt":
        return render_odt(document)
    if fmt == "md":
        return render_markdown(document).encode("utf-8")
    return render_html(document).encode("utf-8")
