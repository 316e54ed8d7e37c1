"""The kinds of items the editor adds, edits and deletes, and where each lives in a project.

Most items have a stable id (a slug such as ``chg-familles-informees``) generated from
their French title with a prefix per kind (``enjeu-``, ``chg-``, ``mq-``, ``act-``…).
Four kinds of table rows have no id — the cooperation officers, the rows of the SPPE
sheet, the SPPE duties covered and the convention's signatories — and are addressed by
their position in their list.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel

from ..calendar import Milestone
from ..model import (
    Activity,
    Body,
    Change,
    Commune,
    CooperationOfficer,
    DutyCoverage,
    Facility,
    ProgressMarker,
    Project,
    Signatory,
    SppeRow,
    Stake,
    StrategicAxis,
    SubObjective,
    Theme,
)

PathItem = str | int


class ItemKind(StrEnum):
    """Every kind of item the editor manages."""

    stake = "stake"
    change = "change"
    marker = "marker"
    activity = "activity"
    axis = "axis"
    sub_objective = "sub_objective"
    theme = "theme"
    commune = "commune"
    facility = "facility"
    body = "body"
    milestone = "milestone"
    cooperation_officer = "cooperation_officer"
    sppe_row = "sppe_row"
    duty_coverage = "duty_coverage"
    signatory = "signatory"


Gender = Literal["m", "f", "mf"]


@dataclass(frozen=True)
class KindSpec:
    """How the editor handles one kind of item.

    ``path`` is where its list sits in the project (for sub-objectives, inside each axis);
    ``prefix`` is the prefix of generated ids, ``None`` for rows addressed by position;
    ``noun`` and ``the`` are its French names ("enjeu", "l'enjeu") and ``gender`` gives the
    agreement of "ajouté"/"ajoutée"; ``title_field`` is the field that names an item.
    """

    kind: ItemKind
    model: type[BaseModel]
    path: tuple[str, ...]
    prefix: str | None
    title_field: str
    noun: str
    the: str
    gender: Gender

    @property
    def has_id(self) -> bool:
        """Whether items of this kind have a stable id (else they are addressed by position)."""
        return self.prefix is not None

    def agree(self, participle: str) -> str:
        """A past participle agreeing with the noun: ``ajouté``, ``ajoutée``, ``ajouté(e)``."""
        return participle + {"m": "", "f": "e", "mf": "(e)"}[self.gender]

    @property
    def capitalised(self) -> str:
        """The noun with a capital letter, to open a sentence."""
        return self.noun[:1].upper() + self.noun[1:]


KINDS: dict[ItemKind, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(ItemKind.stake, Stake, ("stakes",), "enjeu-", "title", "enjeu", "l'enjeu", "m"),
        KindSpec(
            ItemKind.change, Change, ("changes",), "chg-", "statement", "changement",
            "le changement", "m",
        ),
        KindSpec(
            ItemKind.marker, ProgressMarker, ("markers",), "mq-", "text", "marqueur de progrès",
            "le marqueur de progrès", "m",
        ),
        KindSpec(
            ItemKind.activity, Activity, ("activities",), "act-", "title", "action",
            "l'action", "f",
        ),
        KindSpec(
            ItemKind.axis, StrategicAxis, ("axes",), "axe-", "title", "axe stratégique",
            "l'axe stratégique", "m",
        ),
        KindSpec(
            ItemKind.sub_objective, SubObjective, ("axes", "sub_objectives"), "so-", "title",
            "sous-objectif", "le sous-objectif", "m",
        ),
        KindSpec(
            ItemKind.theme, Theme, ("themes",), "", "label", "thématique", "la thématique", "f"
        ),
        KindSpec(
            ItemKind.commune, Commune, ("territory", "communes"), "", "name", "commune",
            "la commune", "f",
        ),
        KindSpec(
            ItemKind.facility, Facility, ("facilities",), "eq-", "name", "équipement",
            "l'équipement", "m",
        ),
        KindSpec(
            ItemKind.body, Body, ("governance", "bodies"), "", "name", "instance de pilotage",
            "l'instance de pilotage", "f",
        ),
        KindSpec(
            ItemKind.milestone, Milestone, ("milestones",), "jalon-", "title",
            "étape du calendrier", "l'étape du calendrier", "f",
        ),
        KindSpec(
            ItemKind.cooperation_officer, CooperationOfficer,
            ("governance", "cooperation_officers"), None, "name", "chargé(e) de coopération",
            "le ou la chargé(e) de coopération", "mf",
        ),
        KindSpec(
            ItemKind.sppe_row, SppeRow, ("sppe", "rows"), None, "structure_type",
            "ligne de la fiche SPPE", "la ligne de la fiche SPPE", "f",
        ),
        KindSpec(
            ItemKind.duty_coverage, DutyCoverage, ("sppe", "duties"), None, "duty",
            "obligation SPPE", "l'obligation SPPE", "f",
        ),
        KindSpec(
            ItemKind.signatory, Signatory, ("signatories",), None, "name", "signataire",
            "le signataire", "m",
        ),
    )
}
"""The kinds in the order the editor (and the revisions' diff) lists them."""

ID_KINDS: tuple[ItemKind, ...] = tuple(kind for kind, spec in KINDS.items() if spec.has_id)
ROW_KINDS: tuple[ItemKind, ...] = tuple(kind for kind, spec in KINDS.items() if not spec.has_id)


@dataclass(frozen=True)
class Located:
    """An item found in a project: its kind, its path in the project's data, the item."""

    kind: ItemKind
    path: tuple[PathItem, ...]
    item: Any

    @property
    def spec(self) -> KindSpec:
        """The spec of the item's kind."""
        return KINDS[self.kind]


def walk(root: Any, path: tuple[PathItem, ...]) -> Any:
    """What sits at ``path`` in a project (attributes) or in its dumped data (keys)."""
    for part in path:
        if isinstance(root, dict | list):
            root = root[part]
        else:
            root = getattr(root, str(part))
    return root


def iter_items(root: Project | dict[str, Any], kind: ItemKind) -> Iterator[Located]:
    """Every item of ``kind`` in a project (or in its dumped data), with its path.

    Sub-objectives are found inside each axis; their path names the axis' position.
    """
    spec = KINDS[kind]
    if kind is ItemKind.sub_objective:
        for axis_index, axis in enumerate(walk(root, ("axes",))):
            for index, item in enumerate(walk(axis, ("sub_objectives",))):
                yield Located(kind, ("axes", axis_index, "sub_objectives", index), item)
        return
    for index, item in enumerate(walk(root, spec.path)):
        yield Located(kind, (*spec.path, index), item)


def item_list(data: dict[str, Any], path: tuple[PathItem, ...]) -> list[Any]:
    """The list that holds the item at ``path`` in dumped project data."""
    return walk(data, path[:-1])


def item_at(data: dict[str, Any], path: tuple[PathItem, ...]) -> Any:
    """The item at ``path`` in dumped project data."""
    return walk(data, path)


def get_field(item: Any, name: str) -> Any:
    """A field of an item, whether it is a model or its dumped dict."""
    return item.get(name) if isinstance(item, dict) else getattr(item, name)


def all_ids(project: Project | dict[str, Any]) -> set[str]:
    """Every id used by an item of any kind (plus the vision's reserved id)."""
    ids = {"vision"}
    for kind in ID_KINDS:
        ids.update(get_field(located.item, "id") for located in iter_items(project, kind))
    return ids


def find_by_id(
    project: Project | dict[str, Any], item_id: str, kind: ItemKind | None = None
) -> list[Located]:
    """The items whose id is ``item_id`` (of ``kind`` only, when given)."""
    kinds = (kind,) if kind is not None else ID_KINDS
    return [
        located
        for candidate in kinds
        if KINDS[candidate].has_id
        for located in iter_items(project, candidate)
        if get_field(located.item, "id") == item_id
    ]
