"""The message bus between the processes of one deployment: Redis pub/sub (``REDIS_URL``).

Several Chemins processes (on one machine or several, behind nginx) share one database and
one Redis. After committing, a handler publishes what changed (a
:class:`~workshops.service.Changes`, as JSON) on the deployment's channel
(``<REDIS_PREFIX>:changes``). Each process subscribes in one thread (``chemins-bus``) and,
on receipt, marks its room of that workshop dirty — only when it has connections in it.
Its ticker then computes the update from the database, as a lone process does: ballots are
committed before they are acknowledged, so the database is the one source of truth and no
process is elected to compute tallies (the reasons are in ``docs/deploy.md``, « Plusieurs
processus et machines »).

The publishing process marks its own room at once, without a round trip through Redis,
and skips its own messages when they come back: its own phones never depend on the bus.

Presence: each process keeps its phone count per workshop in a Redis hash
(``<prefix>:phones:<process>``) renewed every :data:`HEARTBEAT_S` and expiring after
:data:`PRESENCE_TTL_S`, and registers itself in the set ``<prefix>:processes``; the
presence sent to staff is the sum over the live processes. A killed process's phones stop
counting when its hash expires: the others notice it at their next heartbeat and send
presence again.

When Redis cannot be reached, every process keeps serving its own connections; one French
warning is logged per outage, Redis is tried again with a growing delay (up to
:data:`RETRY_MAX_S`), and ``/healthz`` says « bus de messages indisponible ». Once it is
back, every process resends the full state of its rooms (what the others published
meanwhile was lost) and asks the others to do the same.

``redis`` is imported only when a bus is created: without ``REDIS_URL`` the module costs
nothing.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workshops import service
from workshops.service import Changes, ServiceError

from .stats import LiveStats

if TYPE_CHECKING:
    from .hub import Broadcaster

DEFAULT_PREFIX = "chemins"
HEARTBEAT_S = 2.0
"""How often a process renews its presence hash and looks for processes that vanished."""
PRESENCE_TTL_S = 6.0
"""A process's phones stop counting this long after its last heartbeat (killed, cut off)."""
SOCKET_TIMEOUT_S = 1.0
"""Longest wait for Redis: a hung Redis must not hold a handler or the ticker longer."""
RETRY_MIN_S = 0.5
RETRY_MAX_S = 10.0
POLL_S = 0.25
"""How long the subscriber waits for a message before looking at its heartbeat and stop."""
MAX_CONNECTIONS = 16
"""Connections to Redis per process: handler threads wait for a free one (publish is short)."""
ALIVE_FIELD = "alive"

logger = logging.getLogger(__name__)


class BusMessageError(ValueError):
    """A message on the bus that cannot be understood; the message is French."""


# --- The messages -------------------------------------------------------------------------


class BusChanges(BaseModel):
    """:class:`~workshops.service.Changes` as it travels on the bus."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    workshop_id: int
    results: list[str] = Field(default_factory=list)
    new_ideas: list[int] = Field(default_factory=list)
    ideas: list[int] = Field(default_factory=list)
    steps: bool = False
    presence: bool = False

    @classmethod
    def of(cls, changes: Changes) -> BusChanges:
        """The travelling form of ``changes`` (sorted: the same changes, the same text)."""
        return cls(
            workshop_id=changes.workshop_id,
            results=sorted(changes.results),
            new_ideas=sorted(changes.new_ideas),
            ideas=sorted(changes.ideas),
            steps=changes.steps,
            presence=changes.presence,
        )

    def to_changes(self) -> Changes:
        """The domain's :class:`~workshops.service.Changes`."""
        return Changes(
            workshop_id=self.workshop_id,
            results=frozenset(self.results),
            new_ideas=frozenset(self.new_ideas),
            ideas=frozenset(self.ideas),
            steps=self.steps,
            presence=self.presence,
        )


