"""Schema migrations (Alembic), on SQLite and PostgreSQL alike.

The scripts live in ``workshops/store/migrations/versions``; Alembic's configuration is
built here in code, so an installed Chemins needs no ``alembic.ini`` in the current
folder. :func:`upgrade` brings any database to the schema of the code:

- an empty database gets every table;
- a database made by ``create_schema`` before migrations existed (our tables, but no
  ``alembic_version``) is *adopted*: the first revision creates only the tables it lacks
  (older versions added tables over time, never columns), its revision is recorded, the
  later ones run, and the result must match the code's schema or nothing is kept;
- a migrated database gets the revisions it has not had yet.

Everything runs in one transaction, so a failed migration leaves the database as it was.
On SQLite the transaction is ``BEGIN IMMEDIATE`` (two upgrades queue on the write lock)
and foreign keys are off while it runs — a batch migration copies a table and drops the
old one, which with foreign keys on would cascade into its children — then checked
before the commit. On PostgreSQL an advisory lock makes machines that start at the same
time upgrade one after the other.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, MetaData, inspect, text

from .engine import make_engine, sqlite_url
from .schema import Base

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
VERSIONS_DIR = MIGRATIONS_DIR / "versions"
VERSION_TABLE = "alembic_version"
BASELINE = "0001"
"""The first revision: the schema as ``create_schema`` made it when migrations arrived."""

# pg_advisory_xact_lock key: any constant shared by every Chemins process ("CHEMINS").
_POSTGRES_LOCK_KEY = 0x43_48_45_4D_49_4E_53


class MigrationError(Exception):
    """A migration that cannot run; the message is French and says what to do."""


@dataclass(frozen=True)
class UpgradeReport:
    """What :func:`upgrade` did: revisions before and after, those applied, adoption."""

    before: str | None
    after: str | None
    applied: tuple[str, ...]
    adopted: bool
    created_tables: tuple[str, ...] = ()
    """Tables an adopted database lacked, created by the adoption."""

    def describe(self) -> str:
        """One French sentence for the command line."""
        if self.adopted:
            added = (
                f"tables ajoutées : {', '.join(self.created_tables)} ; "
                if self.created_tables
                else ""
            )
            return (
                f"Base créée avant les migrations : reprise ({added}révision {self.after} "
                "enregistrée)."
            )
        if not self.applied:
            return f"Schéma déjà à jour (révision {self.after})."
        if self.before is None:
            return f"Tables créées (révision {self.after})."
        applied = ", ".join(self.applied)
        return f"Schéma mis à jour de la révision {self.before} à {self.after} ({applied})."


def alembic_config(
    *,
    connection: Connection | None = None,
    metadata: MetaData | None = None,
    version_dirs: Sequence[Path] = (VERSIONS_DIR,),
    output: io.StringIO | None = None,
) -> Config:
    """Alembic's configuration, built in code (no ``alembic.ini`` is read).

    ``connection`` is the open connection ``env.py`` migrates (its transaction is the
    caller's); ``metadata`` the schema autogenerate compares with (default: the store's).
    """
    config = Config(output_buffer=output)
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(str(d) for d in version_dirs))
    # File names like 0002_add_x.py: the revision id is the number, see new_revision.
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    config.attributes["metadata"] = metadata if metadata is not None else Base.metadata
    return config


def head_revision(version_dirs: Sequence[Path] = (VERSIONS_DIR,)) -> str:
    """The revision the code expects (the newest migration)."""
    head = ScriptDirectory.from_config(alembic_config(version_dirs=version_dirs)).get_current_head()
    if head is None:  # pragma: no cover - the package always ships the baseline
        raise MigrationError("Aucune migration trouvée dans le paquet Chemins.")
    return head


def database_revision(url: str) -> str | None:
    """The revision recorded in the database (``None``: never migrated, or empty)."""
    with _connection(url) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str, target: str = "head") -> UpgradeReport:
    """Bring the database at ``url`` to ``target`` (default: the code's schema).

    Raises :class:`MigrationError` (French) when the database is newer than the code,
    or when an adopted database does not match the code's schema; nothing is written then.
    """
    with _connection(url) as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, enabled=False)
        try:
            with connection.begin():
                report = _upgrade_in_transaction(connection, target)
                if sqlite:
                    _check_sqlite_foreign_keys(connection)
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, enabled=True)
    return report


def upgrade_sql(url: str, target: str = "head") -> str:
    """The SQL :func:`upgrade` would run from the database's revision, without running it.

    For a database administrator who reviews changes before applying them. An empty or
    adopted database gets the SQL of the whole schema (``CREATE TABLE`` of every table).
    """
    before = database_revision(url)
    engine = make_engine(url)
    output = io.StringIO()
    config = alembic_config(output=output)
    config.attributes["dialect_name"] = engine.dialect.name
    engine.dispose()
    script = ScriptDirectory.from_config(config)
    _check_known(script, before)
    span = f"{before}:{target}" if before is not None else target
    command.upgrade(config, span, sql=True)
    return output.getvalue()


def schema_differences(connection: Connection, metadata: MetaData | None = None) -> list[Any]:
    """What differs between the database and ``metadata`` (default: the store's schema).

    Alembic's autogenerate comparison (tables, columns, types, nullability, indexes,
    unique and foreign keys); an empty list when they match.
    """
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "render_as_batch": connection.dialect.name == "sqlite"},
    )
    return list(compare_metadata(context, metadata if metadata is not None else Base.metadata))


def describe_difference(difference: Any) -> str:
    """One difference of :func:`schema_differences`, in French."""
    if isinstance(difference, list):  # column changes come grouped per column
        return " ; ".join(describe_difference(item) for item in difference)
    kind = difference[0]
    if kind == "add_table":
        return f"table absente de la base : {difference[1].name}"
    if kind == "remove_table":
        return f"table inconnue du code : {difference[1].name}"
    if kind == "add_column":
        return f"colonne absente de la base : {difference[2]}.{difference[3].name}"
    if kind == "remove_column":
        return f"colonne inconnue du code : {difference[2]}.{difference[3].name}"
    if kind.startswith("modify_"):
        what = kind.removeprefix("modify_")
        return f"colonne différente ({what}) : {difference[2]}.{difference[3]}"
    if kind.startswith(("add_", "remove_")):  # index, unique constraint, foreign key
        where = "absent de la base" if kind.startswith("add_") else "inconnu du code"
        name = getattr(difference[1], "name", difference[1])
        return f"{kind.split('_', 1)[1]} {where} : {name}"
    return repr(difference)


def new_revision(
    message: str,
    *,
    metadata: MetaData | None = None,
    directory: Path = VERSIONS_DIR,
) -> Path:
    """Write the migration from the current revisions to ``metadata``; its path.

    For developers, after a change to ``workshops/store/schema.py``: the differences are
    found against a temporary SQLite database brought to the newest revision, so the
    result does not depend on anyone's data. The script is numbered after the newest one
    (``0002_…``), formatted with ruff when it is installed, and must be read before it is
    committed (autogenerate misses renames, and data moves are written by hand).
    Raises :class:`MigrationError` when there is nothing to migrate.
    """
    version_dirs = tuple(dict.fromkeys((VERSIONS_DIR, directory)))
    with tempfile.TemporaryDirectory(prefix="chemins-revision-") as scratch:
        url = sqlite_url(Path(scratch) / "head.sqlite3")
        with _connection(url) as connection, connection.begin():
            config = alembic_config(connection=connection, version_dirs=version_dirs)
            command.upgrade(config, "head")
            if not schema_differences(connection, metadata):
                raise MigrationError(
                    "Aucune différence entre workshops/store/schema.py et les migrations : "
                    "rien à écrire."
                )
            config = alembic_config(
                connection=connection, metadata=metadata, version_dirs=version_dirs
            )
            _add_ruff_hooks(config)
            script = command.revision(
                config,
                message=message,
                autogenerate=True,
                rev_id=_next_revision_id(version_dirs),
                version_path=str(directory),
            )
    if script is None or isinstance(script, list):  # pragma: no cover - one head only
        raise MigrationError("Alembic n'a pas écrit de migration.")
    return Path(script.path)


# --- internals ----------------------------------------------------------------------------


@contextmanager
def _connection(url: str) -> Iterator[Connection]:
    """A connection of an engine of its own, disposed after use.

    Migrations use their own engine: on SQLite they must set pragmas outside any
    transaction, which must not leak into the app's pooled connections.
    """
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _upgrade_in_transaction(connection: Connection, target: str) -> UpgradeReport:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_LOCK_KEY})
    tables = set(inspect(connection).get_table_names())
    adopted = VERSION_TABLE not in tables and bool(tables & set(Base.metadata.tables))
    before = MigrationContext.configure(connection).get_current_revision()
    config = alembic_config(connection=connection)
    script = ScriptDirectory.from_config(config)
    _check_known(script, before)
    try:
        command.upgrade(config, target)
    except CommandError as error:
        raise MigrationError(f"Migration impossible vers « {target} » : {error}") from None
    after = MigrationContext.configure(connection).get_current_revision()
    applied = (
        tuple(r.revision for r in reversed(list(script.iterate_revisions(after, before))))
        if after != before
        else ()
    )
    created: tuple[str, ...] = ()
    if adopted:
        now = set(inspect(connection).get_table_names())
        created = tuple(sorted(now - tables - {VERSION_TABLE}))
    if adopted and after == script.get_current_head():
        # Tables of other software sharing the database do not concern Chemins.
        differences = [
            d for d in schema_differences(connection)
            if not (isinstance(d, tuple) and d[0] == "remove_table")
        ]
        if differences:
            listed = "\n".join(f"- {describe_difference(d)}" for d in differences)
            raise MigrationError(
                "Cette base a été créée avant les migrations, mais ses tables ne "
                "correspondent pas au schéma de Chemins ; rien n'a été modifié.\n" + listed
            )
    return UpgradeReport(
        before=before, after=after, applied=applied, adopted=adopted, created_tables=created
    )


def _check_known(script: ScriptDirectory, revision: str | None) -> None:
    """Refuse a database migrated by a newer Chemins, whose schema this code ignores."""
    if revision is None:
        return
    try:
        script.get_revision(revision)
    except CommandError:
        raise MigrationError(
            f"La base de données est à la révision « {revision} », que cette version de "
            "Chemins ne connaît pas : elle a été mise à jour par une version plus récente. "
            "Installez cette version-là, ou restaurez la sauvegarde faite avant la mise à "
            "jour."
        ) from None


def _sqlite_foreign_keys(connection: Connection, *, enabled: bool) -> None:
    # Through the driver: SQLAlchemy would open a transaction first, and SQLite ignores
    # this pragma inside one.
    connection.connection.dbapi_connection.execute(  # type: ignore[union-attr]
        f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}"
    )


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = ", ".join(sorted({str(row[0]) for row in broken}))
        raise MigrationError(
            "La migration laisserait des références cassées (tables : "
            f"{tables}) ; rien n'a été modifié."
        )


def _next_revision_id(version_dirs: Sequence[Path]) -> str:
    numbers = [
        int(match.group(1))
        for directory in version_dirs
        for path in directory.glob("*.py")
        if (match := re.match(r"(\d{4})_", path.name))
    ]
    return f"{max(numbers, default=0) + 1:04d}"


def _add_ruff_hooks(config: Config) -> None:
    """Format the new script with ruff (a test dependency) when it is installed."""
    if importlib.util.find_spec("ruff") is None:
        return
    section = "post_write_hooks"
    config.set_section_option(section, "hooks", "ruff_format, ruff_fix")
    for name, options in (
        ("ruff_format", "format --quiet REVISION_SCRIPT_FILENAME"),
        ("ruff_fix", "check --fix --quiet REVISION_SCRIPT_FILENAME"),
    ):
        config.set_section_option(section, f"{name}.type", "module")
        config.set_section_option(section, f"{name}.module", "ruff")
        config.set_section_option(section, f"{name}.options", options)
