"""Python's full garbage collections, moved out of the moments when phones vote.

A server holding 2 000 phones holds half a million objects that the cyclic garbage
collector scans in full from time to time — every time their number grew by a quarter.
Measured during a 2 000-phone vote (``docs/performance.md``): pauses of 80 to 410 ms,
the whole process frozen, ballots and tallies waiting; the slowest votes of a round were
exactly those. Reference counting frees almost everything as soon as it is unused; the
full scan only finds cycles, which can wait a few seconds.

So in the serving process, while the broadcaster's ticker runs, the collector keeps its
young generations (fast, frequent) but never starts a full collection by itself: the
ticker runs one once the workshops have been idle for ``idle_s`` seconds (no update to
send: nobody is voting or writing) after some activity, and at the latest ``max_gap_s``
seconds after the previous one, busy or not — a long brainstorm pauses once in a while
rather than holding its cycles for ever.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field

NEVER_BY_ITSELF = 1_000_000
"""Young collections before the collector would consider a full one: never, in practice."""


@dataclass
class QuietCollector:
    """When the broadcaster runs the full garbage collections; see the module doc."""

    idle_s: float = 30.0
    max_gap_s: float = 600.0
    enabled: bool = False
    """Set in the serving process only (gunicorn's ``post_worker_init``), not in tests."""
    installed: bool = False
    collections: int = 0
    last_busy: float = field(default_factory=time.monotonic)
    last_full: float = field(default_factory=time.monotonic)
    _saved_threshold: tuple[int, int, int] | None = None

    def start(self) -> None:
        """While the ticker runs: no full collection starts by itself (when enabled)."""
        if not self.enabled or self.installed:
            return
        self._saved_threshold = gc.get_threshold()
        young, middle, _ = self._saved_threshold
        gc.set_threshold(young, middle, NEVER_BY_ITSELF)
        self.installed = True

    def stop(self) -> None:
        """The ticker stopped: the collector schedules its full collections again."""
        if self.installed and self._saved_threshold is not None:
            gc.set_threshold(*self._saved_threshold)
        self.installed = False

    def tick(self, busy: bool, now: float | None = None) -> bool:
        """After a broadcast tick: collect in full if due; whether it did."""
        if not self.installed:
            return False
        now = time.monotonic() if now is None else now
        if busy:
            self.last_busy = now
        idle_after_activity = (
            now - self.last_busy >= self.idle_s and self.last_full < self.last_busy
        )
        if not idle_after_activity and now - self.last_full < self.max_gap_s:
            return False
        gc.collect()
        self.collections += 1
        self.last_full = now
        return True
