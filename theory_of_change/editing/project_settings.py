"""Edit what a project says about itself: its title and notes, the signing territory,
the convention period and the signatories.

Like every edit, each function returns a new, fully validated project or raises
:class:`~theory_of_change.editing.validation.EditError` naming the field at fault in
French. Changing the convention period is allowed even when actions fall outside it —
the plan is often redrawn in that order — but :func:`set_convention_period` says which
ones, as data the page shows as a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import ConventionPeriod, Project, Territory
from .deletion import delete_row
from .items import add_item, update_row
from .kinds import ItemKind
from .labels import field_label, quoted
from .validation import EditError, clean_fields, commit, dump

SETTINGS_FIELDS = ("title", "notes")
"""The project's own fields :func:`update_project_settings` changes."""

TERRITORY_FIELDS = ("name", "kind", "population", "department", "early_childhood_competence")
"""The territory's fields :func:`set_territory` changes (communes are edited one by one)."""

TITLE_LIMIT, NOTES_LIMIT = 300, 10_000
FIRST_YEAR, LAST_YEAR = 1990, 2100
LONGEST_GAP = 6
"""A CTG lasts four to five years: at most six years between its first and last year."""


def update_project_settings(project: Project, **fields: Any) -> Project:
    """A new project whose ``title`` and/or ``notes`` are changed.

    The id never changes (links, files and revisions refer to it); the other parts of
    the project have their own operations, so any other field is refused.
    """
    _refuse_other_fields(fields, SETTINGS_FIELDS, "les paramètres du projet")
    if "title" in fields and not str(fields["title"] or "").strip():
        raise EditError("Donnez un titre au projet.", "title")
    cleaned = clean_fields(Project, fields, "le projet")
    # Checked here so the message names its field: the project's own fields sit at the
    # root of its data, where a validation error is not tied to any form field.
    for name, limit in (("title", TITLE_LIMIT), ("notes", NOTES_LIMIT)):
        value = cleaned.get(name)
        if isinstance(value, str) and len(value.strip()) > limit:
            raise EditError(
                f"Ce texte est trop long ({limit} caractères au plus, il en a "
                f"{len(value.strip())}).",
                name,
            )
    data = dump(project)
    data.update(cleaned)
    return commit(data)


def set_territory(project: Project, **fields: Any) -> Project:
    """A new project whose signing territory has ``fields`` changed.

    ``name``, ``kind`` (``commune`` or ``epci``), ``population`` (empty: unknown),
    ``department`` and ``early_childhood_competence`` (who organises early-childhood
    care: the EPCI itself, or each commune). The communes are kept as they are.
    """
    _refuse_other_fields(fields, TERRITORY_FIELDS, "le territoire")
    if "name" in fields and not str(fields["name"] or "").strip():
        raise EditError("Écrivez le nom de la collectivité signataire.", "name")
    cleaned = clean_fields(Territory, fields, "le territoire")
    data = dump(project)
    data["territory"].update(cleaned)
    return commit(data, ("territory",), Territory)


@dataclass(frozen=True)
class OutsidePeriod:
    """An action with years, or observed values, outside the convention period."""

    activity_id: str
    title: str
    years: tuple[int, ...]
    observation_years: tuple[int, ...]

    @property
    def message(self) -> str:
        """What is outside the period, in French, for the page's warning."""
        parts = []
        if self.years:
            parts.append(f"prévue en {_years_text(self.years)}")
        if self.observation_years:
            parts.append(f"a des valeurs observées en {_years_text(self.observation_years)}")
        return f"L'action {quoted(self.title)} {' et '.join(parts)}, hors de la nouvelle période."


@dataclass(frozen=True)
class PeriodChange:
    """A project with its new convention period, and the actions left outside it."""

    project: Project
    outside: tuple[OutsidePeriod, ...]

    @property
    def warnings(self) -> list[str]:
        """One French sentence per action outside the period."""
        return [item.message for item in self.outside]


def set_convention_period(project: Project, start_year: Any, end_year: Any) -> PeriodChange:
    """Change the years the convention covers (both included, e.g. 2025 and 2029).

    Refused, naming the field, when a year is not a year, when the end precedes the
    start, or when the period spans more than six years. Actions planned (or observed)
    in years outside the new period are not changed: they are returned in
    :attr:`PeriodChange.outside` so the page can say which ones to review.
    """
    start = _year(start_year, "start_year")
    end = _year(end_year, "end_year")
    if end < start:
        raise EditError(
            f"L'année de fin ({end}) précède l'année de début ({start}) de la convention.",
            "end_year",
        )
    if end - start > LONGEST_GAP:
        raise EditError(
            f"Une CTG dure 4 à 5 ans : de {start} à {end}, la période dépasse {LONGEST_GAP} ans.",
            "end_year",
        )
    data = dump(project)
    data["convention"] = {"start_year": start, "end_year": end}
    new = commit(data, ("convention",), ConventionPeriod)
    return PeriodChange(new, tuple(actions_outside(new)))


def actions_outside(project: Project) -> list[OutsidePeriod]:
    """The actions planned, or with values observed, in years outside the convention."""
    period = project.convention
    found = []
    for activity in project.activities:
        years = tuple(year for year in activity.years if year not in period)
        observed = tuple(
            sorted({o.year for o in activity.sheet.observations if o.year not in period})
        )
        if years or observed:
            found.append(OutsidePeriod(activity.id, activity.title, years, observed))
    return found


# --- Signatories -------------------------------------------------------------------------------


def add_signatory(project: Project, *, name: str, **fields: Any) -> Project:
    """Add a signatory of the convention (``role``, ``represented_by`` optional), last."""
    return add_item(project, ItemKind.signatory, name=name, **fields)


def update_signatory(project: Project, index: int, /, **fields: Any) -> Project:
    """Change the signatory at position ``index`` (from 0)."""
    return update_row(project, ItemKind.signatory, index, **fields)


def delete_signatory(project: Project, index: int) -> Project:
    """Remove the signatory at position ``index`` (from 0); nothing else refers to it."""
    return delete_row(project, ItemKind.signatory, index)


# --- Helpers -----------------------------------------------------------------------------------


def _refuse_other_fields(fields: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for name in fields:
        if name not in allowed:
            raise EditError(f"Le champ « {name} » ne se modifie pas avec {where}.", name)


def _year(value: Any, field: str) -> int:
    label = field_label(ConventionPeriod, field)
    text = str(value).strip() if value is not None else ""
    if not text:
        raise EditError(f"Indiquez l'{label}, par exemple 2025.", field)
    if isinstance(value, bool) or not text.isdigit():
        raise EditError(
            f"L'{label} s'écrit en chiffres, par exemple 2025 (et non « {text} »).", field
        )
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise EditError(
            f"L'{label} doit être comprise entre {FIRST_YEAR} et {LAST_YEAR} (et non {year}).",
            field,
        )
    return year


def _years_text(years: tuple[int, ...]) -> str:
    shown = [str(year) for year in years]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} et {shown[-1]}"
