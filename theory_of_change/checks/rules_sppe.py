"""Rules on the SPPE: the organising authorities' duties and the SPPE action sheet."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import (
    SPPE_DUTY_LABELS,
    SPPE_STRUCTURE_LABELS,
    DutyCoverage,
    SppeProjection,
    SppeRow,
    TerritoryKind,
)
from ..sppe import (
    PLANNING_THRESHOLD,
    SCHEME_THRESHOLD,
    SPPE_EXTRA_LABELS,
    OrganisingAuthority,
    communes_population,
    required_duties,
)
from .context import CheckContext
from .findings import Finding, Severity
from .french import format_number, french_list, quoted, truncate
from .registry import finding, rule


def describe_authority(authority: OrganisingAuthority) -> str:
    """"Communauté de communes X (12 000 habitants)", or "(population inconnue)"."""
    if authority.population is None:
        return f"{authority.name} (population inconnue)"
    return f"{authority.name} ({format_number(authority.population)} habitants)"


def is_meaningful(coverage: DutyCoverage) -> bool:
    """Whether a duty coverage says something: at least one action or a non-blank note."""
    return bool(coverage.activities) or bool(coverage.note and coverage.note.strip())


def covers(coverage: DutyCoverage, authority: OrganisingAuthority) -> bool:
    """Whether ``coverage`` applies to ``authority``.

    A coverage written for the whole territory (no authority) also applies to each commune
    acting as AO: the EPCI may carry a duty on the communes' behalf (a shared guichet).
    """
    return coverage.authority == authority.authority or coverage.authority is None


@rule("sppe-no-authority", Severity.warning, "Autorités organisatrices inconnues")
def sppe_no_authority(context: CheckContext) -> Iterator[Finding]:
    """Signale un EPCI qui n'exerce pas la compétence petite enfance mais ne liste aucune
    commune : on ne sait pas qui sont les autorités organisatrices.

    **Pourquoi :** chaque commune devient alors autorité organisatrice de l'accueil du
    jeune enfant, avec ses propres obligations selon sa population ; sans la liste des
    communes, aucune ne peut être contrôlée.

    **Corriger :** lister les communes du territoire avec leur population, ou indiquer que
    l'EPCI exerce la compétence.
    """
    if not context.organising_authorities:
        yield finding(
            "sppe-no-authority",
            f"{context.project.territory.name} n'exerce pas la compétence petite enfance et "
            "aucune commune n'est listée : les obligations SPPE des communes ne peuvent pas "
            "être contrôlées. Listez les communes et leur population.",
        )


@rule(
    "sppe-population-unknown",
    Severity.warning,
    "Population d'une autorité organisatrice inconnue",
)
def sppe_population_unknown(context: CheckContext) -> Iterator[Finding]:
    """Signale une autorité organisatrice dont la population n'est pas connue.

    La population d'un EPCI compétent est la somme de celles de ses communes (à défaut, la
    population déclarée du territoire). Elle n'est jamais supposée : seules les obligations
    dues quelle que soit la population sont alors contrôlées.

    **Pourquoi :** les obligations SPPE dépendent de la population (plus de 3 500 et plus
    de 10 000 habitants) ; sans elle, on ne sait pas si la fiche SPPE est complète.

    **Corriger :** renseigner la population des communes (ou du territoire).
    """
    territory = context.project.territory
    for authority in context.organising_authorities:
        if authority.population is not None:
            continue
        detail = ""
        unknown = [c.name for c in territory.communes if c.population is None]
        if authority.authority is None and unknown:
            detail = f" (population inconnue pour {french_list(unknown)})"
        yield finding(
            "sppe-population-unknown",
            f"La population de {authority.name} n'est pas connue{detail} : seules les "
            "obligations de toute autorité organisatrice (recenser les besoins, informer les "
            "familles) sont contrôlées. Renseignez-la pour savoir si s'ajoutent la "
            f"planification et la qualité (plus de {format_number(PLANNING_THRESHOLD)} "
            f"habitants) et le schéma pluriannuel (plus de {format_number(SCHEME_THRESHOLD)}).",
        )


@rule("sppe-duty-uncovered", Severity.error, "Obligation SPPE sans réponse")
def sppe_duty_uncovered(context: CheckContext) -> Iterator[Finding]:
    """Signale une obligation SPPE d'une autorité organisatrice à laquelle la fiche SPPE ne
    répond ni par une action ni par une note.

    Toute autorité organisatrice doit recenser les besoins des familles et les modes
    d'accueil, et informer et accompagner les familles ; au-delà de 3 500 habitants,
    planifier le développement des modes d'accueil et soutenir leur qualité ; au-delà de
    10 000 habitants, élaborer le schéma pluriannuel de maintien et de développement de
    l'offre d'accueil. L'autorité organisatrice est l'EPCI (population : la somme de ses
    communes) s'il exerce la compétence, sinon chaque commune ; une réponse écrite pour
    tout le territoire vaut pour chaque commune.

    **Pourquoi :** depuis le 1er janvier 2025, ces obligations sont légales (loi du
    18 décembre 2023, décret du 1er avril 2025) et la CTG doit montrer comment elles sont
    remplies.

    **Corriger :** dans la fiche SPPE, relier l'obligation aux actions qui y répondent, ou
    écrire une note qui dit comment elle est remplie.
    """
    coverages = [c for c in context.project.sppe.duties if is_meaningful(c)]
    for authority in context.organising_authorities:
        met = {c.duty for c in coverages if covers(c, authority)}
        for duty in required_duties(authority.population):
            if duty not in met:
                yield finding(
                    "sppe-duty-uncovered",
                    f"{describe_authority(authority)}, autorité organisatrice de l'accueil du "
                    f"jeune enfant, doit {SPPE_DUTY_LABELS[duty]} : la fiche SPPE n'indique "
                    "ni action ni note pour cette obligation.",
                )


@rule("sppe-extra-missing", Severity.error, "Éléments complémentaires SPPE manquants")
def sppe_extra_missing(context: CheckContext) -> Iterator[Finding]:
    """Signale, pour une autorité organisatrice de plus de 10 000 habitants, les éléments
    complémentaires de la fiche SPPE laissés vides.

    Ces éléments sont : les partenariats et actions pour les familles vulnérables, le
    développement des modes d'accueil à vocation d'insertion professionnelle,
    l'accompagnement de la qualité, les indicateurs et modalités d'évaluation, et les
    partenariats à développer.

    **Pourquoi :** la loi demande ces éléments aux collectivités de plus de 10 000
    habitants ; la Caf les attend dans la fiche action SPPE.

    **Corriger :** remplir les éléments cités dans le message.
    """
    large = [
        a for a in context.organising_authorities
        if a.population is not None and a.population > SCHEME_THRESHOLD
    ]
    if not large:
        return
    extra = context.project.sppe.extra
    missing = [
        label for name, label in SPPE_EXTRA_LABELS.items()
        if not (getattr(extra, name) or "").strip()
    ]
    if missing:
        who = french_list(describe_authority(a) for a in large)
        yield finding(
            "sppe-extra-missing",
            f"Avec plus de {format_number(SCHEME_THRESHOLD)} habitants, {who} doit compléter "
            f"la fiche SPPE ; il manque : {french_list(missing)}.",
        )


@rule("sppe-sheet-empty", Severity.warning, "Fiche SPPE sans structure")
def sppe_sheet_empty(context: CheckContext) -> Iterator[Finding]:
    """Signale une fiche action SPPE qui ne liste aucune structure d'accueil.

    **Pourquoi :** le tableau de la fiche SPPE (places actuelles, places soutenues,
    projection à 5 ans, besoins en emplois, investissements) est à compléter par toutes les
    autorités organisatrices, quel que soit leur nombre d'habitants.

    **Corriger :** ajouter une ligne par structure (EAJE PSU, micro-crèche Paje, MAM, RPE,
    dispositif passerelle), en laissant inconnu ce qui n'est pas connu.
    """
    if not context.project.sppe.rows:
        yield finding(
            "sppe-sheet-empty",
            "La fiche action SPPE ne liste aucune structure d'accueil du jeune enfant.",
        )


_ROW_FIELDS: dict[str, str] = {
    "name_address": "nom et adresse",
    "current_places": "nombre actuel de places (ou d'ETP pour un RPE)",
    "supported_places": "places soutenues par la collectivité",
    "projection": "projection à 5 ans",
    "jobs_and_skills": "besoins en emplois et compétences",
}
_PROJECTIONS_WITH_PLACES = frozenset(
    {SppeProjection.creation, SppeProjection.development, SppeProjection.closure}
)


def missing_row_fields(row: SppeRow) -> list[str]:
    """French names of the SPPE row's columns still unknown."""
    missing = [
        label for name, label in _ROW_FIELDS.items()
        if getattr(row, name) is None or getattr(row, name) == ""
    ]
    if row.projection in _PROJECTIONS_WITH_PLACES and (
        row.projection_places is None or row.projection_year is None
    ):
        missing.append("nombre de places et année de la projection")
    return missing


