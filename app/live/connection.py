"""One websocket connection as the broadcaster sees it."""

from __future__ import annotations

import threading
from typing import Any, Literal

from simple_websocket import ConnectionClosed

Audience = Literal["phone", "projector", "facilitator"]

CLOSE_LOCK_TIMEOUT = 1.0
BACKLOG_LIMIT = 64
"""Updates kept for a connection waiting for its first state; older ones are in the state."""


class Connection:
    """A websocket, who is on it, and the lock that serialises what is sent on it.

    ``simple-websocket``'s ``send()`` is not thread-safe and two threads send here: the
    connection's own handler (acknowledgements, states) and the broadcaster's ticker
    (updates). A connection whose send fails is marked dead; the broadcaster drops it.

    Between entering a room and receiving its full state (``welcome``) a connection is
    not *ready*: the updates broadcast meanwhile are held back, then sent right after the
    state if they are newer than it, so a client never misses an update nor sees one
    before the state it applies to.
    """

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.audience: Audience | None = None
        self.workshop_id: int | None = None
        self.participant_token: str | None = None
        self.user_id: int | None = None
        self.user_name: str | None = None
        self.alive = True
        self.ready = False
        self._backlog: list[tuple[int, str]] = []
        self._send_lock = threading.Lock()

    def send(self, text: str) -> bool:
        """Send one text frame now; ``False`` (and the connection marked dead) if it failed."""
        if not self.alive:
            return False
        with self._send_lock:
            return self._send_locked(text)

    def _send_locked(self, text: str) -> bool:
        try:
            self.ws.send(text)
        except (ConnectionClosed, OSError):
            self.alive = False
            return False
        return True

    def deliver(self, seq: int, text: str) -> bool:
        """Send a broadcast update, or hold it back until the connection is ready."""
        if not self.alive:
            return False
        with self._send_lock:
            if not self.ready:
                if len(self._backlog) >= BACKLOG_LIMIT:
                    del self._backlog[0]
                self._backlog.append((seq, text))
                return True
            return self._send_locked(text)

    def hold(self) -> None:
        """Hold back updates until :meth:`start` (before entering a room)."""
        with self._send_lock:
            self.ready = False
            self._backlog.clear()

    def start(self, state_text: str, state_seq: int) -> bool:
        """Send the full state, then the held-back updates newer than it; become ready."""
        with self._send_lock:
            sent = self._send_locked(state_text)
            for seq, text in self._backlog:
                if sent and seq > state_seq:
                    sent = self._send_locked(text)
            self._backlog.clear()
            self.ready = True
            return sent

    def close(self, reason: int = 1000, message: str = "") -> None:
        """Close the websocket (quietly if it is already closed).

        Gives up after a second if a send is stuck on this connection: closing must
        never hang the server's shutdown.
        """
        self.alive = False
        if not self._send_lock.acquire(timeout=CLOSE_LOCK_TIMEOUT):
            return
        try:
            self.ws.close(reason=reason, message=message)
        except (ConnectionClosed, OSError):
            pass
        finally:
            self._send_lock.release()
