"""The editor's forms: what they share, and the confirmation of a deletion.

A form only reads what the page sends and gives it to the domain
(:mod:`theory_of_change.editing`), which says, field by field and in French, what is
wrong. Each form knows how to show an item (``load``), which of its fields the domain
takes (``fields``), and how its page lays them out (``layout``; ``add_layout`` is the
short form used to add an item from its list page). The forms of each kind of item are
in :mod:`.chain_forms` (the chain of reasoning) and :mod:`.annex_forms` (territory,
governance, SPPE, evaluation); those of projects in :mod:`.project_forms`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
)
from wtforms.validators import Length, ValidationError

from app.console_forms import FrenchForm, MultiCheckboxField, choices, too_long
from theory_of_change.editing.labels import truncate
from theory_of_change.model import Project

from .fields import LinesField, LinksField, ScheduleField, keep_order

Layout = tuple[tuple[str | None, tuple[str, ...]], ...]

SHORT = 300
LONG = 10_000
NO_CHOICE = ("", lazy_gettext("— aucun —"))



def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def enum_choices(labels: dict[Any, str]) -> list[SelectChoice]:
    return choices((key.value, capital(label)) for key, label in labels.items())


def number_text(value: Any) -> str:
    """A number as a form shows it: ``12``, ``0,5``; empty for ``None``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


def short(max_length: int = SHORT) -> Length:
    """The French "too long" check of a text field."""
    return Length(max=max_length, message=too_long(max_length))


class EditorForm(FrenchForm):
    """Base of the editor's forms: the revision the page was loaded at, and the mapping
    between the form's fields and the model's.

    ``domain_fields`` are the fields handed to the domain under the same name;
    ``layout`` groups the fields of the full form in fieldsets (legend, names);
    ``add_layout`` is the short form that adds an item (``None``: the full form).
    """

    revision = HiddenField()

    domain_fields: ClassVar[tuple[str, ...]] = ()
    layout: ClassVar[Layout] = ()
    add_layout: ClassVar[Layout | None] = None

    def setup(self, project: Project, current: Any | None = None) -> None:
        """Fill the choices (themes, stakes, changes…) from the project.

        ``current`` is the item being edited (``None`` when adding one).
        """

    def shown_fields(self, adding: bool) -> list[str]:
        """The names of the fields the page shows, in order."""
        layout = self.add_layout if adding and self.add_layout is not None else self.layout
        return [name for _legend, names in layout for name in names]

    def load(self, item: Any) -> None:
        """Show ``item`` (a model object) in the form."""
        for name in self.domain_fields:
            field = self[name]
            value = getattr(item, name)
            if isinstance(field, LinksField):
                field.process(None, value)
            elif isinstance(field, LinesField | ScheduleField):
                field.process_data(value)
            elif isinstance(field, MultiCheckboxField):
                field.data = [str(v) for v in value or []]
            elif isinstance(field, BooleanField):
                field.data = bool(value)
            elif isinstance(field, SelectField | RadioField):
                field.data = "" if value is None else str(getattr(value, "value", value))
            else:
                field.data = number_text(value) if isinstance(value, int | float) else (
                    value or ""
                )

    def fields(self, current: Any | None = None, *, adding: bool = False) -> dict[str, Any]:
        """The model fields typed in the form, for the domain.

        When editing ``current``, lists keep the order already stored (so the history
        shows no mere reordering); when ``adding``, only the short form's fields are sent.
        """
        names = self.shown_fields(adding) if adding else self.domain_fields
        result: dict[str, Any] = {}
        for name in names:
            if name not in self.domain_fields:
                continue
            field = self[name]
            previous = getattr(current, name, None) if current is not None else None
            if isinstance(field, LinksField):
                result[name] = field.links([link.to for link in previous or []])
            elif isinstance(field, MultiCheckboxField):
                result[name] = keep_order(field.data or [], [str(v) for v in previous or []])
            elif isinstance(field, LinesField | ScheduleField):
                result[name] = list(field.data or [])
            elif isinstance(field, BooleanField):
                result[name] = bool(field.data)
            else:
                result[name] = field.data if field.data is not None else ""
        return result

    def add_arguments(self) -> dict[str, Any]:
        """Extra arguments of the domain's ``add_item`` (the axis of a sub-objective)."""
        return {}

    def expected_revision(self) -> int | None:
        """The revision the page was loaded at (``None`` if the form lost it)."""
        try:
            value = int(self.revision.data or "")
        except ValueError:
            return None
        return value if value >= 0 else None

    def validate_revision(self, field: Field) -> None:
        """A form without the revision it was loaded at cannot be saved safely."""
        if self.expected_revision() is None:
            raise ValidationError(
                _("Le formulaire a perdu la version du projet sur laquelle il a été ouvert : "
                "rechargez la page.")
            )

    def display(self, name: str) -> list[str]:
        """The value of field ``name`` as a reader sees it (a viewer's page), line by line."""
        field = self[name]
        if isinstance(field, LinksField):
            labels = dict(field.choices)
            return [
                labels.get(target, target)
                + (" — " + _("hypothèse : %(text)s", text=hypothesis) if hypothesis else "")
                for target, hypothesis in field.data
            ]
        if isinstance(field, MultiCheckboxField):
            labels = {str(value): label for value, label in _choices_of(field)}
            return [labels.get(str(value), str(value)) for value in field.data or []]
        if isinstance(field, SelectField | RadioField):
            labels = {str(value): label for value, label in _choices_of(field)}
            if field.data in (None, ""):
                return []
            return [labels.get(str(field.data), str(field.data))]
        if isinstance(field, BooleanField):
            return [_("oui") if field.data else _("non")]
        if isinstance(field, ScheduleField):
            return [f"{step['period']} : {step['text']}" for step in field.data or []]
        if isinstance(field, LinesField):
            return [str(item) for item in field.data or []]
        text = "" if field.data is None else str(field.data).strip()
        return [text] if text else []

    def comparable(self, name: str) -> Any:
        """The value of field ``name`` in a canonical form, to compare two versions."""
        field = self[name]
        if isinstance(field, LinksField):
            return field.comparable()
        if isinstance(field, MultiCheckboxField):
            return sorted(field.data or [])
        if isinstance(field, LinesField | ScheduleField):
            return list(field.data or [])
        if isinstance(field, BooleanField):
            return bool(field.data)
        return "" if field.data is None else str(field.data).strip()


def _choices_of(field: SelectField | RadioField) -> list[tuple[Any, str]]:
    return [
        (choice.value, choice.label) if isinstance(choice, SelectChoice) else tuple(choice)
        for choice in field.choices or []
    ]


def theme_choices(project: Project) -> list[tuple[str, str]]:
    return [(theme.id, theme.label) for theme in project.themes]


def change_choices(project: Project, exclude: str | None = None) -> list[tuple[str, str]]:
    return [
        (change.id, truncate(change.statement, 110))
        for change in project.changes
        if change.id != exclude
    ]


def axis_choices(project: Project) -> list[tuple[str, str]]:
    return [
        (axis.id, _("Axe %(number)s — %(title)s", number=number, title=truncate(axis.title, 80)))
        for number, axis in enumerate(project.sorted_axes(), start=1)
    ]


def commune_choices(project: Project) -> list[tuple[str, str]]:
    return [(commune.id, commune.name) for commune in project.territory.communes]



class ConfirmDeleteForm(EditorForm):
    """Confirm a deletion (and the cutting of the links that depend on the item)."""
