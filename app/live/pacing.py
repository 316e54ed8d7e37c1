"""How often the phones of a large room get a step's tally, while screens get every one.

Sending one update to one phone costs the server a system call and the kernel's TCP work
(25 to 40 µs measured here, 60 ms for 2 000 phones): 2 000 phones at every 100 ms tick
would take half of the process's time during a vote, away from the ballots waiting to
be written. Yet the tally that must be live is the one on the projector and the console;
a phone shows it for information. So during a vote, a step's tally (``results`` or
``results_hidden``, each a whole state that replaces the one before) goes to the phones
at most ``sends_per_second`` times a second across the room: every tick up to
``sends_per_second × tick`` phones, then less often, never less than every
``max_interval`` seconds (400 ms). The projector and the console get it at every tick.

A tally kept back from the phones is *held*, the newest per step, until the phones' turn
or the first tick that brings no newer tally: pacing only lasts while votes keep coming,
and the last tally reaches every phone a tick after the last vote. Because phones drop
any update whose ``seq`` is not above the last one they saw, held tallies always go out
before any other update for phones (a new step, ideas), never after: nothing is lost,
only skipped when a newer one replaces it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .connection import Audience
from .frames import text_frame

PHONE: Audience = "phone"
MAX_INTERVAL_S = 0.4
"""Longest wait between two tallies on a phone, whatever the room's size."""


@dataclass(frozen=True)
class Update:
    """One serialised message of a tick, for some audiences of a room, framed once.

    ``step_id`` marks a step's whole tally (``results``, ``results_hidden``): a newer one
    replaces it, so phones may skip it (see the module doc).
    """

    audiences: frozenset[Audience]
    seq: int
    text: str
    step_id: str | None = None
    frame: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "frame", text_frame(self.text))

    @property
    def replaceable_for_phones(self) -> bool:
        """Whether phones may skip it for a newer tally of the same step."""
        return self.step_id is not None and PHONE in self.audiences


@dataclass
class PhonePacer:
    """The phones' pace of one room: which audiences get each update of a tick."""

    tick: float
    sends_per_second: int
    """Tallies sent to phones per second at most across the room; 0: every tick."""
    max_interval: float = MAX_INTERVAL_S
    held: dict[str, Update] = field(default_factory=dict)
    sent_at: float = -math.inf
    presence_at: float = -math.inf

    def interval(self, phones: int) -> float:
        """Seconds between two tallies on each phone for a room of ``phones``."""
        if self.sends_per_second <= 0:
            return self.tick
        return max(self.tick, min(self.max_interval, phones / self.sends_per_second))

    def plan(
        self, updates: list[Update], phones: int, now: float
    ) -> list[tuple[Update, frozenset[Audience]]]:
        """Each update to send now with its audiences, in ``seq`` order for every client.

        Tallies for phones that are not due are held (the newest per step); held ones go
        first when phones are due, or when anything else must reach the phones now.
        """
        interval = self.interval(phones)
        fresh = any(update.replaceable_for_phones for update in updates)
        # At most one tick apart, phones get every tally (however often ticks come); and
        # a tick without a new tally (the votes stopped) sends the held one at once.
        due = (
            interval <= self.tick
            or not fresh
            or now - self.sent_at >= interval - self.tick / 2
        )
        urgent = any(
            PHONE in update.audiences and update.step_id is None for update in updates
        )
        if not due and not urgent:
            plan: list[tuple[Update, frozenset[Audience]]] = []
            for update in updates:
                if update.replaceable_for_phones:
                    self.held[update.step_id] = update  # type: ignore[index]
                    plan.append((update, update.audiences - {PHONE}))
                else:
                    plan.append((update, update.audiences))
            return [(update, audiences) for update, audiences in plan if audiences]
        for update in updates:
            if update.replaceable_for_phones:
                self.held.pop(update.step_id, None)  # type: ignore[arg-type]
        held = sorted(self.held.values(), key=lambda update: update.seq)
        self.held.clear()
        plan = [(update, frozenset({PHONE})) for update in held]
        plan += [(update, update.audiences) for update in updates]
        if any(PHONE in audiences for _, audiences in plan):
            self.sent_at = now
        return plan

    def presence_due(self, phones: int, now: float) -> bool:
        """Whether the presence counts may be recounted now (three queries per count).

        Every tick in a small room; in a paced one, at the phones' pace: counts of
        connected phones and voters moving twice a second are as readable on a
        projector, and the queries go to writing ballots instead.
        """
        interval = self.interval(phones)
        if interval <= self.tick or now - self.presence_at >= interval - self.tick / 2:
            self.presence_at = now
            return True
        return False

    @property
    def holding(self) -> bool:
        """Whether tallies wait for the phones' next turn."""
        return bool(self.held)
