"""Draft stakes proposed from the tensions, for the facilitator to accept, edit or drop.

Tensions of the same family are grouped into one draft: every commune with too little
provision gives one "Renforcer l'offre d'accueil du jeune enfant…" stake, with one
quantitative evidence per commune and figure. Nothing is decided for the facilitator:
:func:`accept_draft` returns a new project with the stake added (the given project is
never changed), :func:`edit_draft` returns a corrected draft, :func:`drop_draft` records
that a draft is not wanted so it is not proposed again.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from theory_of_change.model import Project, QuantitativeEvidence, Stake
from theory_of_change.slugs import Slug, unique_slug

from .model import Diagnostic
from .revision import revised
from .table import FigureTable
from .tensions import Tension, TensionKind, TensionReport, find_tensions

THEME = "petite-enfance"
_MAX_NAMED_COMMUNES = 3
_DESCRIPTION_LIMIT = 9_500


@dataclass(frozen=True)
class _Family:
    """Tension kinds that make one draft stake, and how the stake reads."""

    id: str
    title: str
    kinds: frozenset[TensionKind]
    finding: str


FAMILIES: tuple[_Family, ...] = (
    _Family(
        "enjeu-offre-accueil-insuffisante",
        "Renforcer l'offre d'accueil du jeune enfant là où elle est insuffisante",
        frozenset(
            {
                TensionKind.coverage_below_reference,
                TensionKind.coverage_below_floor,
                TensionKind.coverage_falling,
            }
        ),
        "Zones où l'offre d'accueil est insuffisante (SPPE) : taux de couverture faible "
        "ou en baisse.",
    ),
    _Family(
        "enjeu-retraite-assistantes-maternelles",
        "Anticiper les départs en retraite des assistantes maternelles",
        frozenset({TensionKind.childminders_ageing}),
        "Une part élevée des assistantes maternelles a 60 ans ou plus : des places "
        "d'accueil individuel vont disparaître avec leurs départs en retraite.",
    ),
    _Family(
        "enjeu-hausse-jeunes-enfants",
        "Adapter l'offre d'accueil à la hausse du nombre de jeunes enfants",
        frozenset({TensionKind.young_children_rising}),
        "Le nombre d'enfants de 0-2 ans augmente nettement : les besoins d'accueil vont croître.",
    ),
    _Family(
        "enjeu-baisse-jeunes-enfants",
        "Adapter l'offre d'accueil à la forte baisse du nombre de jeunes enfants",
        frozenset({TensionKind.young_children_falling}),
        "Le nombre d'enfants de 0-2 ans baisse fortement : l'offre existante est à "
        "maintenir et à adapter.",
    ),
    _Family(
        "enjeu-accueil-parents-actifs",
        "Répondre aux besoins d'accueil des familles dont les parents travaillent",
        frozenset({TensionKind.working_parents_high}),
        "Une part élevée des enfants de 0-2 ans a des parents qui travaillent tous deux "
        "(ou un parent seul en emploi) : le besoin d'un mode d'accueil est fort.",
    ),
)


class DraftError(ValueError):
    """A draft that cannot be accepted or edited; the message is in French."""


class DraftStake(BaseModel):
    """A proposed stake, with the tensions' figures attached as evidence."""

    model_config = ConfigDict(extra="forbid")

    id: Slug
    title: str = Field(min_length=1, max_length=300)
    theme: Slug | None = THEME
    description: str | None = Field(default=None, max_length=10_000)
    kinds: list[TensionKind] = Field(default_factory=list)
    communes: list[str] = Field(default_factory=list, description="Communes' labels.")
    evidence: list[QuantitativeEvidence] = Field(default_factory=list)

    def to_stake(self, stake_id: str | None = None) -> Stake:
        """The stake this draft becomes when accepted."""
        return Stake(
            id=stake_id or self.id,
            title=self.title,
            theme=self.theme,
            description=self.description,
            evidence=list(self.evidence),
        )


def draft_stakes(diagnostic: Diagnostic, report: TensionReport | None = None) -> list[DraftStake]:
    """Every draft the tensions suggest, one per family of tension (dropped ones included)."""
    report = report or find_tensions(diagnostic)
    table = FigureTable(diagnostic)
    drafts = []
    for family in FAMILIES:
        tensions = [t for t in report.tensions() if t.kind in family.kinds]
        if tensions:
            drafts.append(_draft(family, tensions, table))
    return drafts


