"""Delete an item, after saying what depends on it.

:func:`dependents_of` lists every link and reference that deleting an item would cut,
each with a French sentence for the confirmation page; :func:`delete_node` refuses while
there are dependents, unless asked to cut the links, and then removes the item and every
reference to it, so no id is left dangling.

Choices made here:

- a progress marker cannot exist without its change: deleting a change deletes its
  markers too (the dependents say so; move a marker to another change first to keep it);
- an axis takes its sub-objectives with it, and its actions are left without axis;
- an SPPE duty covered for a commune is deleted with the commune (it would otherwise
  silently become the EPCI's); a commune removed from an action's scope may leave the
  action for the whole territory, and the dependent says so;
- decisions (the audit trail of workshops) keep the ids they mention: they are history.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..model import Project
from .items import locate, locate_row
from .kinds import ItemKind, Located, item_list
from .labels import SPPE_DUTY_LABELS, SPPE_STRUCTURE_LABELS, quoted
from .validation import EditError, FieldProblem, commit, dump


class Effect(StrEnum):
    """What deleting the item does to a dependent."""

    cut = "cut"
    deleted = "deleted"


@dataclass(frozen=True)
class Dependent:
    """Something that refers to the item to delete, and what will happen to it.

    ``holder_kind`` is an :class:`~theory_of_change.editing.kinds.ItemKind` value, or
    ``"quote"`` (a quote of the diagnostic) or ``"evidence"`` (a quote given for a stake);
    ``holder_id`` its id when it has one; ``field`` the field holding the reference.
    """

    holder_kind: str
    holder_id: str | None
    holder_label: str
    field: str
    effect: Effect
    description: str


class DependentsError(EditError):
    """Deleting was refused because other items depend on the item; ``dependents`` lists them."""

    def __init__(self, message: str, dependents: list[Dependent]) -> None:
        self.dependents = tuple(dependents)
        super().__init__(
            message,
            None,
            [FieldProblem(None, message)]
            + [FieldProblem(None, dependent.description) for dependent in dependents],
        )


def _q(text: str, limit: int | None = 60) -> str:
    return quoted(text, limit)


def _duty_label(duty: Any, authority: str | None) -> str:
    where = f"commune « {authority} »" if authority else "territoire entier"
    return f"{SPPE_DUTY_LABELS[duty]} ({where})"


def _stake_dependents(project: Project, stake_id: str) -> Iterator[Dependent]:
    for change in project.changes:
        if stake_id in change.addresses:
            yield Dependent(
                "change", change.id, change.statement, "addresses", Effect.cut,
                f"Le changement {_q(change.statement)} répond à cet enjeu : ce lien sera coupé.",
            )
    for quote in project.diagnostic.quotes:
        if stake_id in quote.stakes:
            yield Dependent(
                "quote", quote.id, quote.quote, "stakes", Effect.cut,
                f"La parole recueillie {_q(quote.quote)} est rattachée à cet enjeu : ce "
                "rattachement sera retiré.",
            )


def _change_dependents(project: Project, change_id: str) -> Iterator[Dependent]:
    for change in project.changes:
        if any(link.to == change_id for link in change.preconditions):
            yield Dependent(
                "change", change.id, change.statement, "preconditions", Effect.cut,
                f"Le changement {_q(change.statement)} a ce changement pour précondition : ce "
                "lien sera coupé.",
            )
    for marker in project.markers:
        if marker.change == change_id:
            yield Dependent(
                "marker", marker.id, marker.text, "change", Effect.deleted,
                f"Le marqueur de progrès {_q(marker.text)} observe ce changement : il sera "
                "supprimé avec lui (rattachez-le d'abord à un autre changement pour le garder).",
            )
    for activity in project.activities:
        if any(link.to == change_id for link in activity.contributes_to):
            yield Dependent(
                "activity", activity.id, activity.title, "contributes_to", Effect.cut,
                f"L'action {_q(activity.title)} contribue à ce changement : ce lien sera coupé.",
            )


def _activity_dependents(project: Project, activity_id: str) -> Iterator[Dependent]:
    for coverage in project.sppe.duties:
        if activity_id in coverage.activities:
            label = _duty_label(coverage.duty, coverage.authority)
            yield Dependent(
                "duty_coverage", None, label, "activities", Effect.cut,
                f"L'obligation SPPE {_q(label, None)} s'appuie sur cette action : ce lien sera "
                "coupé.",
            )


def _axis_dependents(project: Project, axis_id: str) -> Iterator[Dependent]:
    axis = project.axis(axis_id)
    for sub in axis.sub_objectives:
        yield Dependent(
            "sub_objective", sub.id, sub.title, "sub_objectives", Effect.deleted,
            f"Le sous-objectif {_q(sub.title)} de cet axe sera supprimé avec lui.",
        )
    for activity in project.activities:
        if activity.axis == axis_id:
            yield Dependent(
                "activity", activity.id, activity.title, "axis", Effect.cut,
                f"L'action {_q(activity.title)} relève de cet axe : elle n'aura plus d'axe ni "
                "de sous-objectif.",
            )


def _sub_objective_dependents(project: Project, located: Located) -> Iterator[Dependent]:
    axis_id = project.axes[int(located.path[1])].id
    for activity in project.activities:
        if activity.axis == axis_id and activity.sub_objective == located.item.id:
            yield Dependent(
                "activity", activity.id, activity.title, "sub_objective", Effect.cut,
                f"L'action {_q(activity.title)} relève de ce sous-objectif : elle n'en aura plus.",
            )


def _theme_dependents(project: Project, theme_id: str) -> Iterator[Dependent]:
    for stake in project.stakes:
        if stake.theme == theme_id:
            yield Dependent(
                "stake", stake.id, stake.title, "theme", Effect.cut,
                f"L'enjeu {_q(stake.title)} a cette thématique : il n'en aura plus.",
            )
        for evidence in stake.evidence:
            if getattr(evidence, "theme", None) == theme_id:
                yield Dependent(
                    "evidence", stake.id, stake.title, "evidence", Effect.cut,
                    f"Une parole citée à l'appui de l'enjeu {_q(stake.title)} porte cette "
                    "thématique : elle lui sera retirée.",
                )
    for change in project.changes:
        if theme_id in change.themes:
            yield Dependent(
                "change", change.id, change.statement, "themes", Effect.cut,
                f"Le changement {_q(change.statement)} porte cette thématique : elle lui sera "
                "retirée.",
            )
    for activity in project.activities:
        if theme_id in activity.themes:
            yield Dependent(
                "activity", activity.id, activity.title, "themes", Effect.cut,
                f"L'action {_q(activity.title)} porte cette thématique : elle lui sera retirée.",
            )
    for officer in project.governance.cooperation_officers:
        if theme_id in officer.themes:
            yield Dependent(
                "cooperation_officer", None, officer.name, "themes", Effect.cut,
                f"{officer.name} (chargé(e) de coopération) suit cette thématique : elle lui "
                "sera retirée.",
            )
    for quote in project.diagnostic.quotes:
        if quote.theme == theme_id:
            yield Dependent(
                "quote", quote.id, quote.quote, "theme", Effect.cut,
                f"La parole recueillie {_q(quote.quote)} porte cette thématique : elle lui sera "
                "retirée.",
            )


def _commune_dependents(project: Project, commune_id: str) -> Iterator[Dependent]:
    for activity in project.activities:
        if commune_id in activity.scope:
            alone = activity.scope == [commune_id]
            consequence = (
                "c'était sa seule commune : l'action concernera alors tout le territoire"
                if alone
                else "elle sera retirée de ses communes"
            )
            yield Dependent(
                "activity", activity.id, activity.title, "scope", Effect.cut,
                f"L'action {_q(activity.title)} concerne cette commune : {consequence}.",
            )
    for row in project.sppe.rows:
        if row.commune == commune_id:
            label = SPPE_STRUCTURE_LABELS[row.structure_type]
            if row.name_address:
                label = f"{label} — {row.name_address}"
            yield Dependent(
                "sppe_row", None, label, "commune", Effect.cut,
                f"La ligne SPPE {_q(label)} est située dans cette commune : sa commune sera "
                "effacée.",
            )
    for coverage in project.sppe.duties:
        if coverage.authority == commune_id:
            label = _duty_label(coverage.duty, coverage.authority)
            yield Dependent(
                "duty_coverage", None, label, "authority", Effect.deleted,
                f"L'obligation SPPE {_q(label, None)} de cette commune sera supprimée.",
            )
    for facility in project.facilities:
        if facility.commune == commune_id:
            yield Dependent(
                "facility", facility.id, facility.name, "commune", Effect.cut,
                f"L'équipement {_q(facility.name)} est situé dans cette commune : sa commune "
                "sera effacée.",
            )


def _dependents(project: Project, located: Located) -> list[Dependent]:
    item_id = getattr(located.item, "id", None)
    match located.kind:
        case ItemKind.stake:
            found = _stake_dependents(project, item_id)
        case ItemKind.change:
            found = _change_dependents(project, item_id)
        case ItemKind.activity:
            found = _activity_dependents(project, item_id)
        case ItemKind.axis:
            found = _axis_dependents(project, item_id)
        case ItemKind.sub_objective:
            found = _sub_objective_dependents(project, located)
        case ItemKind.theme:
            found = _theme_dependents(project, item_id)
        case ItemKind.commune:
            found = _commune_dependents(project, item_id)
        case _:
            found = iter(())
    return list(found)


def dependents_of(
    project: Project, node_id: str, *, item_kind: ItemKind | None = None
) -> list[Dependent]:
    """Everything that refers to the item ``node_id`` and what deleting it would do to each.

    Empty when the item can be deleted without cutting anything (a marker, a facility…).
    ``item_kind`` is needed only if two items of different kinds share the id.
    """
    return _dependents(project, locate(project, node_id, item_kind))


def delete_node(
    project: Project, node_id: str, *, cut_links: bool, item_kind: ItemKind | None = None
) -> Project:
    """A new project without the item ``node_id``.

    While something depends on it and ``cut_links`` is false, raises
    :class:`DependentsError` listing the dependents; with ``cut_links``, every link and
    reference to it is cut (and its markers, for a change, deleted), so the project stays
    valid with no dangling id.
    """
    located = locate(project, node_id, item_kind)
    dependents = _dependents(project, located)
    if dependents and not cut_links:
        count = len(dependents)
        what = "élément en dépend" if count == 1 else "éléments en dépendent"
        spec = located.spec
        raise DependentsError(
            f"{spec.the[:1].upper()}{spec.the[1:]} {_q(_title(located))} n'est pas "
            f"{spec.agree('supprimé')} : {count} {what}. Confirmez pour couper ces liens.",
            dependents,
        )
    data = dump(project)
    _cut_references(data, located, project)
    del item_list(data, located.path)[located.path[-1]]
    return commit(data)


def delete_row(project: Project, kind: ItemKind, index: int) -> Project:
    """A new project without row ``index`` (from 0) of a kind without ids (nothing refers to it)."""
    located = locate_row(project, kind, index)
    data = dump(project)
    del item_list(data, located.path)[located.path[-1]]
    return commit(data)


def delete_cooperation_officer(project: Project, index: int) -> Project:
    """Remove the cooperation officer at position ``index`` (from 0)."""
    return delete_row(project, ItemKind.cooperation_officer, index)


def delete_sppe_row(project: Project, index: int) -> Project:
    """Remove the SPPE sheet's row at position ``index`` (from 0)."""
    return delete_row(project, ItemKind.sppe_row, index)


