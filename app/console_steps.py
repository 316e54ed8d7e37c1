"""Parsing a step form into a domain ``Step``: its candidate options or columns, and the
domain's refusals put back next to the right field.

The forms (:mod:`app.console_forms`) check what a form can check; whether the step makes
sense (k ≤ N, options that can be prioritised…) is the domain's call:
:func:`build_step` hands the parsed fields to :data:`workshops.model.STEP_ADAPTER`, and
:func:`domain_problem` turns its French message into a :class:`FormProblem` for a field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from pydantic import ValidationError
from wtforms import Field

from app.console_forms import (
    TITLE_MAX_LENGTH,
    WRITEBACK_NONE,
    BrainstormForm,
    ChoiceForm,
    DotVoteForm,
    RatingForm,
    ResultsVisibilityMixin,
    StepForm,
    lines,
)
from theory_of_change.model import ChangeStatus, Project
from theory_of_change.slugs import slugify, unique_slug
from workshops.model import MAX_OPTIONS, STEP_ADAPTER, Column, Option, Step, StepKind
from workshops.options import (
    columns_from_changes,
    columns_from_themes,
    options_from_activities,
    options_from_changes,
    options_from_stakes,
    short_label,
    vision_vote_options,
)
from workshops.tallies import BrainstormResult

CHANGE_STATUS_LABELS = {
    ChangeStatus.proposed: lazy_gettext("proposé"),
    ChangeStatus.prioritised: lazy_gettext("priorisé"),
    ChangeStatus.set_aside: lazy_gettext("écarté"),
}


class FormProblem(ValueError):
    """A form's content the domain refuses: ``field`` (or ``None``) and a French message."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message



# --- Candidates: what a step's options or columns can be ------------------------------------


@dataclass(frozen=True)
class Candidate:
    """An option or column the facilitator may tick, grouped under a heading."""

    key: str
    group: str
    label: str
    item: Option | Column
    checked: bool = False


def option_candidates(
    project: Project, brainstorms: Sequence[tuple[str, BrainstormResult]]
) -> list[Candidate]:
    """Every option a vote step can take: changes, activities, stakes, brainstorm ideas.

    Proposed changes are ticked by default (the usual "choisissez 5 changements parmi 12").
    ``brainstorms`` pairs a previous brainstorm's title with its idea wall.
    """
    statuses = tuple(ChangeStatus)
    status_of = {change.id: change.status for change in project.changes}
    candidates = [
        Candidate(
            key=f"change:{option.id}",
            group=_("Changements du modèle"),
            label=f"{option.label} ({CHANGE_STATUS_LABELS[status_of[option.id]]})",
            item=option,
            checked=status_of[option.id] == ChangeStatus.proposed,
        )
        for option in options_from_changes(project, statuses)
    ]
    candidates += [
        Candidate(key=f"activity:{o.id}", group=_("Activités du modèle"), label=o.label, item=o)
        for o in options_from_activities(project)
    ]
    candidates += [
        Candidate(key=f"stake:{o.id}", group=_("Enjeux du modèle"), label=o.label, item=o)
        for o in options_from_stakes(project)
    ]
    for title, wall in brainstorms:
        for column in wall.columns:
            for card in column.ideas:
                label = short_label(card.text)
                candidates.append(
                    Candidate(
                        key=f"idea:{card.id}",
                        group=_("Idées du remue-méninges « %(title)s »", title=title),
                        label=f"{label} (▲ {card.upvotes})",
                        # The option's id is the idea's, as workshops.options does.
                        item=Option(id=card.id, label=label, source="idea", ref=card.id),
                    )
                )
    return candidates


def column_candidates(project: Project) -> list[Candidate]:
    """Every column a brainstorm can have: one per change (prioritised ticked), per theme."""
    prioritised = {c.id for c in project.changes if c.status == ChangeStatus.prioritised}
    candidates = [
        Candidate(
            key=f"change:{column.id}",
            group=_("Un par changement"),
            label=column.label,
            item=column,
            checked=column.id in prioritised,
        )
        for column in columns_from_changes(project, tuple(ChangeStatus))
    ]
    nothing_ticked = not prioritised
    candidates += [
        Candidate(key=f"theme:{c.id}", group=_("Une par thématique"), label=c.label, item=c,
                  checked=nothing_ticked)
        for c in columns_from_themes(project)
    ]
    return candidates


def default_picks(candidates: Iterable[Candidate]) -> list[str]:
    """The keys ticked when the form is first shown."""
    return [candidate.key for candidate in candidates if candidate.checked]


# --- Building the step ----------------------------------------------------------------------


def _picked_items(form: Any, candidates: Sequence[Candidate]) -> list[Any]:
    chosen = set(form.picked.data or [])
    return [candidate.item for candidate in candidates if candidate.key in chosen]


def _free_items(lines: list[str], taken: set[str], make: type[Option] | type[Column]) -> list[Any]:
    items = []
    for line in lines:
        if len(line) > TITLE_MAX_LENGTH:
            raise FormProblem(
                "free_options" if make is Option else "free_columns",
                _("« %(line)s » dépasse %(max)s caractères.", line=short_label(line, 40),
                  max=TITLE_MAX_LENGTH),
            )
        item_id = unique_slug(line, taken)
        taken.add(item_id)
        items.append(make(id=item_id, label=line))
    return items


