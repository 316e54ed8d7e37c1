"""What changed between two versions of a project, in French, node by node.

The editor saves each version of a project as a revision; :func:`diff_projects` says
what was added, removed or modified between two of them, by kind and label, with the
fields' values before and after (« Changement « Les familles… » : statut proposé →
priorisé »), the links added and removed, and the action sheets' fields.
:func:`summarise` gives the one-line count, and :func:`conflicting_changes` the part of
someone else's save that touches what one was editing (optimistic locking).

Items with an id are matched by id. Rows without one (cooperation officers, SPPE rows
and duties, decisions) are matched when identical, then by their natural key (name;
structure type, name and commune; duty and authority; date and summary), then by their
main key, then by position; entries are keyed from the older version, so two diffs from the same
base name the same rows the same way. Entries come in a fixed order: by section in the
order of the approach, then in the order of the newer list, removals last.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from .diagnostic.model import Diagnostic
from .editing.kinds import KINDS, ItemKind, KindSpec, iter_items
from .editing.labels import (
    EMPTY,
    FIELD_LABELS,
    SPPE_DUTY_LABELS,
    SPPE_STRUCTURE_LABELS,
    field_label,
    field_value_text,
    quoted,
)
from .model import (
    Activity,
    Change,
    CooperationOfficer,
    Decision,
    DutyCoverage,
    Evaluation,
    Facility,
    Link,
    ProgressMarker,
    Project,
    SppeExtra,
    SppeRow,
    Stake,
    Territory,
    Vision,
)

__all__ = [
    "Action",
    "ChangeEntry",
    "FieldChange",
    "conflicting_changes",
    "diff_projects",
    "summarise",
]

LABEL_LIMIT = 60


class Action(StrEnum):
    """What happened to a node between two versions."""

    added = "added"
    removed = "removed"
    modified = "modified"


@dataclass(frozen=True)
class FieldChange:
    """One field of a modified node: its values before and after, as users read them.

    ``field`` is the field's path (``status``, ``sheet.lead``); ``before``/``after`` are
    the full values in French (``None`` for a list, whose ``text`` says what was added
    and removed); ``references`` are the ids the node newly refers to through this field.
    """

    field: str
    label: str
    before: str | None
    after: str | None
    text: str
    references: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ChangeEntry:
    """A node added, removed or modified between two versions.

    ``kind`` is an :class:`~theory_of_change.editing.kinds.ItemKind` value or the name
    of a part of the project (``project``, ``territory``, ``vision``, ``sppe_extra``,
    ``evaluation``, ``diagnostic``, ``decision``); ``key`` identifies the node (its id).
    """

    action: Action
    kind: str
    key: str
    label: str
    heading: str
    fields: tuple[FieldChange, ...] = ()

    @property
    def text(self) -> str:
        """The entry as one French sentence."""
        if self.action is Action.modified:
            return f"{self.heading} : {' ; '.join(change.text for change in self.fields)}"
        return self.heading

    def __str__(self) -> str:
        return self.text


# --- What the sections of a project are ----------------------------------------------------


@dataclass(frozen=True)
class _Section:
    """A part of the project the diff compares: a kind of item, or a single block."""

    kind: str
    noun: str
    gender: str
    model: type[BaseModel]
    items: Callable[[Project], list[tuple[str, Any]]]
    label: Callable[[Any], str]
    single: bool = False
    skip: frozenset[str] = frozenset({"id"})

    def agree(self, participle: str) -> str:
        return participle + {"m": "", "f": "e", "mf": "(e)"}[self.gender]

    @property
    def capitalised(self) -> str:
        return self.noun[:1].upper() + self.noun[1:]


def _id_items(kind: ItemKind) -> Callable[[Project], list[tuple[str, Any]]]:
    def items(project: Project) -> list[tuple[str, Any]]:
        return [(located.item.id, located.item) for located in iter_items(project, kind)]

    return items


def _title_of(spec: KindSpec) -> Callable[[Any], str]:
    def label(item: Any) -> str:
        return str(getattr(item, spec.title_field))

    return label


def _kind_section(kind: ItemKind, **overrides: Any) -> _Section:
    spec = KINDS[kind]
    fields: dict[str, Any] = {
        "kind": kind.value,
        "noun": spec.noun,
        "gender": spec.gender,
        "model": spec.model,
        "items": _id_items(kind),
        "label": _title_of(spec),
    }
    fields.update(overrides)
    return _Section(**fields)


_Items = Callable[[Project], list[tuple[str, Any]]]


def _single(name: str, getter: Callable[[Project], Any]) -> _Items:
    def items(project: Project) -> list[tuple[str, Any]]:
        value = getter(project)
        return [] if value is None else [(name, value)]

    return items


def _sppe_row_label(row: SppeRow) -> str:
    label = SPPE_STRUCTURE_LABELS[row.structure_type]
    return f"{label} — {row.name_address}" if row.name_address else label


def _duty_label(coverage: DutyCoverage) -> str:
    where = f"commune « {coverage.authority} »" if coverage.authority else "territoire entier"
    return f"{SPPE_DUTY_LABELS[coverage.duty]} ({where})"


_PROJECT_FIELDS = ("title", "convention", "signatories", "notes")
_TERRITORY_FIELDS = ("name", "kind", "population", "department", "early_childhood_competence")


def _row_items(
    getter: Callable[[Project], Sequence[Any]],
) -> Callable[[Project], list[tuple[str, Any]]]:
    def items(project: Project) -> list[tuple[str, Any]]:
        return [("", row) for row in getter(project)]  # keys are given by matching

    return items


_SECTIONS: tuple[_Section, ...] = (
    _Section("project", "projet", "m", Project, _single("project", lambda p: p), lambda p: p.title,
             single=True,
             skip=frozenset(Project.model_fields) - frozenset(_PROJECT_FIELDS)),
    _Section("territory", "territoire", "m", Territory, _single("territory", lambda p: p.territory),
             lambda t: t.name, single=True,
             skip=frozenset(Territory.model_fields) - frozenset(_TERRITORY_FIELDS)),
    _kind_section(ItemKind.commune),
    _kind_section(ItemKind.theme),
    _kind_section(ItemKind.stake),
    _Section("vision", "vision", "f", Vision, _single("vision", lambda p: p.vision),
             lambda v: v.text, single=True, skip=frozenset()),
    _kind_section(ItemKind.change),
    _kind_section(ItemKind.marker),
    _kind_section(ItemKind.axis, skip=frozenset({"id", "sub_objectives"})),
    _kind_section(ItemKind.sub_objective),
    _kind_section(ItemKind.activity),
    _kind_section(ItemKind.sppe_row, items=_row_items(lambda p: p.sppe.rows),
                  label=_sppe_row_label, skip=frozenset()),
    _kind_section(ItemKind.duty_coverage, items=_row_items(lambda p: p.sppe.duties),
                  label=_duty_label, skip=frozenset()),
    _Section("sppe_extra", "éléments complémentaires SPPE", "m", SppeExtra,
             _single("sppe_extra", lambda p: p.sppe.extra), lambda _: "", single=True,
             skip=frozenset()),
    _kind_section(ItemKind.facility),
    _kind_section(ItemKind.body),
    _kind_section(ItemKind.cooperation_officer,
                  items=_row_items(lambda p: p.governance.cooperation_officers),
                  label=lambda officer: officer.name, skip=frozenset()),
    _Section("evaluation", "évaluation", "f", Evaluation,
             _single("evaluation", lambda p: p.evaluation), lambda _: "", single=True,
             skip=frozenset()),
    _kind_section(ItemKind.milestone),
    _Section("diagnostic", "diagnostic partagé", "m", Diagnostic,
             _single("diagnostic", lambda p: p.diagnostic), lambda _: "", single=True,
             skip=frozenset()),
    _Section("decision", "décision", "f", Decision, _row_items(lambda p: p.decisions),
             lambda d: d.summary, skip=frozenset()),
)

# Natural keys of rows without id: the full key, whose first part is the main key.
_ROW_KEYS: dict[str, Callable[[Any], tuple[str, ...]]] = {
    ItemKind.cooperation_officer.value: lambda o: (o.name,),
    ItemKind.sppe_row.value: lambda r: (r.structure_type.value, r.name_address or "",
                                        r.commune or ""),
    ItemKind.duty_coverage.value: lambda d: (d.duty.value, d.authority or ""),
    "decision": lambda d: (d.date.isoformat(), d.summary),
}

# Fields that hold ids of other nodes, and the kind of node they point to.
_REFERENCES: dict[tuple[type[BaseModel], str], ItemKind] = {
    (Stake, "theme"): ItemKind.theme,
    (Change, "themes"): ItemKind.theme,
    (Change, "addresses"): ItemKind.stake,
    (Change, "preconditions"): ItemKind.change,
    (ProgressMarker, "change"): ItemKind.change,
    (Activity, "axis"): ItemKind.axis,
    (Activity, "sub_objective"): ItemKind.sub_objective,
    (Activity, "themes"): ItemKind.theme,
    (Activity, "scope"): ItemKind.commune,
    (Activity, "contributes_to"): ItemKind.change,
    (SppeRow, "commune"): ItemKind.commune,
    (DutyCoverage, "authority"): ItemKind.commune,
    (DutyCoverage, "activities"): ItemKind.activity,
    (Facility, "commune"): ItemKind.commune,
    (CooperationOfficer, "themes"): ItemKind.theme,
}


# --- Names of the nodes both versions mention ----------------------------------------------


class _Names:
    """The label of every id in either version, to write links by their target's name."""

    def __init__(self, old: Project, new: Project) -> None:
        self._labels: dict[tuple[ItemKind, str], str] = {}
        for project in (old, new):
            for kind in (k for k, spec in KINDS.items() if spec.has_id):
                spec = KINDS[kind]
                for located in iter_items(project, kind):
                    item = located.item
                    self._labels[(kind, item.id)] = str(getattr(item, spec.title_field))

    def of(self, kind: ItemKind, node_id: str) -> str:
        label = self._labels.get((kind, node_id))
        return quoted(label, LABEL_LIMIT) if label is not None else f"« {node_id} »"


