"""Writes to a websocket's TCP socket that never block: what the kernel refuses waits here.

``simple-websocket`` writes each frame with a blocking ``socket.send``: once a phone stops
reading (asleep, out of wifi range, a slow browser), its kernel buffers fill and the next
send blocks the thread that makes it — with the broadcaster's one ticker, every phone of
the room would wait for that one. :class:`SocketWriter` takes the socket's place in the
websocket object (``ws.sock``), so every frame — ours, and the pings and pongs that
``simple-websocket``'s own thread writes — goes through it, in order: it hands the kernel
what fits now (``MSG_DONTWAIT``) and keeps the rest, to be written by :meth:`flush` when
the phone reads again. Frames are never interleaved, so the stream stays valid.

Under gevent (``SERVER_WORKER``), the socket is gevent's cooperative one, whose ``send``
waits for room — switching to other greenlets — instead of refusing: the writer then
sends through the system socket it wraps, which refuses at once like a plain one.

What waits here is bounded by ``limit`` bytes; beyond it the phone is considered gone
(:class:`SendBufferFull`), and its connection is closed: it comes back with a full state.
"""

from __future__ import annotations

import _socket
import errno
import socket
import threading
from typing import Any

DEFAULT_LIMIT_BYTES = 8 * 1024 * 1024
"""Unsent bytes kept for one connection: room for the full state of a very large wall."""


class SendBufferFull(OSError):  # noqa: N818 - an OSError, as the socket's own failures
    """A connection left more than its limit of bytes unsent: it is closed."""

    def __init__(self, pending: int) -> None:
        super().__init__(errno.ENOBUFS, f"{pending} octets en attente pour cette connexion")


class SocketWriter:
    """A stand-in for a connected socket whose ``send`` never blocks; see the module doc."""

    def __init__(self, sock: socket.socket, limit: int = DEFAULT_LIMIT_BYTES) -> None:
        self._sock = sock
        self._system = _system_socket(sock)
        self.limit = limit
        self._pending = bytearray()
        self._lock = threading.Lock()

    @classmethod
    def install(
        cls, ws: Any, *, send_buffer: int = 0, limit: int = DEFAULT_LIMIT_BYTES
    ) -> SocketWriter | None:
        """Put a writer in place of ``ws.sock``; ``None`` if ``ws`` has no plain socket.

        A plain blocking TCP socket is what gunicorn and Werkzeug hand over (not a TLS
        one: TLS ends at the proxy in front of Chemins). ``send_buffer`` (bytes, 0 for
        the system's choice) bounds the kernel's send buffer, so a phone that stops
        reading is noticed after that much, not after megabytes.
        """
        sock = getattr(ws, "sock", None)
        if type(sock) is not socket.socket or sock.gettimeout() is not None:
            return None
        try:
            if send_buffer:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                # Small frames, sent at once (Werkzeug leaves Nagle's delay on).
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            return None  # the socket is already gone: the connection ends by itself
        writer = cls(sock, limit)
        ws.sock = writer
        return writer

    # What simple-websocket calls ---------------------------------------------------------------

    def send(self, data: bytes | bytearray | memoryview, flags: int = 0) -> int:
        """Queue ``data`` after what is pending and write what the kernel takes now.

        Raises :class:`SendBufferFull` beyond the limit, or the socket's own error (the
        phone is gone); returns ``len(data)``: nothing is ever partly accepted.
        """
        with self._lock:
            self._pending += data
            if len(self._pending) > self.limit:
                pending = len(self._pending)
                self._pending.clear()
                self._shutdown()
                raise SendBufferFull(pending)
            self._flush_locked()
        return len(data)

    sendall = send

    def recv(self, size: int) -> bytes:
        """Read from the socket (only ``simple-websocket``'s reading thread does)."""
        return self._sock.recv(size)

    def fileno(self) -> int:
        """The socket's file descriptor (for selectors)."""
        return self._sock.fileno()

    def close(self) -> None:
        """Close the socket; what was not written is dropped."""
        with self._lock:
            self._pending.clear()
        self._sock.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    # What the connection calls -----------------------------------------------------------------

    @property
    def idle(self) -> bool:
        """Whether everything was handed to the kernel."""
        return not self._pending

    @property
    def pending_bytes(self) -> int:
        """Bytes waiting for the phone to read."""
        return len(self._pending)

    def flush(self) -> bool:
        """Write what the kernel takes now; whether everything was written.

        Raises the socket's error when the phone is gone.
        """
        with self._lock:
            self._flush_locked()
            return not self._pending

    def _flush_locked(self) -> None:
        while self._pending:
            try:
                sent = self._system.send(self._pending, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                return
            del self._pending[:sent]

    def _shutdown(self) -> None:
        # Ends the connection for both threads of simple-websocket: the reader sees EOF.
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _system_socket(sock: socket.socket) -> _socket.socket:
    """The socket whose ``send`` refuses at once when the kernel has no room.

    A plain socket is its own; gevent's wraps the system one in ``_sock`` (non-blocking at
    the system level) and would otherwise wait for room, holding up the ticker.
    """
    wrapped = getattr(sock, "_sock", None)
    if isinstance(wrapped, _socket.socket) and not isinstance(sock, _socket.socket):
        return wrapped
    return sock
