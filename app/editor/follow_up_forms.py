"""The follow-up form of an action (annexe 6) and what its pages show: status, the
indicator's baseline and target, and the value observed each year with a comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from wtforms import Field, SelectField, StringField
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from exports.ordering import action_numbers, in_plan_order
from exports.tracker import observation_years as exported_years
from theory_of_change.editing.follow_up import COMMENT_LIMIT, observation_years
from theory_of_change.model import (
    ACTIVITY_STATUS_LABELS,
    Activity,
    ActivityStatus,
    Observation,
    Project,
)

from .evidence_forms import measure_text
from .fields import FORGED_CHOICE
from .forms import EditorForm, Layout, enum_choices, number_text, short

_CELL = re.compile(r"^(?P<year>\d{4})-(?P<part>valeur|commentaire)$")


class ObservationsField(Field):
    """One row per year: the value observed and a comment.

    The page names its inputs ``<field>-<year>-valeur`` and ``<field>-<year>-commentaire``;
    ``data`` maps each year to ``(value, comment)`` as typed, so a refused form shows
    exactly what was typed. ``years`` (set from the project) are the rows shown.
    """

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.years: list[int] = []
        self.data: dict[int, tuple[str, str]] = {}

    def input_name(self, year: int, part: str) -> str:
        """The name of the input of ``year`` (``part``: ``valeur`` or ``commentaire``)."""
        return f"{self.name}-{year}-{part}"

    def process(
        self, formdata: Any, data: Any = unset_value, extra_filters: Any = None
    ) -> None:
        """Read every year's inputs from the request, or the model's observations."""
        self.process_errors = []
        if formdata is not None and any(key.startswith(f"{self.name}-") for key in formdata):
            cells: dict[int, dict[str, str]] = {}
            prefix = f"{self.name}-"
            for key in formdata:
                found = _CELL.match(key[len(prefix):]) if key.startswith(prefix) else None
                if found:
                    row = cells.setdefault(int(found["year"]), {})
                    row[found["part"]] = str(formdata.get(key, ""))
            self.raw_data = sorted(cells)
            self.data = {
                year: (row.get("valeur", ""), row.get("commentaire", ""))
                for year, row in sorted(cells.items())
            }
            return
        observations = [] if data is unset_value or data is None else data
        self.data = {
            o.year: (number_text(o.value) if o.value is not None else "", o.comment or "")
            for o in observations
            if isinstance(o, Observation)
        }

    def pre_validate(self, form: Any) -> None:
        """Refuse a year that is not a row of the form; a comment too long."""
        if any(year not in self.years for year in self.data):
            raise ValidationError(FORGED_CHOICE)
        for year, (_value, comment) in self.data.items():
            if len(comment.strip()) > COMMENT_LIMIT:
                raise ValidationError(_(
                    "Le commentaire de %(year)s est trop long (%(max)s caractères au plus).",
                    year=year, max=COMMENT_LIMIT,
                ))

    def cell(self, year: int) -> tuple[str, str]:
        """What the row of ``year`` shows: ``(value, comment)``."""
        return self.data.get(year, ("", ""))

    def comparable(self) -> list[tuple[int, str, str]]:
        """The rows in a canonical form, to compare two versions of the form."""
        return sorted(
            (year, value.strip(), comment.strip())
            for year, (value, comment) in self.data.items()
            if value.strip() or comment.strip()
        )


class FollowUpForm(EditorForm):
    """An action's follow-up: status, indicator's baseline and target, values by year."""

    status = SelectField(
        lazy_gettext("Avancement"), choices=enum_choices(ACTIVITY_STATUS_LABELS),
        default=ActivityStatus.planned.value,
    )
    baseline = StringField(
        lazy_gettext("Valeur de départ de l'indicateur"), validators=[short()],
        description=lazy_gettext(
            "Laissez vide si elle n'est pas encore connue : elle ne vaut pas 0."
        ),
    )
    target = StringField(
        lazy_gettext("Valeur cible"), validators=[short()],
        description=lazy_gettext("Ce que l'on vise à la fin de la convention."),
    )
    observations = ObservationsField(
        lazy_gettext("Valeurs observées"),
        description=lazy_gettext(
            "Pour chaque année, la valeur mesurée de l'indicateur (un nombre, ou quelques mots) et "
            "un commentaire. Videz les deux cases d'une année pour retirer sa valeur."
        ),
    )

    domain_fields = ("status", "baseline", "target")
    layout: ClassVar[Layout] = ((None, ("status", "baseline", "target")),)

    def setup(self, project: Project, current: Any | None = None) -> None:
        """The rows: the convention's years, plus any year already observed."""
        if isinstance(current, Activity):
            self.observations.years = observation_years(project, current)
        else:
            self.observations.years = project.convention.years()

    def load(self, item: Any) -> None:
        """Show the action's status and its sheet's indicator values and observations."""
        self.status.data = item.status.value
        self.baseline.data = number_text(item.sheet.baseline) if item.sheet.baseline is not None \
            else ""
        self.target.data = number_text(item.sheet.target) if item.sheet.target is not None else ""
        self.observations.process(None, item.sheet.observations)

    def fields(self, current: Any | None = None, *, adding: bool = False) -> dict[str, Any]:
        """What :func:`~theory_of_change.editing.set_follow_up` takes."""
        return {
            "status": self.status.data,
            "baseline": self.baseline.data or "",
            "target": self.target.data or "",
            "observations": dict(self.observations.data),
        }

    def comparable(self, name: str) -> Any:
        """The observations compare row by row."""
        if name == "observations":
            return self.observations.comparable()
        return super().comparable(name)


