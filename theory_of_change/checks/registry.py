"""The registry of coherence rules, the function that runs them, and their documentation.

A rule is a small function ``fn(context) -> Iterable[Finding]`` registered with
:func:`rule`. Its docstring is written in French because it *is* the user documentation:
:func:`checks_markdown` turns the registry into ``docs/checks.md``, so the page cannot
drift from the code. Each docstring says what the rule checks, then "**Pourquoi :**" (why it
matters in a CTG) and "**Corriger :**" (how to fix it).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import networkx as nx

from ..graph import build_graph
from ..model import Project
from .context import CheckContext
from .findings import SEVERITY_LABELS, Finding, Severity

RuleFunction = Callable[[CheckContext], Iterable[Finding]]

RULE_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

TOPIC_TITLES: dict[str, str] = {
    "rules_vision": "Vision collective",
    "rules_pathways": "Chemins de changement",
    "rules_stakes": "Enjeux du diagnostic",
    "rules_markers": "Marqueurs de progrès",
    "rules_activities": "Actions et fiches actions",
    "rules_themes": "Thématiques",
    "rules_sppe": "Service public de la petite enfance (SPPE)",
}
"""French heading of each rules module in the documentation, in reading order."""


@dataclass(frozen=True)
class Rule:
    """A registered coherence rule."""

    id: str
    severity: Severity
    title: str
    doc: str
    function: RuleFunction
    topic: str

    def check(self, context: CheckContext) -> list[Finding]:
        """Run the rule and make sure every finding it returns is its own."""
        findings = list(self.function(context))
        for item in findings:
            if item.rule != self.id or item.severity != self.severity:
                raise RuntimeError(
                    f"rule {self.id} returned a finding of {item.rule} ({item.severity})"
                )
        return findings


RULES: dict[str, Rule] = {}


def rule(id: str, severity: Severity, title: str) -> Callable[[RuleFunction], RuleFunction]:
    """Register the decorated function as the rule ``id``; its docstring is its documentation."""
    if not RULE_ID_PATTERN.match(id):
        raise ValueError(f"rule id {id!r} is not kebab-case")

    def register(function: RuleFunction) -> RuleFunction:
        if id in RULES:
            raise ValueError(f"rule {id!r} is registered twice")
        doc = inspect.getdoc(function)
        if not doc:
            raise ValueError(f"rule {id!r} has no docstring")
        RULES[id] = Rule(
            id=id,
            severity=severity,
            title=title,
            doc=doc,
            function=function,
            topic=function.__module__.rsplit(".", 1)[-1],
        )
        return function

    return register


def finding(rule_id: str, message: str, nodes: Iterable[str] = ()) -> Finding:
    """A finding of the registered rule ``rule_id``, with that rule's severity."""
    registered = RULES[rule_id]
    return Finding(rule=registered.id, severity=registered.severity, message=message,
                   nodes=list(nodes))


def run_checks(project: Project, graph: nx.DiGraph | None = None) -> list[Finding]:
    """Run every registered rule on ``project`` and return the sorted findings.

    The graph is built once (or ``graph`` is used as given) and shared with every rule
    through a :class:`~theory_of_change.checks.context.CheckContext`. Findings come errors
    first, then warnings, then infos; within a severity by rule id, then nodes.
    """
    if graph is None:
        graph = build_graph(project)
    context = CheckContext(project=project, graph=graph)
    findings = [item for registered in RULES.values() for item in registered.check(context)]
    return sorted(findings, key=Finding.sort_key)


def count_by_severity(findings: Iterable[Finding]) -> dict[Severity, int]:
    """How many findings of each severity, every severity present (zero included)."""
    counts = dict.fromkeys(Severity, 0)
    for item in findings:
        counts[item.severity] += 1
    return counts


def checks_markdown() -> str:
    """The French documentation page of every registered rule (``docs/checks.md``)."""
    lines = [
        "# Contrôle de cohérence",
        "",
        "<!-- Page générée par theory_of_change.checks.registry.checks_markdown() : "
        "ne pas la modifier à la main. Régénérer avec "
        "`.venv/bin/python -m theory_of_change.checks > docs/checks.md`. -->",
        "",
        "Le contrôle de cohérence relit toute la chaîne du projet — enjeux du diagnostic, "
        "vision, chemins de changement, marqueurs de progrès, actions et fiches actions, "
        "thématiques, obligations SPPE — et signale ce qui manque ou se contredit. Chaque "
        "constat nomme les éléments à corriger par leur libellé, et donne leurs identifiants.",
        "",
        "Lancer le contrôle : `chemins check projet.yaml` (tableau lisible) ou "
        "`chemins check projet.yaml --json` ; la commande se termine en erreur (code 1) "
        "s'il reste au moins une erreur.",
        "",
        "| gravité | signification |",
        "|---|---|",
        f"| {SEVERITY_LABELS[Severity.error]} | la chaîne de raisonnement est rompue ou une "
        "exigence de la Caf n'est pas remplie : la convention ne peut pas être remise en "
        "l'état |",
        f"| {SEVERITY_LABELS[Severity.warning]} | un élément manque probablement ou mérite "
        "d'être revu |",
        f"| {SEVERITY_LABELS[Severity.info]} | une suggestion de bonne pratique |",
        "",
        "*In English: the coherence check reads the whole chain of a CTG project and reports "
        "findings of three severities (error, warning, info); each rule below has a stable id "
        "that the CLI's JSON output and the app use.*",
        "",
        "## Les règles en bref",
        "",
        "| identifiant | gravité | contrôle |",
        "|---|---|---|",
    ]
    ordered = _rules_in_reading_order()
    lines += [
        f"| [`{r.id}`](#{r.id}) | {SEVERITY_LABELS[r.severity]} | {r.title} |" for r in ordered
    ]
    topic = None
    for registered in ordered:
        if registered.topic != topic:
            topic = registered.topic
            lines += ["", f"## {TOPIC_TITLES.get(topic, topic)}"]
        lines += [
            "",
            f'### <a id="{registered.id}"></a>`{registered.id}` — {registered.title}',
            "",
            f"*Gravité : {SEVERITY_LABELS[registered.severity]}.*",
            "",
            registered.doc,
        ]
    return "\n".join(lines) + "\n"


def _rules_in_reading_order() -> list[Rule]:
    topics = list(TOPIC_TITLES)
    # Unknown topics (a new module not yet titled) come last rather than disappear.
    return sorted(
        RULES.values(),
        key=lambda r: topics.index(r.topic) if r.topic in topics else len(topics),
    )
