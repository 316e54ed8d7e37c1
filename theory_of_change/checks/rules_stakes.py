"""Rules on the stakes (enjeux) retained from the shared diagnostic."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import ChangeStatus
from .context import CheckContext
from .findings import Finding, Severity
from .registry import finding, rule


@rule("stake-not-addressed", Severity.error, "Enjeu retenu auquel aucun changement ne répond")
def stake_not_addressed(context: CheckContext) -> Iterator[Finding]:
    """Signale un enjeu retenu du diagnostic qu'aucun changement (non écarté) ne traite.

    **Pourquoi :** les enjeux retenus lors du diagnostic partagé fondent le plan d'action ;
    un enjeu sans changement est un enjeu que le plan d'action a oublié.

    **Corriger :** relier l'enjeu au changement qui y répond (« répond à l'enjeu »), en
    proposer un nouveau, ou marquer l'enjeu comme non retenu si le diagnostic l'a écarté.
    """
    for stake in context.project.stakes:
        if not stake.retained:
            continue
        changes = context.changes_by_stake.get(stake.id, [])
        if any(change.status != ChangeStatus.set_aside for change in changes):
            continue
        if changes:
            detail = "seuls des changements écartés y répondent"
        else:
            detail = "aucun changement n'y répond"
        yield finding(
            "stake-not-addressed",
            f"L'enjeu retenu {context.quoted(stake.id)} n'est pas traité : {detail}.",
            [stake.id],
        )


@rule("stake-without-theme", Severity.info, "Enjeu retenu sans thématique")
def stake_without_theme(context: CheckContext) -> Iterator[Finding]:
    """Signale un enjeu retenu qui n'est rattaché à aucune thématique.

    **Pourquoi :** les thématiques couvertes par la CTG se lisent sur les enjeux, les
    changements et les actions ; un enjeu sans thématique n'y compte pas.

    **Corriger :** choisir la thématique de l'enjeu (petite enfance, enfance, jeunesse,
    parentalité, accès aux droits, animation de la vie sociale ou une autre).
    """
    for stake in context.project.stakes:
        if stake.retained and stake.theme is None:
            yield finding(
                "stake-without-theme",
                f"L'enjeu retenu {context.quoted(stake.id)} n'a pas de thématique.",
                [stake.id],
            )
