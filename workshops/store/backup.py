"""Back up and restore the SQLite database, even while the server serves a workshop.

Both use SQLite's online backup API (``sqlite3.Connection.backup``), never a file copy:
a file copied while the server writes may hold half a transaction, and the write-ahead
log (``-wal``) beside the database would be left out. The backup copies one consistent
snapshot in a single step — in WAL mode it is a read, so the server keeps writing
meanwhile — into a temporary file, checks it (``PRAGMA integrity_check``), makes it a
self-contained file (``journal_mode=DELETE``), then gives it its name.

A restore refuses a file that is not a sound Chemins database, refuses while a server
started by ``chemins serve`` uses the database (it holds :func:`server_lock` for its
whole life; the kernel releases it even after ``kill -9``), and first keeps a copy of
the current database beside it.

PostgreSQL databases are backed up with ``pg_dump``: these functions say so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from .engine import SQLITE_BUSY_TIMEOUT_MS, is_sqlite

REQUIRED_TABLES = ("projects", "workshops", "steps", "participants", "ballots", "ideas")
"""Tables every Chemins database has: a file without them is not a Chemins backup."""

COUNTED = {
    "projects": ("projet", "projets"),
    "workshops": ("atelier", "ateliers"),
    "participants": ("participant", "participants"),
    "ballots": ("bulletin", "bulletins"),
    "ideas": ("idée", "idées"),
}
"""Tables whose rows a summary counts, with their French names (singular, plural)."""

POSTGRESQL_ADVICE = (
    "Cette commande ne sauvegarde et ne restaure que les bases SQLite. Votre base est "
    "{backend} : utilisez ses propres outils, par exemple « pg_dump --format=custom "
    "--file=chemins.dump URL » pour sauvegarder et « pg_restore --clean --dbname=URL "
    "chemins.dump » pour restaurer (serveur arrêté)."
)


class BackupError(Exception):
    """A backup or restore that cannot be done; the message (French) says why."""


@dataclass(frozen=True)
class DatabaseSummary:
    """What a database file holds: its size and its number of rows per counted table."""

    path: Path
    size: int
    rows: dict[str, int]

    def describe(self) -> str:
        """One French line: "3 ateliers, 412 bulletins, … (1,2 Mo)"."""
        # In French 0 and 1 take the singular.
        parts = [f"{count} {COUNTED[table][0 if count <= 1 else 1]}"
                 for table, count in self.rows.items()]
        size = f"{self.size / 1_000_000:.1f}".replace(".", ",")
        return f"{', '.join(parts)} ({size} Mo)"


def database_path(url: str) -> Path:
    """The file of an SQLite URL; :class:`BackupError` for any other database."""
    if not is_sqlite(url):
        raise BackupError(POSTGRESQL_ADVICE.format(backend=make_url(url).get_backend_name()))
    name = make_url(url).database
    if name in (None, "", ":memory:"):
        raise BackupError("Cette base SQLite est en mémoire : il n'y a rien à sauvegarder.")
    return Path(name).resolve()


def _lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".serveur")


@contextlib.contextmanager
def _locked(database: Path, exclusive: bool) -> Iterator[bool]:
    """Try the server lock of ``database``; yields whether it was obtained."""
    database.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(_lock_path(database), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
                        | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(descriptor)


def server_lock(url: str) -> int | None:
    """Take the lock that says "a server uses this database"; its descriptor, or ``None``.

    Held (shared: several servers may use one database) until the process ends; the
    descriptor is inheritable, so ``chemins serve`` keeps it through ``exec`` into
    gunicorn and its workers. ``None`` for a database that is not an SQLite file.
    """
    try:
        database = database_path(url)
    except BackupError:
        return None
    database.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(_lock_path(database), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_SH)
    os.set_inheritable(descriptor, True)
    return descriptor


def in_use(url: str) -> bool:
    """Whether a server started by ``chemins serve`` uses this SQLite database now."""
    database = database_path(url)
    with _locked(database, exclusive=True) as free:
        return not free


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    target = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    return sqlite3.connect(target, uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)


def summarise(path: Path, *, read_only: bool = True) -> DatabaseSummary:
    """Check that ``path`` is a sound Chemins database and count what it holds.

    Raises :class:`BackupError` (French) for a missing file, a file that is not an
    SQLite database, a damaged one, or one without the tables of Chemins. A backup is
    opened ``read_only`` (it is never changed); a database in WAL mode needs not be.
    """
    if not path.is_file():
        raise BackupError(f"Le fichier {path} n'existe pas.")
    try:
        connection = _connect(path, read_only=read_only)
    except sqlite3.Error as error:
        raise BackupError(f"{path} ne peut pas être ouvert : {error}.") from None
    try:
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError:
            raise BackupError(f"{path} n'est pas une base de données SQLite.") from None
        if verdict != "ok":
            raise BackupError(f"{path} est endommagé (contrôle d'intégrité : {verdict}).")
        missing = [table for table in REQUIRED_TABLES if table not in tables]
        if missing:
            raise BackupError(
                f"{path} n'est pas une sauvegarde de Chemins (tables absentes : "
                f"{', '.join(missing)})."
            )
        rows = {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                for table in COUNTED}
    finally:
        connection.close()
    return DatabaseSummary(path=path, size=path.stat().st_size, rows=rows)


def _copy(source: Path, destination: Path) -> None:
    """One consistent snapshot of ``source`` into the new file ``destination``."""
    source_connection = _connect(source)
    try:
        target = sqlite3.connect(destination)
        try:
            # pages=-1: the whole database in one step, so one read snapshot (in WAL mode
            # the server's writers go on meanwhile).
            source_connection.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode=DELETE")
            target.commit()
        finally:
            target.close()
    finally:
        source_connection.close()


def backup(url: str, destination: Path, *, replace: bool = False) -> DatabaseSummary:
    """Write a consistent copy of the SQLite database of ``url`` to ``destination``.

    Safe while the server serves. Refuses to overwrite a file unless ``replace``.
    """
    source = database_path(url)
    if not source.is_file():
        raise BackupError(f"La base {source} n'existe pas encore : rien à sauvegarder.")
    destination = destination.resolve()
    if destination == source:
        raise BackupError("La sauvegarde ne peut pas remplacer la base elle-même.")
    if destination.exists() and not replace:
        raise BackupError(
            f"{destination} existe déjà : choisissez un autre nom, ou ajoutez --remplacer."
        )
    if not destination.parent.is_dir():
        raise BackupError(f"Le dossier {destination.parent} n'existe pas.")
    partial = destination.with_name(f".{destination.name}.en-cours")
    try:
        _copy(source, partial)
        summary = summarise(partial)
        os.replace(partial, destination)
    except sqlite3.Error as error:
        raise BackupError(f"La sauvegarde a échoué : {error}.") from None
    except OSError as error:
        raise BackupError(f"La sauvegarde n'a pas pu être écrite : {error.strerror}.") from None
    finally:
        partial.unlink(missing_ok=True)
    return DatabaseSummary(path=destination, size=summary.size, rows=summary.rows)


@dataclass(frozen=True)
class Restored:
    """A restore done: what the database holds now, and where the previous one was kept."""

    summary: DatabaseSummary
    previous: Path | None


def restore(url: str, source: Path, *, now: dt.datetime | None = None) -> Restored:
    """Replace the SQLite database of ``url`` by the backup ``source``.

    Refuses a file that is not a sound Chemins database, and refuses while a server
    started by ``chemins serve`` uses the database. The current database (if any) is
    first copied beside it, as ``<nom>.avant-restauration-<date>``.
    """
    target = database_path(url)
    source = source.resolve()
    if source == target:
        raise BackupError("Cette sauvegarde est la base elle-même : rien à restaurer.")
    summarise(source)
    with _locked(target, exclusive=True) as free:
        if not free:
            raise BackupError(
                "Un serveur Chemins utilise cette base : arrêtez-le (Ctrl+C) avant de "
                "restaurer, puis relancez-le."
            )
        previous = None
        if target.is_file():
            stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
            previous = target.with_name(f"{target.name}.avant-restauration-{stamp}")
            try:
                _copy(target, previous)
            except (sqlite3.Error, OSError) as error:
                raise BackupError(
                    f"La copie de la base actuelle a échoué ({error}) : rien n'a été restauré."
                ) from None
        try:
            origin = _connect(source, read_only=True)
            try:
                destination = _connect(target)
                try:
                    origin.backup(destination, pages=-1)
                    destination.execute("PRAGMA journal_mode=WAL")
                finally:
                    destination.close()
            finally:
                origin.close()
        except sqlite3.Error as error:
            raise BackupError(
                f"La restauration a échoué ({error}). La base d'avant est gardée : {previous}."
            ) from None
    return Restored(summary=summarise(target, read_only=False), previous=previous)
