"""Who organises early-childhood care on the territory, and what the SPPE law asks of them.

Since 1 January 2025 the commune or EPCI holding the competence is the *autorité
organisatrice* (AO) of early-childhood care (law of 18 December 2023, decree of
1 April 2025). Its duties grow with its population:

- every AO: inventory the families' needs and the available care, inform and support
  families;
- over 3 500 inhabitants: also plan the development of care and support its quality;
- over 10 000 inhabitants: also draw up and carry out a multi-year *schéma de maintien et
  de développement de l'offre d'accueil*, and fill in the extra elements of the SPPE sheet.

An unknown population is never guessed: :func:`required_duties` then returns only the
duties that hold whatever the population, and the coherence checks say the rest is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Commune, Project, SppeDuty, Territory, TerritoryKind

BASE_DUTIES: tuple[SppeDuty, ...] = (SppeDuty.needs_inventory, SppeDuty.family_information)
PLANNING_DUTIES: tuple[SppeDuty, ...] = (SppeDuty.development_plan, SppeDuty.quality_support)
SCHEME_DUTIES: tuple[SppeDuty, ...] = (SppeDuty.multi_year_scheme,)

PLANNING_THRESHOLD = 3_500
"""Strictly above this population, an AO must also plan and support quality."""
SCHEME_THRESHOLD = 10_000
"""Strictly above this population, an AO must also draw up the multi-year schéma."""

SPPE_EXTRA_LABELS: dict[str, str] = {
    "vulnerable_families": (
        "partenariats et actions à développer pour les difficultés spécifiques des familles "
        "vulnérables"
    ),
    "insertion_oriented_care": (
        "développement renforcé des modes d'accueil « à vocation d'insertion professionnelle »"
    ),
    "quality_support": "modalités d'accompagnement de la qualité de l'ensemble des modes d'accueil",
    "indicators": "indicateurs et modalités d'évaluation des objectifs",
    "partnerships": "partenariats à développer pour atteindre ces objectifs",
}
"""French names of :class:`~theory_of_change.model.SppeExtra` fields (sheet over 10 000)."""


@dataclass(frozen=True)
class OrganisingAuthority:
    """An organising authority (AO) of early-childhood care.

    ``authority`` is what :class:`~theory_of_change.model.DutyCoverage.authority` holds for
    it: ``None`` for the signing territory itself (the EPCI, or a commune territory), else
    the commune's id.
    """

    authority: str | None
    name: str
    kind: TerritoryKind
    population: int | None


def required_duties(population: int | None) -> list[SppeDuty]:
    """The SPPE duties of an organising authority of this population.

    Thresholds are strict ("plus de 3 500 habitants"): 3 500 inhabitants keep the base
    duties, 3 501 add planning and quality support; 10 001 add the multi-year schéma. With an
    unknown population (``None``) only the base duties, due by every AO, are returned.
    """
    duties = list(BASE_DUTIES)
    if population is None:
        return duties
    if population > PLANNING_THRESHOLD:
        duties.extend(PLANNING_DUTIES)
    if population > SCHEME_THRESHOLD:
        duties.extend(SCHEME_DUTIES)
    return duties


def communes_population(communes: list[Commune]) -> int | None:
    """The sum of the communes' populations, or ``None`` if none is listed or one is unknown."""
    if not communes or any(commune.population is None for commune in communes):
        return None
    return sum(commune.population or 0 for commune in communes)


def territory_population(territory: Territory) -> int | None:
    """The population that counts for an AO covering the whole territory.

    The law counts an EPCI's population as that of its communes, so the sum of the listed
    communes comes first; the declared population is used only when that sum is unknown.
    """
    summed = communes_population(territory.communes)
    return summed if summed is not None else territory.population


def organising_authorities(project: Project) -> list[OrganisingAuthority]:
    """Who organises early-childhood care on the project's territory.

    The territory itself when it is a commune, or an EPCI holding the competence (its
    population being its communes' summed); otherwise each commune, with its own population,
    in the order the project lists them (none if the project lists no commune).
    """
    territory = project.territory
    if (
        territory.kind == TerritoryKind.commune
        or territory.early_childhood_competence == TerritoryKind.epci
    ):
        return [
            OrganisingAuthority(
                authority=None,
                name=territory.name,
                kind=territory.kind,
                population=territory_population(territory),
            )
        ]
    return [
        OrganisingAuthority(
            authority=commune.id,
            name=commune.name,
            kind=TerritoryKind.commune,
            population=commune.population,
        )
        for commune in territory.communes
    ]
