"""The broadcaster: rooms per workshop, and a ticker that sends coalesced updates.

Handlers never send updates themselves: after committing they call :meth:`publish` with
what changed, which only marks the workshop's room dirty. Every ``BROADCAST_INTERVAL_MS``
the ticker thread takes each dirty room, computes its update once (one tally per changed
step, one set of idea views, one presence count), serialises each message once per
audience, and sends that same text to every connection of the audience. Whatever the
number of votes in the interval, a phone receives at most one result per step per tick:
the cost grows with phones + votes, not phones × votes. In a very large room the phones
get it less often than the screens (:mod:`.pacing`), and the ticker also decides when
Python's full garbage collections run (:mod:`.collector`). The screens get each tick
first; in the serving process the phones' share is sent beside the ticker
(:mod:`.courier`), so that it never delays the projector's next tick.

Every update carries the room's sequence number, which starts from the clock in
milliseconds so that it keeps growing across a server restart; phones drop older ones.

The ticker never waits for a phone: :meth:`Connection.deliver` hands each update to the
kernel without blocking, or queues it (bounded) for a phone that stopped reading; at each
tick the ticker also flushes the connections with something waiting, and a phone whose
queue overflowed is told to ``resync`` when it reads again (see :mod:`.connection`).

A phone's full state (``welcome``, ``state``) is mostly the same for every phone of a
room: :meth:`Room.shared_state` reads it once per sequence number, so a wave of
reconnections after a restart reads it once, not once per phone.

The state lives in ``app.extensions`` (one :class:`Broadcaster` per app), never in
module globals.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

from app.protocol import (
    IdeasDelta,
    IdeaView,
    PresenceUpdate,
    Results,
    StepChanged,
    WorkshopState,
    dump,
)
from workshops import service
from workshops.service import Changes, ServiceError
from workshops.store.ballot_cache import BallotCache

from .bus import DEFAULT_PREFIX, MessageBus, refresh_rooms
from .collector import QuietCollector
from .connection import SEND_QUEUE_LIMIT, Audience, Connection
from .courier import PhoneCourier, deliver_all
from .pacing import PhonePacer, Update
from .stats import LiveStats

EXTENSION_KEY = "chemins.live"
STATE_MAX_AGE_S = 2.0
"""How long the phones' shared state may be reused while no update is broadcast."""
ALL: frozenset[Audience] = frozenset({"phone", "projector", "facilitator"})
PUBLIC: frozenset[Audience] = frozenset({"phone", "projector"})
STAFF: frozenset[Audience] = frozenset({"projector", "facilitator"})
SCREENS: tuple[Audience, ...] = ("projector", "facilitator")
"""Sent to first, in this order (a frozenset's order changes with each process)."""

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SharedState:
    """The state every phone of a room is sent, and its JSON serialised once."""

    state: WorkshopState
    json: str


