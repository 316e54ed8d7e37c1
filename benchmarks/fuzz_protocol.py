"""The protocol fuzz of ``tests/test_fuzz_protocol.py``, at volume (100 000 messages).

Usage (from the repository root; a few minutes, not run by ``make test``)::

    .venv/bin/python benchmarks/fuzz_protocol.py [--messages 100000] [--seed 1]

Starts a real server (``chemins serve``, as the tests do), opens the dot vote of a fresh
workshop with a control phone connected all along, then sends batches of random,
oversized, wrong-typed and out-of-order messages drawn by the test's Hypothesis
strategies, each batch on a new websocket, until ``--messages`` are sent. Checks what
the test checks — every message answered, every refusal a documented French error,
never ``internal_error`` — and at the end that the control phone still votes and that
the tally recomputed from the ballots on disk equals the one it received. Prints the
counts by reply, the rate and the server's memory.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from live_server import LiveServer  # noqa: E402
from test_fuzz_protocol import (  # noqa: E402
    batches,
    check_consistency,
    check_replies,
    exchange,
    open_arena,
)


def server_rss_mb(server: LiveServer) -> float:
    """Resident memory of the server's processes (gunicorn master and worker), in MB."""
    assert server.process is not None
    total = 0
    pids = [server.process.pid]
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def main(argv: list[str] | None = None) -> int:
    """Run the fuzz and print its summary; 1 if a check failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        server = LiveServer(Path(folder) / "instance")
        server.start()
        try:
            arena = open_arena(server)
            sent = 0
            replies: collections.Counter[str] = collections.Counter()
            began = time.perf_counter()

            # A batch holds 20 to 62 messages (41 on average): enough examples to send
            # --messages, the last ones skipped once they are sent.
            @seed(args.seed)
            @settings(max_examples=args.messages // 30 + 10, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(batch=batches(arena.code, arena.options))
            def fuzz(batch: list[str | bytes]) -> None:
                nonlocal sent
                if sent >= args.messages:
                    return
                received = exchange(server, batch)
                check_replies(batch, received)
                sent += len(batch)
                replies.update(str(m.get("code", m.get("type"))) for m in received)
                if sent // 10_000 != (sent - len(batch)) // 10_000:
                    print(f"  {sent} messages, {time.perf_counter() - began:.0f} s", flush=True)

            fuzz()
            elapsed = time.perf_counter() - began
            check_consistency(arena)
            rss = server_rss_mb(server)
            arena.control.close()
        finally:
            server.stop()
    print(f"{sent} messages en {elapsed:.0f} s ({sent / elapsed:.0f} messages/s), "
          f"serveur vivant, base cohérente ; mémoire du serveur {rss:.0f} Mo")
    print("Réponses :", ", ".join(f"{kind} {count}" for kind, count in replies.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
