"""The CTG dossier: one ZIP with every document of the convention and a cover page.

The generation date and the revision label are parameters, not the clock: the same
project, date and label always give a dossier with the same files in the same order.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from theory_of_change.model import Project

from .action_plan import action_plan_document, convention_label
from .action_sheets import action_sheets_document
from .diagram import render_diagram
from .document import (
    Document,
    Heading,
    Row,
    Span,
    Table,
    cell,
    header_row,
    missing,
    para,
    text_or_missing,
)
from .formats import render_document
from .labels import format_date
from .sppe_sheet import sppe_sheet_document
from .tracker import render_tracker_csv, render_tracker_xlsx

DEFAULT_REVISION = "version de travail"


@dataclass(frozen=True)
class DossierPart:
    """One document of the dossier: a title, a file stem and its formats."""

    stem: str
    title: str
    formats: tuple[str, ...]

    def file_names(self) -> list[str]:
        """The names of the part's files in the ZIP."""
        return [f"{self.stem}.{fmt}" for fmt in self.formats]


DOSSIER_PARTS: tuple[DossierPart, ...] = (
    DossierPart("00-page-de-garde", "Page de garde", ("docx", "odt")),
    DossierPart("01-schema-chemins-de-changement", "Schéma des chemins de changement",
                ("svg", "pdf", "png")),
    DossierPart("02-schema-complet", "Schéma complet : marqueurs de progrès et activités",
                ("svg", "pdf")),
    DossierPart("03-plan-d-action", "Plan d'action et calendrier (annexe 4)",
                ("docx", "odt", "html")),
    DossierPart("04-fiches-actions", "Fiches actions (annexe 4)", ("docx", "odt")),
    DossierPart("05-fiche-action-sppe", "Fiche action SPPE (annexe 4)", ("docx", "odt")),
    DossierPart("06-tableau-de-suivi", "Tableau de suivi (annexe 6)", ("xlsx", "csv")),
)
PRINT_DPI = 300


def dossier_folder(project: Project) -> str:
    """The folder every file of the ZIP sits in (``dossier-ctg-<project id>``)."""
    return f"dossier-ctg-{project.id}"


def dossier_file_names(project: Project) -> list[str]:
    """Every path of the ZIP, in order."""
    folder = dossier_folder(project)
    return [f"{folder}/{name}" for part in DOSSIER_PARTS for name in part.file_names()]


def cover_page_document(
    project: Project, *, generated_on: dt.date, revision: str = DEFAULT_REVISION
) -> Document:
    """The cover page: territory, period, signatories, date, revision and contents."""
    document = Document(title=f"Dossier CTG — {project.title}")
    period = project.convention
    document.add(
        para("", style="subtitle"),
        para("Convention territoriale globale", style="title", align="center"),
        para(project.territory.name, style="subtitle", align="center"),
        para(f"{period.start_year}-{period.end_year}", style="subtitle", align="center"),
        para(project.title, align="center"),
        para(
            "Dossier de la convention : schéma des chemins de changement, plan d'action, "
            "fiches actions, fiche SPPE et tableau de suivi",
            style="note", align="center",
        ),
        para(
            Span("Version\u00a0: ", bold=True), revision,
            Span(" — généré le ", bold=True), format_date(generated_on),
            align="center",
        ),
        Heading("Signataires", level=1),
    )
    if project.signatories:
        rows = [header_row("Signataire", "Qualité", "Représenté par")]
        rows.extend(
            Row(
                cells=(
                    cell(Span(s.name, bold=True)),
                    cell(text_or_missing(s.role)),
                    cell(text_or_missing(s.represented_by)),
                )
            )
            for s in project.signatories
        )
        document.add(Table(rows=tuple(rows), widths=(2.0, 1.6, 1.6)))
    else:
        document.add(para("Signataires\u00a0: ", missing()))
    document.add(Heading("Contenu du dossier", level=1))
    rows = [header_row("Document", "Fichiers")]
    rows.extend(
        Row(cells=(cell(part.title), cell(", ".join(part.file_names()))))
        for part in DOSSIER_PARTS
    )
    document.add(
        Table(rows=tuple(rows), widths=(2.2, 3.0)),
        para(
            "Tous ces documents sont produits par Chemins à partir du même modèle du projet : "
            "un numéro d'action désigne la même action dans le plan, les fiches et le "
            "tableau de suivi.",
            style="note",
        ),
    )
    document.footer = f"{project.territory.name} — {convention_label(project)}"
    return document


def _renderers(
    project: Project, generated_on: dt.date, revision: str
) -> dict[str, Callable[[str], bytes]]:
    cover = cover_page_document(project, generated_on=generated_on, revision=revision)
    plan = action_plan_document(project)
    sheets = action_sheets_document(project)
    sppe = sppe_sheet_document(project)

    def _diagram(fmt: str) -> bytes:
        return render_diagram(project, fmt, dpi=PRINT_DPI)

    def _full_diagram(fmt: str) -> bytes:
        return render_diagram(project, fmt, layers=("markers", "activities"))

    def _tracker(fmt: str) -> bytes:
        return render_tracker_xlsx(project) if fmt == "xlsx" else render_tracker_csv(project)

    def _document_of(document: Document) -> Callable[[str], bytes]:
        return lambda fmt: render_document(document, fmt)

    return {
        "00-page-de-garde": _document_of(cover),
        "01-schema-chemins-de-changement": _diagram,
        "02-schema-complet": _full_diagram,
        "03-plan-d-action": _document_of(plan),
        "04-fiches-actions": _document_of(sheets),
        "05-fiche-action-sppe": _document_of(sppe),
        "06-tableau-de-suivi": _tracker,
    }


def render_dossier(
    project: Project, *, generated_on: dt.date, revision: str = DEFAULT_REVISION
) -> bytes:
    """The dossier as the bytes of a ZIP file (see :data:`DOSSIER_PARTS`)."""
    renderers = _renderers(project, generated_on, revision)
    folder = dossier_folder(project)
    stamp = (generated_on.year, generated_on.month, generated_on.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part in DOSSIER_PARTS:
            for fmt in part.formats:
                info = zipfile.ZipInfo(f"{folder}/{part.stem}.{fmt}", date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, renderers[part.stem](fmt))
    return out.getvalue()
