"""Factories with valid defaults: ``make_change(**overrides)`` and friends.

Each factory returns a valid object; tests override only what they are about. The
default project (``make_project``) passes every coherence check with no error.
"""

from __future__ import annotations

from typing import Any

from theory_of_change.model import (
    ActionSheet,
    Activity,
    ActivityKind,
    Change,
    ChangeStatus,
    Commune,
    ConventionPeriod,
    MarkerLevel,
    ProgressMarker,
    Project,
    ScheduleStep,
    SppeDuty,
    SppeSheet,
    DutyCoverage,
    Stake,
    StrategicAxis,
    SubObjective,
    Territory,
    TerritoryKind,
    Vision,
)


def make_territory(**overrides: Any) -> Territory:
    """A small EPCI of two communes (3 000 inhabitants: only the base SPPE duties)."""
    fields: dict[str, Any] = {
        "name": "Communauté de communes du Test",
        "kind": TerritoryKind.epci,
        "department": "Loire-Atlantique",
        "communes": [
            Commune(id="alpha", name="Alpha", population=2000),
            Commune(id="beta", name="Bêta", population=1000),
        ],
    }
    fields.update(overrides)
    return Territory(**fields)


def make_stake(**overrides: Any) -> Stake:
    """A retained early-childhood stake."""
    fields: dict[str, Any] = {
        "id": "enjeu-accueil",
        "title": "Renforcer l'offre d'accueil du jeune enfant",
        "theme": "petite-enfance",
    }
    fields.update(overrides)
    return Stake(**fields)


def make_change(**overrides: Any) -> Change:
    """A prioritised change that addresses ``enjeu-accueil`` and leads to the vision."""
    fields: dict[str, Any] = {
        "id": "chg-familles-informees",
        "statement": "Les familles connaissent les modes d'accueil du territoire",
        "actors": ["familles"],
        "themes": ["petite-enfance"],
        "status": ChangeStatus.prioritised,
        "priority_rank": 1,
        "addresses": ["enjeu-accueil"],
        "leads_to_vision": True,
    }
    fields.update(overrides)
    return Change(**fields)


def make_marker(**overrides: Any) -> ProgressMarker:
    """An *expect to see* marker of ``chg-familles-informees``."""
    fields: dict[str, Any] = {
        "id": "mq-expect",
        "change": "chg-familles-informees",
        "text": "Les familles consultent le guide des modes d'accueil",
        "level": MarkerLevel.expect,
    }
    fields.update(overrides)
    return ProgressMarker(**fields)


def make_three_markers(change: str = "chg-familles-informees") -> list[ProgressMarker]:
    """The three levels of markers for one change."""
    return [
        make_marker(id=f"mq-{change}-{level.value}", change=change, level=level)
        for level in MarkerLevel
    ]


def make_sheet(**overrides: Any) -> ActionSheet:
    """A complete action sheet."""
    fields: dict[str, Any] = {
        "objectives": ["Informer chaque famille des modes d'accueil disponibles"],
        "description": "Un guichet unique et un guide papier et en ligne.",
        "lead": "Service petite enfance",
        "partners": ["Caf", "RPE"],
        "target_public": "Familles avec enfants de moins de 3 ans",
        "schedule": [ScheduleStep(period="2026", text="Création du guide")],
        "expected_results": ["90 % des familles connaissent le guichet"],
        "indicators": ["Nombre de familles reçues au guichet"],
    }
    fields.update(overrides)
    return ActionSheet(**fields)


def make_activity(**overrides: Any) -> Activity:
    """A new action with a complete sheet, contributing to ``chg-familles-informees``."""
    fields: dict[str, Any] = {
        "id": "act-guichet-unique",
        "title": "Créer un guichet unique d'information des familles",
        "kind": ActivityKind.new,
        "axis": "axe-1",
        "sub_objective": "so-1",
        "themes": ["petite-enfance"],
        "years": [2026],
        "contributes_to": ["chg-familles-informees"],
        "sheet": make_sheet(),
    }
    fields.update(overrides)
    return Activity(**fields)


def make_axis(**overrides: Any) -> StrategicAxis:
    """The first strategic axis with one sub-objective."""
    fields: dict[str, Any] = {
        "id": "axe-1",
        "title": "Faciliter la continuité des parcours",
        "order": 1,
        "sub_objectives": [SubObjective(id="so-1", title="Informer les familles")],
    }
    fields.update(overrides)
    return StrategicAxis(**fields)


def make_project(**overrides: Any) -> Project:
    """A small, complete project with no error finding.

    It covers the four mandatory themes with one stake each, one change per stake with
    three markers, and one activity per change.
    """
    themes = ["petite-enfance", "enfance", "jeunesse", "parentalite", "acces-aux-droits"]
    stakes = [make_stake()] + [
        make_stake(id=f"enjeu-{t}", title=f"Enjeu {t}", theme=t) for t in themes[1:]
    ]
    changes = [make_change()] + [
        make_change(
            id=f"chg-{t}",
            statement=f"Changement pour {t}",
            themes=[t],
            addresses=[f"enjeu-{t}"],
            priority_rank=index + 2,
        )
        for index, t in enumerate(themes[1:])
    ]
    markers = [m for change in changes for m in make_three_markers(change.id)]
    activities = [make_activity()] + [
        make_activity(
            id=f"act-{t}",
            title=f"Développer une action {t}",
            themes=[t],
            contributes_to=[f"chg-{t}"],
        )
        for t in themes[1:]
    ]
    fields: dict[str, Any] = {
        "id": "projet-test",
        "title": "CTG du Test 2025-2029",
        "territory": make_territory(),
        "convention": ConventionPeriod(start_year=2025, end_year=2029),
        "stakes": stakes,
        "vision": Vision(
            text="En 2037, territoire où chaque famille trouve sa place.", horizon_year=2037
        ),
        "changes": changes,
        "markers": markers,
        "axes": [make_axis()],
        "activities": activities,
        "sppe": SppeSheet(
            duties=[
                DutyCoverage(duty=SppeDuty.needs_inventory, activities=["act-guichet-unique"]),
                DutyCoverage(duty=SppeDuty.family_information, activities=["act-guichet-unique"]),
            ]
        ),
    }
    fields.update(overrides)
    return Project(**fields)
