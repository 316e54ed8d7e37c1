"""What a coherence check reports: a :class:`Finding` of a given :class:`Severity`."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    """How serious a finding is.

    ``error``: the chain of reasoning is broken or a Caf requirement is unmet — the
    convention cannot be submitted as is; ``warning``: something is probably missing or
    should be looked at; ``info``: a suggestion of good practice.
    """

    error = "error"
    warning = "warning"
    info = "info"


SEVERITY_ORDER: dict[Severity, int] = {Severity.error: 0, Severity.warning: 1, Severity.info: 2}

SEVERITY_LABELS: dict[Severity, str] = {
    Severity.error: "erreur",
    Severity.warning: "avertissement",
    Severity.info: "information",
}
"""French names of the severities, for tables and documents."""


class Finding(BaseModel):
    """One problem found by one rule.

    ``nodes`` are the ids of the nodes to fix (``"vision"`` for the vision); it is empty
    for findings about the whole project (themes, SPPE duties).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    severity: Severity
    message: str = Field(description="French, names the nodes by their labels.")
    nodes: list[str] = Field(default_factory=list)

    def sort_key(self) -> tuple[int, str, list[str], str]:
        """Errors first, then warnings, then infos; then by rule id, nodes and message."""
        return (SEVERITY_ORDER[self.severity], self.rule, self.nodes, self.message)
