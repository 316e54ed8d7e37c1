"""Rules on the themes (thématiques) the convention covers."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import COMPLEMENTARY_THEMES, MANDATORY_THEMES, ThemeKind
from .context import CheckContext
from .findings import Finding, Severity
from .french import french_list, quoted
from .registry import finding, rule

MANDATORY_THEME_IDS = frozenset(theme_id for theme_id, _ in MANDATORY_THEMES)


def _theme_label(context: CheckContext, theme_id: str) -> str:
    defaults = dict(MANDATORY_THEMES + COMPLEMENTARY_THEMES)
    for theme in context.project.themes:
        if theme.id == theme_id:
            return theme.label
    return defaults.get(theme_id, theme_id)


def _complementary_ids(context: CheckContext) -> set[str]:
    return {theme_id for theme_id, _ in COMPLEMENTARY_THEMES} | {
        theme.id for theme in context.project.themes if theme.kind == ThemeKind.complementary
    }


_COVERAGE_HINT = "un enjeu retenu, un changement ou une action"


@rule("mandatory-theme-uncovered", Severity.error, "Thématique obligatoire non couverte")
def mandatory_theme_uncovered(context: CheckContext) -> Iterator[Finding]:
    """Signale l'une des quatre thématiques obligatoires (petite enfance, enfance, jeunesse,
    parentalité) que rien ne couvre.

    Une thématique est couverte si un enjeu retenu, un changement non écarté ou une action
    non abandonnée lui est rattaché.

    **Pourquoi :** ces quatre thématiques sont obligatoires dans toute CTG ; une convention
    qui en oublie une n'est pas conforme.

    **Corriger :** rattacher à cette thématique l'enjeu, le changement ou l'action qui la
    traite, ou en ajouter un.
    """
    for theme_id, _ in MANDATORY_THEMES:
        if theme_id not in context.covered_themes:
            yield finding(
                "mandatory-theme-uncovered",
                f"La thématique obligatoire {quoted(_theme_label(context, theme_id))} n'est "
                f"couverte par aucun élément : rattachez-lui {_COVERAGE_HINT}.",
            )


@rule("no-complementary-theme", Severity.warning, "Aucune cinquième thématique")
def no_complementary_theme(context: CheckContext) -> Iterator[Finding]:
    """Signale une CTG qui ne couvre aucune thématique au-delà des quatre obligatoires.

    **Pourquoi :** une cinquième thématique est fortement recommandée (accès aux droits ou
    animation de la vie sociale) ; une CTG qui n'en couvre que quatre devra s'élargir en
    cours de convention à au moins une autre thématique.

    **Corriger :** rattacher un enjeu, un changement ou une action à l'accès aux droits ou
    à l'animation de la vie sociale (ou à une autre thématique, comme la mobilité), ou
    prévoir cet élargissement dans le calendrier.
    """
    if not context.covered_themes - MANDATORY_THEME_IDS:
        recommended = " ou ".join(quoted(label) for _, label in COMPLEMENTARY_THEMES)
        yield finding(
            "no-complementary-theme",
            "Seules les thématiques obligatoires sont couvertes : la CTG devra s'élargir en "
            "cours de convention à au moins une autre thématique (de préférence "
            f"{recommended}).",
        )


@rule(
    "complementary-theme-recommended",
    Severity.info,
    "Cinquième thématique hors des deux recommandées",
)
def complementary_theme_recommended(context: CheckContext) -> Iterator[Finding]:
    """Signale une CTG qui couvre une cinquième thématique, mais ni l'accès aux droits ni
    l'animation de la vie sociale.

    **Pourquoi :** la Caf recommande fortement l'une de ces deux thématiques
    complémentaires ; d'autres (mobilité, habitat, numérique) sont bienvenues en plus.

    **Corriger :** envisager de couvrir aussi l'accès aux droits ou l'animation de la vie
    sociale.
    """
    extra = context.covered_themes - MANDATORY_THEME_IDS
    if extra and not extra & _complementary_ids(context):
        others = french_list(quoted(_theme_label(context, t)) for t in sorted(extra))
        yield finding(
            "complementary-theme-recommended",
            f"Au-delà des thématiques obligatoires, la CTG couvre {others}, mais ni l'accès "
            "aux droits ni l'animation de la vie sociale, fortement recommandées par la Caf.",
        )