@rule("sppe-row-incomplete", Severity.info, "Ligne de la fiche SPPE à compléter")
def sppe_row_incomplete(context: CheckContext) -> Iterator[Finding]:
    """Signale une ligne de la fiche SPPE dont des colonnes restent inconnues.

    Une valeur inconnue (« XXX » dans le portrait) est gardée inconnue, jamais remplacée par
    zéro : ce contrôle liste ce qui reste à obtenir.

    **Pourquoi :** la projection à 5 ans et les besoins en emplois ne se discutent qu'avec
    les places actuelles connues.

    **Corriger :** compléter les colonnes citées quand les chiffres sont connus
    (gestionnaires, RPE, Caf).
    """
    communes = {c.id: c.name for c in context.project.territory.communes}
    for index, row in enumerate(context.project.sppe.rows, start=1):
        missing = missing_row_fields(row)
        if not missing:
            continue
        label = SPPE_STRUCTURE_LABELS[row.structure_type]
        if row.name_address:
            label += f" {quoted(truncate(row.name_address, 60))}"
        if row.commune is not None:
            label += f" à {communes.get(row.commune, row.commune)}"
        yield finding(
            "sppe-row-incomplete",
            f"Fiche SPPE, ligne {index} ({label}) : à compléter — {' ; '.join(missing)}.",
        )


@rule(
    "territory-population-mismatch",
    Severity.info,
    "Population du territoire différente de la somme des communes",
)
def territory_population_mismatch(context: CheckContext) -> Iterator[Finding]:
    """Signale un territoire dont la population déclarée diffère de la somme de ses communes.

    **Pourquoi :** pour le SPPE, c'est la somme des communes qui compte (et qui est
    utilisée) ; un écart signale souvent des chiffres d'années différentes ou une commune
    oubliée.

    **Corriger :** mettre à jour la population du territoire ou celle des communes avec les
    chiffres de la même année.
    """
    territory = context.project.territory
    summed = communes_population(territory.communes)
    if territory.kind != TerritoryKind.epci or summed is None or territory.population is None:
        return
    if summed != territory.population:
        yield finding(
            "territory-population-mismatch",
            f"La population déclarée de {territory.name} ({format_number(territory.population)}"
            f" habitants) diffère de la somme de ses communes ({format_number(summed)}).",
        )
