"""« Où en sommes-nous ? » — a project's dashboard: the renewal calendar and the funding.

The calendar is the project's own (``Project.milestones``, the Caf's June 2025 calendar
by default): where the project stands on a date (today, or any date asked for — to see
what will be late by the next steering committee), what comes next, what is late, and
each step's status, editable by editors. Changing the calendar is a project save like
any other: a revision, refused if someone saved in between.

The funding helper applies the Caf's rules (:mod:`theory_of_change.funding`) to the
costs typed in: it computes, it saves nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import HiddenInput

from app.console_forms import FrenchForm, choices
from app.extensions import database
from app.history import ConflictView, author_name, conflict_context, current_project
from app.permissions import Role, require_project_role
from theory_of_change.calendar import (
    MILESTONE_STATUS_LABELS,
    Milestone,
    MilestoneStatus,
    format_day,
    format_period,
    is_current,
    is_late,
    where_we_stand,
)
from theory_of_change.editing import EditError, add_milestone, delete_node, update_fields
from theory_of_change.funding import (
    DIAGNOSTIC_RULE,
    ENGINEERING_RULE,
    FundingError,
    FundingResult,
    diagnostic_funding,
    engineering_funding,
    format_euros,
)
from theory_of_change.model import Project
from workshops.store.projects import RevisionConflict, edit_project

bp = Blueprint("dashboard", __name__,
               url_prefix="/console/projets/<int:project_id>/tableau-de-bord")

PARIS = "Europe/Paris"
STATUS_CHOICES = [(status.value, label) for status, label in MILESTONE_STATUS_LABELS.items()]
ENGINEERING_PREFIX = "ingenierie-"
COST_MAX_LENGTH = 30

Operation = Callable[[Project], Project]


def today_in_france() -> dt.date:
    """Today's date in France (the server may run on UTC)."""
    try:
        return dt.datetime.now(ZoneInfo(PARIS)).date()
    except ZoneInfoNotFoundError:
        return dt.date.today()


# --- Forms ------------------------------------------------------------------------------------


class RevisionForm(FrenchForm):
    """The revision a calendar form was loaded at (optimistic locking)."""

    revision = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1)])


class StatusForm(RevisionForm):
    """A calendar step's status."""

    status = SelectField(lazy_gettext("État"), choices=choices(STATUS_CHOICES))


class MilestoneForm(RevisionForm):
    """A calendar step: title, first and last day, status."""

    title = StringField(
        lazy_gettext("Intitulé de l'étape"),
        validators=[InputRequired(lazy_gettext("Donnez un intitulé à l'étape.")),
                    Length(max=300, message=lazy_gettext("300 caractères au plus."))],
    )
    start = DateField(lazy_gettext("Début"),
                      validators=[InputRequired(lazy_gettext("Indiquez la date de début."))])
    end = DateField(lazy_gettext("Fin"),
                    validators=[InputRequired(lazy_gettext("Indiquez la date de fin."))])
    status = SelectField(
        lazy_gettext("État"), choices=choices(STATUS_CHOICES),
        default=MilestoneStatus.planned.value
    )

    def validate_end(self, field: DateField) -> None:
        """The end cannot precede the start (the model says so too; here, by the field)."""
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_("La date de fin précède la date de début."))

    def fill(self, milestone: Milestone) -> None:
        """Show ``milestone`` in the form."""
        self.title.data = milestone.title
        self.start.data = milestone.start
        self.end.data = milestone.end
        self.status.data = milestone.status.value

    def fields_data(self) -> dict[str, Any]:
        """The step's fields, as the editing operations take them."""
        return {
            "title": self.title.data,
            "start": self.start.data,
            "end": self.end.data,
            "status": MilestoneStatus(self.status.data),
        }


class DateForm(FrenchForm):
    """The date to see the calendar at (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    date = DateField(lazy_gettext("Situation au"), validators=[InputRequired()])


def _french_date_errors(form: DateForm | MilestoneForm) -> None:
    # WTForms' own message for an unreadable date is English-minded ("Not a valid date").
    for name in ("date", "start", "end"):
        field = form._fields.get(name)
        unreadable = field is not None and field.data is None and bool(field.raw_data)
        if unreadable and field.errors and field.raw_data[0]:
            field.errors = [_("Date illisible : utilisez le format jj/mm/aaaa.")]


# --- Funding helper ---------------------------------------------------------------------------


@dataclass
class Funding:
    """The funding helper's inputs, results and French errors by field name."""

    years: list[int]
    values: dict[str, str]
    errors: dict[str, str]
    diagnostic: FundingResult | None = None
    engineering: FundingResult | None = None