class BusMessage(BaseModel):
    """One message on the channel: changes of a workshop, or a request to resend all.

    ``origin`` identifies the publishing process (it ignores its own messages);
    ``resync`` asks every process to resend the full state of its rooms.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    origin: str = Field(min_length=1, max_length=100)
    changes: BusChanges | None = None
    resync: bool = False


def encode_changes(changes: Changes, origin: str) -> str:
    """The JSON text that carries ``changes`` of process ``origin`` on the bus."""
    return BusMessage(origin=origin, changes=BusChanges.of(changes)).model_dump_json()


def decode_message(text: str | bytes) -> BusMessage:
    """Parse a message of the bus; :class:`BusMessageError` (French) if it is not one."""
    try:
        return BusMessage.model_validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "message"
        raise BusMessageError(
            f"message du bus illisible ({where} : {first['msg']})"
        ) from None


# --- The bus ------------------------------------------------------------------------------


class MessageBus:
    """This process's end of the Redis bus; see the module docstring.

    ``on_changes`` receives the changes published by the other processes (from the
    subscriber thread); ``on_resync(full)`` is called when messages may have been missed
    (``full``: resend everything) or when another process vanished (presence only).
    Nothing connects before :meth:`start` or the first :meth:`publish`.
    """

    def __init__(
        self,
        url: str,
        *,
        on_changes: Callable[[Changes], None],
        on_resync: Callable[[bool], None],
        stats: LiveStats | None = None,
        prefix: str = DEFAULT_PREFIX,
        heartbeat: float = HEARTBEAT_S,
        presence_ttl: float = PRESENCE_TTL_S,
        timeout: float = SOCKET_TIMEOUT_S,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.channel = f"{prefix}:changes"
        self.origin = uuid.uuid4().hex
        self.on_changes = on_changes
        self.on_resync = on_resync
        self.stats = stats if stats is not None else LiveStats()
        self.heartbeat = heartbeat
        self.presence_ttl = presence_ttl
        self.timeout = timeout
        self._client: Any = None
        self._errors: tuple[type[BaseException], ...] = (OSError,)
        self._lock = threading.Lock()
        self._phones: dict[int, int] = {}
        self._peers: set[str] = set()
        self._healthy = True
        self._announce = False
        self._delay = RETRY_MIN_S
        self._retry_at = 0.0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._subscribed = threading.Event()
        self._thread: threading.Thread | None = None

    # Keys -----------------------------------------------------------------------------------

    def phones_key(self, origin: str) -> str:
        """The presence hash of process ``origin``: workshop id → phones connected there."""
        return f"{self.prefix}:phones:{origin}"

    @property
    def processes_key(self) -> str:
        """The set of the processes that publish their presence."""
        return f"{self.prefix}:processes"

    # State ----------------------------------------------------------------------------------

    @property
    def up(self) -> bool:
        """Whether Redis answered last time, and the subscriber (once started) is subscribed."""
        started = self._thread is not None and self._thread.is_alive()
        return self._healthy and (not started or self._subscribed.is_set())

    def wait_subscribed(self, timeout: float) -> bool:
        """Wait until the subscriber listens (after :meth:`start`); whether it does."""
        return self._subscribed.wait(timeout)

    def check(self) -> bool:
        """Ask Redis now (``PING``), for ``/healthz`` and ``/metrics``; :attr:`up` after it."""
        client = self._redis()
        try:
            client.ping()
        except self._errors as error:
            self._failed(error)
            return False
        self._succeeded(client)
        return self.up

    def _redis(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._connect()
        return self._client

    def _connect(self) -> Any:
        import redis  # only with REDIS_URL: a lone process never loads it
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self._errors = (redis.RedisError, OSError)
        pool = redis.BlockingConnectionPool.from_url(
            self.url,
            max_connections=MAX_CONNECTIONS,
            timeout=self.timeout,
            socket_timeout=self.timeout,
            socket_connect_timeout=self.timeout,
            # The bus retries itself, with its back-off: redis-py's own retries would hold
            # a handler or the ticker for seconds while Redis is away.
            retry=Retry(NoBackoff(), 0),
            decode_responses=True,
        )
        return redis.Redis(connection_pool=pool)

    def _may_try(self) -> bool:
        if self._healthy:
            return True
        with self._lock:
            now = time.monotonic()
            if now < self._retry_at:
                return False
            # One trial at a time while Redis is away: the other threads go on without it.
            self._retry_at = now + self._delay
            return True

    def _failed(self, error: BaseException) -> None:
        with self._lock:
            first = self._healthy
            self._healthy = False
            if first:
                self._delay = RETRY_MIN_S
            else:
                self._delay = min(self._delay * 2, RETRY_MAX_S)
            self._retry_at = time.monotonic() + self._delay
        if first:
            logger.warning(
                "Bus de messages (Redis) injoignable : %s. Ce processus continue de servir "
                "ses propres connexions, mais les écrans connectés aux autres processus ne "
                "voient plus ses changements. Nouvel essai dans %.1f s, puis de plus en plus "
                "espacés.",
                error, self._delay,
            )

    def _succeeded(self, client: Any) -> None:
        with self._lock:
            if self._healthy:
                return
            self._healthy = True
            self._delay = RETRY_MIN_S
            self._announce = True
        logger.warning("Bus de messages (Redis) rétabli : les processus se resynchronisent.")
        self._wake.set()
        self._announce_recovery(client)

    def _announce_recovery(self, client: Any) -> None:
        # What this process published during the outage was lost for the others: ask them
        # to resend their rooms' full state (coalesced into their next tick).
        with self._lock:
            if not self._announce:
                return
            self._announce = False
        text = BusMessage(origin=self.origin, resync=True).model_dump_json()
        try:
            client.publish(self.channel, text)
        except self._errors as error:
            self._failed(error)
            return
        self.stats.bus_published()

    # Publishing -----------------------------------------------------------------------------

    def publish(self, changes: Changes) -> bool:
        """Send ``changes`` to the other processes; ``False`` (not sent) if Redis is away."""
        if not self._may_try():
            return False
        client = self._redis()
        try:
            client.publish(self.channel, encode_changes(changes, self.origin))
        except self._errors as error:
            self._failed(error)
            return False
        self.stats.bus_published()
        self._succeeded(client)
        return True

    def phones(self, workshop_id: int, here: int) -> int:
        """Phones connected to a workshop in every process; ``here`` are in this one.

        Records ``here`` for the other processes (and tells them when it changed), then
        adds their counts. While Redis is away: ``here`` alone.
        """
        with self._lock:
            changed = self._phones.get(workshop_id, 0) != here
            if here:
                self._phones[workshop_id] = here
            else:
                self._phones.pop(workshop_id, None)
        if not self._may_try():
            return here
        client = self._redis()
        try:
            if changed:
                self._write_count(client, workshop_id, here)
            others = sorted(client.smembers(self.processes_key) - {self.origin})
            pipe = client.pipeline(transaction=False)
            for origin in others:
                pipe.hget(self.phones_key(origin), str(workshop_id))
            counts = pipe.execute() if others else []
        except self._errors as error:
            self._failed(error)
            return here
        self._succeeded(client)
        return here + sum(int(count) for count in counts if count)

    def _write_count(self, client: Any, workshop_id: int, here: int) -> None:
        key = self.phones_key(self.origin)
        presence = Changes(workshop_id=workshop_id, presence=True)
        pipe = client.pipeline(transaction=False)
        # In this order on one connection: a process told of the change reads the new count.
        if here:
            pipe.hset(key, mapping={ALIVE_FIELD: "1", str(workshop_id): str(here)})
        else:
            pipe.hdel(key, str(workshop_id))
        pipe.pexpire(key, int(self.presence_ttl * 1000))
        pipe.sadd(self.processes_key, self.origin)
        pipe.publish(self.channel, encode_changes(presence, self.origin))
        pipe.execute()
        self.stats.bus_published()

    # Subscribing ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the subscriber thread (idempotent; again after :meth:`stop`)."""
        thread = self._thread
        if thread is not None and thread.is_alive():
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="chemins-bus", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the subscriber and withdraw this process's presence (best effort)."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self.timeout + POLL_S + 1)
        client = self._client
        if client is None:
            return
        if self._healthy:
            try:
                pipe = client.pipeline(transaction=False)
                pipe.delete(self.phones_key(self.origin))
                pipe.srem(self.processes_key, self.origin)
                pipe.execute()
            except self._errors:
                pass  # its hash expires by itself
        client.close()
        client.connection_pool.disconnect()
        self._client = None

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._healthy:
                self._wake.clear()
                self._wake.wait(max(0.0, self._retry_at - time.monotonic()))
                if self._stop.is_set():
                    return
            try:
                self._listen()
            except self._errors as error:
                self._failed(error)
            except Exception:  # the subscriber must outlive any one bad message or bug
                logger.exception("échec du bus de messages")
                self._stop.wait(RETRY_MIN_S)

    def _listen(self) -> None:
        client = self._redis()
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(self.channel)
            self._heartbeat(client)
            next_beat = time.monotonic() + self.heartbeat
            while not self._stop.is_set():
                message = pubsub.get_message(timeout=POLL_S)
                if message is not None:
                    self._handle(message)
                if time.monotonic() >= next_beat:
                    self._heartbeat(client)
                    next_beat = time.monotonic() + self.heartbeat
        finally:
            self._subscribed.clear()
            try:
                pubsub.close()
            except self._errors:
                pass

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "subscribe":
            self._subscribed.set()
            self._succeeded(self._redis())
            # Whatever was published before this subscription may be unseen here.
            self._callback(self.on_resync, True)
            return
        if kind != "message":
            return
        try:
            received = decode_message(message["data"])
        except BusMessageError as problem:
            logger.warning("%s : ignoré.", problem)
            return
        if received.origin == self.origin:
            return
        self.stats.bus_received()
        if received.resync:
            self._callback(self.on_resync, True)
        elif received.changes is not None:
            self._callback(self.on_changes, received.changes.to_changes())

    @staticmethod
    def _callback(function: Callable[[Any], None], argument: Any) -> None:
        try:
            function(argument)
        except Exception:  # a broadcaster bug must not stop the subscriber
            logger.exception("échec du traitement d'un message du bus")

    def _heartbeat(self, client: Any) -> None:
        """Renew this process's presence hash; tell the broadcaster if a process vanished."""
        key = self.phones_key(self.origin)
        with self._lock:
            counts = {str(workshop): str(count) for workshop, count in self._phones.items()}
        pipe = client.pipeline(transaction=True)
        pipe.delete(key)
        pipe.hset(key, mapping={ALIVE_FIELD: "1", **counts})
        pipe.pexpire(key, int(self.presence_ttl * 1000))
        pipe.sadd(self.processes_key, self.origin)
        pipe.execute()
        others = sorted(client.smembers(self.processes_key) - {self.origin})
        pipe = client.pipeline(transaction=False)
        for origin in others:
            pipe.exists(self.phones_key(origin))
        alive = pipe.execute() if others else []
        gone = [origin for origin, exists in zip(others, alive, strict=True) if not exists]
        if gone:
            client.srem(self.processes_key, *gone)
        live = set(others) - set(gone)
        vanished = self._peers - live
        self._peers = live
        if self._subscribed.is_set():
            self._succeeded(client)  # after a failure seen by another thread
        if vanished:
            self._callback(self.on_resync, False)


# --- Wiring to the broadcaster ------------------------------------------------------------


def refresh_rooms(broadcaster: Broadcaster, full: bool) -> None:
    """Mark every room with connections in this process to be sent again at the next tick.

    ``full``: steps, results and presence (messages may have been missed); otherwise
    presence only (a process vanished, its phones no longer count).
    """
    for room in list(broadcaster.rooms.values()):
        if not any(room.count(audience) for audience in ("phone", "projector", "facilitator")):
            continue
        if full:
            try:
                with broadcaster.read_session() as db:
                    workshop = service.get_workshop(db, room.workshop_id)
            except ServiceError:
                continue  # deleted meanwhile
            changes = service.everything_changed(workshop)
        else:
            changes = Changes(workshop_id=room.workshop_id, presence=True)
        broadcaster.publish(changes, from_bus=True)
