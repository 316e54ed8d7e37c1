"""The SPPE action sheet (fiche action SPPE) and the duties of the organising authorities.

The table follows the Caf's template: one block per structure type (EAJE PSU, EAJE
micro-crèche PAJE, MAM, RPE, dispositifs passerelle) — every type appears, with
"à compléter" where nothing is known, never 0 — then the duties each organising authority
owes by population and how the plan answers them, and the extra elements asked of
authorities over 10 000 inhabitants.
"""

from __future__ import annotations

from theory_of_change.model import (
    SPPE_DUTY_LABELS,
    SPPE_PROJECTION_LABELS,
    SPPE_STRUCTURE_LABELS,
    DutyCoverage,
    Project,
    SppeProjection,
    SppeRow,
    SppeStructureType,
)
from theory_of_change.sppe import (
    SCHEME_THRESHOLD,
    SPPE_EXTRA_LABELS,
    OrganisingAuthority,
    organising_authorities,
    required_duties,
)

from .action_plan import convention_label
from .document import (
    ACCENT_LIGHT,
    Cell,
    Document,
    Heading,
    Inline,
    Paragraph,
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
from .labels import TO_COMPLETE, format_number, format_value
from .ordering import action_numbers

SPPE_FORMATS = ("docx", "odt", "md", "html")
SPPE_COLUMNS = (
    "Type de structure",
    "Nom et adresse de la structure",
    "Nombre actuel de places ou nombre actuel d'ETP RPE",
    "Nombre actuel de places soutenues par la collectivité",
    "Projection à 5 ans",
    "Évaluation des besoins en matière d'emplois et de compétences",
    "Projets d'investissement : type de projet",
    "Projets d'investissement : moyens humains et d'ingénierie, freins, calendrier",
)
_WITH_PLACES = {SppeProjection.closure, SppeProjection.creation, SppeProjection.development}


def projection_text(row: SppeRow) -> str:
    """The five-year projection in the template's words, "à compléter" for what is missing."""
    if row.projection is None:
        return TO_COMPLETE
    label = SPPE_PROJECTION_LABELS[row.projection]
    if row.projection not in _WITH_PLACES:
        return label
    places = (
        f"{format_number(row.projection_places)} places"
        if row.projection_places is not None
        else f"nombre de places {TO_COMPLETE}"
    )
    horizon = str(row.projection_year) if row.projection_year else TO_COMPLETE
    return f"{label} : {places}, horizon {horizon}"


def _places(row: SppeRow, value: float | None) -> str:
    unit = "ETP" if row.structure_type is SppeStructureType.rpe else None
    return format_value(value, unit=unit)


def _name_cell_content(project: Project, row: SppeRow) -> list[Inline]:
    content: list[Inline] = [text_or_missing(row.name_address)]
    if row.commune:
        name = next(c.name for c in project.territory.communes if c.id == row.commune)
        content.append(Span(f" ({name})", italic=True))
    return content


def _value_cell(text: str) -> Cell:
    return cell(missing()) if text == TO_COMPLETE else cell(text)


def _structures_table(project: Project) -> Table:
    rows = [header_row(*SPPE_COLUMNS)]
    for structure_type in SppeStructureType:
        label = SPPE_STRUCTURE_LABELS[structure_type]
        typed = [row for row in project.sppe.rows if row.structure_type is structure_type]
        if not typed:
            rows.append(
                Row(
                    cells=(
                        cell(Span(label, bold=True), fill=ACCENT_LIGHT),
                        *(cell(missing()) for _ in SPPE_COLUMNS[1:]),
                    )
                )
            )
            continue
        for row in typed:
            rows.append(
                Row(
                    cells=(
                        cell(Span(label, bold=True), fill=ACCENT_LIGHT),
                        cell(*_name_cell_content(project, row)),
                        _value_cell(_places(row, row.current_places)),
                        _value_cell(_places(row, row.supported_places)),
                        _value_cell(projection_text(row)),
                        cell(text_or_missing(row.jobs_and_skills)),
                        cell(text_or_missing(row.investment_type)),
                        cell(text_or_missing(row.investment_means)),
                    )
                )
            )
    return Table(rows=tuple(rows), widths=(1.1, 1.8, 1.0, 1.0, 1.6, 1.5, 1.3, 1.6))


def _population_text(authority: OrganisingAuthority) -> str:
    if authority.population is None:
        return f"population {TO_COMPLETE}"
    return f"{format_number(authority.population)} habitants"


def _coverage(project: Project, authority: OrganisingAuthority) -> dict[str, DutyCoverage]:
    return {
        duty.duty.value: duty
        for duty in project.sppe.duties
        if duty.authority == authority.authority
    }


def _duties_table(project: Project, authority: OrganisingAuthority) -> Table:
    numbers = action_numbers(project)
    coverage = _coverage(project, authority)
    rows = [header_row("Obligation", "Actions du plan qui y répondent", "Précisions")]
    for duty in required_duties(authority.population):
        covered = coverage.get(duty.value)
        label = SPPE_DUTY_LABELS[duty]
        actions: list[Paragraph] = []
        note: Inline = missing()
        if covered is not None:
            ordered = sorted(covered.activities, key=lambda a: numbers.get(a, 0))
            actions = [
                para(Span(f"Action #{numbers[a]}\u00a0: ", bold=True), project.activity(a).title)
                for a in ordered
            ]
            note = text_or_missing(covered.note)
        rows.append(
            Row(
                cells=(
                    cell(label[:1].upper() + label[1:]),
                    cell(*actions) if actions else cell(missing()),
                    cell(note),
                )
            )
        )
    return Table(rows=tuple(rows), widths=(2.0, 2.6, 2.0))


def _needs_extra(authorities: list[OrganisingAuthority]) -> bool:
    return any(
        a.population is None or a.population > SCHEME_THRESHOLD for a in authorities
    )


def sppe_sheet_document(project: Project) -> Document:
    """The SPPE sheet as a neutral document (landscape, like the template)."""
    document = Document(
        title=f"Fiche action SPPE — {project.title}",
        landscape=True,
        footer=f"{project.territory.name} — {convention_label(project)} — Fiche action SPPE",
    )
    document.add(
        para("Fiche action SPPE", style="title"),
        para(
            f"{project.territory.name} — {convention_label(project)} — annexe 4", style="subtitle"
        ),
        para(
            "Service public de la petite enfance (loi du 18 décembre 2023, décret du 1er avril "
            "2025). Tableau à compléter par toutes les autorités organisatrices quel que soit "
            "le nombre d'habitants.",
            style="note",
        ),
        Heading("Offre d'accueil par type de structure", level=1),
        _structures_table(project),
    )
    authorities = organising_authorities(project)
    document.add(Heading("Obligations des autorités organisatrices", level=1))
    if not authorities:
        document.add(
            para("Autorités organisatrices (communes du territoire)\u00a0: ", missing())
        )
    for authority in authorities:
        heading = f"{authority.name} — {_population_text(authority)}"
        document.add(Heading(heading, level=2))
        if authority.population is None:
            document.add(
                para(
                    "La population est inconnue : seules les obligations dues quel que soit le "
                    "nombre d'habitants sont listées ; complétez la population pour savoir si "
                    "la planification (plus de 3 500 habitants) et le schéma pluriannuel (plus "
                    "de 10 000 habitants) s'appliquent.",
                    style="note",
                )
            )
        document.add(_duties_table(project, authority))

    document.add(
        Heading("Éléments complémentaires pour les collectivités de plus de 10 000 habitants",
                level=1)
    )
    if _needs_extra(authorities) or not authorities:
        extra = project.sppe.extra
        rows = [header_row("Élément demandé", "Réponse de la collectivité")]
        for field, label in SPPE_EXTRA_LABELS.items():
            rows.append(
                Row(
                    cells=(
                        cell(label[:1].upper() + label[1:]),
                        cell(text_or_missing(getattr(extra, field))),
                    )
                )
            )
        document.add(Table(rows=tuple(rows), widths=(2.0, 4.0)))
    else:
        document.add(
            para(
                "Sans objet : aucune autorité organisatrice du territoire ne dépasse 10 000 "
                "habitants.",
                style="note",
            )
        )
    return document


def render_sppe_sheet(project: Project, fmt: str = "docx") -> bytes:
    """The SPPE sheet as ``docx`` or ``odt`` bytes (``md``, ``html`` also offered)."""
    return render_document(sppe_sheet_document(project), fmt, SPPE_FORMATS)
