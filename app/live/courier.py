"""The phones' share of each tick, sent beside the ticker instead of by it.

Sending a tally to 2 000 phones costs the server ~60 ms, one system call per phone.
When the ticker did it, that time came between a vote and the projector: the next tick
(the projector's) waited for it, and under gevent, which runs every connection in one
thread, the ballots arriving meanwhile were not even read. So in the serving process
the ticker sends to the screens itself and hands the phones' updates to a courier: one
thread (a greenlet under gevent) that sends them in the order they were handed, and
pauses every ``SENDS_BETWEEN_PAUSES`` sends so that ballots are read and ticks come on
time while it works.

Jobs are sent in order, one at a time, so every phone still gets its updates in ``seq``
order. If the courier falls behind, a job waiting its turn that only holds tallies takes
the newer tallies of the next one for the same room instead of queueing behind it (a
tally replaces the one before: :mod:`.pacing`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .connection import Connection
from .pacing import Update

SENDS_BETWEEN_PAUSES = 200
"""Sends after which the courier lets the other tasks run (a few milliseconds' worth)."""
PAUSE_S = 0.0002
"""The pause: gevent only reads the sockets again when a sleep lasts longer than zero."""

logger = logging.getLogger(__name__)


@dataclass
class Job:
    """Updates for the phones of one room, to send to those connected when its turn comes."""

    room_key: int
    members: Callable[[], list[Connection]]
    updates: list[Update]

    @property
    def only_tallies(self) -> bool:
        """Whether every update is a step's whole tally (a newer one replaces it)."""
        return all(update.step_id is not None for update in self.updates)

    def take_newer(self, other: Job) -> None:
        """Keep, per step, the newest tally of this job and ``other`` (both only tallies)."""
        newest = {update.step_id: update for update in self.updates}
        for update in other.updates:
            kept = newest.get(update.step_id)
            if kept is None or update.seq > kept.seq:
                newest[update.step_id] = update
        self.updates = sorted(newest.values(), key=lambda update: update.seq)


def deliver_all(
    connections: Sequence[Connection],
    updates: Sequence[Update],
    pause: Callable[[], None] | None = None,
) -> tuple[int, list[Connection]]:
    """Send each update to each connection, in order; sends made and dead connections.

    ``pause`` is called every ``SENDS_BETWEEN_PAUSES`` sends.
    """
    sent = 0
    dead: list[Connection] = []
    for update in updates:
        for conn in connections:
            sent += 1
            if not conn.deliver(update.seq, update.text, update.frame):
                dead.append(conn)
            if pause is not None and sent % SENDS_BETWEEN_PAUSES == 0:
                pause()
    return sent, dead


class PhoneCourier:
    """Sends the phones' updates handed by the ticker, in order; see the module doc."""

    def __init__(
        self,
        on_sent: Callable[[int], None],
        on_dead: Callable[[Connection], None],
        pause_s: float = PAUSE_S,
    ) -> None:
        self.on_sent = on_sent
        self.on_dead = on_dead
        self.pause_s = pause_s
        self.merged = 0
        """Jobs that took a newer tally instead of queueing (the courier fell behind)."""
        self._jobs: deque[Job] = deque()
        self._busy = False
        self._stopping = False
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def post(
        self, room_key: int, members: Callable[[], list[Connection]], updates: list[Update]
    ) -> None:
        """Hand over updates for a room's phones (``members`` lists them when sent)."""
        if not updates:
            return
        job = Job(room_key, members, list(updates))
        with self._wake:
            waiting = next(
                (queued for queued in reversed(self._jobs) if queued.room_key == room_key),
                None,
            )
            if waiting is not None and waiting.only_tallies and job.only_tallies:
                waiting.take_newer(job)
                self.merged += 1
            else:
                self._jobs.append(job)
            self._wake.notify_all()
        self._ensure_thread()

    @property
    def pending(self) -> int:
        """Jobs waiting or being sent."""
        with self._wake:
            return len(self._jobs) + int(self._busy)

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until everything handed so far is sent; whether it was within ``timeout``."""
        with self._wake:
            return self._wake.wait_for(
                lambda: not self._jobs and not self._busy, timeout=timeout
            )

    def stop(self, timeout: float = 5.0) -> None:
        """Send what was handed, then stop the thread (it starts again on the next post)."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=timeout)
        with self._wake:
            self._stopping = False

    def _ensure_thread(self) -> None:
        # Started on first use, in the process that serves (never before a fork).
        with self._wake:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(
                target=self._run, name="chemins-phones", daemon=True
            )
            self._thread.start()

    def _pause(self) -> None:
        time.sleep(self.pause_s)

    def _run(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: bool(self._jobs) or self._stopping)
                if not self._jobs:
                    return
                job = self._jobs.popleft()
                self._busy = True
            try:
                sent, dead = deliver_all(job.members(), job.updates, self._pause)
                if sent:
                    self.on_sent(sent)
                for conn in dead:
                    self.on_dead(conn)
            except Exception:  # the courier must outlive any one bad send
                logger.exception("échec d'un envoi aux téléphones")
            finally:
                with self._wake:
                    self._busy = False
                    self._wake.notify_all()