def delete_duty_coverage(project: Project, index: int) -> Project:
    """Remove the SPPE duty coverage at position ``index`` (from 0)."""
    return delete_row(project, ItemKind.duty_coverage, index)


def _title(located: Located) -> str:
    return str(getattr(located.item, located.spec.title_field))


# --- Cutting references in dumped data ------------------------------------------------------


def _target(link: Any) -> Any:
    # A link without hypothesis is dumped as its bare target id.
    return link["to"] if isinstance(link, dict) else link


def _cut_references(data: dict[str, Any], located: Located, project: Project) -> None:
    item_id = getattr(located.item, "id", None)
    match located.kind:
        case ItemKind.stake:
            for change in data["changes"]:
                change["addresses"] = [s for s in change["addresses"] if s != item_id]
            for quote in data["diagnostic"]["quotes"]:
                quote["stakes"] = [s for s in quote["stakes"] if s != item_id]
        case ItemKind.change:
            for change in data["changes"]:
                change["preconditions"] = [
                    link for link in change["preconditions"] if _target(link) != item_id
                ]
            data["markers"] = [m for m in data["markers"] if m["change"] != item_id]
            for activity in data["activities"]:
                activity["contributes_to"] = [
                    link for link in activity["contributes_to"] if _target(link) != item_id
                ]
        case ItemKind.activity:
            for coverage in data["sppe"]["duties"]:
                coverage["activities"] = [a for a in coverage["activities"] if a != item_id]
        case ItemKind.axis:
            for activity in data["activities"]:
                if activity["axis"] == item_id:
                    activity["axis"] = None
                    activity["sub_objective"] = None
        case ItemKind.sub_objective:
            axis_id = project.axes[int(located.path[1])].id
            for activity in data["activities"]:
                if activity["axis"] == axis_id and activity["sub_objective"] == item_id:
                    activity["sub_objective"] = None
        case ItemKind.theme:
            _cut_theme(data, item_id)
        case ItemKind.commune:
            _cut_commune(data, item_id)


def _cut_theme(data: dict[str, Any], theme_id: str) -> None:
    for stake in data["stakes"]:
        if stake["theme"] == theme_id:
            stake["theme"] = None
        for evidence in stake["evidence"]:
            if evidence.get("theme") == theme_id:
                evidence["theme"] = None
    for holder in (
        *data["changes"], *data["activities"], *data["governance"]["cooperation_officers"]
    ):
        holder["themes"] = [t for t in holder["themes"] if t != theme_id]
    for quote in data["diagnostic"]["quotes"]:
        if quote["theme"] == theme_id:
            quote["theme"] = None


def _cut_commune(data: dict[str, Any], commune_id: str) -> None:
    for activity in data["activities"]:
        activity["scope"] = [c for c in activity["scope"] if c != commune_id]
    for row in data["sppe"]["rows"]:
        if row["commune"] == commune_id:
            row["commune"] = None
    data["sppe"]["duties"] = [d for d in data["sppe"]["duties"] if d["authority"] != commune_id]
    for facility in data["facilities"]:
        if facility["commune"] == commune_id:
            facility["commune"] = None