def propose_draft_stakes(project: Project, report: TensionReport | None = None) -> list[DraftStake]:
    """The drafts still to decide: not dropped, not already accepted as a stake."""
    decided = set(project.diagnostic.dismissed_drafts) | {s.id for s in project.stakes}
    themes = {theme.id for theme in project.themes}
    return [
        draft
        if draft.theme is None or draft.theme in themes
        else edit_draft(draft, clear_theme=True)
        for draft in draft_stakes(project.diagnostic, report)
        if draft.id not in decided
    ]


def edit_draft(
    draft: DraftStake,
    *,
    title: str | None = None,
    description: str | None = None,
    theme: str | None = None,
    clear_theme: bool = False,
) -> DraftStake:
    """A corrected copy of a draft; ``clear_theme`` removes its theme."""
    changes: dict[str, object] = {}
    if title is not None:
        changes["title"] = title.strip()
    if description is not None:
        changes["description"] = description.strip() or None
    if theme is not None:
        changes["theme"] = theme
    if clear_theme:
        changes["theme"] = None
    try:
        return DraftStake.model_validate(draft.model_dump() | changes)
    except ValueError as error:
        raise DraftError(f"enjeu proposé refusé : {error}") from error


def accept_draft(project: Project, draft: DraftStake) -> Project:
    """A new project with the draft added as a retained stake (the original is unchanged).

    The stake takes the draft's id, or a free variant if a node already uses it.
    """
    if draft.theme is not None and draft.theme not in {t.id for t in project.themes}:
        raise DraftError(f"le thème « {draft.theme} » n'existe pas dans le projet")
    stake_id = draft.id
    taken = project.node_ids()
    if stake_id in taken:
        stake_id = unique_slug(draft.id, taken)
    return revised(project, stakes=[*project.stakes, draft.to_stake(stake_id)])


def drop_draft(project: Project, draft_id: str) -> Project:
    """A new project where the draft is no longer proposed."""
    dismissed = project.diagnostic.dismissed_drafts
    if draft_id in dismissed:
        return project
    diagnostic = project.diagnostic.model_copy(update={"dismissed_drafts": [*dismissed, draft_id]})
    return revised(project, diagnostic=diagnostic)


def restore_drafts(project: Project) -> Project:
    """A new project where every dropped draft is proposed again."""
    diagnostic = project.diagnostic.model_copy(update={"dismissed_drafts": []})
    return revised(project, diagnostic=diagnostic)


def tension_evidence(tension: Tension, sources: list[str] | None = None) -> QuantitativeEvidence:
    """The quantitative evidence of a tension: the commune's figure and its reference."""
    return QuantitativeEvidence(
        indicator=tension.indicator_label,
        territory=tension.territory_label,
        value=tension.value,
        reference=tension.reference,
        reference_territory=tension.reference_label,
        year=tension.year,
        source=", ".join(sources)[:300] if sources else None,
    )


def _draft(family: _Family, tensions: list[Tension], table: FigureTable) -> DraftStake:
    communes: list[str] = []
    for tension in tensions:
        if tension.territory_label not in communes:
            communes.append(tension.territory_label)
    if len(communes) <= _MAX_NAMED_COMMUNES:
        title = f"{family.title} ({', '.join(communes)})"
    else:
        title = f"{family.title} ({len(communes)} communes)"
    evidence: list[QuantitativeEvidence] = []
    seen: set[tuple[str, str, int | None]] = set()
    for tension in tensions:
        key = (tension.indicator, tension.territory, tension.year)
        if key in seen:
            continue
        seen.add(key)
        row = table.row(tension.territory)
        evidence.append(tension_evidence(tension, row.sources if row else None))
    lines = [family.finding, f"Communes concernées : {', '.join(communes)}.", "Constats :"]
    lines += [f"- {tension.message}" for tension in tensions]
    description = "\n".join(lines)
    if len(description) > _DESCRIPTION_LIMIT:
        description = description[:_DESCRIPTION_LIMIT].rsplit("\n", 1)[0] + "\n- …"
    return DraftStake(
        id=family.id,
        title=title[:300],
        description=description,
        kinds=sorted({t.kind for t in tensions}, key=list(TensionKind).index),
        communes=communes,
        evidence=evidence,
    )
