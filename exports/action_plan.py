"""The action plan (annexe 4): actions by axis and sub-objective, and the calendar.

Laid out as the Caf's example: a table whose full-width rows name the strategic axis
("Axe stratégique #1 - …") and its sub-objectives, then one row per action with its
years, its number and its title; then the calendar of implementation, one row per
action and one column per year of the convention. One plan for the whole territory,
then one per commune that has actions scoped to it.
"""

from __future__ import annotations

from collections.abc import Iterable

from theory_of_change.model import ACTIVITY_KIND_LABELS, Activity, ActivityKind, Project

from .document import (
    ACCENT_LIGHT,
    ACCENT_PALE,
    MARK_FILL,
    Document,
    Heading,
    PageBreak,
    Row,
    Span,
    Table,
    cell,
    header_row,
    missing,
    para,
)
from .formats import DOCUMENT_FORMATS, render_document
from .labels import format_years
from .ordering import ActionPlanScope, action_numbers, action_plans, plan_sort_key

PLAN_FORMATS = DOCUMENT_FORMATS
NO_AXIS_TITLE = "Actions à rattacher à un axe stratégique"
YEAR_MARK = "■"


class UnknownCommuneError(KeyError):
    """Asked for the plan of a commune the territory does not have (French message)."""

    def __str__(self) -> str:
        return f"la commune « {self.args[0]} » n'existe pas dans le territoire"


def convention_label(project: Project) -> str:
    """``Convention territoriale globale 2025-2029``."""
    period = project.convention
    return f"Convention territoriale globale {period.start_year}-{period.end_year}"


def calendar_years(project: Project, activities: Iterable[Activity]) -> list[int]:
    """The convention's years, plus any year an action has outside them (never hidden)."""
    years = set(project.convention.years())
    for activity in activities:
        years.update(activity.years)
    return sorted(years)


def _groups(
    project: Project, activities: tuple[Activity, ...]
) -> list[tuple[str | None, str | None, list[Activity]]]:
    """Consecutive (axis heading, sub-objective heading, actions) of a plan in order."""
    axis_numbers = {axis.id: n for n, axis in enumerate(project.sorted_axes(), start=1)}
    keys = plan_sort_key(project)
    groups: list[tuple[str | None, str | None, list[Activity]]] = []
    last: tuple[int, int] | None = None
    for activity in activities:
        key = keys[activity.id][:2]
        if key != last:
            axis_title: str | None = None
            sub_title: str | None = None
            if last is None or key[0] != last[0]:
                if activity.axis and activity.axis in axis_numbers:
                    axis = project.axis(activity.axis)
                    axis_title = f"Axe stratégique #{axis_numbers[axis.id]} - {axis.title}"
                else:
                    axis_title = NO_AXIS_TITLE
            if activity.axis and activity.sub_objective:
                axis = project.axis(activity.axis)
                sub_title = next(
                    s.title for s in axis.sub_objectives if s.id == activity.sub_objective
                )
            groups.append((axis_title, sub_title, []))
            last = key
        groups[-1][2].append(activity)
    return groups


def _kind_label(activity: Activity) -> Span:
    label = ACTIVITY_KIND_LABELS[activity.kind]
    return Span(label[:1].upper() + label[1:], bold=activity.kind is ActivityKind.flagship)


def _plan_table(project: Project, plan: ActionPlanScope, numbers: dict[str, int]) -> Table:
    rows = [header_row("Années", "N°", "Action", "Nature")]
    for axis_title, sub_title, activities in _groups(project, plan.activities):
        if axis_title:
            rows.append(Row(cells=(cell(Span(axis_title, bold=True), span=4, fill=ACCENT_LIGHT),)))
        if sub_title:
            rows.append(Row(cells=(cell(Span(sub_title, bold=True, italic=True), span=4,
                                        fill=ACCENT_PALE),)))
        for activity in activities:
            years = format_years(activity.years) if activity.years else missing()
            rows.append(
                Row(
                    cells=(
                        cell(years),
                        cell(str(numbers[activity.id]), align="center"),
                        cell(activity.title),
                        cell(_kind_label(activity)),
                    )
                )
            )
    return Table(rows=tuple(rows), widths=(2.2, 0.9, 9.0, 3.5))


def _calendar_table(project: Project, plan: ActionPlanScope, numbers: dict[str, int]) -> Table:
    years = calendar_years(project, plan.activities)
    width = 2 + len(years)
    rows = [header_row("N°", "Action", *map(str, years), centred_from=2)]
    for axis_title, _sub_title, activities in _groups(project, plan.activities):
        if axis_title:
            rows.append(
                Row(cells=(cell(Span(axis_title, bold=True), span=width, fill=ACCENT_LIGHT),))
            )
        for activity in activities:
            title: list[Span | str] = [activity.title]
            if not activity.years:
                title.append(Span(" (années à compléter)", italic=True))
            marks = [
                cell(YEAR_MARK, fill=MARK_FILL, color="FFFFFF", align="center")
                if year in activity.years
                else cell("")
                for year in years
            ]
            rows.append(
                Row(
                    cells=(
                        cell(str(numbers[activity.id]), align="center"),
                        cell(*title),
                        *marks,
                    )
                )
            )
    return Table(rows=tuple(rows), widths=(0.9, 9.0, *(1.2 for _ in years)))


def action_plan_document(project: Project, *, commune: str | None = None) -> Document:
    """The action plan as a neutral document: every plan, or only ``commune``'s."""
    plans = action_plans(project)
    if commune is not None:
        if commune not in {c.id for c in project.territory.communes}:
            raise UnknownCommuneError(commune)
        plans = [p for p in plans if p.commune is not None and p.commune.id == commune]
    numbers = action_numbers(project)
    document = Document(
        title=f"Plan d'action — {project.title}",
        footer=f"{project.territory.name} — {convention_label(project)} — Plan d'action",
    )
    document.add(
        para("Plan d'action", style="title"),
        para(project.territory.name, style="subtitle"),
        para(f"{convention_label(project)} — annexe 4", style="subtitle"),
        para(
            "Les actions sont classées par axe stratégique puis par sous-objectif et "
            "numérotées de façon continue : un même numéro désigne l'action dans les "
            "fiches actions et dans le tableau de suivi. Les projets phares, les actions "
            "expérimentales et les actions nouvelles font l'objet d'une fiche action.",
            style="note",
        ),
    )
    if commune is not None and not plans:
        name = next(c.name for c in project.territory.communes if c.id == commune)
        document.add(
            Heading(f"Plan d'action communal — {name}", level=1),
            para("Aucune action n'est rattachée à cette commune : ", missing()),
        )
    for index, plan in enumerate(plans):
        # The territory's plan fills its own pages; the communes' plans follow each other.
        if index and plans[index - 1].commune is None:
            document.add(PageBreak())
        document.add(Heading(plan.title, level=1))
        if not plan.activities:
            document.add(para("Aucune action pour l'instant : ", missing()))
            continue
        document.add(
            _plan_table(project, plan, numbers),
            Heading("Calendrier de mise en œuvre", level=2),
            _calendar_table(project, plan, numbers),
        )
    return document


def render_action_plan(project: Project, fmt: str = "docx", *, commune: str | None = None
                       ) -> bytes:
    """The action plan as ``docx``, ``odt``, ``md`` or ``html`` bytes."""
    return render_document(action_plan_document(project, commune=commune), fmt, PLAN_FORMATS)
