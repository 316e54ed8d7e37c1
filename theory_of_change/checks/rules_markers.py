"""Rules on progress markers: every change shows how we will see it happen."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import MARKER_LEVEL_LABELS, MarkerLevel
from .context import CheckContext
from .findings import Finding, Severity
from .french import french_list, quoted
from .registry import finding, rule


@rule("change-without-marker", Severity.warning, "Changement sans marqueur de progrès")
def change_without_marker(context: CheckContext) -> Iterator[Finding]:
    """Signale un changement (non écarté) qui n'a aucun marqueur de progrès.

    **Pourquoi :** un marqueur de progrès est le signe observable que le changement est en
    train de se produire ; sans lui, le suivi et l'évaluation de la CTG n'ont rien à
    observer.

    **Corriger :** écrire au moins un marqueur « on s'attend à voir », puis « on aimerait
    voir » et « on adorerait voir ».
    """
    for change in context.active_changes:
        if not context.markers_by_change.get(change.id):
            yield finding(
                "change-without-marker",
                f"Le changement {context.quoted(change.id)} n'a aucun marqueur de progrès.",
                [change.id],
            )


@rule(
    "change-missing-marker-level",
    Severity.warning,
    "Changement sans les trois niveaux de marqueurs",
)
def change_missing_marker_level(context: CheckContext) -> Iterator[Finding]:
    """Signale un changement qui a des marqueurs, mais pas des trois niveaux.

    Les trois niveaux sont « on s'attend à voir », « on aimerait voir » et « on adorerait
    voir ». Un changement sans aucun marqueur relève de `change-without-marker`.

    **Pourquoi :** les marqueurs gradués décrivent la progression du changement, du premier
    signe attendu à la transformation profonde ; un niveau manquant laisse un trou dans
    cette progression.

    **Corriger :** ajouter un marqueur pour chaque niveau manquant.
    """
    for change in context.active_changes:
        markers = context.markers_by_change.get(change.id)
        if not markers:
            continue
        present = {marker.level for marker in markers}
        missing = [level for level in MarkerLevel if level not in present]
        if missing:
            names = french_list(quoted(MARKER_LEVEL_LABELS[level]) for level in missing)
            yield finding(
                "change-missing-marker-level",
                f"Il manque au changement {context.quoted(change.id)} des marqueurs de niveau "
                f"{names}.",
                [change.id],
            )
