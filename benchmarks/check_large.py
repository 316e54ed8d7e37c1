"""Time ``chemins check`` on a generated project of 2 000 nodes.

Run: ``.venv/bin/python benchmarks/check_large.py [--runs 7] [--nodes 2000]``

The generated project is valid and realistic in shape: stakes of every theme, change
pathways (chains of preconditions with a few cross links, some with hypotheses) that end
at the vision, three progress markers per change, and activities with complete action
sheets. It is saved to a temporary YAML file; the script then times the whole command
in-process (load + graph + checks + table, through the click command) and, separately,
loading, building the graph, and the coherence checks, plus the slowest rules. Figures
are medians; the results go to ``docs/performance.md`` by hand, with the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from app.cli import main
from theory_of_change.checks import RULES, run_checks
from theory_of_change.checks.context import CheckContext
from theory_of_change.files import load_project, save_project
from theory_of_change.graph import build_graph
from theory_of_change.model import (
    ActionSheet,
    Activity,
    ActivityKind,
    Change,
    ChangeStatus,
    Commune,
    ConventionPeriod,
    DutyCoverage,
    Link,
    MarkerLevel,
    ProgressMarker,
    Project,
    ScheduleStep,
    SppeDuty,
    SppeSheet,
    Stake,
    StrategicAxis,
    SubObjective,
    Territory,
    TerritoryKind,
    Vision,
)

THEMES = ["petite-enfance", "enfance", "jeunesse", "parentalite", "acces-aux-droits"]
PATHWAY_LENGTH = 10


def generate_project(nodes: int = 2000) -> Project:
    """A valid project with ``nodes`` graph nodes (5 % stakes, 20 % changes, 60 % markers,
    15 % activities)."""
    stake_count = nodes // 20
    change_count = nodes // 5
    activity_count = nodes - stake_count - change_count - 3 * change_count
    communes = [
        Commune(id=f"commune-{i}", name=f"Commune {i}", population=1500 + 300 * i)
        for i in range(20)
    ]
    stakes = [
        Stake(
            id=f"enjeu-{i}",
            title=f"Enjeu n°{i} : mieux répondre aux besoins des familles",
            theme=THEMES[i % len(THEMES)],
            description="Issu du portrait de territoire et des ateliers avec les habitants.",
        )
        for i in range(stake_count)
    ]
    changes = []
    for i in range(change_count):
        step = i % PATHWAY_LENGTH
        preconditions: list[Any] = []
        if step > 0:
            preconditions.append(
                Link(to=f"chg-{i - 1}", hypothesis="Si l'étape précédente a lieu, alors celle-ci.")
            )
        if step > 2 and i % 3 == 0:
            preconditions.append(f"chg-{i - 3}")
        changes.append(
            Change(
                id=f"chg-{i}",
                statement=f"Les acteurs du territoire changent leurs pratiques (changement {i})",
                actors=["familles", "professionnels"],
                themes=[THEMES[i % len(THEMES)]],
                status=(
                    ChangeStatus.prioritised
                    if step == PATHWAY_LENGTH - 1
                    else ChangeStatus.proposed
                ),
                addresses=[f"enjeu-{i % stake_count}"],
                preconditions=preconditions,
                leads_to_vision=step == PATHWAY_LENGTH - 1 or i == change_count - 1,
                vision_hypothesis="Si ce changement a lieu, la vision se rapproche.",
            )
        )
    markers = [
        ProgressMarker(
            id=f"mq-{i}-{level.value}",
            change=f"chg-{i}",
            text=f"On observe un signe de progrès ({level.value}) pour le changement {i}",
            level=level,
            indicator="Nombre de familles concernées",
            baseline=10,
            target=20,
            year=2027,
        )
        for i in range(change_count)
        for level in MarkerLevel
    ]
    axes = [
        StrategicAxis(
            id=f"axe-{a}",
            title=f"Axe stratégique {a}",
            order=a,
            sub_objectives=[SubObjective(id=f"so-{a}-{s}", title=f"Objectif {a}.{s}")
                            for s in range(1, 4)],
        )
        for a in range(1, 6)
    ]
    kinds = list(ActivityKind)
    activities = [
        Activity(
            id=f"act-{i}",
            title=f"Développer l'action n°{i} avec les partenaires",
            kind=kinds[i % len(kinds)],
            axis=f"axe-{i % 5 + 1}",
            sub_objective=f"so-{i % 5 + 1}-{i % 3 + 1}",
            themes=[THEMES[i % len(THEMES)]],
            years=[2025 + i % 5, 2026 + i % 4],
            scope=[f"commune-{i % 20}"],
            contributes_to=[f"chg-{i % change_count}", f"chg-{(i * 7) % change_count}"],
            sheet=ActionSheet(
                objectives=["Améliorer l'accès des familles aux services"],
                description="Une action menée avec les partenaires du territoire.",
                lead="Service enfance-jeunesse",
                partners=["Caf", "Département"],
                target_public="Familles avec enfants",
                schedule=[ScheduleStep(period="2026", text="Lancement")],
                expected_results=["Les familles connaissent l'action"],
                indicators=["Nombre de familles accompagnées"],
            ),
        )
        for i in range(activity_count)
    ]
    return Project(
        id="projet-genere",
        title="Projet généré pour la mesure de performance",
        territory=Territory(name="Grande agglomération", kind=TerritoryKind.epci,
                            communes=communes),
        convention=ConventionPeriod(start_year=2025, end_year=2029),
        stakes=stakes,
        vision=Vision(text="En 2037, territoire où chaque famille trouve sa place.",
                      horizon_year=2037),
        changes=changes,
        markers=markers,
        axes=axes,
        activities=activities,
        sppe=SppeSheet(
            duties=[DutyCoverage(duty=duty, activities=["act-0"]) for duty in SppeDuty]
        ),
    )


def median_seconds(function: Callable[[], Any], runs: int) -> float:
    """The median wall-clock time of ``runs`` calls, after one warm-up call."""
    function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cpu_model() -> str:
    """The CPU model from /proc/cpuinfo (Linux), else what platform knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "inconnu"


