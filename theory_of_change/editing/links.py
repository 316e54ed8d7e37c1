"""Edit the links of the chain of reasoning, each with the hypothesis it rests on.

For a change: its preconditions (the changes that must happen first), the stakes it
addresses, its hypotheses, and whether it leads to the vision; for an activity: the
changes it contributes to; for a marker: the change it shows and its level. Links point
to ids; a link to an unknown id, or a precondition that would close a loop, is refused
with a French message naming the form field (``preconditions``, ``addresses``…).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..model import Link, MarkerLevel, Project
from .items import locate, update_fields
from .kinds import ItemKind
from .validation import EditError

LinkInput = str | Link | tuple[str, str | None] | Mapping[str, Any]
"""A link as a form gives it: a bare id, ``(id, hypothesis)``, a ``Link`` or its data."""


def as_links(links: Iterable[LinkInput], field: str) -> list[dict[str, Any]]:
    """Normalise links to data (``{"to": id, "hypothesis": text or None}``).

    A blank hypothesis counts as none; the same target twice is refused (``field`` names
    the form field in the :class:`EditError`).
    """
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for link in links:
        if isinstance(link, Link):
            target, hypothesis = link.to, link.hypothesis
        elif isinstance(link, str):
            target, hypothesis = link, None
        elif isinstance(link, tuple):
            target, hypothesis = link
        elif isinstance(link, Mapping):
            target, hypothesis = link.get("to"), link.get("hypothesis")
        else:
            raise EditError(f"Lien illisible : {link!r}.", field)
        if not isinstance(target, str) or not target.strip():
            raise EditError("Choisissez l'élément à relier.", field)
        target = target.strip()
        if target in seen:
            raise EditError(f"« {target} » est choisi deux fois : gardez un seul lien.", field)
        seen.add(target)
        if isinstance(hypothesis, str) and not hypothesis.strip():
            hypothesis = None
        result.append({"to": target, "hypothesis": hypothesis})
    return result


def _current_links(project: Project, change_id: str) -> list[dict[str, Any]]:
    change = locate(project, change_id, ItemKind.change).item
    return [{"to": link.to, "hypothesis": link.hypothesis} for link in change.preconditions]


def set_preconditions(project: Project, change_id: str, links: Iterable[LinkInput]) -> Project:
    """Set the preconditions of a change (each with its hypothesis "si… alors…").

    A precondition is a change that must happen before this one. Refused, naming the
    loop, if it would make changes depend on one another in a circle.
    """
    links_data = as_links(links, "preconditions")
    return update_fields(project, change_id, item_kind=ItemKind.change, preconditions=links_data)


def add_precondition(
    project: Project, change_id: str, precondition_id: str, hypothesis: str | None = None
) -> Project:
    """Add one precondition to a change, or change the hypothesis of an existing one."""
    links = _current_links(project, change_id)
    for link in links:
        if link["to"] == precondition_id:
            link["hypothesis"] = hypothesis
            break
    else:
        links.append({"to": precondition_id, "hypothesis": hypothesis})
    return set_preconditions(project, change_id, links)


def remove_precondition(project: Project, change_id: str, precondition_id: str) -> Project:
    """Remove one precondition of a change (:class:`EditError` if it is not one)."""
    links = _current_links(project, change_id)
    kept = [link for link in links if link["to"] != precondition_id]
    if len(kept) == len(links):
        raise EditError(
            f"« {precondition_id} » n'est pas une précondition de ce changement.",
            "preconditions",
        )
    return set_preconditions(project, change_id, kept)


def set_addressed_stakes(project: Project, change_id: str, stake_ids: Iterable[str]) -> Project:
    """Set the stakes (enjeux) a change answers."""
    ids = [link["to"] for link in as_links(stake_ids, "addresses")]
    return update_fields(project, change_id, item_kind=ItemKind.change, addresses=ids)


def set_hypotheses(project: Project, change_id: str, hypotheses: Iterable[str]) -> Project:
    """Set the hypotheses of a change (blank lines dropped)."""
    return update_fields(project, change_id, item_kind=ItemKind.change, hypotheses=list(hypotheses))


def set_leads_to_vision(
    project: Project, change_id: str, leads: bool, hypothesis: str | None = None
) -> Project:
    """Say whether a change leads directly to the vision, and on which hypothesis.

    Without the link the hypothesis means nothing, so it is cleared.
    """
    return update_fields(
        project,
        change_id,
        item_kind=ItemKind.change,
        leads_to_vision=leads,
        vision_hypothesis=hypothesis if leads else None,
    )


def set_contributions(project: Project, activity_id: str, links: Iterable[LinkInput]) -> Project:
    """Set the changes an activity contributes to, each with its hypothesis."""
    return update_fields(
        project,
        activity_id,
        item_kind=ItemKind.activity,
        contributes_to=as_links(links, "contributes_to"),
    )


def set_marker_change(
    project: Project, marker_id: str, change_id: str, level: MarkerLevel | str | None = None
) -> Project:
    """Attach a progress marker to a change (to move it), and set its level if given.

    The level is *expect*, *like* or *love* to see (on s'attend à voir, on aimerait voir,
    on adorerait voir).
    """
    fields: dict[str, Any] = {"change": change_id}
    if level is not None:
        fields["level"] = level
    return update_fields(project, marker_id, item_kind=ItemKind.marker, **fields)
