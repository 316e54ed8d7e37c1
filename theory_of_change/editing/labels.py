"""French names of the fields and values users edit, shared by the editor and its history.

A form shows an error next to « statut », the history writes « statut proposé →
priorisé »: both read these tables, so a field is called the same everywhere.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel

from ..calendar import MILESTONE_STATUS_LABELS, Milestone, format_day
from ..diagnostic.model import Diagnostic
from ..model import (
    ACTIVITY_KIND_LABELS,
    ACTIVITY_STATUS_LABELS,
    FACILITY_TYPE_LABELS,
    MARKER_LEVEL_LABELS,
    SPPE_DUTY_LABELS,
    SPPE_PROJECTION_LABELS,
    SPPE_STRUCTURE_LABELS,
    ActionSheet,
    Activity,
    Body,
    Change,
    ChangeStatus,
    Commune,
    ConventionPeriod,
    CooperationOfficer,
    Decision,
    DutyCoverage,
    Evaluation,
    Facility,
    Observation,
    ProgressMarker,
    Project,
    QualitativeEvidence,
    QuantitativeEvidence,
    Signatory,
    SppeExtra,
    SppeRow,
    Stake,
    StrategicAxis,
    SubObjective,
    Territory,
    TerritoryKind,
    Theme,
    ThemeKind,
    Vision,
)

NNBSP = "\u202f"
EMPTY = "(vide)"

CHANGE_STATUS_LABELS = {
    ChangeStatus.proposed: "proposé",
    ChangeStatus.prioritised: "priorisé",
    ChangeStatus.set_aside: "écarté",
}
THEME_KIND_LABELS = {
    ThemeKind.mandatory: "obligatoire",
    ThemeKind.complementary: "complémentaire recommandée",
    ThemeKind.other: "autre",
}
TERRITORY_KIND_LABELS = {TerritoryKind.commune: "commune", TerritoryKind.epci: "EPCI"}
BODY_KIND_LABELS = {
    "copil": "comité de pilotage (Copil)",
    "cotech": "comité technique (Cotech)",
    "working_group": "groupe de travail",
    "circle": "cercle",
    "other": "autre",
}

# Keyed by (enum class, value): the enums are StrEnums, so ActivityStatus.done and
# MilestoneStatus.done would otherwise be the same key (« réalisé » / « terminée »).
_ENUM_LABELS: dict[tuple[type, str], str] = {
    (type(key), key.value): label
    for labels in (
        CHANGE_STATUS_LABELS,
        THEME_KIND_LABELS,
        TERRITORY_KIND_LABELS,
        MARKER_LEVEL_LABELS,
        ACTIVITY_KIND_LABELS,
        ACTIVITY_STATUS_LABELS,
        SPPE_STRUCTURE_LABELS,
        SPPE_PROJECTION_LABELS,
        SPPE_DUTY_LABELS,
        FACILITY_TYPE_LABELS,
        MILESTONE_STATUS_LABELS,
    )
    for key, label in labels.items()
}

FIELD_LABELS: dict[type[BaseModel], dict[str, str]] = {
    Project: {
        "schema_version": "version du format",
        "id": "identifiant",
        "title": "titre",
        "territory": "territoire",
        "convention": "période de la convention",
        "signatories": "signataires",
        "themes": "thématiques",
        "stakes": "enjeux",
        "vision": "vision",
        "changes": "changements",
        "markers": "marqueurs de progrès",
        "axes": "axes stratégiques",
        "activities": "actions",
        "sppe": "fiche SPPE",
        "facilities": "équipements et services",
        "governance": "pilotage",
        "evaluation": "évaluation",
        "milestones": "calendrier de renouvellement",
        "diagnostic": "diagnostic partagé",
        "decisions": "décisions",
        "notes": "notes",
    },
    Territory: {
        "name": "nom",
        "kind": "type de collectivité",
        "population": "population",
        "department": "département",
        "communes": "communes",
        "early_childhood_competence": "autorité organisatrice de l'accueil du jeune enfant",
    },
    ConventionPeriod: {"start_year": "année de début", "end_year": "année de fin"},
    Signatory: {"name": "nom", "role": "qualité", "represented_by": "représenté par"},
    Commune: {"id": "identifiant", "name": "nom", "population": "population",
              "insee_code": "code INSEE"},
    Theme: {"id": "identifiant", "label": "intitulé", "kind": "type de thématique"},
    Stake: {
        "id": "identifiant",
        "title": "intitulé",
        "theme": "thématique",
        "description": "description",
        "retained": "retenu",
        "evidence": "données à l'appui",
    },
    QuantitativeEvidence: {
        "kind": "type de donnée",
        "indicator": "indicateur",
        "territory": "territoire",
        "value": "valeur",
        "reference": "valeur de référence",
        "reference_territory": "territoire de référence",
        "year": "année",
        "source": "source",
    },
    QualitativeEvidence: {"kind": "type de donnée", "quote": "parole recueillie",
                          "group": "collège", "source": "source", "theme": "thématique"},
    Vision: {"text": "texte", "horizon_year": "horizon"},
    Change: {
        "id": "identifiant",
        "statement": "énoncé",
        "actors": "acteurs",
        "themes": "thématiques",
        "hypotheses": "hypothèses",
        "status": "statut",
        "priority_rank": "rang de priorité",
        "addresses": "enjeux traités",
        "preconditions": "préconditions",
        "leads_to_vision": "mène à la vision",
        "vision_hypothesis": "hypothèse vers la vision",
    },
    ProgressMarker: {
        "id": "identifiant",
        "change": "changement observé",
        "text": "énoncé",
        "level": "niveau",
        "actor": "acteur",
        "indicator": "indicateur",
        "baseline": "valeur de départ",
        "target": "cible",
        "year": "année",
    },
    Activity: {
        "id": "identifiant",
        "title": "intitulé",
        "kind": "type d'action",
        "axis": "axe stratégique",
        "sub_objective": "sous-objectif",
        "themes": "thématiques",
        "years": "années",
        "scope": "communes concernées",
        "contributes_to": "changements visés",
        "status": "avancement",
        "sheet": "fiche action",
    },
    ActionSheet: {
        "initial_diagnostic": "diagnostic initial",
        "objectives": "objectifs visés",
        "description": "descriptif de l'action",
        "lead": "pilote",
        "partners": "partenaires",
        "target_public": "public cible",
        "schedule": "calendrier et principales étapes",
        "expected_results": "résultats attendus",
        "indicators": "indicateurs d'évaluation",
        "baseline": "valeur de départ",
        "target": "cible",
        "observations": "valeurs observées",
    },
    Observation: {"year": "année", "value": "valeur observée", "comment": "commentaire"},
    StrategicAxis: {"id": "identifiant", "title": "intitulé", "order": "rang",
                    "sub_objectives": "sous-objectifs"},
    SubObjective: {"id": "identifiant", "title": "intitulé"},
    SppeRow: {
        "structure_type": "type de structure",
        "name_address": "nom et adresse",
        "commune": "commune",
        "current_places": "places actuelles",
        "supported_places": "places soutenues par la collectivité",
        "projection": "projection à 5 ans",
        "projection_places": "nombre de places de la projection",
        "projection_year": "année de la projection",
        "jobs_and_skills": "emplois et compétences nécessaires",
        "investment_type": "type d'investissement",
        "investment_means": "modalités de l'investissement",
    },
    DutyCoverage: {"duty": "obligation", "authority": "autorité organisatrice",
                   "activities": "actions", "note": "précisions"},
    SppeExtra: {
        "vulnerable_families": "accueil des familles vulnérables",
        "insertion_oriented_care": "accueil à vocation d'insertion",
        "quality_support": "soutien à la qualité",
        "indicators": "indicateurs",
        "partnerships": "partenariats",
    },
    Facility: {
        "id": "identifiant",
        "type": "type de structure",
        "name": "nom",
        "address": "adresse",
        "commune": "commune",
        "signatory": "signataire",
        "caf_funding": "financement Caf",
        "authority_funding": "financement de la collectivité",
    },
    Body: {"id": "identifiant", "name": "nom", "kind": "type d'instance", "members": "membres",
           "frequency": "fréquence des réunions"},
    CooperationOfficer: {"name": "nom", "missions": "missions", "themes": "thématiques",
                         "fte": "ETP"},
    Evaluation: {
        "continuous_follow_up": "suivi continu",
        "annual_checkpoint": "point d'étape annuel",
        "mid_term_evaluation": "évaluation à mi-parcours",
        "final_evaluation": "évaluation finale",
        "interim_report_year": "année du rapport intermédiaire",
        "final_report_year": "année du rapport final",
    },
    Milestone: {"id": "identifiant", "title": "intitulé", "start": "début", "end": "fin",
                "status": "état"},
    Decision: {"date": "date", "summary": "résumé", "workshop": "atelier", "step": "étape",
               "author": "auteur", "nodes": "éléments concernés"},
    Diagnostic: {
        "indicators": "indicateurs",
        "figures": "chiffres",
        "sources": "fichiers importés",
        "quotes": "paroles recueillies",
        "settings": "réglages des tensions",
        "dismissed_drafts": "propositions d'enjeux écartées",
    },
}
"""The French name of every field the editor shows, by model."""


def field_label(model: type[BaseModel], field: str) -> str:
    """The French name of ``field`` of ``model`` (the field name itself if unknown)."""
    return FIELD_LABELS.get(model, {}).get(field, field)


def format_number(value: int | float | Decimal) -> str:
    """A number the French way: ``1 234,5``; whole floats lose their ``,0``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = f"{value:,d}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", NNBSP)