def main_benchmark() -> None:
    """Generate, save, and time; print the figures as Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--nodes", type=int, default=2000)
    options = parser.parse_args()

    project = generate_project(options.nodes)
    node_count = len(project.node_ids())
    with tempfile.TemporaryDirectory() as folder:
        path = save_project(project, Path(folder) / "grand-projet.yaml")
        size_kb = path.stat().st_size / 1024
        runner = CliRunner()

        def whole_command() -> None:
            result = runner.invoke(main, ["check", str(path)])
            if result.exit_code not in (0, 1):
                raise RuntimeError(result.output)

        chemins = Path(sys.executable).parent / "chemins"

        def from_terminal() -> None:
            # The real command in a new process: interpreter start-up and imports included.
            result = subprocess.run(
                [str(chemins), "check", str(path)], capture_output=True, check=False
            )
            if result.returncode not in (0, 1):
                raise RuntimeError(result.stderr.decode())

        loaded = load_project(path)
        graph = build_graph(loaded)
        findings = run_checks(loaded, graph)

        command_time = median_seconds(whole_command, options.runs)
        terminal_time = median_seconds(from_terminal, options.runs)
        load_time = median_seconds(lambda: load_project(path), options.runs)
        graph_time = median_seconds(lambda: build_graph(loaded), options.runs)
        checks_time = median_seconds(lambda: run_checks(loaded, graph), options.runs)
        rule_times = sorted(
            (
                (
                    median_seconds(
                        lambda r=registered: r.check(CheckContext(project=loaded, graph=graph)),
                        3,
                    ),
                    registered.id,
                )
                for registered in RULES.values()
            ),
            reverse=True,
        )

    print(f"Projet généré : {node_count} nœuds ({len(project.stakes)} enjeux, "
          f"{len(project.changes)} changements, {len(project.markers)} marqueurs, "
          f"{len(project.activities)} actions), YAML de {size_kb:.0f} Ko, "
          f"{len(findings)} constats.")
    print(f"Médiane de {options.runs} exécutions (après un premier passage) :")
    print()
    print("| étape | temps |")
    print("|---|---|")
    print(f"| `chemins check` complet (chargement + graphe + règles + tableau) | "
          f"{command_time * 1000:.0f} ms |")
    print(f"| `chemins check` lancé depuis le terminal (nouveau processus) | "
          f"{terminal_time * 1000:.0f} ms |")
    print(f"| chargement du fichier (YAML + validation) | {load_time * 1000:.0f} ms |")
    print(f"| construction du graphe | {graph_time * 1000:.0f} ms |")
    print(f"| règles de cohérence ({len(RULES)} règles) | {checks_time * 1000:.0f} ms |")
    print()
    print("Règles les plus lentes (médiane de 3, chacune avec un contexte neuf) :")
    for seconds, rule_id in rule_times[:5]:
        print(f"- `{rule_id}` : {seconds * 1000:.1f} ms")
    print()
    print(f"Machine : {cpu_model()}, nproc = {_nproc()}, Python {platform.python_version()} "
          f"({sys.implementation.name})")


def _nproc() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


if __name__ == "__main__":
    main_benchmark()
