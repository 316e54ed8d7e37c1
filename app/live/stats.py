"""Counters of one app's live workshops, for ``/metrics`` (see :mod:`app.metrics`).

The websocket handlers, the broadcaster's ticker and the message bus count what they do
here; ``/metrics`` reads a :meth:`LiveStats.snapshot` when Prometheus scrapes it. Counting
must cost next to nothing on the hot path (every ballot, every tick): one short lock per
increment, no allocation beyond a dictionary entry the first time a label is seen, and no
dependency on ``prometheus_client`` (the ``/metrics`` view formats the snapshot).

One :class:`LiveStats` per app (``Broadcaster.stats``), never a module global: several apps
live in one test process.
"""

from __future__ import annotations

import bisect
import threading
from collections import Counter
from dataclasses import dataclass, field

TICK_BUCKETS_S: tuple[float, ...] = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
)
"""Upper bounds (seconds) of the tick-duration histogram; the default tick is 0.1 s."""


@dataclass(frozen=True)
class StatsSnapshot:
    """The counters at one moment (totals since the app started)."""

    ballots_acknowledged: int = 0
    ideas_posted: int = 0
    messages_received: dict[str, int] = field(default_factory=dict)
    errors_sent: dict[str, int] = field(default_factory=dict)
    updates_sent: int = 0
    bus_published: int = 0
    bus_received: int = 0
    ticks: int = 0
    tick_seconds_total: float = 0.0
    last_tick_s: float = 0.0
    tick_buckets: tuple[int, ...] = ()
    """Ticks per bucket of :data:`TICK_BUCKETS_S` (not cumulative); the last one is +Inf."""


class LiveStats:
    """Thread-safe counters of the live part of one app; see the module docstring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ballots = 0
        self._ideas = 0
        self._received: Counter[str] = Counter()
        self._errors: Counter[str] = Counter()
        self._updates = 0
        self._published = 0
        self._bus_received = 0
        self._ticks = 0
        self._tick_total = 0.0
        self._last_tick = 0.0
        self._buckets = [0] * (len(TICK_BUCKETS_S) + 1)

    def message_received(self, kind: str) -> None:
        """A client message of type ``kind`` was read (``invalid`` if it could not be)."""
        with self._lock:
            self._received[kind] += 1

    def ballot_acknowledged(self) -> None:
        """A new ballot (or a changed one) was committed and acknowledged; not a resend."""
        with self._lock:
            self._ballots += 1

    def idea_posted(self) -> None:
        """A new idea was committed and acknowledged; not a resend."""
        with self._lock:
            self._ideas += 1

    def error_sent(self, code: str) -> None:
        """An ``error`` message with ``code`` was sent to a client."""
        with self._lock:
            self._errors[code] += 1

    def updates_sent(self, count: int = 1) -> None:
        """``count`` broadcast updates were handed to connections."""
        with self._lock:
            self._updates += count

    def bus_published(self) -> None:
        """A message was published on the message bus (Redis)."""
        with self._lock:
            self._published += 1

    def bus_received(self) -> None:
        """A message of another process was received from the message bus."""
        with self._lock:
            self._bus_received += 1

    def tick_done(self, seconds: float) -> None:
        """The broadcaster's ticker finished a tick that took ``seconds``."""
        bucket = bisect.bisect_left(TICK_BUCKETS_S, seconds)
        with self._lock:
            self._ticks += 1
            self._tick_total += seconds
            self._last_tick = seconds
            self._buckets[bucket] += 1

    def snapshot(self) -> StatsSnapshot:
        """A consistent copy of every counter."""
        with self._lock:
            return StatsSnapshot(
                ballots_acknowledged=self._ballots,
                ideas_posted=self._ideas,
                messages_received=dict(self._received),
                errors_sent=dict(self._errors),
                updates_sent=self._updates,
                bus_published=self._published,
                bus_received=self._bus_received,
                ticks=self._ticks,
                tick_seconds_total=self._tick_total,
                last_tick_s=self._last_tick,
                tick_buckets=tuple(self._buckets),
            )
