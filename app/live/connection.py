"""One websocket connection as the broadcaster sees it: who is on it, what waits for it.

Two threads send on a connection: its own handler (acknowledgements, states) and the
broadcaster's ticker (updates). ``simple-websocket``'s ``send()`` is not thread-safe, so
one lock serialises them; and no send ever blocks (:class:`SocketWriter`), so the lock is
only held for the time of framing a message.

A phone that stops reading never slows the others: once its kernel buffer is full, the
updates broadcast to it wait in a queue of at most ``queue_limit`` messages. When the
queue overflows, its updates are dropped — they are stale anyway — and the phone is sent
``resync`` as soon as it reads again: it then asks for the full state. Replies to the
phone's own messages are never dropped (they are few, and bounded by
:data:`~app.live.socket_writer.DEFAULT_LIMIT_BYTES`; beyond that the connection is
closed and the phone reconnects). The broadcaster's ticker calls :meth:`Connection.flush`
for the connections with something waiting.

Between entering a room and receiving its full state (``welcome``) a connection is not
*ready*: the updates broadcast meanwhile are held back, then sent right after the state
if they are newer than it, so a client never misses an update nor sees one before the
state it applies to. Once ready, a connection is only sent updates newer than the last
one it was sent (or its state): an update computed before a phone's state but handed
over after it (:mod:`.courier`) would only be dropped by the phone.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any, Literal

from simple_websocket import ConnectionClosed
from wsproto.utilities import LocalProtocolError

from app.protocol import Resync, dump

from .frames import takes_shared_frames
from .socket_writer import DEFAULT_LIMIT_BYTES, SocketWriter

Audience = Literal["phone", "projector", "facilitator"]

CLOSE_LOCK_TIMEOUT = 1.0
HELD_LIMIT = 64
"""Updates kept for a connection waiting for its first state; older ones are in the state."""
SEND_QUEUE_LIMIT = 50
"""Default of the ``WS_SEND_QUEUE`` setting: updates kept for a phone that does not read."""

RESYNC_TEXT = dump(
    Resync(reason="Des mises à jour ont été perdues pendant que l'écran ne lisait plus.")
)


class Connection:
    """A websocket, who is on it, and what waits to be sent on it; see the module doc."""

    def __init__(
        self,
        ws: Any,
        *,
        queue_limit: int = SEND_QUEUE_LIMIT,
        send_buffer: int = 0,
        unsent_limit: int = DEFAULT_LIMIT_BYTES,
        on_backlog: Callable[[Connection], None] | None = None,
    ) -> None:
        self.ws = ws
        self.audience: Audience | None = None
        self.workshop_id: int | None = None
        self.participant_token: str | None = None
        self.user_id: int | None = None
        self.user_name: str | None = None
        self.alive = True
        self.ready = False
        self.queue_limit = queue_limit
        self.dropped = 0
        """Updates dropped for this connection because it did not read them."""
        self._held: list[tuple[int, str, bytes | None]] = []
        self.sent_seq = 0
        """Sequence number of the newest update or state sent since the last :meth:`start`."""
        self._queue: deque[str | bytes] = deque()
        self._resync_due = False
        self._on_backlog = on_backlog
        self._lock = threading.Lock()
        self._writer = SocketWriter.install(ws, send_buffer=send_buffer, limit=unsent_limit)
        self.shared_frames = self._writer is not None and takes_shared_frames(ws)
        """Whether broadcast updates go out as the frame built once for everyone."""

    # Sending ------------------------------------------------------------------------------------

    def send(self, text: str) -> bool:
        """Send a reply now (never dropped); ``False`` (connection marked dead) if it failed."""
        if not self.alive:
            return False
        with self._lock:
            return self._write(text)

    def deliver(self, seq: int, text: str, frame: bytes | None = None) -> bool:
        """Send a broadcast update: now, or after the state, or when the phone reads again.

        ``frame`` is ``text`` already framed (:func:`~app.live.frames.text_frame`), the
        same bytes for every connection that :attr:`shared_frames`. Never blocks.
        ``False`` if the connection is dead.
        """
        if not self.alive:
            return False
        with self._lock:
            if not self.ready:
                if len(self._held) >= HELD_LIMIT:
                    del self._held[0]
                self._held.append((seq, text, frame))
                return True
            if seq <= self.sent_seq:
                return True  # older than what the client already has: it would drop it
            self.sent_seq = seq
            return self._deliver_locked(self._item(text, frame))

    def hold(self) -> None:
        """Hold back updates until :meth:`start` (before entering a room)."""
        with self._lock:
            self.ready = False
            self._held.clear()

    def start(self, state_text: str, state_seq: int) -> bool:
        """Send the full state, then the held-back updates newer than it; become ready."""
        with self._lock:
            sent = self._write(state_text)
            self.sent_seq = state_seq  # not the larger: another room has its own numbers
            for seq, text, frame in self._held:
                if sent and seq > self.sent_seq:
                    self.sent_seq = seq
                    sent = self._deliver_locked(self._item(text, frame))
            self._held.clear()
            self.ready = True
            return sent

    def flush(self) -> bool:
        """Send what waits, as far as the phone reads; whether something still waits.

        The ``resync`` of an overflowed queue goes first, then the updates queued after it.
        """
        if not self.alive:
            return False
        with self._lock:
            writer = self._writer
            if writer is None:
                return False
            try:
                writer.flush()
            except OSError:
                self.alive = False
                return False
            while writer.idle and (self._resync_due or self._queue):
                text: str | bytes
                if self._resync_due:
                    self._resync_due = False
                    text = RESYNC_TEXT
                else:
                    text = self._queue.popleft()
                if not self._write(text):
                    return False
            return self.waiting

    @property
    def waiting(self) -> bool:
        """Whether something waits for this phone to read."""
        writer = self._writer
        return bool(
            (writer is not None and not writer.idle) or self._queue or self._resync_due
        )

    def _item(self, text: str, frame: bytes | None) -> str | bytes:
        return frame if frame is not None and self.shared_frames else text

    def _deliver_locked(self, text: str | bytes) -> bool:
        writer = self._writer
        if writer is None or (writer.idle and not self._queue and not self._resync_due):
            return self._write(text)
        if len(self._queue) >= self.queue_limit:
            # The phone is far behind: what it missed is in the state it will ask for.
            self.dropped += len(self._queue) + 1
            self._queue.clear()
            self._resync_due = True
        else:
            self._queue.append(text)
        self._backlogged()
        return True

    def _write(self, text: str | bytes) -> bool:
        """Send a text message, or a frame already built (bytes) straight to the writer."""
        try:
            if isinstance(text, bytes):
                if not self.ws.connected or self._writer is None:
                    raise ConnectionClosed(1006, "")
                self._writer.send(text)
            else:
                self.ws.send(text)
        except (ConnectionClosed, OSError, LocalProtocolError):
            # LocalProtocolError: wsproto already saw the close frame; the phone is gone.
            self.alive = False
            return False
        if self._writer is not None and not self._writer.idle:
            self._backlogged()
        return True

    def _backlogged(self) -> None:
        if self._on_backlog is not None:
            self._on_backlog(self)

    def close(self, reason: int = 1000, message: str = "") -> None:
        """Close the websocket (quietly if it is already closed).

        Never waits for the phone: the close frame joins what is pending. Gives up after
        a second if another thread holds the connection (closing must never hang the
        server's shutdown).
        """
        self.alive = False
        if not self._lock.acquire(timeout=CLOSE_LOCK_TIMEOUT):
            return
        try:
            self.ws.close(reason=reason, message=message)
        except (ConnectionClosed, OSError):
            pass
        finally:
            self._lock.release()