@dataclass
class Room:
    """The connections of one workshop, what changed since the last tick, its sequence."""

    workshop_id: int
    seq: int = field(default_factory=lambda: time.time_ns() // 1_000_000)
    connections: dict[Audience, set[Connection]] = field(
        default_factory=lambda: {"phone": set(), "projector": set(), "facilitator": set()}
    )
    pending: Changes | None = None
    presence_dirty: bool = False
    last_presence: dict[str, Any] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    pacer: PhonePacer = field(default_factory=lambda: PhonePacer(tick=0.1, sends_per_second=0))
    """When the phones get the next tally (:mod:`.pacing`); only the ticker uses it."""
    _phone_state: tuple[int, float, SharedState] | None = None
    _state_lock: threading.Lock = field(default_factory=threading.Lock)

    def shared_state(
        self, seq: int, read: Callable[[], WorkshopState], max_age: float = STATE_MAX_AGE_S
    ) -> SharedState:
        """The phones' state at ``seq`` and its JSON: read once (by ``read``), then shared.

        Read again when an update took a new sequence number, or after ``max_age``
        seconds (a change made without a broadcast cannot stay unseen). Phones arriving
        while it is read wait for it instead of reading it too.
        """
        with self._state_lock:
            cached = self._phone_state
            now = time.monotonic()
            if cached is not None and cached[0] == seq and now - cached[1] < max_age:
                return cached[2]
            state = read()
            shared = SharedState(state, state.model_dump_json())
            self._phone_state = (seq, now, shared)
            return shared

    def next_seq(self) -> int:
        """A new sequence number for an update about to be sent."""
        with self.lock:
            self.seq += 1
            return self.seq

    def current_seq(self) -> int:
        """The sequence number of the last update (a state read now is at least as new)."""
        with self.lock:
            return self.seq

    def members(self, audiences: Iterable[Audience]) -> list[Connection]:
        """A snapshot of the connections of these audiences."""
        with self.lock:
            return [conn for audience in audiences for conn in self.connections[audience]]

    def count(self, audience: Audience) -> int:
        """How many connections of this audience are in the room."""
        with self.lock:
            return len(self.connections[audience])

    def take(self) -> tuple[Changes | None, bool]:
        """What changed since the last tick, emptied."""
        with self.lock:
            changes, presence = self.pending, self.presence_dirty
            self.pending, self.presence_dirty = None, False
            return changes, presence


class Broadcaster:
    """Rooms and ticker of one app; see the module docstring."""

    def __init__(
        self,
        app: Flask,
        read_session: Callable[[], AbstractContextManager[Session]],
        *,
        interval: float,
        max_connections: int,
        send_queue: int = SEND_QUEUE_LIMIT,
        send_buffer: int = 0,
        phone_sends_per_second: int = 0,
        redis_url: str | None = None,
        bus_prefix: str = DEFAULT_PREFIX,
    ) -> None:
        self.app = app
        self.read_session = read_session
        self.interval = interval
        self.max_connections = max_connections
        self.send_queue = send_queue
        self.send_buffer = send_buffer
        self.phone_sends_per_second = phone_sends_per_second
        self.rooms: dict[int, Room] = {}
        self.ballots = BallotCache()
        self.connections: set[Connection] = set()
        self._backlogged: set[Connection] = set()
        self._backlog_lock = threading.Lock()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._closing = threading.Event()
        self._ticker: threading.Thread | None = None
        self.stats = LiveStats()
        """What the live part did, for ``/metrics`` (:mod:`app.live.stats`)."""
        self.collector = QuietCollector()
        """Full garbage collections between votes (:mod:`.collector`), once installed."""
        self.courier = PhoneCourier(self.stats.updates_sent, self.leave)
        """Sends the phones' updates beside the ticker (:mod:`.courier`)."""
        self.phones_by_courier = False
        """Set in the serving process (gunicorn's ``post_worker_init``); tests send inline."""
        self.bus: MessageBus | None = None
        """The Redis bus to the other processes (``REDIS_URL``), else ``None``."""
        if redis_url:
            self.bus = MessageBus(
                redis_url, prefix=bus_prefix, stats=self.stats,
                on_changes=partial(self.publish, from_bus=True),
                on_resync=partial(refresh_rooms, self),
            )

    # Connections -------------------------------------------------------------------------

    @property
    def open_connections(self) -> int:
        """Websockets open now."""
        with self._lock:
            return len(self.connections)

    def connection(self, ws: Any) -> Connection:
        """A :class:`Connection` for a new websocket, with this server's send limits."""
        return Connection(
            ws, queue_limit=self.send_queue, send_buffer=self.send_buffer,
            on_backlog=self._note_backlog,
        )

    def _note_backlog(self, conn: Connection) -> None:
        # Called with the connection's lock held: only record it, the ticker flushes.
        with self._backlog_lock:
            self._backlogged.add(conn)

    @property
    def backlogged(self) -> int:
        """Connections with something waiting for their phone to read."""
        with self._backlog_lock:
            return len(self._backlogged)

    def admit(self, conn: Connection) -> bool:
        """Register a new websocket; ``False`` when ``MAX_CONNECTIONS`` are already open."""
        with self._lock:
            if len(self.connections) >= self.max_connections:
                return False
            self.connections.add(conn)
            return True

    def release(self, conn: Connection) -> None:
        """Forget a websocket that ended (and leave its room)."""
        self.leave(conn)
        with self._lock:
            self.connections.discard(conn)
        with self._backlog_lock:
            self._backlogged.discard(conn)

    def room(self, workshop_id: int) -> Room:
        """The room of a workshop (created on first use)."""
        with self._lock:
            room = self.rooms.get(workshop_id)
            if room is None:
                pacer = PhonePacer(self.interval, self.phone_sends_per_second)
                room = self.rooms[workshop_id] = Room(workshop_id, pacer=pacer)
            return room

    def enter(self, conn: Connection, workshop_id: int, audience: Audience) -> Room:
        """Put a connection in a workshop's room (leaving any other room first)."""
        self.leave(conn)
        room = self.room(workshop_id)
        with room.lock:
            room.connections[audience].add(conn)
            room.presence_dirty = True
        conn.workshop_id = workshop_id
        conn.audience = audience
        self._ensure_ticker()
        return room

    def leave(self, conn: Connection) -> None:
        """Take a connection out of its room, if it is in one."""
        if conn.workshop_id is None or conn.audience is None:
            return
        room = self.rooms.get(conn.workshop_id)
        if room is not None:
            with room.lock:
                room.connections[conn.audience].discard(conn)
                room.presence_dirty = True
        conn.workshop_id = None

    def phones(self, workshop_id: int) -> int:
        """Phones connected to a workshop now, in every process when there is a bus."""
        room = self.rooms.get(workshop_id)
        here = room.count("phone") if room is not None else 0
        return self.bus.phones(workshop_id, here) if self.bus is not None else here

    # Updates -------------------------------------------------------------------------------

    def publish(self, changes: Changes | None, *, from_bus: bool = False) -> None:
        """Mark a workshop's room dirty: the next tick sends what changed.

        With a message bus (``REDIS_URL``) the changes also go to the other processes,
        whose tickers read the same database. Changes received from the bus
        (``from_bus``) only mark a room that has connections in this process.
        """
        if changes is None or changes.empty:
            return
        if from_bus:
            room = self.rooms.get(changes.workshop_id)
            if room is None or not any(room.count(audience) for audience in ALL):
                return
        else:
            room = self.room(changes.workshop_id)
        with room.lock:
            room.pending = changes if room.pending is None else room.pending | changes
        self._ensure_ticker()
        if self.bus is not None and not from_bus:
            self.bus.publish(changes)

    def tick(self) -> None:
        """Send the pending updates of every dirty room, then flush the slow connections.

        The ticker calls it every interval; its duration goes to :attr:`stats`.
        """
        started = time.perf_counter()
        if self.bus is not None:
            self.bus.start()  # here, in the process that serves (never before a fork)
        busy = self._tick_rooms()
        self.flush_backlog()
        self.stats.tick_done(time.perf_counter() - started)
        self.collector.tick(busy)

    def flush_backlog(self) -> None:
        """Send what waits for phones that had stopped reading, as far as they read now."""
        with self._backlog_lock:
            waiting = list(self._backlogged)
        for conn in waiting:
            try:
                if conn.flush():
                    continue
            except Exception:  # one broken connection must not keep the others waiting
                logger.exception("connexion abandonnée pendant l'envoi de son retard")
                conn.alive = False
            with self._backlog_lock:
                # A send may have queued something again since flush() returned.
                if not conn.waiting or not conn.alive:
                    self._backlogged.discard(conn)
            if not conn.alive:
                self.leave(conn)

    def _tick_rooms(self) -> bool:
        """Send each room's updates; whether any room had something to send."""
        busy = False
        with self._lock:
            rooms = list(self.rooms.values())
        for room in rooms:
            changes, presence_dirty = room.take()
            presence_wanted = presence_dirty or (changes is not None and changes.presence)
            presence_due = presence_wanted and room.pacer.presence_due(
                room.count("phone"), time.monotonic()
            )
            if presence_wanted and not presence_due:
                with room.lock:
                    room.presence_dirty = True  # counted at a later tick
            if changes is None and not presence_due:
                if room.pacer.holding:
                    self._send(room, [])  # the phones' turn may have come
                continue
            try:
                messages = self._updates(room, changes, presence_due)
            except ServiceError:
                # The workshop vanished (deleted): nothing to send.
                continue
            busy = busy or bool(messages)
            self._send(room, messages)
        return busy

    def _updates(
        self, room: Room, changes: Changes | None, presence_due: bool
    ) -> list[Update]:
        """The messages of one tick for a room, each serialised once per audience.

        Each sequence number is taken before its data is read, so an update numbered
        after a client's state never holds older data than the state. ``presence_due``:
        recount the presence now (the pacer allowed it).
        """
        updates: list[Update] = []
        wid = room.workshop_id
        has_staff = room.count("facilitator") > 0
        with self.app.app_context(), self.read_session() as db:
            if changes is not None and changes.steps:
                seq = room.next_seq()
                workshop = service.get_workshop(db, wid)
                message = StepChanged(
                    seq=seq,
                    workshop_status=workshop.status,
                    current_step=workshop.current(),
                    steps=service.step_summaries(workshop),
                )
                updates.append(Update(ALL, seq, dump(message)))
            if changes is not None:
                for step_id in sorted(changes.results):
                    updates.extend(self._results(db, room, step_id, has_staff))
                idea_ids = changes.new_ideas | changes.ideas
                if idea_ids:
                    updates.extend(self._ideas(db, room, changes.new_ideas, idea_ids))
            if presence_due:
                seq = room.next_seq()
                counts = service.presence(db, wid, self.phones(wid))
                if counts != room.last_presence:
                    room.last_presence = counts
                    message = PresenceUpdate(seq=seq, presence=counts)
                    updates.append(Update(STAFF, seq, dump(message)))
        return updates

    def _results(self, db: Session, room: Room, step_id: str, has_staff: bool) -> list[Update]:
        """The step's tally for the audiences that may see it, the voter count for the rest.

        A tally withheld from phones or projector (:mod:`workshops.visibility`) never
        leaves the server: they get ``results_hidden`` with the number of voters instead.
        """
        from app.protocol import ResultsHidden

        seq = room.next_seq()
        by_group: dict[str, Any] | None = None
        if has_staff:
            # One reading of the ballots for both the total and the console's collèges.
            tally, by_group = service.step_results_with_groups(
                db, room.workshop_id, step_id, cache=self.ballots
            )
        else:
            tally = service.step_results(db, room.workshop_id, step_id, cache=self.ballots)
        if isinstance(tally, dict) or tally.kind == "brainstorm":
            return []  # a brainstorm's wall travels as ideas_delta
        withheld = service.results_withheld_from(db, room.workshop_id, step_id)
        updates: list[Update] = []
        if withheld:
            hidden = ResultsHidden(seq=seq, step_id=step_id, voters=tally.voters)
            updates.append(Update(withheld, seq, dump(hidden), step_id))
        shown = PUBLIC - withheld
        public = dump(Results(seq=seq, step_id=step_id, tally=tally))
        if by_group is None:
            updates.append(Update(shown | {"facilitator"}, seq, public, step_id))
            return updates
        staff = dump(Results(seq=seq, step_id=step_id, tally=tally, by_group=by_group))
        if shown:
            updates.append(Update(shown, seq, public, step_id))
        updates.append(Update(frozenset({"facilitator"}), seq, staff, step_id))
        return updates

    def _ideas(
        self, db: Session, room: Room, new: frozenset[int], idea_ids: frozenset[int]
    ) -> list[Update]:
        seq = room.next_seq()
        views = service.idea_views(db, room.workshop_id, idea_ids)
        by_step: dict[str, list[dict[str, Any]]] = {}
        for view in views:
            by_step.setdefault(view["step_id"], []).append(view)
        updates: list[Update] = []
        for step_id, step_views in by_step.items():
            if updates:
                seq = room.next_seq()
            staff = IdeasDelta(
                seq=seq,
                step_id=step_id,
                added=[IdeaView(**v) for v in step_views if int(v["id"]) in new],
                changed=[IdeaView(**v) for v in step_views if int(v["id"]) not in new],
            )
            visible = [v for v in step_views if service.is_visible(v)]
            public = IdeasDelta(
                seq=seq,
                step_id=step_id,
                added=[IdeaView(**v) for v in visible if int(v["id"]) in new],
                changed=[IdeaView(**v) for v in visible if int(v["id"]) not in new],
                removed=[v["id"] for v in step_views if not service.is_visible(v)],
            )
            updates.append(Update(frozenset({"facilitator"}), seq, dump(staff)))
            updates.append(Update(PUBLIC, seq, dump(public)))
        return updates

    def _send(self, room: Room, updates: list[Update]) -> None:
        plan = room.pacer.plan(updates, room.count("phone"), time.monotonic())
        # Screens before phones: the projector is what the room watches, and 2 000 phone
        # sends must not stand between a vote and it. Every client is in one audience,
        # so each still gets the tick's updates in ``seq`` order.
        sent = 0
        dead: list[Connection] = []
        for audience in SCREENS:
            mine = [update for update, audiences in plan if audience in audiences]
            if mine:
                done, gone = deliver_all(room.members((audience,)), mine)
                sent, dead = sent + done, dead + gone
        for_phones = [update for update, audiences in plan if "phone" in audiences]
        if for_phones and self.phones_by_courier:
            self.courier.post(room.workshop_id, partial(room.members, ("phone",)), for_phones)
        elif for_phones:
            done, gone = deliver_all(room.members(("phone",)), for_phones)
            sent, dead = sent + done, dead + gone
        if sent:
            self.stats.updates_sent(sent)
        for conn in dead:
            self.leave(conn)

    # Ticker --------------------------------------------------------------------------------

    def _ensure_ticker(self) -> None:
        # Started on first use, in the process that serves (never before a fork).
        if self._ticker is not None and self._ticker.is_alive():
            return
        with self._lock:
            if self._ticker is not None and self._ticker.is_alive():
                return
            self._stop.clear()
            self._ticker = threading.Thread(
                target=self._run, name="chemins-broadcast", daemon=True
            )
            self._ticker.start()

    def _run(self) -> None:
        # Ticks keep their rhythm whatever each one costs (waiting a whole interval after
        # a long tick would stretch it); one that overran is followed by a short pause,
        # never by a burst of catch-up ticks.
        due = time.monotonic() + self.interval
        self.collector.start()
        while not self._stop.wait(max(0.0, due - time.monotonic())):
            try:
                self.tick()
            except Exception:  # the ticker must outlive any one bad tick
                logger.exception("échec d'une diffusion")
            due = max(due + self.interval, time.monotonic() + self.interval / 4)
        self.collector.stop()

    def shutdown(self) -> None:
        """Stop the ticker and close every websocket ("going away": clients reconnect).

        Each websocket holds a server thread until it closes: closing them all lets the
        server stop at once instead of waiting for its graceful timeout. Ctrl+C reaches
        the worker twice (from the terminal and from gunicorn's master), the second time
        inside the first call: it must return at once, not wait for locks the first holds.
        """
        if self._closing.is_set():
            return
        self._closing.set()
        self.stop()
        with self._lock:
            connections = list(self.connections)
        for conn in connections:
            conn.close(1001, "redémarrage du serveur")

    def stop(self) -> None:
        """Stop the ticker, the courier and the bus (tests, shutdown).

        Updates not yet computed are dropped; those handed to the courier are sent.
        """
        self._stop.set()
        ticker = self._ticker
        if ticker is not None and ticker is not threading.current_thread():
            ticker.join(timeout=5)
        self.courier.stop()
        if self.bus is not None:
            self.bus.stop()


class LiveHub:
    """Flask extension holding one :class:`Broadcaster` per app in ``app.extensions``."""

    def init_app(self, app: Flask) -> None:
        """Create the app's broadcaster (the database extension must be bound first)."""
        store = app.extensions["chemins.database"]
        app.extensions[EXTENSION_KEY] = Broadcaster(
            app,
            store.read_session,
            interval=app.config["BROADCAST_INTERVAL_MS"] / 1000,
            max_connections=app.config["MAX_CONNECTIONS"],
            send_queue=app.config["WS_SEND_QUEUE"],
            send_buffer=app.config["WS_SEND_BUFFER_KB"] * 1024,
            phone_sends_per_second=app.config["PHONE_SENDS_PER_SECOND"],
            redis_url=app.config["REDIS_URL"],
            bus_prefix=app.config["REDIS_PREFIX"],
        )

    @staticmethod
    def broadcaster(app: Flask | None = None) -> Broadcaster:
        """The broadcaster of ``app`` (default: the current app)."""
        target = app if app is not None else current_app
        return target.extensions[EXTENSION_KEY]  # type: ignore[no-any-return]

    def publish(self, changes: Changes | None) -> None:
        """Mark a workshop dirty in the current app: the next tick broadcasts the changes."""
        self.broadcaster().publish(changes)

    def workshop_changed(self, workshop_id: int) -> None:
        """Resend steps, results and presence of a workshop (after a console form)."""
        with current_app.extensions["chemins.database"].read_session() as db:
            workshop = service.get_workshop(db, workshop_id)
        self.publish(service.everything_changed(workshop))
