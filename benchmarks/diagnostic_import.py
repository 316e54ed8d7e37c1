"""How long importing a large portrait or open-data file takes (figures for docs/performance.md).

Generates, in memory, files of several thousand rows written as the Caf writes them
(French numbers, "XXX" cells, no-break spaces), then times the import, the merge into a
diagnostic and the tension rules. Run from the repository root:

    .venv/bin/python benchmarks/diagnostic_import.py [--communes 5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook  # noqa: E402

from theory_of_change.diagnostic.importer import import_bytes, merge_import  # noqa: E402
from theory_of_change.diagnostic.model import Diagnostic  # noqa: E402
from theory_of_change.diagnostic.tensions import find_tensions  # noqa: E402
from theory_of_change.files import dumps_project, loads_project  # noqa: E402
from theory_of_change.model import ConventionPeriod, Project, Territory  # noqa: E402

PORTRAIT_HEADER = [
    "niveau",
    "territoire",
    "évolution enfants 00-02 ans",
    "part assistantes maternelles 60 ans et plus",
    "part enfants 0-2 ans avec parents biactifs ou monoparents actifs occupés",
    "taux de couverture petite enfance",
    "nombre de naissances",
    "enfants 00-02 ans",
    "places MAM",
]


def _percent(rng: random.Random, low: int, high: int) -> str:
    if rng.random() < 0.03:
        return "XXX"
    value = rng.uniform(low, high)
    return f"{value:.1f}".replace(".", ",") + " %"


def _count(rng: random.Random, high: int) -> str:
    if rng.random() < 0.03:
        return "XXX"
    return f"{rng.randint(0, high):,}".replace(",", "\u202f")


def portrait_rows(communes: int, seed: int = 7) -> list[list[object]]:
    """Rows of a portrait table: communes, one EPCI per 100 communes, five departments."""
    rng = random.Random(seed)
    rows: list[list[object]] = []
    levels = [("commune", f"COMMUNE {i:05d}") for i in range(communes)]
    levels += [("epci", f"CC NUMERO {i}") for i in range(max(communes // 100, 1))]
    levels += [("departement", name) for name in ("AIN", "AISNE", "ALLIER", "ARDECHE", "AUDE")]
    for level, name in levels:
        rows.append(
            [
                level,
                name,
                _percent(rng, -35, 30),
                _percent(rng, 0, 30),
                _percent(rng, 45, 95),
                _percent(rng, 20, 260),
                _count(rng, 20_000),
                _count(rng, 50_000),
                _count(rng, 300),
            ]
        )
    return rows


def portrait_csv(communes: int) -> bytes:
    """A portrait CSV (``;``, UTF-8) of ``communes`` communes plus references."""
    lines = [";".join(PORTRAIT_HEADER)]
    lines += [";".join(map(str, row)) for row in portrait_rows(communes)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def opendata_csv(communes: int, years: tuple[int, ...] = (2020, 2021, 2022)) -> bytes:
    """A Caf open-data CSV (``,``, dot decimals): every commune for every year."""
    rng = random.Random(11)
    lines = [
        "numcom,nomcom,numepci,nomepci,numdep,nomdep,annee,txcouv_com,txcouv_eaje_com,pl_am_com"
    ]
    for index in range(communes):
        department = f"{1 + index % 5:02d}"
        for year in years:
            lines.append(
                f"{department}{index:03d},Commune {index},2000{index // 100:05d},"
                f"CC {index // 100},{department},Département {department},{year},"
                f"{rng.uniform(20, 120):.1f},{rng.uniform(5, 60):.1f},{rng.randint(0, 400)}"
            )
    for number in range(1, 6):
        for year in years:
            lines.append(f",,,,{number:02d},Département {number:02d},{year},76.0,25.0,40000")
    return ("\n".join(lines) + "\n").encode("utf-8")


def portrait_xlsx(communes: int) -> bytes:
    """The portrait table as a one-sheet workbook."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Tensions")
    sheet.append(PORTRAIT_HEADER)
    for row in portrait_rows(communes):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(function: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best and median wall time of ``repeat`` runs, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def main() -> None:
    """Generate the files, time each step and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    files = {
        "portrait CSV": ("portrait.csv", portrait_csv(args.communes)),
        "open data CSV (3 ans)": ("opendata.csv", opendata_csv(args.communes)),
        "portrait XLSX": ("portrait.xlsx", portrait_xlsx(args.communes)),
    }
    machine = f"{platform.platform()}, {os.cpu_count()} cœurs"
    print(f"Machine : {machine}, Python {platform.python_version()}")
    print(
        f"Commande : .venv/bin/python benchmarks/diagnostic_import.py --communes {args.communes} "
        f"--repeat {args.repeat}"
    )
    print()
    print("| fichier | lignes | taille | import (meilleur / médian) | fusion | tensions |")
    print("|---|---|---|---|---|---|")
    for label, (name, data) in files.items():
        result = import_bytes(data, name)
        best, median = timed(lambda d=data, n=name: import_bytes(d, n), args.repeat)
        merge_best, _ = timed(lambda r=result: merge_import(Diagnostic(), r), args.repeat)
        diagnostic, _ = merge_import(Diagnostic(), result)
        tension_best, _ = timed(lambda d=diagnostic: find_tensions(d), args.repeat)
        print(
            f"| {label} | {len(result.figures)} | {len(data) / 1024:.0f} Kio | "
            f"{best:.0f} / {median:.0f} ms | {merge_best:.0f} ms | {tension_best:.0f} ms |"
        )
        if label == "portrait CSV":
            saved = project_file_timings(diagnostic, args.repeat)
    print()
    print("Fichier du projet contenant le diagnostic du portrait CSV (YAML) :")
    print(saved)


def project_file_timings(diagnostic: Diagnostic, repeat: int) -> str:
    """How long writing and reading back a project file holding this diagnostic takes."""
    project = Project(
        id="projet-bench",
        title="Projet de mesure",
        territory=Territory(name="Territoire de mesure", kind="epci"),
        convention=ConventionPeriod(start_year=2025, end_year=2029),
        diagnostic=diagnostic,
    )
    text = dumps_project(project)
    write_best, _ = timed(lambda: dumps_project(project), max(repeat // 2, 1))
    read_best, _ = timed(lambda: loads_project(text), max(repeat // 2, 1))
    return (
        f"{len(text) / 1024:.0f} Kio ; écriture {write_best:.0f} ms ; "
        f"lecture et validation {read_best:.0f} ms"
    )


if __name__ == "__main__":
    main()
