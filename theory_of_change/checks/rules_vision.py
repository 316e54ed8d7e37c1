"""Rules on the collective vision: present, opening "En 2037, …", 10–15 years ahead."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import VISION_ID
from .context import CheckContext
from .findings import Finding, Severity
from .french import quoted, truncate
from .registry import finding, rule

VISION_HORIZON_YEARS = (10, 15)
"""The vision looks 10 to 15 years ahead of the convention's start (Caf guidance)."""

# "En 2037, territoire…" or "En 2037 territoire…", whatever the case.
_OPENING = re.compile(r"^\s*en\s+(\d{4})(?=[\s,]|$)", re.IGNORECASE)


def vision_opening_year(text: str) -> int | None:
    """The year of a vision opening "En <année>" ("En 2037, …"), else ``None``."""
    match = _OPENING.match(text)
    return int(match.group(1)) if match else None


def _has_vision(context: CheckContext) -> bool:
    vision = context.project.vision
    return vision is not None and bool(vision.text.strip())


@rule("vision-missing", Severity.error, "Vision collective absente")
def vision_missing(context: CheckContext) -> Iterator[Finding]:
    """Signale un projet sans vision collective (ou dont le texte est vide).

    **Pourquoi :** la vision est le point d'arrivée de tous les chemins de changement ;
    sans elle, on ne peut pas vérifier que les changements mènent quelque part.

    **Corriger :** écrire collectivement la vision à 10–15 ans, en commençant par
    « En 2037, territoire… », et indiquer son année d'horizon.
    """
    if not _has_vision(context):
        yield finding(
            "vision-missing",
            "Le projet n'a pas encore de vision collective : écrivez-la (« En "
            f"{context.project.convention.start_year + 12}, territoire… ») pour que les "
            "chemins de changement aient un point d'arrivée.",
        )


@rule("vision-opening", Severity.warning, "Vision qui ne commence pas par « En 2037, … »")
def vision_opening(context: CheckContext) -> Iterator[Finding]:
    """Signale une vision qui ne commence pas par « En » suivi de son année (« En 2037, … »).

    « En 2037, territoire… » et « en 2037 territoire… » conviennent, quelle que soit la casse.

    **Pourquoi :** la Caf demande que la vision démarre par « En 2037, territoire… » : elle
    décrit la situation que l'on aimerait voir à cet horizon, pas une intention.

    **Corriger :** reformuler la vision pour qu'elle commence par « En », l'année d'horizon
    et une virgule, suivis du territoire.
    """
    vision = context.project.vision
    if vision is None or not _has_vision(context):
        return
    if vision_opening_year(vision.text) is None:
        yield finding(
            "vision-opening",
            f"La vision devrait commencer par « En {vision.horizon_year}, territoire… » ; "
            f"elle commence par {quoted(truncate(vision.text, 40))}.",
            [VISION_ID],
        )


@rule("vision-year-mismatch", Severity.error, "Année de la vision différente de son horizon")
def vision_year_mismatch(context: CheckContext) -> Iterator[Finding]:
    """Signale une vision dont l'année écrite (« En 2036, … ») diffère de l'année d'horizon.

    **Pourquoi :** les documents de la convention reprennent les deux ; des années qui se
    contredisent sèment le doute sur l'horizon réellement choisi.

    **Corriger :** corriger soit le texte, soit l'année d'horizon, pour qu'ils disent la
    même année.
    """
    vision = context.project.vision
    if vision is None or not _has_vision(context):
        return
    written = vision_opening_year(vision.text)
    if written is not None and written != vision.horizon_year:
        yield finding(
            "vision-year-mismatch",
            f"La vision commence par « En {written} » mais son année d'horizon est "
            f"{vision.horizon_year} : accordez-les.",
            [VISION_ID],
        )


@rule("vision-horizon", Severity.warning, "Horizon de la vision hors de 10 à 15 ans")
def vision_horizon(context: CheckContext) -> Iterator[Finding]:
    """Signale une vision dont l'horizon n'est pas 10 à 15 ans après le début de la CTG.

    **Pourquoi :** la vision décrit la situation souhaitée dans 10 à 15 ans ; plus proche,
    elle se confond avec le plan d'action, plus lointaine elle ne mobilise plus.

    **Corriger :** choisir une année d'horizon entre début de la convention + 10 et
    début + 15 (par exemple 2037 pour une CTG 2025–2029).
    """
    vision = context.project.vision
    if vision is None or not _has_vision(context):
        return
    start = context.project.convention.start_year
    low, high = VISION_HORIZON_YEARS
    gap = vision.horizon_year - start
    if not low <= gap <= high:
        yield finding(
            "vision-horizon",
            f"L'horizon de la vision ({vision.horizon_year}) n'est pas à {low}–{high} ans du "
            f"début de la convention ({start}) : choisissez une année entre {start + low} et "
            f"{start + high}.",
            [VISION_ID],
        )