# --- Comparing values ------------------------------------------------------------------------


def _scalar(model: type[BaseModel], field: str, value: Any, limit: int | None) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and "year" in field:
        return str(value)  # a year is never written "2 037"
    return field_value_text(model, field, value, limit)


def _item_text(item: Any) -> str:
    """A short French rendering of an item of a list without ids (a step, a quote…)."""
    if isinstance(item, Link):
        return item.to
    if isinstance(item, BaseModel):
        data = item.model_dump(exclude_defaults=True)
        if "period" in data and "text" in data:
            return f"{data['period']} : {data['text']}"
        if "year" in data and "value" in data:
            return f"{data['year']} : {data['value']}"
        for name in ("label", "name", "title", "quote", "summary", "file_name", "indicator",
                     "text"):
            if isinstance(data.get(name), str):
                return data[name]
        return ", ".join(f"{value}" for value in data.values())
    if isinstance(item, dt.date):
        return item.isoformat()
    return str(item)


def _list_parts(removed: Iterable[str], added: Iterable[str]) -> list[str]:
    return [f"ajout de {text}" for text in added] + [f"retrait de {text}" for text in removed]


def _compare(
    model: type[BaseModel], old: Any, new: Any, names: _Names, skip: frozenset[str],
    prefix: str = "", prefix_label: str = "",
) -> list[FieldChange]:
    changes: list[FieldChange] = []
    for name in type(new).model_fields:
        if name in skip:
            continue
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        label = field_label(model, name)
        path, shown = f"{prefix}{name}", f"{prefix_label}{label}"
        target = _REFERENCES.get((model, name))
        if (
            isinstance(after, BaseModel)
            and isinstance(before, BaseModel)
            and type(after) in FIELD_LABELS
        ):
            changes += _compare(type(after), before, after, names, frozenset(), f"{path}.",
                                f"{shown}, ")
        elif isinstance(after, list) or isinstance(before, list):
            changes.append(_compare_lists(model, name, path, shown, before or [], after or [],
                                          target, names))
        elif target is not None:
            changes.append(_compare_reference(path, shown, before, after, target, names))
        elif isinstance(after, BaseModel) or isinstance(before, BaseModel):
            changes.append(FieldChange(path, shown, None, None, f"{shown} : contenu modifié"))
        else:
            full_before = _scalar(model, name, before, None)
            full_after = _scalar(model, name, after, None)
            text = (f"{shown} {_scalar(model, name, before, LABEL_LIMIT)} → "
                    f"{_scalar(model, name, after, LABEL_LIMIT)}")
            changes.append(FieldChange(path, shown, full_before, full_after, text))
    return changes