def engineering_years(project: Project) -> list[int]:
    """The years engineering costs may fall in: those of the calendar, else the convention."""
    if project.milestones:
        first = min(m.start.year for m in project.milestones)
        last = max(m.end.year for m in project.milestones)
    else:
        first, last = project.convention.start_year, project.convention.end_year
    return list(range(first, last + 1))


def funding_from(args: Mapping[str, str], years: list[int]) -> Funding:
    """The Caf's shares of the costs typed in ``args`` (empty fields are skipped)."""
    names = ["diagnostic", *(f"{ENGINEERING_PREFIX}{year}" for year in years)]
    values = {name: args.get(name, "").strip()[:COST_MAX_LENGTH] for name in names}
    funding = Funding(years=years, values=values, errors={})
    if values["diagnostic"]:
        try:
            funding.diagnostic = diagnostic_funding(values["diagnostic"])
        except FundingError as error:
            funding.errors["diagnostic"] = str(error)
    costs: dict[int, str] = {}
    for year in years:
        name = f"{ENGINEERING_PREFIX}{year}"
        if not values[name]:
            continue
        try:
            engineering_funding({year: values[name]})  # to put an error next to its year
        except FundingError as error:
            funding.errors[name] = str(error)
        else:
            costs[year] = values[name]
    if costs and not any(name.startswith(ENGINEERING_PREFIX) for name in funding.errors):
        funding.engineering = engineering_funding(costs)
    return funding


# --- Pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarRow:
    """A calendar step as the dashboard lists it."""

    milestone: Milestone
    period: str
    late: bool
    current: bool


def _calendar(project: Project, day: dt.date) -> list[CalendarRow]:
    ordered = sorted(project.milestones, key=lambda m: (m.start, m.end))
    return [
        CalendarRow(m, format_period(m.start, m.end), is_late(m, day), is_current(m, day))
        for m in ordered
    ]


def _dashboard(
    project_id: int, *, conflict: ConflictView | None = None, status: int = 200,
    chosen: dict[str, str] | None = None,
) -> tuple[str, int]:
    """The dashboard page; ``chosen`` keeps a status the user picked but could not save."""
    project, revision = current_project(project_id)
    date_form = DateForm(request.args if "date" in request.args else None)
    day = today_in_france()
    if "date" in request.args:
        if date_form.validate():
            day = date_form.date.data
        else:
            _french_date_errors(date_form)
            status = 400
    else:
        date_form.date.data = day
    statuses = {m.id: m.status.value for m in project.milestones} | (chosen or {})
    funding = funding_from(request.args, engineering_years(project))
    if funding.errors:
        status = 400
    return render_template(
        "dashboard/index.html", project=project, project_id=project_id, revision=revision,
        day=day, day_text=format_day(day), standing=where_we_stand(project, day),
        calendar=_calendar(project, day), statuses=statuses, status_choices=STATUS_CHOICES,
        date_form=date_form, funding=funding, diagnostic_rule=DIAGNOSTIC_RULE,
        engineering_rule=ENGINEERING_RULE, conflict=conflict,
        status_labels=MILESTONE_STATUS_LABELS,
    ), status


@bp.app_template_filter("euros")
def _euros(amount: Decimal) -> str:
    return format_euros(amount)


@bp.get("/")
@require_project_role(Role.viewer)
def index(project_id: int) -> tuple[str, int]:
    """Where the project stands on a date, its calendar, and the funding helper."""
    return _dashboard(project_id)


def _save(project_id: int, form: RevisionForm, operation: Operation) -> ConflictView | None:
    """Save ``operation`` on top of the form's revision; the conflict if it is refused."""
    try:
        with database.session() as db:
            edit_project(db, project_id, operation, author_name(),
                         expected_revision=form.revision.data, note="Calendrier de renouvellement")
    except RevisionConflict as conflict:
        return conflict_context(conflict, operation)
    return None


