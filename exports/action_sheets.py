"""The action sheets (fiches actions), laid out as the Caf's template, one per page.

Each sheet opens with "Action #n" and the list of every strategic axis, the action's
box ticked (☒) and the others not (☐); then the template's five columns — objectives,
description, lead / partners / target public, calendar and main steps, "Nous aurons
réussi si…" (expected results and evaluation indicators) — and the changes the action
contributes to with their progress markers by level. By default only the actions that
need a sheet (flagship, experimental and new ones) get one.
"""

from __future__ import annotations

from theory_of_change.model import (
    ACTIVITY_KIND_LABELS,
    KINDS_NEEDING_SHEET,
    MARKER_LEVEL_LABELS,
    Activity,
    ChangeStatus,
    Link,
    MarkerLevel,
    Project,
)

from .action_plan import convention_label
from .document import (
    ACCENT,
    ACCENT_LIGHT,
    BulletList,
    Document,
    Heading,
    PageBreak,
    Paragraph,
    Row,
    Span,
    Table,
    bullets_or_missing,
    cell,
    header_row,
    labelled,
    missing,
    para,
)
from .formats import render_document
from .labels import format_value, format_years, join_list
from .ordering import action_numbers

SHEET_FORMATS = ("docx", "odt", "md", "html")
TICKED, UNTICKED = "☒", "☐"
SHEET_COLUMNS = (
    "Objectifs visés",
    "Descriptif de l'action",
    "Le pilote, les partenaires, le(s) public(s) cible",
    "Calendrier potentiel, principales étapes",
    "Nous aurons réussi si… (résultats attendus et indicateurs d'évaluation)",
)


def sheet_activities(project: Project, *, include_all: bool = False) -> list[Activity]:
    """The actions that get a sheet, by number: those that need one, or all."""
    numbers = action_numbers(project)
    return sorted(
        (a for a in project.activities if include_all or a.kind in KINDS_NEEDING_SHEET),
        key=lambda activity: numbers[activity.id],
    )


def _scope_text(project: Project, activity: Activity) -> str:
    if not activity.scope:
        return f"Périmètre : {project.territory.name}"
    names = {c.id: c.name for c in project.territory.communes}
    return "Communes : " + ", ".join(names[c] for c in activity.scope)


def _axis_cell_blocks(project: Project, activity: Activity) -> list[Paragraph]:
    blocks = [para(Span("AXE STRATÉGIQUE", bold=True))]
    axes = project.sorted_axes()
    if not axes:
        blocks.append(para(f"{UNTICKED} ", missing()))
        return blocks
    for axis in axes:
        if axis.id == activity.axis:
            line: list[Span | str] = [Span(f"{TICKED} {axis.title}", bold=True)]
            sub = next((s for s in axis.sub_objectives if s.id == activity.sub_objective), None)
            if sub is not None:
                line.append(Span(f" — {sub.title}", italic=True))
            blocks.append(para(*line))
        else:
            blocks.append(para(f"{UNTICKED} {axis.title}"))
    if activity.axis is None:
        blocks.append(para("Axe\u00a0: ", missing()))
    return blocks


def _main_table(activity: Activity) -> Table:
    sheet = activity.sheet
    description: list[Paragraph | BulletList] = []
    if sheet.initial_diagnostic:
        description.append(labelled("Diagnostic initial", sheet.initial_diagnostic))
    description.extend(
        para(line) for line in (sheet.description or "").split("\n") if line.strip()
    )
    if not sheet.description:
        description.append(para(missing()))

    people = [
        labelled("Pilote", sheet.lead),
        labelled("Partenaires", join_list(sheet.partners) if sheet.partners else None),
        labelled("Public cible", sheet.target_public),
    ]

    calendar: list[Paragraph] = [
        labelled("Années", format_years(activity.years) if activity.years else None)
    ]
    calendar.extend(
        para(Span(f"{step.period}\u00a0: ", bold=True), step.text) for step in sheet.schedule
    )
    if not sheet.schedule:
        calendar.append(para(Span("Étapes\u00a0: ", bold=True), missing()))

    success: list[Paragraph | BulletList] = [
        para(Span("Résultats attendus\u00a0:", bold=True)),
        bullets_or_missing(sheet.expected_results),
        para(Span("Indicateurs d'évaluation\u00a0:", bold=True)),
        bullets_or_missing(sheet.indicators),
        labelled("Valeur de référence", format_value(sheet.baseline)),
        labelled("Cible", format_value(sheet.target)),
    ]
    return Table(
        rows=(
            header_row(*SHEET_COLUMNS),
            Row(
                cells=(
                    cell(bullets_or_missing(sheet.objectives)),
                    cell(*description),
                    cell(*people),
                    cell(*calendar),
                    cell(*success),
                )
            ),
        ),
        widths=(1.0, 1.3, 1.0, 1.0, 1.2),
    )


