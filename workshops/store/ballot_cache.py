"""Ballots read and validated once, then kept between the broadcaster's ticks.

During a vote the broadcaster recomputes a step's tally every tick from the database —
the one source of truth, shared by every server process — but parsing and validating
2 000 ballots every 100 ms for the sake of the few that changed was a fifth of the
server's time (``docs/performance.md``). :class:`BallotCache` reads each tick only the
ballots' ids, revision numbers and collèges (small columns, no JSON), and parses only
the ballots that are new or were replaced since the last read: the tally stays exactly
the database's, at a fraction of the cost.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshops.model import BALLOT_ADAPTER, Ballot

from .schema import BallotRow, ParticipantRow

MAX_STEPS = 64
"""Steps whose ballots are kept; the least recently read are forgotten first."""
CHUNK = 500
"""Ballots fetched per query (SQLite's bound-parameter limit)."""


class BallotCache:
    """Each step's validated ballots by row id and revision; see the module docstring."""

    def __init__(self, max_steps: int = MAX_STEPS) -> None:
        self.max_steps = max_steps
        self._steps: OrderedDict[int, dict[int, tuple[int, Ballot]]] = OrderedDict()
        self._lock = threading.Lock()
        self.parsed = 0
        """Ballots parsed since the cache was made (for tests and measurements)."""

    def step_ballots(
        self, session: Session, step_row_id: int
    ) -> list[tuple[Ballot, str | None]]:
        """Every ballot of the step with its voter's collège, in casting order.

        The same list as :func:`workshops.store.workshops.step_ballots`, read through
        the cache.
        """
        # Through the session's connection, not the ORM: plain rows, a third cheaper to
        # read, and these columns need no mapped objects.
        connection = session.connection()
        keys = connection.execute(
            select(BallotRow.id, BallotRow.revisions, ParticipantRow.group_id)
            .join(ParticipantRow, ParticipantRow.id == BallotRow.participant_id)
            .where(BallotRow.step_id == step_row_id)
            .order_by(BallotRow.cast_at, BallotRow.id)
        ).all()
        with self._lock:
            known = self._steps.get(step_row_id, {})
        missing = [row_id for row_id, revision, _ in keys
                   if known.get(row_id, (None,))[0] != revision]
        fresh: dict[int, tuple[int, Ballot]] = {}
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start : start + CHUNK]
            # The revision read with the body is the one kept: a ballot replaced between
            # the two queries is read again at the next tick, never mislabelled.
            for row_id, revision, body in connection.execute(
                select(BallotRow.id, BallotRow.revisions, BallotRow.body)
                .where(BallotRow.id.in_(chunk))
            ):
                fresh[row_id] = (revision, BALLOT_ADAPTER.validate_python(body))
        current = {row_id: fresh.get(row_id) or known[row_id] for row_id, _, _ in keys
                   if row_id in fresh or row_id in known}
        with self._lock:
            self.parsed += len(fresh)
            self._steps[step_row_id] = current
            self._steps.move_to_end(step_row_id)
            while len(self._steps) > self.max_steps:
                self._steps.popitem(last=False)
        return [(current[row_id][1], group) for row_id, _, group in keys if row_id in current]