def truncate(text: str, limit: int = 60) -> str:
    """``text`` on one line, cut on a word boundary with « … » when longer than ``limit``."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] or flat[: limit - 1]
    return cut.rstrip(" ,;:.") + "…"


def quoted(text: str, limit: int | None = 60) -> str:
    """Text between French quotation marks, shortened to ``limit`` characters (if given)."""
    return f"« {truncate(text, limit) if limit else text} »"


def value_text(value: Any, limit: int | None = 60) -> str:
    """A field's value as users read it: labels for choices, French numbers and dates."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Enum):
        return _ENUM_LABELS.get((type(value), value.value), str(value.value))
    if isinstance(value, int | float | Decimal):
        return format_number(value)
    if isinstance(value, dt.datetime):
        return f"{format_day(value.date())} à {value:%H:%M}"
    if isinstance(value, dt.date):
        return format_day(value)
    if isinstance(value, str):
        return quoted(value, limit)
    return quoted(str(value), limit)


_LITERAL_LABELS: dict[tuple[type[BaseModel], str], dict[str, str]] = {
    (Body, "kind"): BODY_KIND_LABELS,
}


def field_value_text(model: type[BaseModel], field: str, value: Any, limit: int | None = 60) -> str:
    """The value of ``field`` of ``model`` as users read it (see :func:`value_text`)."""
    choices = _LITERAL_LABELS.get((model, field))
    if choices is not None and isinstance(value, str) and value in choices:
        return choices[value]
    return value_text(value, limit)
