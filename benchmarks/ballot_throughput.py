"""Durable ballots per second: group commit against one commit per ballot.

Usage (from the repository root)::

    .venv/bin/python benchmarks/ballot_throughput.py [--participants 2000] [--ballots 6000]
        [--threads 64] [--mode both|group|single]

An SQLite file in a temporary folder, tuned as the server tunes it (WAL,
``synchronous=FULL``: a ballot is on disk when its commit returns), holds the demo
workshop; its dot vote (5 dots over the demo's changes) runs. ``--threads`` threads play
the server's connection threads: each casts ballots for its own participants, one after
the other, and waits for each to be committed, as a phone waits for its ``ack``. The
first ballot of each participant is new, the next ones replace it (re-votes), so the
"one ballot per participant and step" rule and the ``client_id`` deduplication work as
in a real vote.

- ``group``: through ``Store.write`` (the group-commit writer of the server);
- ``single``: one transaction per ballot (``Store.session()``), as before group commit.

Prints ballots per second, the acknowledgement latency (p50/p99/max) and, for group
commit, the batches; checks the database holds one ballot per participant who voted.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from theory_of_change.demo import demo_project
from workshops import service
from workshops.model import DotBallot
from workshops.store import BallotRow, Store
from workshops.store.engine import sqlite_url

STEP = "priorisation"


def prepare(store: Store, participants: int) -> tuple[int, list[str], list[str]]:
    """The demo workshop with its dot vote running, and the participants' tokens."""
    with store.session() as db:
        setup = service.ensure_demo(db, demo_project())
        workshop_id = int(setup.workshop.id)
        service.start_step(db, workshop_id, STEP)
        step = service.get_workshop(db, workshop_id).step(STEP)
        options = [option.id for option in step.options]  # type: ignore[union-attr]
    tokens: list[str] = []
    for start in range(0, participants, 500):
        with store.session() as db:
            for n in range(start, min(participants, start + 500)):
                tokens.append(service.join(db, workshop_id, nickname=f"P{n}").participant.token)
    return workshop_id, tokens, options


def run(
    store: Store, mode: str, workshop_id: int, tokens: list[str], options: list[str],
    ballots: int, threads: int,
) -> dict[str, Any]:
    """Cast ``ballots`` ballots from ``threads`` threads; the figures."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    per_thread = ballots // threads

    def cast(db: Any, token: str, ballot: DotBallot, client_id: str) -> service.Ack:
        return service.cast_ballot(db, workshop_id, token, STEP, ballot, client_id)

    def worker(index: int) -> None:
        rng = random.Random(index)
        mine = tokens[index::threads]
        local: list[float] = []
        for n in range(per_thread):
            token = mine[n % len(mine)]
            ballot = DotBallot(dots=dict.fromkeys(rng.sample(options, 5), 1))
            client_id = f"{mode}-{index}-{n}"
            began = time.perf_counter()
            try:
                if mode == "group":
                    store.write(_bind(cast, token, ballot, client_id))
                else:
                    with store.session() as db:
                        cast(db, token, ballot, client_id)
            except Exception as error:  # a benchmark reports failures, it does not stop
                with lock:
                    errors.append(repr(error))
                continue
            local.append(time.perf_counter() - began)
        with lock:
            latencies.extend(local)

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    before = store.writer.stats.jobs, store.writer.stats.batches
    began = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    jobs = store.writer.stats.jobs - before[0]
    batches = store.writer.stats.batches - before[1]
    return {
        "mode": mode,
        "ballots": len(latencies),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "max_ms": 1000 * latencies[-1],
        "mean_batch": jobs / batches if batches else 0.0,
        "largest_batch": store.writer.stats.largest_batch,
    }


def _bind(function: Callable[..., Any], *args: Any) -> Callable[[Any], Any]:
    return lambda db: function(db, *args)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--ballots", type=int, default=6000)
    parser.add_argument("--threads", type=int, default=64)
    parser.add_argument("--mode", choices=("both", "group", "single"), default="both")
    args = parser.parse_args(argv)
    modes = ["group", "single"] if args.mode == "both" else [args.mode]
    print(f"{args.participants} participants, {args.ballots} bulletins, {args.threads} fils ; "
          "SQLite WAL, synchronous=FULL")
    print("| mode | bulletins | erreurs | durée (s) | bulletins/s | p50 (ms) | p99 (ms) | "
          "max (ms) | lot moyen | plus grand lot |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for mode in modes:
        with tempfile.TemporaryDirectory() as folder:
            store = Store.open(sqlite_url(Path(folder) / "bench.sqlite3"), pool_size=args.threads)
            store.create_schema()
            workshop_id, tokens, options = prepare(store, args.participants)
            figures = run(store, mode, workshop_id, tokens, options, args.ballots, args.threads)
            with store.read_session() as db:
                stored = db.scalar(select(func.count(BallotRow.id))) or 0
            store.dispose()
        expected = min(args.participants, args.threads * (args.ballots // args.threads))
        print(
            f"| {mode} | {figures['ballots']} | {figures['errors']} | {figures['seconds']:.2f} | "
            f"{figures['per_second']:.0f} | {figures['p50_ms']:.1f} | {figures['p99_ms']:.1f} | "
            f"{figures['max_ms']:.1f} | {figures['mean_batch']:.1f} | "
            f"{figures['largest_batch']} |"
        )
        if figures["errors"]:
            print(f"  première erreur : {figures['first_error']}", file=sys.stderr)
        if stored != expected:
            print(f"  ERREUR : {stored} bulletins en base, {expected} attendus", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