def _compare_reference(
    path: str, label: str, before: str | None, after: str | None, target: ItemKind, names: _Names
) -> FieldChange:
    shown_before = names.of(target, before) if before else EMPTY
    shown_after = names.of(target, after) if after else EMPTY
    return FieldChange(
        path, label, shown_before, shown_after, f"{label} {shown_before} → {shown_after}",
        frozenset({after}) if after else frozenset(),
    )


def _compare_lists(
    model: type[BaseModel], name: str, path: str, label: str, before: list[Any],
    after: list[Any], target: ItemKind | None, names: _Names,
) -> FieldChange:
    shown_before = _list_text(model, name, before, target, names)
    shown_after = _list_text(model, name, after, target, names)
    references: frozenset[str] = frozenset()
    if target is not None and all(isinstance(item, Link) for item in before + after):
        parts, references = _link_parts(before, after, target, names)
    elif target is not None:
        added = [item for item in after if item not in before]
        removed = [item for item in before if item not in after]
        parts = _list_parts([names.of(target, i) for i in removed],
                            [names.of(target, i) for i in added])
        references = frozenset(added)
    else:
        old_texts = Counter(_element(model, name, item) for item in before)
        new_texts = Counter(_element(model, name, item) for item in after)
        parts = _list_parts(list((old_texts - new_texts).elements()),
                            list((new_texts - old_texts).elements()))
        if not parts:
            parts = ["ordre modifié" if old_texts == new_texts and before != after
                     else "contenu modifié"]
    if not parts:
        parts = ["ordre modifié"]
    return FieldChange(path, label, shown_before, shown_after, f"{label} : {', '.join(parts)}",
                       references)


