"""Rules on activities (actions of the plan) and their action sheets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..model import (
    ACTIVITY_KIND_LABELS,
    KINDS_NEEDING_SHEET,
    SHEET_REQUIRED_FIELDS,
    ActionSheet,
    ChangeStatus,
)
from .context import CheckContext
from .findings import Finding, Severity
from .french import french_list, starts_with_infinitive
from .registry import finding, rule


@rule("activity-without-change", Severity.warning, "Action qui ne contribue à aucun changement")
def activity_without_change(context: CheckContext) -> Iterator[Finding]:
    """Signale une action (non abandonnée) qui ne contribue à aucun changement retenu.

    Une action reliée seulement à des changements écartés est signalée aussi.

    **Pourquoi :** dans l'approche orientée changement, une action se justifie par les
    changements qu'elle aide à produire ; sans ce lien, on ne sait pas pourquoi elle figure
    au plan ni comment l'évaluer.

    **Corriger :** relier l'action au(x) changement(s) auxquels elle contribue, ou la
    retirer du plan d'action.
    """
    changes = context.changes_by_id
    for activity in context.planned_activities:
        if any(changes[link.to].status != ChangeStatus.set_aside
               for link in activity.contributes_to):
            continue
        if activity.contributes_to:
            detail = "ne contribue qu'à des changements écartés"
        else:
            detail = "ne contribue à aucun changement"
        yield finding(
            "activity-without-change",
            f"L'action {context.quoted(activity.id)} {detail}.",
            [activity.id],
        )


def is_blank(value: Any) -> bool:
    """Whether a sheet field is empty: ``None``, blank text, or a list of blank items."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return all(is_blank(item) for item in value)
    return False


def missing_sheet_fields(sheet: ActionSheet) -> list[str]:
    """The keys of :data:`~theory_of_change.model.SHEET_REQUIRED_FIELDS` left empty."""
    return [name for name in SHEET_REQUIRED_FIELDS if is_blank(getattr(sheet, name))]


@rule("action-sheet-incomplete", Severity.error, "Fiche action incomplète")
def action_sheet_incomplete(context: CheckContext) -> Iterator[Finding]:
    """Signale un projet phare, une action expérimentale ou nouvelle dont la fiche action
    n'a pas tous ses champs obligatoires.

    Champs obligatoires : objectifs visés, descriptif de l'action, pilote, partenaires,
    public cible, calendrier et principales étapes, résultats attendus (« Nous aurons
    réussi si… ») et indicateurs d'évaluation.

    **Pourquoi :** la Caf demande une fiche action complète a minima pour les projets
    phares, expérimentaux et les actions nouvelles, avec une projection sur la durée de la
    CTG ; c'est elle qui engage les moyens de la mise en œuvre.

    **Corriger :** compléter les champs cités dans le message.
    """
    for activity in context.planned_activities:
        if activity.kind not in KINDS_NEEDING_SHEET:
            continue
        missing = missing_sheet_fields(activity.sheet)
        if missing:
            names = french_list(SHEET_REQUIRED_FIELDS[name] for name in missing)
            kind = ACTIVITY_KIND_LABELS[activity.kind]
            yield finding(
                "action-sheet-incomplete",
                f"La fiche de l'action {context.quoted(activity.id)} ({kind}) est incomplète : "
                f"il manque {names}.",
                [activity.id],
            )


@rule("activity-without-year", Severity.error, "Action sans année de réalisation")
def activity_without_year(context: CheckContext) -> Iterator[Finding]:
    """Signale une action (non abandonnée) sans aucune année de réalisation.

    **Pourquoi :** le plan d'action doit comporter un calendrier de mise en œuvre ; une
    action sans année n'y figure pas et ne peut pas être suivie d'année en année.

    **Corriger :** indiquer la ou les années de la convention où l'action sera menée.
    """
    period = context.project.convention
    for activity in context.planned_activities:
        if not activity.years:
            yield finding(
                "activity-without-year",
                f"L'action {context.quoted(activity.id)} n'a pas d'année de réalisation : "
                f"indiquez-en au moins une entre {period.start_year} et {period.end_year}.",
                [activity.id],
            )


@rule(
    "activity-year-outside-period",
    Severity.warning,
    "Année d'action hors de la période de la convention",
)
def activity_year_outside_period(context: CheckContext) -> Iterator[Finding]:
    """Signale une action prévue une année hors de la période de la convention.

    **Pourquoi :** le plan d'action couvre la durée de la CTG (par exemple 2025–2029) ; une
    année hors période est souvent une faute de frappe, ou une action qui relève de la
    convention suivante.

    **Corriger :** corriger l'année, ou retirer les années qui dépassent la convention.
    """
    period = context.project.convention
    for activity in context.planned_activities:
        outside = [year for year in activity.years if year not in period]
        if outside:
            years = french_list(str(year) for year in outside)
            yield finding(
                "activity-year-outside-period",
                f"L'action {context.quoted(activity.id)} est prévue en {years}, hors de la "
                f"convention ({period.start_year}–{period.end_year}).",
                [activity.id],
            )


@rule("activity-without-axis", Severity.warning, "Action sans axe stratégique")
def activity_without_axis(context: CheckContext) -> Iterator[Finding]:
    """Signale une action (non abandonnée) qui n'est rattachée à aucun axe stratégique.

    **Pourquoi :** le plan d'action se présente par axes stratégiques ; une action sans axe
    n'a pas sa place dans le document remis à la Caf.

    **Corriger :** rattacher l'action à un axe (et à un sous-objectif), ou créer l'axe qui
    lui manque.
    """
    for activity in context.planned_activities:
        if activity.axis is None:
            yield finding(
                "activity-without-axis",
                f"L'action {context.quoted(activity.id)} n'est rattachée à aucun axe "
                "stratégique.",
                [activity.id],
            )


@rule("activity-title-verb", Severity.info, "Intitulé d'action qui ne commence pas par un verbe")
def activity_title_verb(context: CheckContext) -> Iterator[Finding]:
    """Signale un intitulé d'action qui ne semble pas commencer par un verbe à l'infinitif.

    Le contrôle est une heuristique : le premier mot doit finir par -er, -ir ou -re et ne
    pas être un nom courant de cette forme (« Atelier », « Cadre », « Rencontre »…). D'où
    une simple information.

    **Pourquoi :** la Caf demande des actions « débutant par un verbe » : « Créer un
    guichet unique » dit qui fait quoi, « Création d'un guichet » le laisse deviner.

    **Corriger :** reformuler l'intitulé avec un verbe d'action : « Mise en œuvre de… »
    devient « Mettre en œuvre… », « Formalisation… » devient « Formaliser… ».
    """
    for activity in context.planned_activities:
        if not starts_with_infinitive(activity.title):
            yield finding(
                "activity-title-verb",
                f"L'intitulé de l'action {context.quoted(activity.id)} ne commence pas par un "
                "verbe à l'infinitif (par exemple « Créer… », « Mettre en œuvre… »).",
                [activity.id],
            )
