"""Add and update the items of a project: stakes, changes, markers, activities, axes…

Each function takes a :class:`~theory_of_change.model.Project` and returns a new, fully
validated one; the given project is never modified. New items get an id made from their
French title and the prefix of their kind (``enjeu-``, ``chg-``…) unless one is given;
an id never changes afterwards, since links and past revisions refer to it. New items
go at the end of their list, so the new id is also ``new_project.stakes[-1].id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import ActionSheet, Project, SppeDuty
from ..slugs import slugify, unique_slug
from .cycles import refuse_new_cycles
from .kinds import (
    KINDS,
    ItemKind,
    KindSpec,
    Located,
    all_ids,
    find_by_id,
    get_field,
    item_at,
    iter_items,
    walk,
)
from .labels import SPPE_DUTY_LABELS, quoted
from .validation import EditError, clean_fields, commit, dump

# Words that make an id longer without making it clearer.
_ID_STOP_WORDS = frozenset(
    "le la les l un une des de du d et a au aux en pour sur dans par avec qui que est sont "
    "leur leurs son sa ses ce cette ces se s".split()
)
_ID_MAX_LENGTH = 40


def id_base(text: str) -> str:
    """A short slug for ``text``: accents, articles and small words dropped, about 40 chars.

    >>> id_base("Les familles connaissent les modes d'accueil du territoire")
    'familles-connaissent-modes-accueil'
    """
    words = [word for word in slugify(text, max_length=500).split("-") if word]
    kept = [word for word in words if word not in _ID_STOP_WORDS] or words
    base = ""
    for word in kept:
        if base and len(base) + 1 + len(word) > _ID_MAX_LENGTH:
            break
        base = f"{base}-{word}" if base else word
    return base[:_ID_MAX_LENGTH].strip("-") or "element"


def new_id(project: Project, kind: ItemKind, title: str) -> str:
    """The id an item of ``kind`` titled ``title`` would get if added now.

    It is unique among the ids of every kind of item of the project, so an id always
    names one item.
    """
    spec = KINDS[kind]
    if not spec.has_id:
        raise ValueError(f"{kind} items have no id")
    return unique_slug(id_base(title), all_ids(project), prefix=spec.prefix or "")


def locate(project: Project, item_id: str, kind: ItemKind | None = None) -> Located:
    """The item whose id is ``item_id`` (of ``kind`` when given), or :class:`EditError`."""
    found = find_by_id(project, item_id, kind)
    if not found:
        what = KINDS[kind].the if kind is not None else "l'élément"
        raise EditError(f"{_capitalise(what)} « {item_id} » n'existe pas dans le projet.")
    if len(found) > 1:
        kinds = ", ".join(located.spec.the for located in found)
        raise EditError(
            f"L'identifiant « {item_id} » désigne plusieurs éléments ({kinds}) : précisez "
            "lequel modifier."
        )
    return found[0]


def locate_row(project: Project, kind: ItemKind, index: int) -> Located:
    """The row at position ``index`` (from 0) of a kind without ids, or :class:`EditError`."""
    rows = list(iter_items(project, kind))
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(rows):
        spec = KINDS[kind]
        raise EditError(
            f"{_capitalise(spec.the)} n° {_shown_position(index)} n'existe pas "
            f"(il y en a {len(rows)})."
        )
    return rows[index]


def _shown_position(index: object) -> str:
    return str(index + 1) if isinstance(index, int) and not isinstance(index, bool) else str(index)


# --- Adding ------------------------------------------------------------------------------------


def add_item(
    project: Project, item_kind: ItemKind, /, *, axis_id: str | None = None, **fields: Any
) -> Project:
    """A new project with an item of ``item_kind`` added at the end of its list.

    ``fields`` are the item's fields (an activity's or a theme's ``kind`` among them);
    ``id`` is generated from the title unless given. A sub-objective needs ``axis_id``,
    the axis it belongs to. Raises :class:`EditError` (with the field at fault) if the
    item is invalid or its id already used.
    """
    spec = KINDS[item_kind]
    cleaned = clean_fields(spec.model, fields, spec.the)
    data = dump(project)
    if spec.has_id:
        cleaned["id"] = _id_for(project, spec, cleaned)
    if item_kind is ItemKind.axis and cleaned.get("order") is None:
        cleaned["order"] = max((axis.order for axis in project.axes), default=0) + 1
    if item_kind is ItemKind.duty_coverage:
        _refuse_duplicate_duty(project, cleaned)

    if item_kind is ItemKind.sub_objective:
        if axis_id is None:
            raise EditError("Choisissez l'axe stratégique du sous-objectif.", "axis")
        axis = locate(project, axis_id, ItemKind.axis)
        container = item_at(data, axis.path)["sub_objectives"]
        path = (*axis.path, "sub_objectives", len(container))
    else:
        container = walk(data, spec.path)
        path = (*spec.path, len(container))
    container.append(cleaned)
    return commit(data, path, spec.model)


def _id_for(project: Project, spec: KindSpec, fields: dict[str, Any]) -> str:
    given = fields.get("id")
    if given is None or (isinstance(given, str) and not given.strip()):
        title = fields.get(spec.title_field)
        return new_id(project, spec.kind, title if isinstance(title, str) else "")
    if isinstance(given, str):
        given = given.strip()
        if given == "vision":
            raise EditError("L'identifiant « vision » est réservé à la vision.", "id")
        taken = find_by_id(project, given)
        if taken:
            holder = taken[0]
            title = get_field(holder.item, holder.spec.title_field)
            raise EditError(
                f"L'identifiant « {given} » est déjà utilisé par {holder.spec.the} "
                f"{quoted(str(title))} : choisissez-en un autre ou laissez le champ vide.",
                "id",
            )
    return given


def _refuse_duplicate_duty(
    project: Project, fields: Mapping[str, Any], editing: int | None = None
) -> None:
    duty, authority = fields.get("duty"), fields.get("authority")
    for index, coverage in enumerate(project.sppe.duties):
        if index != editing and coverage.duty == duty and coverage.authority == authority:
            where = f"la commune « {authority} »" if authority else "le territoire entier"
            raise EditError(
                f"L'obligation « {SPPE_DUTY_LABELS[coverage.duty]} » est déjà renseignée pour "
                f"{where} : complétez la ligne existante.",
                "duty",
            )


def add_stake(project: Project, *, title: str, **fields: Any) -> Project:
    """Add a stake (enjeu); its id is ``enjeu-…`` unless given."""
    return add_item(project, ItemKind.stake, title=title, **fields)


def add_change(project: Project, *, statement: str, **fields: Any) -> Project:
    """Add a change; its id is ``chg-…`` unless given. Links can be given or set later.

    A new change cannot close a loop of preconditions: nothing depends on it yet.
    """
    return add_item(project, ItemKind.change, statement=statement, **fields)


def add_marker(project: Project, *, change: str, text: str, **fields: Any) -> Project:
    """Add a progress marker of the change ``change``; its id is ``mq-…`` unless given."""
    return add_item(project, ItemKind.marker, change=change, text=text, **fields)


def add_activity(project: Project, *, title: str, **fields: Any) -> Project:
    """Add an activity (action), with its action sheet fields as ``sheet``; id ``act-…``."""
    return add_item(project, ItemKind.activity, title=title, **fields)


def add_axis(project: Project, *, title: str, **fields: Any) -> Project:
    """Add a strategic axis, last in the plan unless ``order`` is given; id ``axe-…``."""
    return add_item(project, ItemKind.axis, title=title, **fields)


def add_sub_objective(
    project: Project, axis_id: str, /, *, title: str, **fields: Any
) -> Project:
    """Add a sub-objective to the axis ``axis_id``; its id is ``so-…`` unless given."""
    return add_item(project, ItemKind.sub_objective, axis_id=axis_id, title=title, **fields)


def add_theme(project: Project, *, label: str, **fields: Any) -> Project:
    """Add a theme (thématique); its id is the slug of its label unless given."""
    return add_item(project, ItemKind.theme, label=label, **fields)


def add_commune(project: Project, *, name: str, **fields: Any) -> Project:
    """Add a commune to the territory; its id is the slug of its name unless given."""
    return add_item(project, ItemKind.commune, name=name, **fields)


def add_facility(project: Project, *, name: str, type: str, **fields: Any) -> Project:
    """Add a facility of annexe 3 (equipment or service); its id is ``eq-…`` unless given."""
    return add_item(project, ItemKind.facility, name=name, type=type, **fields)


def add_body(project: Project, *, name: str, **fields: Any) -> Project:
    """Add a governance body (Copil, Cotech, working group…); id from its name."""
    return add_item(project, ItemKind.body, name=name, **fields)


def add_milestone(project: Project, *, title: str, start: Any, end: Any, **fields: Any) -> Project:
    """Add a step to the renewal calendar; its id is ``jalon-…`` unless given."""
    return add_item(project, ItemKind.milestone, title=title, start=start, end=end, **fields)


def add_cooperation_officer(project: Project, *, name: str, **fields: Any) -> Project:
    """Add a cooperation officer (missions, themes, FTE) to the governance annex."""
    return add_item(project, ItemKind.cooperation_officer, name=name, **fields)


def add_sppe_row(project: Project, *, structure_type: str, **fields: Any) -> Project:
    """Add a row (a structure or group of structures) to the SPPE sheet."""
    return add_item(project, ItemKind.sppe_row, structure_type=structure_type, **fields)


def add_duty_coverage(project: Project, *, duty: SppeDuty | str, **fields: Any) -> Project:
    """Say how an SPPE duty is met (actions and/or a note), for the EPCI or one commune."""
    return add_item(project, ItemKind.duty_coverage, duty=duty, **fields)


# --- Updating ----------------------------------------------------------------------------------


def update_fields(
    project: Project, node_id: str, /, *, item_kind: ItemKind | None = None, **fields: Any
) -> Project:
    """A new project where the item ``node_id`` has ``fields`` changed (the others kept).

    Works for every kind of item with an id; ``item_kind`` is needed only if two items
    of different kinds share the id. The id itself never changes. A change's new
    preconditions are refused if they close a loop. Raises :class:`EditError` with the
    field at fault, in French.
    """
    return _update(project, locate(project, node_id, item_kind), fields)


def update_row(project: Project, kind: ItemKind, index: int, /, **fields: Any) -> Project:
    """A new project where row ``index`` (from 0) of a kind without ids has ``fields`` changed."""
    return _update(project, locate_row(project, kind, index), fields)


def _update(project: Project, located: Located, fields: Mapping[str, Any]) -> Project:
    spec = located.spec
    if "id" in fields and spec.has_id:
        current = get_field(located.item, "id")
        if fields["id"] != current:
            raise EditError(
                f"L'identifiant de {spec.the} ne change pas : il reste « {current} », car les "
                "liens et l'historique y font référence.",
                "id",
            )
    cleaned = clean_fields(spec.model, fields, spec.the)
    data = dump(project)
    item = item_at(data, located.path)
    item.update(cleaned)
    if located.kind is ItemKind.duty_coverage:
        _refuse_duplicate_duty(project, item, editing=located.path[-1])
    new = commit(data, located.path, spec.model)
    if located.kind is ItemKind.change and "preconditions" in cleaned:
        refuse_new_cycles(project, new, located.item.id)
    return new


def update_action_sheet(project: Project, activity_id: str, /, **fields: Any) -> Project:
    """A new project where the action sheet of ``activity_id`` has ``fields`` changed.

    Fields are those of the fiche action (``objectives``, ``lead``, ``partners``,
    ``schedule``…); errors name them directly (``lead``, ``schedule``).
    """
    located = locate(project, activity_id, ItemKind.activity)
    cleaned = clean_fields(ActionSheet, fields, "la fiche action")
    data = dump(project)
    path = (*located.path, "sheet")
    item_at(data, path).update(cleaned)
    return commit(data, path, ActionSheet)


def update_cooperation_officer(project: Project, index: int, /, **fields: Any) -> Project:
    """Change the fields of the cooperation officer at position ``index`` (from 0)."""
    return update_row(project, ItemKind.cooperation_officer, index, **fields)


def update_sppe_row(project: Project, index: int, /, **fields: Any) -> Project:
    """Change the fields of the SPPE sheet's row at position ``index`` (from 0)."""
    return update_row(project, ItemKind.sppe_row, index, **fields)


def update_duty_coverage(project: Project, index: int, /, **fields: Any) -> Project:
    """Change how the SPPE duty at position ``index`` (from 0) is met."""
    return update_row(project, ItemKind.duty_coverage, index, **fields)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]

