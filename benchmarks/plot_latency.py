"""Chart of the live-workshop load benchmark: latency against the number of phones.

Reads the JSON written by ``benchmarks/live_load.py vote --json …`` and draws, for Chemins
and the reference server, the p99 (and p50) of vote → projector latency of the dot vote,
and the time until every phone shows the final tally, against N, with the targets.

Usage (from the repository root)::

    .venv/bin/python benchmarks/plot_latency.py build/bench/live_vote.json docs/performance-live.png
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (the backend is chosen first)
from matplotlib.ticker import FuncFormatter  # noqa: E402

LABELS = {"chemins": "Chemins (gunicorn, SQLite)", "reference": "Référence (asyncio, en mémoire)"}
COLOURS = {"chemins": "#1f5f99", "reference": "#c2571a"}
LATENCY_TARGET_MS = 200
FINAL_TARGET_MS = 500
TICKS_MS = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000]


def series(reports: Sequence[dict[str, Any]]) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    """Per server, ``(N, dot-vote round)`` pairs sorted by N (vote reports only)."""
    by_server: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for report in reports:
        if report.get("scenario") != "vote" or not report.get("rounds"):
            continue
        phones = int(report["config"]["phones"])
        by_server.setdefault(report["target"], []).append((phones, report["rounds"][0]))
    return {name: sorted(points, key=lambda p: p[0]) for name, points in by_server.items()}


def plot(reports: Sequence[dict[str, Any]], output: Path) -> None:
    """Draw the chart of ``reports`` into ``output`` (PNG)."""
    data = series(reports)
    if not data:
        raise ValueError("aucun rapport de vote dans le fichier")
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=110)
    for name, points in data.items():
        phones = [n for n, _ in points]
        colour = COLOURS.get(name, "#444444")
        label = LABELS.get(name, name)
        p99 = [round_["visible_ms"]["p99"] for _, round_ in points]
        p50 = [round_["visible_ms"]["p50"] for _, round_ in points]
        final = [
            (round_["final_everywhere_s"] or 0) * 1000 if round_["final_everywhere_s"] is not None
            else None for _, round_ in points
        ]
        left.plot(phones, p99, marker="o", color=colour, label=f"{label}, p99")
        left.plot(phones, p50, marker=".", linestyle="--", color=colour, label=f"{label}, p50")
        right.plot(phones, final, marker="o", color=colour, label=label)
    left.axhline(LATENCY_TARGET_MS, color="#888888", linestyle=":", label="objectif p99 (200 ms)")
    right.axhline(FINAL_TARGET_MS, color="#888888", linestyle=":", label="objectif (0,5 s)")
    left.set_title("Vote → vidéoprojecteur (vote à gommettes)")
    left.set_ylabel("latence (ms)")
    right.set_title("Dernier vote → résultat final sur tous les téléphones")
    right.set_ylabel("délai (ms)")
    for axis in (left, right):
        axis.set_xlabel("téléphones connectés")
        axis.set_xscale("log")
        axis.set_yscale("log")
        values = [y for line in axis.get_lines() for y in line.get_ydata() if y and y > 0]
        # Room for the legend above the highest point, and the targets always in view.
        axis.set_ylim(min([50.0, *values]) * 0.8, max([700.0, *values]) * 3)
        all_phones = sorted({n for points in data.values() for n, _ in points})
        axis.set_xticks(all_phones, [f"{n:,}".replace(",", " ") for n in all_phones])
        axis.minorticks_off()
        low, high = axis.get_ylim()
        axis.set_yticks([tick for tick in TICKS_MS if low <= tick <= high] or TICKS_MS[:1])
        axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        axis.grid(True, which="major", alpha=0.3)
        axis.legend(fontsize=7, loc="upper left")
    figure.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(output)
    plt.close(figure)


def _number(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"
    return text.replace(",", "\u202f").replace(".", ",") + unit


def markdown_table(reports: Sequence[dict[str, Any]]) -> str:
    """The dot-vote figures as a Markdown table, Chemins beside the reference, with ratios."""
    by_phones: dict[int, dict[str, dict[str, Any]]] = {}
    for report in reports:
        if report.get("scenario") == "vote" and report.get("rounds"):
            by_phones.setdefault(int(report["config"]["phones"]), {})[report["target"]] = report
    lines = [
        "| N | serveur | connexions réussies / échouées | vote → projecteur p50 / p95 / p99 / "
        "max (ms) | p99 ÷ référence | résultat final partout après le dernier vote (téléphones) "
        "| acquittement p99 | bulletins acquittés / en base | CPU serveur | RSS max | charge au "
        "départ |",
        "|---:|---|---|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for phones in sorted(by_phones):
        runs = by_phones[phones]
        reference = runs.get("reference")
        reference_p99 = reference["rounds"][0]["visible_ms"]["p99"] if reference else None
        for name in ("reference", "chemins"):
            report = runs.get(name)
            if report is None:
                continue
            round_ = report["rounds"][0]
            visible = round_["visible_ms"]
            connections = report.get("connections", {})
            stored = round_.get("stored")
            in_base = f"{stored['ballots']} + {stored['revotes']}" if stored else "en mémoire"
            ratio = None
            if name == "chemins" and reference_p99 and visible["p99"] is not None:
                ratio = visible["p99"] / reference_p99
            server = report.get("server", {})
            final = round_["final_everywhere_s"]
            lines.append(
                f"| {phones} | {LABELS.get(name, name)} | {connections.get('succeeded')} / "
                f"{connections.get('failed')} | {_number(visible['p50'])} / "
                f"{_number(visible['p95'])} / {_number(visible['p99'])} / "
                f"{_number(visible['max'])} | {_number(ratio, ' ×')} | "
                f"{_number(final * 1000 if final is not None else None, ' ms')} "
                f"({round_['phones_with_final']}/{round_['phones_live']}) | "
                f"{_number(round_['ack_ms']['p99'], ' ms')} | "
                f"{round_['first_acked']} + {round_['revotes_acked']} / {in_base} | "
                f"{_number(server.get('cpu_s_total'), ' s')} | "
                f"{_number(server.get('peak_rss_mb'), ' Mo')} | "
                f"{_number(report['loadavg_before'][0])} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: the JSON of ``live_load.py`` and the PNG to write."""
    parser = argparse.ArgumentParser(description="Graphique de latence du banc de charge.")
    parser.add_argument("reports", type=Path, help="fichier JSON de live_load.py vote --json")
    parser.add_argument("output", type=Path, help="image PNG à écrire")
    parser.add_argument("--markdown", action="store_true",
                        help="afficher aussi le tableau des chiffres en Markdown")
    args = parser.parse_args(argv)
    try:
        reports = json.loads(args.reports.read_text(encoding="utf-8"))
        plot(reports, args.output)
        if args.markdown:
            print(markdown_table(reports))
    except (OSError, ValueError) as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 1
    print(f"Graphique écrit : {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