def _element(model: type[BaseModel], name: str, item: Any) -> str:
    if isinstance(item, BaseModel):
        return quoted(_item_text(item), LABEL_LIMIT)
    return _scalar(model, name, item, LABEL_LIMIT)


def _list_text(
    model: type[BaseModel], name: str, items: list[Any], target: ItemKind | None, names: _Names
) -> str:
    if not items:
        return EMPTY
    if target is not None:
        return ", ".join(
            names.of(target, item.to if isinstance(item, Link) else item) for item in items
        )
    return ", ".join(
        quoted(_item_text(item), None) if isinstance(item, BaseModel)
        else _scalar(model, name, item, None)
        for item in items
    )


def _link_parts(
    before: list[Link], after: list[Link], target: ItemKind, names: _Names
) -> tuple[list[str], frozenset[str]]:
    old = {link.to: link for link in before}
    new = {link.to: link for link in after}
    added = [link for link in after if link.to not in old]
    removed = [link for link in before if link.to not in new]
    parts = _list_parts(
        [names.of(target, link.to) for link in removed],
        [
            names.of(target, link.to)
            + (f" (hypothèse {_hypothesis(link.hypothesis)})" if link.hypothesis else "")
            for link in added
        ],
    )
    for link in after:
        previous = old.get(link.to)
        if previous is not None and previous.hypothesis != link.hypothesis:
            parts.append(
                f"hypothèse du lien avec {names.of(target, link.to)} "
                f"{_hypothesis(previous.hypothesis)} → {_hypothesis(link.hypothesis)}"
            )
    if not parts and [link.to for link in before] != [link.to for link in after]:
        parts.append("ordre modifié")
    return parts, frozenset(link.to for link in added)


def _hypothesis(text: str | None) -> str:
    return quoted(text, LABEL_LIMIT) if text else EMPTY


# --- Matching nodes --------------------------------------------------------------------------


def _match_rows(
    kind: str, old: list[Any], new: list[Any]
) -> tuple[list[tuple[str, Any | None, Any]], list[tuple[str, Any]]]:
    """Pair rows without id; keys come from the older version (``kind#main|…#n``)."""
    key_of = _ROW_KEYS[kind]
    seen: Counter[tuple[str, ...]] = Counter()
    old_keys: list[str] = []
    for row in old:
        natural = key_of(row)
        old_keys.append(f"{'|'.join(natural)}#{seen[natural]}")
        seen[natural] += 1

    pairs: dict[int, int] = {}  # new index → old index
    free_old = list(range(len(old)))
    # From the surest to the loosest: the same row, the same key, the same main key (a row
    # whose name was edited), or a row edited in place (the editor addresses rows by position).
    for test in (
        lambda i, j: old[i] == new[j],
        lambda i, j: key_of(old[i]) == key_of(new[j]),
        lambda i, j: key_of(old[i])[0] == key_of(new[j])[0],
        lambda i, j: i == j,
    ):
        for new_index in range(len(new)):
            if new_index in pairs:
                continue
            for old_index in free_old:
                if test(old_index, new_index):
                    pairs[new_index] = old_index
                    free_old.remove(old_index)
                    break

    added_seen: Counter[tuple[str, ...]] = Counter()
    kept: list[tuple[str, Any | None, Any]] = []
    for new_index, row in enumerate(new):
        if new_index in pairs:
            old_index = pairs[new_index]
            kept.append((old_keys[old_index], old[old_index], row))
        else:
            natural = key_of(row)
            added_seen[natural] += 1
            kept.append((f"{'|'.join(natural)}#nouveau-{added_seen[natural]}", None, row))
    removed = [(old_keys[index], old[index]) for index in free_old]
    return kept, removed