# --- What the pages show ---------------------------------------------------------------------


@dataclass(frozen=True)
class YearRow:
    """One year of an action's follow-up as a page shows it."""

    year: int
    value: str
    comment: str | None
    observed: bool


@dataclass(frozen=True)
class FollowUpView:
    """An action's follow-up in French: status, indicators, baseline, target, years."""

    status: str
    status_value: str
    indicators: list[str]
    baseline: str
    target: str
    years: list[YearRow]

    @property
    def observed(self) -> int:
        """How many years have a value or a comment."""
        return sum(1 for row in self.years if row.observed)

    def row(self, year: int) -> YearRow | None:
        """The row of ``year`` (``None`` outside the years shown)."""
        return next((row for row in self.years if row.year == year), None)


def follow_up_view(project: Project, activity: Activity) -> FollowUpView:
    """The follow-up of ``activity``, every year of the convention (observed or not)."""
    by_year = {o.year: o for o in activity.sheet.observations}
    rows = []
    for year in observation_years(project, activity):
        observation = by_year.get(year)
        rows.append(
            YearRow(
                year,
                measure_text(observation.value) if observation else "—",
                observation.comment if observation else None,
                observation is not None,
            )
        )
    return FollowUpView(
        ACTIVITY_STATUS_LABELS[activity.status],
        activity.status.value,
        list(activity.sheet.indicators),
        measure_text(activity.sheet.baseline),
        measure_text(activity.sheet.target),
        rows,
    )


@dataclass(frozen=True)
class TrackingRow:
    """An action in the follow-up table: its number in the plan and its follow-up."""

    number: int
    activity: Activity
    follow_up: FollowUpView


def tracking_rows(project: Project) -> list[TrackingRow]:
    """Every action in plan order, numbered as in the documents, with its follow-up."""
    numbers = action_numbers(project)
    ordered = sorted(in_plan_order(project), key=lambda activity: numbers[activity.id])
    return [
        TrackingRow(numbers[activity.id], activity, follow_up_view(project, activity))
        for activity in ordered
    ]


def tracking_years(project: Project) -> list[int]:
    """The year columns of the follow-up table (as the exported table has them)."""
    return exported_years(project)