def _link_text(project: Project, link: Link) -> list[Span | str]:
    change = project.change(link.to)
    parts: list[Span | str] = []
    if change.status is ChangeStatus.prioritised:
        rank = f"Priorité {change.priority_rank}" if change.priority_rank else "Prioritaire"
        parts.append(Span(f"{rank} — ", bold=True))
    parts.append(change.statement)
    return parts


def _changes_table(project: Project, activity: Activity) -> Table | Paragraph:
    if not activity.contributes_to:
        return para("Changements visés\u00a0: ", missing())
    levels = list(MarkerLevel)
    rows = [
        header_row(
            "Changement visé",
            *(MARKER_LEVEL_LABELS[level].capitalize() for level in levels),
        )
    ]
    for link in activity.contributes_to:
        first: list[Paragraph] = [para(*_link_text(project, link))]
        if link.hypothesis:
            first.append(
                para(Span("Hypothèse\u00a0: ", bold=True, italic=True),
                     Span(link.hypothesis, italic=True))
            )
        marker_cells = []
        for level in levels:
            texts = [m.text for m in project.markers if m.change == link.to and m.level is level]
            marker_cells.append(cell(bullets_or_missing(texts)))
        rows.append(Row(cells=(cell(*first, fill=ACCENT_LIGHT), *marker_cells)))
    return Table(rows=tuple(rows), widths=(1.4, 1.0, 1.0, 1.0))


def action_sheets_document(project: Project, *, include_all: bool = False) -> Document:
    """The action sheets as a neutral document, one sheet per page."""
    numbers = action_numbers(project)
    document = Document(
        title=f"Fiches actions — {project.title}",
        landscape=True,
        footer=f"{project.territory.name} — {convention_label(project)} — Fiches actions",
    )
    activities = sheet_activities(project, include_all=include_all)
    if not activities:
        document.add(
            para("Fiches actions", style="title"),
            para(
                "Aucune action n'est un projet phare, une action expérimentale ou une action "
                "nouvelle : aucune fiche n'est requise.",
                style="note",
            ),
        )
        return document
    for index, activity in enumerate(activities):
        if index:
            document.add(PageBreak())
        number = numbers[activity.id]
        kind = ACTIVITY_KIND_LABELS[activity.kind]
        details = [kind[:1].upper() + kind[1:], _scope_text(project, activity)]
        if activity.themes:
            details.append(
                "Thématiques : " + ", ".join(project.theme(t).label for t in activity.themes)
            )
        document.add(
            Heading(f"Action #{number} — {activity.title}", level=1),
            para(" · ".join(details), style="note"),
            Table(
                rows=(
                    Row(
                        cells=(
                            cell(Span(f"Action #{number}", bold=True), fill=ACCENT,
                                 color="FFFFFF", align="center", middle=True),
                            cell(*_axis_cell_blocks(project, activity)),
                        )
                    ),
                ),
                widths=(1.0, 5.5),
            ),
            _main_table(activity),
            Heading("Changements visés et marqueurs de progrès", level=2),
            _changes_table(project, activity),
        )
    return document


def render_action_sheets(
    project: Project, fmt: str = "docx", *, include_all: bool = False
) -> bytes:
    """The action sheets as ``docx`` or ``odt`` bytes (``md``, ``html`` also offered)."""
    return render_document(
        action_sheets_document(project, include_all=include_all), fmt, SHEET_FORMATS
    )