def _section_entries(section: _Section, old: Project, new: Project, names: _Names) -> list[
    ChangeEntry
]:
    old_items, new_items = section.items(old), section.items(new)
    if section.kind in _ROW_KEYS:
        kept, removed = _match_rows(
            section.kind, [row for _, row in old_items], [row for _, row in new_items]
        )
    else:
        old_by_key = dict(old_items)
        new_keys = {key for key, _ in new_items}
        kept = [(key, old_by_key.get(key), item) for key, item in new_items]
        removed = [(key, item) for key, item in old_items if key not in new_keys]

    entries: list[ChangeEntry] = []
    for key, before, after in kept:
        label = section.label(after)
        if before is None:
            entries.append(_added_or_removed(section, Action.added, key, label))
        elif before != after:
            fields = _compare(section.model, before, after, names, section.skip)
            if fields:
                heading = section.capitalised if section.single else (
                    f"{section.capitalised} {quoted(label, LABEL_LIMIT)}"
                )
                entries.append(ChangeEntry(Action.modified, section.kind, key, label, heading,
                                           tuple(fields)))
    for key, before in removed:
        entries.append(_added_or_removed(section, Action.removed, key, section.label(before)))
    return entries


def _added_or_removed(section: _Section, action: Action, key: str, label: str) -> ChangeEntry:
    verb = section.agree("ajouté" if action is Action.added else "supprimé")
    heading = f"{section.capitalised} {verb}"
    if label:
        heading += f" : {quoted(label, LABEL_LIMIT)}"
    return ChangeEntry(action, section.kind, key, label, heading)


# --- Public API ------------------------------------------------------------------------------


def diff_projects(old: Project, new: Project) -> list[ChangeEntry]:
    """What changed from ``old`` to ``new``, node by node, in French and in a fixed order.

    Each entry is a node added, removed or modified; a modified node lists its fields'
    changes (values before and after, links added and removed, action sheet fields).
    Equal projects give an empty list.
    """
    names = _Names(old, new)
    entries: list[ChangeEntry] = []
    for section in _SECTIONS:
        entries += _section_entries(section, old, new, names)
    return entries


def summarise(entries: Sequence[ChangeEntry]) -> str:
    """The entries counted on one line: « 2 ajouts, 1 suppression, 3 modifications »."""
    counts = Counter(entry.action for entry in entries)
    parts = []
    for action, singular, plural in (
        (Action.added, "ajout", "ajouts"),
        (Action.removed, "suppression", "suppressions"),
        (Action.modified, "modification", "modifications"),
    ):
        if counts[action]:
            parts.append(f"{counts[action]} {singular if counts[action] == 1 else plural}")
    return ", ".join(parts) if parts else "aucune différence"


def conflicting_changes(base: Project, mine: Project, theirs: Project) -> list[ChangeEntry]:
    """The entries of ``base`` → ``theirs`` that clash with ``base`` → ``mine``.

    An entry of theirs clashes when it touches a node I also added, removed or modified
    — for two modifications, only the fields we both changed are kept — or when it
    links to a node I removed, or removes a node I linked to. Empty when both saves can
    be applied without one silently overwriting the other.
    """
    my_entries = diff_projects(base, mine)
    mine_by_node = {(entry.kind, entry.key): entry for entry in my_entries}
    removed_by_me = {entry.key for entry in my_entries if entry.action is Action.removed}
    linked_by_me = {
        reference for entry in my_entries for change in entry.fields
        for reference in change.references
    }
    clashes: list[ChangeEntry] = []
    for entry in diff_projects(base, theirs):
        mine_entry = mine_by_node.get((entry.kind, entry.key))
        if mine_entry is not None:
            both = {entry.action, mine_entry.action}
            if both == {Action.modified}:
                my_fields = {change.field for change in mine_entry.fields}
                shared = tuple(change for change in entry.fields if change.field in my_fields)
                if shared:
                    clashes.append(replace(entry, fields=shared))
                    continue
            elif both != {Action.removed}:  # both removing it loses nothing
                clashes.append(entry)
                continue
        if entry.action is Action.removed and entry.key in linked_by_me:
            clashes.append(entry)
        elif entry.action is Action.modified:
            dangling = tuple(c for c in entry.fields if c.references & removed_by_me)
            if dangling:
                clashes.append(replace(entry, fields=dangling))
    return clashes

