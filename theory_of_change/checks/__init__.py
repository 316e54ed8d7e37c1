"""Coherence checks (contrôle de cohérence) of a theory-of-change project.

``run_checks(project)`` runs every registered rule and returns sorted :class:`Finding`s.
Rules live in small modules by topic; importing them here registers them.
"""

from . import (  # noqa: F401 - imported to register their rules
    rules_activities,
    rules_markers,
    rules_pathways,
    rules_sppe,
    rules_stakes,
    rules_themes,
    rules_vision,
)
from .findings import SEVERITY_LABELS, Finding, Severity
from .registry import RULES, Rule, checks_markdown, count_by_severity, run_checks

__all__ = [
    "RULES",
    "SEVERITY_LABELS",
    "Finding",
    "Rule",
    "Severity",
    "checks_markdown",
    "count_by_severity",
    "run_checks",
]