def _writeback(form: Any) -> dict[str, Any] | None:
    choice = getattr(form, "writeback", None)
    if choice is None or choice.data in (None, WRITEBACK_NONE):
        return None
    if choice.data == "prioritise":
        data: dict[str, Any] = {"kind": "prioritise_changes", "ties": form.ties.data}
        if form.top_k.data is not None:
            data["top_k"] = form.top_k.data
        if hasattr(form, "method"):
            data["method"] = form.method.data
        return data
    if choice.data == "vision":
        return {"kind": "record_vision_vote"}
    data = {"kind": "ideas_to_nodes", "target": form.idea_target.data}
    if form.kind != StepKind.brainstorm and form.top_k.data is not None:
        data["top_k"] = form.top_k.data
    return data


def build_step(form: StepForm, candidates: Sequence[Candidate], taken_ids: Iterable[str]) -> Step:
    """The domain step the (already validated) form describes.

    Raises :class:`FormProblem` when the domain refuses it, with the field to show the
    message next to.
    """
    taken = set(taken_ids)
    data: dict[str, Any] = {
        "id": unique_slug(form.title.data, taken),
        "kind": form.kind.value,
        "title": form.title.data,
        "prompt": form.prompt.data or None,
        "writeback": _writeback(form),
    }
    if isinstance(form, BrainstormForm):
        columns = _picked_items(form, candidates)
        columns += _free_items(lines(form.free_columns.data), {c.id for c in columns}, Column)
        if not columns:
            raise FormProblem("picked", _("Choisissez ou saisissez au moins une colonne."))
        data["columns"] = [column.model_dump() for column in columns]
        data["max_idea_length"] = form.max_idea_length.data
    else:
        options = _picked_items(form, candidates)
        if isinstance(form, ChoiceForm) and form.vision_answers.data:
            options = vision_vote_options() + options
        options += _free_items(lines(form.free_options.data), {o.id for o in options}, Option)
        if not options:
            raise FormProblem("picked", _("Choisissez ou saisissez au moins une option."))
        if len(options) > MAX_OPTIONS:
            raise FormProblem("picked", _("%(max)s options au plus (%(count)s choisies).",
                                          max=MAX_OPTIONS, count=len(options)))
        data["options"] = [option.model_dump() for option in options]
    if isinstance(form, DotVoteForm):
        data["budget"] = form.budget.data
        data["max_per_option"] = form.max_per_option.data
    if isinstance(form, RatingForm):
        criteria = [(form.criterion_1, form.criterion_1_high, form.criterion_1_low)]
        if form.criterion_2.data and form.criterion_2.data.strip():
            criteria.append((form.criterion_2, form.criterion_2_high, form.criterion_2_low))
        data["criteria"] = [
            {
                "id": slugify(label.data) + (f"-{index}" if index else ""),
                "label": label.data.strip(),
                "high_label": (high.data or _("fort")).strip(),
                "low_label": (low.data or _("faible")).strip(),
            }
            for index, (label, high, low) in enumerate(criteria)
        ]
    if isinstance(form, ChoiceForm):
        data["multiple"] = form.multiple.data
        data["allow_comment"] = form.allow_comment.data
    if isinstance(form, ResultsVisibilityMixin):
        data["results_visibility"] = form.results_visibility.data
    try:
        return STEP_ADAPTER.validate_python(data)
    except ValidationError as error:
        raise domain_problem(error) from None


# Where a domain message about a step belongs in the form.
_FIELD_OF_LOCATION = {
    "title": "title",
    "prompt": "prompt",
    "options": "picked",
    "columns": "picked",
    "budget": "budget",
    "max_per_option": "max_per_option",
    "criteria": "criterion_1",
    "max_idea_length": "max_idea_length",
    "writeback": "writeback",
    "results_visibility": "results_visibility",
}


def domain_problem(error: ValidationError) -> FormProblem:
    """The first problem of a domain validation error, as a field and a French message."""
    first = error.errors(include_url=False)[0]
    location = [str(part) for part in first["loc"]]
    field = next((_FIELD_OF_LOCATION[p] for p in location if p in _FIELD_OF_LOCATION), None)
    context = first.get("ctx") or {}
    if first["type"] == "value_error" and "error" in context:
        text = str(context["error"])
        message = text[:1].upper() + text[1:]
        if not message.endswith("."):
            message += "."
        # A model-wide rule (k ≤ N, options that can be prioritised) names its field.
        if field is None:
            field = _guess_field(message)
    else:
        message = _("Valeur refusée : vérifiez ce champ.")
    return FormProblem(field, message)


def _guess_field(message: str) -> str | None:
    lowered = message.lower()
    if "gommettes" in lowered:
        return "max_per_option"
    if "prioriser" in lowered or "élément" in lowered or "vision" in lowered:
        return "writeback"
    if "critère" in lowered:
        return "criterion_1"
    return None


def attach_problem(form: FlaskForm, problem: FormProblem) -> None:
    """Show ``problem`` next to its field (or at the top of the form)."""
    field = getattr(form, problem.field, None) if problem.field else None
    if isinstance(field, Field):
        field.errors = [*field.errors, problem.message]
    else:
        form.form_errors.append(problem.message)
