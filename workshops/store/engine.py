"""Engines and sessions: SQLite by default, PostgreSQL when a URL says so.

SQLite is tuned for "committed before acknowledged": WAL journal (readers never block the
writer), ``synchronous=FULL`` (a commit is on disk when it returns, even after a power
cut; ``NORMAL`` in WAL mode may lose the last transactions on power loss, which would
break an acknowledgement already given), foreign keys on, and a busy timeout.

Write transactions start with ``BEGIN IMMEDIATE``: they take SQLite's single write lock
at once, so two concurrent read-then-write transactions queue on the busy timeout
instead of failing with "database is locked" when the second tries to upgrade its
read snapshot. Read-only work uses a second engine whose transactions start with a
plain ``BEGIN`` and run alongside the writer. On PostgreSQL both are the same engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from .group_commit import GroupCommitter
from .schema import Base

SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_TIMEOUT_S = 60.0
"""How long a connection waits for the writer before giving up (the disk is stuck)."""

T = TypeVar("T")


def sqlite_url(path: str | Path) -> str:
    """The SQLAlchemy URL of an SQLite file."""
    return f"sqlite:///{Path(path)}"


def is_sqlite(url: str) -> bool:
    """Whether ``url`` names an SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, immediate: bool = True, pool_size: int = 10) -> Engine:
    """An engine for ``url``; on SQLite, ``immediate`` makes every transaction a writer.

    PostgreSQL URLs written ``postgres://`` (as some hosts give them) are accepted.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if not is_sqlite(url):
        return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    database = make_url(url).database
    in_memory = database in (None, "", ":memory:")
    options: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    }
    if not in_memory:
        options.update(pool_size=pool_size, max_overflow=pool_size, pool_timeout=60)
    engine = create_engine(url, **options)
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit at the driver level: SQLAlchemy's "begin" event below emits BEGIN
        # itself, so we choose its kind (pysqlite's own BEGIN is always deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


def create_schema(engine: Engine) -> None:
    """Create every missing table (existing tables and their rows are left alone)."""
    Base.metadata.create_all(engine)


@dataclass
class Store:
    """The engines of one database and their session factories.

    ``session()`` is for work that writes (``BEGIN IMMEDIATE`` on SQLite);
    ``read_session()`` for work that only reads. Both commit on a clean exit and roll
    back on an exception. :meth:`write` hands a unit of work to the group-commit writer
    (:mod:`workshops.store.group_commit`): what many connections write at the same time
    is committed together, each acknowledged after its commit.
    """

    url: str
    engine: Engine
    read_engine: Engine
    _sessions: sessionmaker[Session]
    _read_sessions: sessionmaker[Session]
    _writer: GroupCommitter | None = field(default=None, init=False, repr=False)

    @classmethod
    def open(cls, url: str, *, pool_size: int = 10) -> Store:
        """Connect to ``url`` (nothing is created: see :meth:`create_schema`)."""
        engine = make_engine(url, immediate=True, pool_size=pool_size)
        read_engine = (
            make_engine(url, immediate=False, pool_size=pool_size) if is_sqlite(url) else engine
        )
        if is_sqlite(url) and make_url(url).database in (None, "", ":memory:"):
            read_engine = engine  # two in-memory engines would be two databases
        return cls(
            url=url,
            engine=engine,
            read_engine=read_engine,
            _sessions=sessionmaker(engine, expire_on_commit=False),
            _read_sessions=sessionmaker(read_engine, expire_on_commit=False),
        )

    def create_schema(self) -> None:
        """Create the missing tables."""
        create_schema(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for work that writes; committed on a clean exit."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for work that only reads (concurrent with the writer on SQLite)."""
        with self._read_sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @property
    def writer(self) -> GroupCommitter:
        """The group-commit writer of this database (its thread starts on first use)."""
        if self._writer is None:
            self._writer = GroupCommitter(self._sessions)
        return self._writer

    def write(self, work: Callable[[Session], T], *, timeout: float = WRITE_TIMEOUT_S) -> T:
        """Run ``work(session)`` in the writer's next batch; its result once committed.

        ``work`` must not commit nor roll back (see :mod:`workshops.store.group_commit`);
        what it raises is raised here, with nothing of it written.
        """
        return self.writer.run(work, timeout)

    def dispose(self) -> None:
        """Stop the writer and close every pooled connection (before a fork, or at exit)."""
        if self._writer is not None:
            self._writer.stop()
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
