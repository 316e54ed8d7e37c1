"""Rules on change pathways: no cycle, every change leads to the vision, priorities, hypotheses."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import networkx as nx

from ..model import VISION_ID, ChangeStatus
from .context import CheckContext
from .findings import Finding, Severity
from .french import french_list, quoted, truncate
from .registry import finding, rule


@rule("precondition-cycle", Severity.error, "Cycle entre préconditions")
def precondition_cycle(context: CheckContext) -> Iterator[Finding]:
    """Signale des changements qui dépendent les uns des autres en boucle (A avant B avant A).

    Chaque groupe de changements pris dans une même boucle (composante fortement connexe)
    est signalé une seule fois, avec un exemple de boucle à casser.

    **Pourquoi :** un chemin de changement est une suite d'étapes ; si un changement est
    à la fois condition et conséquence d'un autre, le chemin n'a ni début ni ordre, et le
    schéma des chemins devient illisible.

    **Corriger :** retirer au moins un des liens de précondition de la boucle, souvent
    celui qui décrit un renforcement mutuel plutôt qu'une étape préalable.
    """
    chains = context.precondition_graph
    order = context.change_order
    for component in nx.strongly_connected_components(chains):
        first = min(component, key=order.__getitem__)
        if len(component) == 1 and not chains.has_edge(first, first):
            continue
        members = sorted(component, key=order.__getitem__)
        loop = nx.find_cycle(chains.subgraph(component), source=first)
        steps = [quoted(truncate(context.label(u), 40)) for u, _ in loop]
        path = " → ".join([*steps, steps[0]])
        yield finding(
            "precondition-cycle",
            f"Les changements {french_list(context.quoted_all(members))} forment une boucle de "
            f"préconditions ({path}) : chacun finit par dépendre de lui-même. Retirez au moins "
            "un lien de cette boucle.",
            members,
        )


@rule("change-without-path-to-vision", Severity.error, "Changement qui ne mène pas à la vision")
def change_without_path_to_vision(context: CheckContext) -> Iterator[Finding]:
    """Signale un changement (non écarté) d'où aucun chemin de préconditions ne mène à la vision.

    Un changement mène à la vision s'il y est relié directement (« mène à la vision ») ou
    s'il est la précondition d'un changement qui y mène. Les changements écartés ne comptent
    pas comme étapes. Sans vision, c'est la règle `vision-missing` qui le signale.

    **Pourquoi :** dans l'approche orientée changement, chaque changement est une étape
    vers la vision ; un changement isolé ne sert aucun chemin, et les actions qui y
    contribuent perdent leur justification.

    **Corriger :** le relier comme précondition au changement qu'il rend possible, ou
    indiquer qu'il mène directement à la vision, ou l'écarter s'il n'est plus retenu.
    """
    if VISION_ID not in context.graph:
        return
    active = context.active_change_ids
    reached = context.upstream_changes(context.vision_end_ids, within=active)
    reached_through_set_aside = context.upstream_changes(context.vision_end_ids)
    for change in context.active_changes:
        if change.id in reached:
            continue
        if change.id in reached_through_set_aside:
            reason = (
                "ne mène à la vision qu'à travers des changements écartés : reliez-le à un "
                "changement retenu ou à la vision"
            )
        else:
            reason = (
                "ne mène pas à la vision : reliez-le comme précondition d'un autre changement "
                "ou indiquez qu'il mène à la vision"
            )
        yield finding(
            "change-without-path-to-vision",
            f"Le changement {context.quoted(change.id)} {reason}.",
            [change.id],
        )


@rule("precondition-set-aside", Severity.warning, "Précondition écartée")
def precondition_set_aside(context: CheckContext) -> Iterator[Finding]:
    """Signale un changement retenu dont une précondition a été écartée.

    **Pourquoi :** si l'étape préalable a été écartée lors de la priorisation, le chemin
    repose sur un changement que personne ne cherchera à produire.

    **Corriger :** retirer ce lien de précondition, ou remettre le changement écarté dans
    les changements proposés ou priorisés.
    """
    changes = context.changes_by_id
    for change in context.active_changes:
        for link in change.preconditions:
            if changes[link.to].status == ChangeStatus.set_aside:
                yield finding(
                    "precondition-set-aside",
                    f"Le changement {context.quoted(change.id)} a pour précondition "
                    f"{context.quoted(link.to)}, qui a été écarté.",
                    [link.to, change.id],
                )


@rule("priority-rank-missing", Severity.warning, "Changement priorisé sans rang")
def priority_rank_missing(context: CheckContext) -> Iterator[Finding]:
    """Signale un changement priorisé qui n'a pas de rang de priorité.

    **Pourquoi :** le rang issu du vote du cercle de pilotage ordonne les changements dans
    les documents et dit où porter l'effort en premier.

    **Corriger :** reporter le rang obtenu lors de la priorisation (1 pour le premier).
    """
    for change in context.active_changes:
        if change.status == ChangeStatus.prioritised and change.priority_rank is None:
            yield finding(
                "priority-rank-missing",
                f"Le changement priorisé {context.quoted(change.id)} n'a pas de rang de "
                "priorité.",
                [change.id],
            )


@rule("priority-rank-duplicate", Severity.warning, "Rang de priorité en double")
def priority_rank_duplicate(context: CheckContext) -> Iterator[Finding]:
    """Signale plusieurs changements priorisés qui partagent le même rang.

    **Pourquoi :** deux changements au même rang rendent l'ordre des priorités ambigu dans
    le plan d'action et les comptes rendus.

    **Corriger :** départager les changements (nouveau vote ou décision du cercle de
    pilotage) et leur donner des rangs distincts.
    """
    by_rank: dict[int, list[str]] = defaultdict(list)
    for change in context.active_changes:
        if change.status == ChangeStatus.prioritised and change.priority_rank is not None:
            by_rank[change.priority_rank].append(change.id)
    for rank in sorted(by_rank):
        ids = by_rank[rank]
        if len(ids) > 1:
            yield finding(
                "priority-rank-duplicate",
                f"Les changements priorisés {french_list(context.quoted_all(ids))} ont tous le "
                f"rang {rank}.",
                ids,
            )


@rule("hypothesis-missing", Severity.info, "Lien sans hypothèse sur un chemin prioritaire")
def hypothesis_missing(context: CheckContext) -> Iterator[Finding]:
    """Signale, sur un chemin qui mène à un changement priorisé, un lien sans hypothèse.

    Les liens contrôlés sont les préconditions des changements de ces chemins et le lien
    du changement priorisé vers la vision. Un lien de précondition est justifié s'il porte
    son hypothèse ou si le changement auquel il mène liste ses hypothèses ; le lien vers la
    vision, s'il porte son hypothèse.

    **Pourquoi :** chaque étape d'un chemin repose sur une hypothèse (« si… alors… ») ;
    l'écrire permet de la discuter en atelier et de la vérifier lors de l'évaluation.

    **Corriger :** ajouter l'hypothèse au lien, ou aux hypothèses du changement qu'il rend
    possible.
    """
    changes = context.changes_by_id
    ends = [
        change_id
        for change_id in context.vision_end_ids
        if changes[change_id].status == ChangeStatus.prioritised
    ]
    on_pathway = context.upstream_changes(ends, within=context.active_change_ids)
    for change in context.active_changes:
        if change.id not in on_pathway:
            continue
        if not any(change.hypotheses):
            for link in change.preconditions:
                if not link.hypothesis and link.to in on_pathway:
                    yield finding(
                        "hypothesis-missing",
                        f"Le lien de {context.quoted(link.to)} vers {context.quoted(change.id)} "
                        "n'a pas d'hypothèse (« si… alors… »).",
                        [link.to, change.id],
                    )
        if change.id in ends and not change.vision_hypothesis:
            yield finding(
                "hypothesis-missing",
                f"Le lien du changement priorisé {context.quoted(change.id)} vers la vision "
                "n'a pas d'hypothèse (« si… alors… »).",
                [change.id, VISION_ID],
            )
