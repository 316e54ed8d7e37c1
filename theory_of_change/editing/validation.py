"""Validate an edited project as a whole and say, field by field and in French, what is wrong.

Every edit works on a plain copy of the project's data and validates it afresh into a
new :class:`~theory_of_change.model.Project`, so the given project is never modified and
a saved project is always valid (links included). A refused edit raises
:class:`EditError`, whose ``field`` names the form field to show the message next to.
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ..file_errors import format_path, validation_problems
from ..model import Project
from .kinds import PathItem
from .labels import field_label


@dataclass(frozen=True)
class FieldProblem:
    """One problem of a form: the ``field`` it concerns (``None``: the whole form) and why.

    ``where`` is the position inside the field when it holds a list or a block
    (``schedule[0].text``), else the field name; ``message`` is French, ready to show.
    """

    field: str | None
    message: str
    where: str | None = None


class EditError(ValueError):
    """An edit refused; ``field`` and ``message`` say where and why, in French.

    ``problems`` lists every problem found (the first one is ``field``/``message``), so a
    form can show each message next to its field.
    """

    def __init__(
        self,
        message: str,
        field: str | None = None,
        problems: Sequence[FieldProblem] = (),
    ) -> None:
        self.message = message
        self.field = field
        self.problems: tuple[FieldProblem, ...] = tuple(problems) or (
            FieldProblem(field, message, field),
        )
        super().__init__(message)

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return self.message
        return " ; ".join(problem.message for problem in self.problems)


def dump(project: Project) -> dict[str, Any]:
    """A plain, independent copy of the project's data, for an edit to change."""
    return project.model_dump()


def plain(value: Any) -> Any:
    """Model objects (and lists of them) as plain data, so they are validated again."""
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    return value


def commit(
    data: dict[str, Any],
    item_path: tuple[PathItem, ...] | None = None,
    model: type[BaseModel] | None = None,
) -> Project:
    """Validate edited data into a new project, or raise :class:`EditError`.

    ``item_path`` is where the edited item sits (``("changes", 3)``): problems inside it
    are reported by field name, relative to it; ``model`` is its class, for field labels.
    """
    try:
        return Project.model_validate(data)
    except ValidationError as error:
        raise edit_error(error, data, item_path, model) from None


def edit_error(
    error: ValidationError,
    data: dict[str, Any],
    item_path: tuple[PathItem, ...] | None,
    model: type[BaseModel] | None,
) -> EditError:
    """Turn pydantic's error on project data into an :class:`EditError` for a form."""
    prefix = format_path(item_path) if item_path else None
    problems: list[FieldProblem] = []
    for problem in validation_problems(error, data):
        reason = _form_reason(problem.reason)
        if prefix is not None and problem.path.startswith(prefix + "."):
            where = problem.path[len(prefix) + 1 :]
            field = re.split(r"[.\[]", where, maxsplit=1)[0]
            problems.append(FieldProblem(field, _capitalise(reason), where))
        elif prefix is not None and problem.path == prefix:
            problems.append(FieldProblem(None, _capitalise(reason)))
        else:
            located = f"{problem.path} : {reason}" if problem.path else reason
            problems.append(FieldProblem(None, _capitalise(located)))
    if not problems:  # pragma: no cover - pydantic always reports at least one error
        problems.append(FieldProblem(None, "Modification refusée."))
    first = problems[0]
    message = first.message
    if model is not None and first.field is not None and len(problems) > 1:
        label = field_label(model, first.field)
        message = f"{label[:1].upper()}{label[1:]} : {first.message[:1].lower()}{first.message[1:]}"
    return EditError(message, first.field, problems)


_FILE_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    # file_errors speaks to someone editing a YAML file; a form needs other words.
    (re.compile(r"champ obligatoire absent : .*"), "ce champ est obligatoire"),
    (re.compile(r"il faut un texte ici, pas valeur vide"), "ce champ est obligatoire"),
    (re.compile(r" ; si c'est bien ce que vous voulez écrire, mettez-le entre guillemets"), ""),
    (re.compile(r"clé inconnue « ([^»]*) » : elle n'existe pas à cet endroit.*"),
     r"champ inconnu « \1 »"),
)


def _form_reason(reason: str) -> str:
    for pattern, replacement in _FILE_PHRASES:
        reason = pattern.sub(replacement, reason)
    return reason


def _capitalise(text: str) -> str:
    """A sentence for a form: capital first letter, final full stop."""
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!", "…", "»")) else f"{text}."


# --- Form values -------------------------------------------------------------------------------

_FRENCH_NUMBER = re.compile(
    r"^\s*-?\d{1,3}(?:[\s\u00a0\u202f]\d{3})+(?:,\d+)?\s*$"  # 1 234 or 1 234,5
    r"|^\s*-?\d+,\d+\s*$"  # 3,5
)


def clean_fields(model: type[BaseModel], fields: Mapping[str, Any], the: str) -> dict[str, Any]:
    """Check field names against ``model`` and normalise what a form sends.

    A blank text in a field that may be empty becomes ``None``; blank lines are dropped
    from lists of texts; a number written the French way (``1 234,5``) in a numeric field
    is read as a number; model objects are turned back into data to be validated again.
    An unknown field name raises :class:`EditError` (``the`` names the item: "l'enjeu").
    """
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        info = model.model_fields.get(name)
        if info is None:
            raise EditError(f"Champ inconnu « {name} » pour {the}.", name)
        value = plain(value)
        if isinstance(value, str) and not value.strip() and _optional(info.annotation):
            value = None
        elif isinstance(value, list):
            value = [item for item in value if not (isinstance(item, str) and not item.strip())]
        elif isinstance(value, str) and _numeric(info.annotation) and _FRENCH_NUMBER.match(value):
            value = re.sub(r"[\s\u00a0\u202f]", "", value).replace(",", ".")
        cleaned[name] = value
    return cleaned


def _members(annotation: Any) -> tuple[Any, ...]:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _members(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return tuple(member for arg in get_args(annotation) for member in _members(arg))
    return (annotation,)


def _optional(annotation: Any) -> bool:
    return type(None) in _members(annotation)


def _numeric(annotation: Any) -> bool:
    members = [member for member in _members(annotation) if member is not type(None)]
    return bool(members) and all(member in (int, float) for member in members)