@bp.post("/jalons/<milestone_id>/statut")
@require_project_role(Role.editor)
def set_status(project_id: int, milestone_id: str) -> Response | tuple[str, int]:
    """Change one calendar step's status."""
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("Choisissez un état dans la liste."), "error")
        return redirect(url_for("dashboard.index", project_id=project_id))
    status = MilestoneStatus(form.status.data)
    try:
        conflict = _save(project_id, form,
                         lambda p: update_fields(p, milestone_id, status=status))
    except EditError as error:
        flash(error.message, "error")
        return redirect(url_for("dashboard.index", project_id=project_id))
    if conflict is not None:
        return _dashboard(project_id, conflict=conflict, status=409,
                          chosen={milestone_id: status.value})
    flash(_("État de l'étape enregistré : %(status)s.", status=MILESTONE_STATUS_LABELS[status]),
          "success")
    return redirect(url_for("dashboard.index", project_id=project_id) + "#calendrier")


def _milestone_page(
    project_id: int, form: MilestoneForm, milestone_id: str | None,
    conflict: ConflictView | None = None, status: int = 200,
) -> tuple[str, int]:
    project, _revision = current_project(project_id)
    return render_template(
        "dashboard/milestone.html", project=project, project_id=project_id, form=form,
        milestone_id=milestone_id, conflict=conflict,
    ), status


def _attach(form: MilestoneForm, error: EditError) -> None:
    for problem in error.problems:
        if problem.field in ("title", "start", "end", "status"):
            form[problem.field].errors = [*form[problem.field].errors, problem.message]
        else:
            form.form_errors.append(problem.message)


def _submit_milestone(
    project_id: int, form: MilestoneForm, milestone_id: str | None, operation: Operation,
    done: str,
) -> Response | tuple[str, int]:
    if not form.validate_on_submit():
        _french_date_errors(form)
        return _milestone_page(project_id, form, milestone_id, status=422)
    try:
        conflict = _save(project_id, form, operation)
    except EditError as error:
        _attach(form, error)
        return _milestone_page(project_id, form, milestone_id, status=422)
    if conflict is not None:
        form.revision.data = conflict.revision
        return _milestone_page(project_id, form, milestone_id, conflict, status=409)
    flash(done, "success")
    return redirect(url_for("dashboard.index", project_id=project_id) + "#calendrier")


@bp.route("/jalons/nouveau", methods=["GET", "POST"])
@require_project_role(Role.editor, read=Role.editor)
def new_milestone(project_id: int) -> Response | tuple[str, int]:
    """Add a step to the renewal calendar."""
    form = MilestoneForm()
    if request.method == "GET":
        form.revision.data = current_project(project_id)[1]
        return _milestone_page(project_id, form, None)
    return _submit_milestone(
        project_id, form, None, lambda p: add_milestone(p, **form.fields_data()),
        _("Étape « %(title)s » ajoutée au calendrier.", title=form.title.data),
    )


@bp.route("/jalons/<milestone_id>", methods=["GET", "POST"])
@require_project_role(Role.editor, read=Role.editor)
def edit_milestone(project_id: int, milestone_id: str) -> Response | tuple[str, int]:
    """Change a calendar step: title, dates, status."""
    form = MilestoneForm()
    if request.method == "GET":
        project, revision = current_project(project_id)
        milestone = next((m for m in project.milestones if m.id == milestone_id), None)
        if milestone is None:
            abort(404)
        form.fill(milestone)
        form.revision.data = revision
        return _milestone_page(project_id, form, milestone_id)
    return _submit_milestone(
        project_id, form, milestone_id,
        lambda p: update_fields(p, milestone_id, **form.fields_data()),
        _("Étape « %(title)s » enregistrée.", title=form.title.data),
    )


@bp.post("/jalons/<milestone_id>/supprimer")
@require_project_role(Role.editor)
def delete_milestone(project_id: int, milestone_id: str) -> Response | tuple[str, int]:
    """Remove a step from the calendar (the history can bring it back)."""
    form = RevisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        conflict = _save(project_id, form,
                         lambda p: delete_node(p, milestone_id, cut_links=True))
    except EditError as error:
        flash(error.message, "error")
        return redirect(url_for("dashboard.index", project_id=project_id))
    if conflict is not None:
        return _dashboard(project_id, conflict=conflict, status=409)
    flash(_("Étape retirée du calendrier (l'historique permet de la retrouver)."), "success")
    return redirect(url_for("dashboard.index", project_id=project_id) + "#calendrier")

