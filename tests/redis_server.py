"""A throw-away Redis server on 127.0.0.1 for the tests (Debian's ``redis-server``).

``RedisServer.start()`` runs ``redis-server`` in the foreground on a free port (or a given
one), listening on 127.0.0.1 only, without persistence (no RDB snapshot, no append-only
file), its working folder a temporary one; :meth:`RedisServer.stop` ends it and removes
the folder. Starting it again on the same port (``start(port=…)``) is how a test brings
Redis back after an outage.

When ``redis-server`` is missing or cannot start, :class:`RedisUnavailable` carries a
one-line French reason: the tests that need it are skipped with it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

START_TIMEOUT_S = 20.0


class RedisUnavailable(Exception):
    """Redis cannot run here; the message is the one-line reason."""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class RedisServer:
    """One ``redis-server`` process; :attr:`url` for the clients."""

    binary: Path
    port: int
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _root: Path | None = field(default=None, repr=False)

    @classmethod
    def start(cls, port: int | None = None) -> RedisServer:
        """Start a server (on ``port``, else a free one); :class:`RedisUnavailable` if not."""
        found = shutil.which("redis-server") or (
            "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
        )
        if found is None:
            hint = (
                "`make test` l'installe quand il est lancé en root"
                if os.geteuid() != 0
                else "installez-le : apt-get install redis-server"
            )
            raise RedisUnavailable(f"Redis absent (paquet Debian redis-server) : {hint}.")
        server = cls(Path(found), port if port is not None else free_port())
        server._boot()
        return server

    def _boot(self) -> None:
        self._root = Path(tempfile.mkdtemp(prefix="chemins-redis-"))
        log = self._root / "redis.log"
        command = [
            str(self.binary), "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self._root),
            "--daemonize", "no", "--logfile", str(log), "--databases", "1",
        ]
        try:
            self.process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=self._root
            )
        except OSError as error:
            self.stop()
            raise RedisUnavailable(f"Redis ne démarre pas : {error}") from None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if _answers(self.port):
                return
            time.sleep(0.05)
        detail = log.read_text(errors="replace") if log.is_file() else ""
        last = [line for line in detail.splitlines() if line.strip()][-1:]
        self.stop()
        raise RedisUnavailable(
            f"Redis ne démarre pas sur le port {self.port} : {' '.join(last) or 'pas de réponse'}"
        )

    @property
    def url(self) -> str:
        """The ``REDIS_URL`` of this server."""
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        """Stop the server at once and remove its folder (the port is free afterwards)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        self.process = None
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
