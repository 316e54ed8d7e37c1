"""How long the exports take for a large project: 500 actions.

Generates a deterministic project (15 communes, 5 axes of 4 sub-objectives, 24 stakes,
60 changes in pathways, 180 progress markers, 500 actions with complete sheets, a third
of them scoped to communes), then times the action plan as DOCX, the follow-up table as
XLSX and the pathway diagram as SVG, and reports the median of several runs for each part
and for the three together (target: under 3 s). Run from the repository root:

    .venv/bin/python benchmarks/exports_large.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exports.action_plan import render_action_plan  # noqa: E402
from exports.action_sheets import render_action_sheets, sheet_activities  # noqa: E402
from exports.diagram import render_diagram  # noqa: E402
from exports.tracker import render_tracker  # noqa: E402
from theory_of_change.model import (  # noqa: E402
    ActionSheet,
    Activity,
    ActivityKind,
    ActivityStatus,
    Change,
    ChangeStatus,
    Commune,
    ConventionPeriod,
    Link,
    MarkerLevel,
    Observation,
    ProgressMarker,
    Project,
    ScheduleStep,
    Stake,
    StrategicAxis,
    SubObjective,
    Territory,
    TerritoryKind,
    Vision,
)

THEMES = ("petite-enfance", "enfance", "jeunesse", "parentalite", "acces-aux-droits",
          "animation-vie-sociale")
WORDS = (
    "familles accueil jeunes parents enfants services territoire communes accompagnement "
    "information coopération associations habitants qualité mobilité numérique droits "
    "prévention loisirs culture insertion logement solidarité proximité partenaires"
).split()


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[:1].upper() + text[1:]


def large_project(actions: int = 500, seed: int = 2025) -> Project:
    """A deterministic project with ``actions`` actions and complete sheets."""
    rng = random.Random(seed)
    communes = [Commune(id=f"commune-{n}", name=f"Commune {n}", population=rng.randint(800, 15000))
                for n in range(1, 16)]
    stakes = [
        Stake(id=f"enjeu-{n}", title=_sentence(rng, 7), theme=THEMES[n % len(THEMES)])
        for n in range(24)
    ]
    changes: list[Change] = []
    for n in range(60):
        preconditions = [
            Link(to=f"chg-{p}", hypothesis=_sentence(rng, 10))
            for p in sorted(rng.sample(range(max(n - 8, 0), n), k=min(n, rng.randint(0, 2))))
        ] if n else []
        changes.append(
            Change(
                id=f"chg-{n}",
                statement=_sentence(rng, 14),
                themes=[THEMES[n % len(THEMES)]],
                status=ChangeStatus.prioritised if n < 5 else ChangeStatus.proposed,
                priority_rank=n + 1 if n < 5 else None,
                addresses=[f"enjeu-{n % 24}"],
                preconditions=preconditions,
                leads_to_vision=n >= 50,
            )
        )
    markers = [
        ProgressMarker(id=f"mq-{n}-{level.value}", change=f"chg-{n}", text=_sentence(rng, 10),
                       level=level)
        for n in range(60) for level in MarkerLevel
    ]
    axes = [
        StrategicAxis(
            id=f"axe-{a}", title=_sentence(rng, 9), order=a,
            sub_objectives=[SubObjective(id=f"so-{a}-{s}", title=_sentence(rng, 6))
                            for s in range(1, 5)],
        )
        for a in range(1, 6)
    ]
    kinds = list(ActivityKind)
    activities = []
    for n in range(actions):
        axis = (n % 5) + 1
        start = rng.randint(2025, 2028)
        activities.append(
            Activity(
                id=f"act-{n}",
                title=_sentence(rng, 11),
                kind=kinds[n % len(kinds)],
                axis=f"axe-{axis}",
                sub_objective=f"so-{axis}-{rng.randint(1, 4)}",
                themes=[THEMES[n % len(THEMES)]],
                years=list(range(start, rng.randint(start, 2029) + 1)),
                scope=[c.id for c in rng.sample(communes, 2)] if n % 3 == 0 else [],
                contributes_to=[Link(to=f"chg-{rng.randrange(60)}")],
                status=list(ActivityStatus)[n % 4],
                sheet=ActionSheet(
                    objectives=[_sentence(rng, 12), _sentence(rng, 9)],
                    description=_sentence(rng, 40),
                    lead=_sentence(rng, 3),
                    partners=[_sentence(rng, 2) for _ in range(3)],
                    target_public=_sentence(rng, 6),
                    schedule=[ScheduleStep(period=str(start), text=_sentence(rng, 8))],
                    expected_results=[_sentence(rng, 10)],
                    indicators=[_sentence(rng, 6), _sentence(rng, 5)],
                    baseline=rng.randint(0, 100),
                    target=rng.randint(100, 200),
                    observations=[Observation(year=2025, value=rng.randint(0, 150),
                                              comment=_sentence(rng, 6))],
                ),
            )
        )
    return Project(
        id="projet-volumineux",
        title="CTG volumineuse 2025-2029",
        territory=Territory(name="Agglomération de test", kind=TerritoryKind.epci,
                            communes=communes),
        convention=ConventionPeriod(start_year=2025, end_year=2029),
        stakes=stakes,
        vision=Vision(text="En 2037, territoire " + _sentence(rng, 40).lower(),
                      horizon_year=2037),
        changes=changes,
        markers=markers,
        axes=axes,
        activities=activities,
    )


def _median_seconds(task: Callable[[], bytes], runs: int) -> tuple[float, int]:
    durations = []
    size = 0
    for _ in range(runs):
        start = time.perf_counter()
        size = len(task())
        durations.append(time.perf_counter() - start)
    return statistics.median(durations), size


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    dot = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr.strip()
    return (f"{cpu}, {os.cpu_count()} cœurs, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, {dot}")


def main() -> int:
    """Time the three exports and print a Markdown table of the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measure (median kept)")
    parser.add_argument("--actions", type=int, default=500)
    args = parser.parse_args()

    start = time.perf_counter()
    project = large_project(args.actions)
    build = time.perf_counter() - start
    parts: dict[str, Callable[[], bytes]] = {
        "Plan d'action DOCX": lambda: render_action_plan(project, "docx"),
        "Tableau de suivi XLSX": lambda: render_tracker(project, "xlsx"),
        "Schéma SVG": lambda: render_diagram(project, "svg"),
    }
    results = {name: _median_seconds(task, args.runs) for name, task in parts.items()}

    def _together() -> bytes:
        return b"".join(task() for task in parts.values())

    total, total_size = _median_seconds(_together, args.runs)
    others: dict[str, Callable[[], bytes]] = {
        "Schéma SVG complet (marqueurs et 500 activités)":
            lambda: render_diagram(project, "svg", layers=("markers", "activities")),
        "Plan d'action ODT": lambda: render_action_plan(project, "odt"),
        f"Fiches actions DOCX ({len(sheet_activities(project))} fiches)":
            lambda: render_action_sheets(project, "docx"),
        f"Fiches actions ODT ({len(sheet_activities(project))} fiches)":
            lambda: render_action_sheets(project, "odt"),
    }
    other_results = {
        name: _median_seconds(task, max(1, args.runs // 2)) for name, task in others.items()
    }

    print(f"Machine : {_machine()}")
    print(f"Projet : {len(project.activities)} actions, {len(project.changes)} changements, "
          f"{len(project.markers)} marqueurs, {len(project.stakes)} enjeux "
          f"(généré en {_seconds(build)}) ; médiane de {args.runs} essais.\n")
    print("| Export | Médiane | Taille |")
    print("|---|---:|---:|")
    for name, (seconds, size) in results.items():
        print(f"| {name} | {_seconds(seconds)} | {size / 1024:.0f} Ko |")
    print(f"| **Les trois ensemble (objectif : moins de 3 s)** | **{_seconds(total)}** "
          f"| {total_size / 1024:.0f} Ko |")
    print(f"\nHors objectif, médiane de {max(1, args.runs // 2)} essais :\n")
    print("| Export | Médiane | Taille |")
    print("|---|---:|---:|")
    for name, (seconds, size) in other_results.items():
        print(f"| {name} | {_seconds(seconds)} | {size / 1024:.0f} Ko |")
    return 0


def _seconds(value: float) -> str:
    return f"{value:.2f} s".replace(".", ",")


if __name__ == "__main__":
    raise SystemExit(main())
