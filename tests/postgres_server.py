"""A throw-away PostgreSQL server on 127.0.0.1 for the tests (Debian's ``postgresql``).

``PostgresServer.start()`` runs ``initdb`` in a temporary folder and ``pg_ctl start`` on
a free port, listening on 127.0.0.1 only, with trust authentication for the user
``chemins`` (nothing else can reach it). As root it runs as the ``postgres`` user
(PostgreSQL refuses to run as root), through ``runuser``. Durability is off (``fsync``):
the tests check behaviour, and a crash of the test machine loses nothing of value.

When PostgreSQL is missing or cannot start, :class:`PostgresUnavailable` carries a
one-line French reason: the fixture skips the PostgreSQL tests with it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

USER = "chemins"
START_TIMEOUT_S = 60


class PostgresUnavailable(Exception):
    """PostgreSQL cannot run here; the message is the one-line reason."""


def server_binaries() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl`` (newest Debian version first), if any."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parent.parent.name)
        if Path(path).parent.parent.name.isdigit() else 0,
        reverse=True,
    )
    if found:
        return Path(found[0]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).resolve().parent if on_path else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """One PostgreSQL cluster in a temporary folder; ``url(name)`` for each database."""

    binaries: Path
    data: Path = field(init=False)
    port: int = field(init=False)
    _as_postgres: bool = field(init=False, default=False)
    _root: Path | None = field(init=False, default=None)

    @classmethod
    def start(cls) -> PostgresServer:
        """Create and start a cluster; :class:`PostgresUnavailable` if it cannot."""
        binaries = server_binaries()
        if binaries is None:
            hint = (
                "`make test` l'installe quand il est lancé en root"
                if os.geteuid() != 0
                else "installez-le : apt-get install postgresql"
            )
            raise PostgresUnavailable(
                f"PostgreSQL absent (paquet Debian postgresql) : {hint}."
            )
        server = cls(binaries)
        server._boot()
        return server

    def _boot(self) -> None:
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable(
                    "PostgreSQL installé sans l'utilisateur système postgres : "
                    "réinstallez le paquet postgresql."
                ) from None
        self._root = Path(tempfile.mkdtemp(prefix="chemins-pg-"))
        self.data = self._root / "data"
        if self._as_postgres:
            os.chown(self._root, owner.pw_uid, owner.pw_gid)
        self._run("initdb", "--pgdata", str(self.data), "--username", USER,
                  "--auth", "trust", "--encoding", "UTF8", "--no-locale", "--no-sync",
                  "--no-instructions")
        self.port = _free_port()
        options = " ".join((
            "-c listen_addresses=127.0.0.1", f"-p {self.port}",
            f"-c unix_socket_directories={self._root}",
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
            "-c max_connections=60",
        ))
        self._run("pg_ctl", "--pgdata", str(self.data), "--log", str(self._root / "server.log"),
                  "--wait", f"--timeout={START_TIMEOUT_S}", "-o", options, "start")

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.binaries / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        try:
            subprocess.run(command, check=True, capture_output=True, text=True,
                           cwd=self._root, timeout=START_TIMEOUT_S + 10)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
            detail = getattr(error, "stderr", None) or str(error)
            log = self._root / "server.log" if self._root else None
            if log is not None and log.is_file():
                detail += log.read_text(encoding="utf-8", errors="replace")
            last = [line for line in str(detail).splitlines() if line.strip()][-1:]
            self.stop()
            raise PostgresUnavailable(
                f"PostgreSQL ne démarre pas ({program}) : {' '.join(last) or error}"
            ) from None

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of ``database`` on this server."""
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def libpq_url(self, database: str = "postgres") -> str:
        """The same URL for libpq tools (``pg_dump``, ``psql``)."""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    @property
    def socket_dir(self) -> Path:
        """The folder of the server's Unix socket."""
        assert self._root is not None, "server stopped"
        return self._root

    def new_database(self) -> str:
        """Create an empty database with a fresh name; its SQLAlchemy URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.libpq_url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        if self._root is None:
            return
        if (self.data / "postmaster.pid").exists():
            command = [str(self.binaries / "pg_ctl"), "--pgdata", str(self.data),
                       "--mode", "immediate", "--wait", "stop"]
            if self._as_postgres:
                command = ["runuser", "-u", "postgres", "--", *command]
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                subprocess.run(command, capture_output=True, cwd=self._root, timeout=30,
                               check=False)
        shutil.rmtree(self._root, ignore_errors=True)
        self._root = None
