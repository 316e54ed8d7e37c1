"""Edit what a stake rests on: figures ("cold" data) and what people said ("hot" data).

A stake's evidence is one list mixing both kinds, in the order they were added;
each item is addressed by its position in that list (from 0). Figures typed the French
way (« 76,9 », « 1 234 ») are stored as numbers, a blank figure as unknown — never 0 —
and the portrait's markers of a secret figure (« XXX », « s ») read as unknown too.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from ..model import Project, QualitativeEvidence, QuantitativeEvidence, Stake
from .items import locate
from .kinds import ItemKind, item_at
from .measures import parse_measure
from .validation import EditError, clean_fields, commit, dump

EvidenceKind = Literal["quantitative", "qualitative"]

EVIDENCE_MODELS: dict[str, type[BaseModel]] = {
    "quantitative": QuantitativeEvidence,
    "qualitative": QualitativeEvidence,
}
EVIDENCE_NOUNS = {"quantitative": "le chiffre", "qualitative": "la parole recueillie"}
_MEASURES = ("value", "reference")


def add_evidence(
    project: Project, stake_id: str, /, *, kind: EvidenceKind | str, **fields: Any
) -> Project:
    """A new project where the stake ``stake_id`` has one more piece of evidence, last.

    ``kind`` is ``quantitative`` (``indicator``, ``territory``, ``value``, ``reference``,
    ``reference_territory``, ``year``, ``source``) or ``qualitative`` (``quote``, ``group``,
    ``source``, ``theme``).
    """
    model = _model(kind)
    located = locate(project, stake_id, ItemKind.stake)
    cleaned = _cleaned(project, model, fields)
    data = dump(project)
    evidence = item_at(data, located.path)["evidence"]
    evidence.append({**cleaned, "kind": kind})
    return commit(data, (*located.path, "evidence", len(evidence) - 1), model)


def update_evidence(project: Project, stake_id: str, index: int, /, **fields: Any) -> Project:
    """A new project where the evidence at ``index`` (from 0) of the stake has ``fields``
    changed; its kind (figure or quote) stays what it is."""
    located, current = _evidence_at(project, stake_id, index)
    if "kind" in fields and fields["kind"] != current.kind:
        raise EditError(
            "Un chiffre ne devient pas une parole recueillie (ni l'inverse) : supprimez-le et "
            "ajoutez l'autre.",
            "kind",
        )
    fields = {name: value for name, value in fields.items() if name != "kind"}
    model = _model(current.kind)
    cleaned = _cleaned(project, model, fields)
    data = dump(project)
    item_at(data, located.path)["evidence"][index].update(cleaned)
    return commit(data, (*located.path, "evidence", index), model)


def delete_evidence(project: Project, stake_id: str, index: int) -> Project:
    """A new project without the evidence at ``index`` (from 0) of the stake."""
    located, _current = _evidence_at(project, stake_id, index)
    data = dump(project)
    del item_at(data, located.path)["evidence"][index]
    return commit(data)


def evidence_at(
    project: Project, stake_id: str, index: int
) -> QuantitativeEvidence | QualitativeEvidence:
    """The evidence at ``index`` (from 0) of the stake, or :class:`EditError`."""
    return _evidence_at(project, stake_id, index)[1]


def _evidence_at(
    project: Project, stake_id: str, index: int
) -> tuple[Any, QuantitativeEvidence | QualitativeEvidence]:
    located = locate(project, stake_id, ItemKind.stake)
    stake: Stake = located.item
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(
        stake.evidence
    ):
        shown = index + 1 if isinstance(index, int) and not isinstance(index, bool) else index
        raise EditError(
            f"La donnée n° {shown} de l'enjeu « {stake.title} » n'existe pas (il en a "
            f"{len(stake.evidence)})."
        )
    return located, stake.evidence[index]


def _model(kind: str) -> type[BaseModel]:
    model = EVIDENCE_MODELS.get(str(kind))
    if model is None:
        raise EditError(
            "Choisissez le type de donnée : un chiffre (donnée froide) ou une parole recueillie "
            "(donnée chaude).",
            "kind",
        )
    return model


def _cleaned(project: Project, model: type[BaseModel], fields: dict[str, Any]) -> dict[str, Any]:
    if "kind" in fields:
        raise EditError("Le type de donnée se choisit en l'ajoutant.", "kind")
    if model is QuantitativeEvidence and "indicator" in fields and not _text(fields["indicator"]):
        raise EditError(
            "Écrivez l'indicateur, par exemple « taux de couverture petite enfance (%) ».",
            "indicator",
        )
    if model is QualitativeEvidence and "quote" in fields and not _text(fields["quote"]):
        raise EditError("Écrivez la parole recueillie.", "quote")
    cleaned = clean_fields(model, fields, "la donnée")
    for name in _MEASURES:
        if name in cleaned and model is QuantitativeEvidence:
            cleaned[name] = parse_measure(cleaned[name])
    theme = cleaned.get("theme")
    if theme is not None and theme not in {t.id for t in project.themes}:
        raise EditError(f"La thématique « {theme} » n'existe pas dans le projet.", "theme")
    return cleaned


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""
