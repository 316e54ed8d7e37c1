"""Helpers of the migration tests: a database's schema as plain, comparable data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, create_engine, inspect

from workshops import store
from workshops.store import Base, Store, migrate

LATER_TABLES = ("revision_summaries", "project_members", "comments")
"""Tables added after the first releases: old databases made by create_schema lack them."""


def schema_snapshot(connection: Connection) -> dict[str, Any]:
    """Every table's columns, keys, indexes and unique constraints, as plain data.

    Alembic's own table is left out: it is bookkeeping, not the schema of Chemins.
    """
    inspector = inspect(connection)
    snapshot: dict[str, Any] = {}
    for table in sorted(set(inspector.get_table_names()) - {migrate.VERSION_TABLE}):
        snapshot[table] = {
            "columns": sorted(
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ),
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign_keys": sorted(
                (fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"],
                 fk["options"].get("ondelete"))
                for fk in inspector.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "unique": sorted(
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
        }
    return snapshot


def snapshot_of(url: str) -> dict[str, Any]:
    """:func:`schema_snapshot` of the database at ``url``."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return schema_snapshot(connection)
    finally:
        engine.dispose()


def differences_of(url: str) -> list[Any]:
    """:func:`workshops.store.migrate.schema_differences` of the database at ``url``."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return migrate.schema_differences(connection)
    finally:
        engine.dispose()


def legacy_database(url: str, *, without: tuple[str, ...] = ()) -> None:
    """A database as ``create_schema`` made it before migrations, with one account in it."""
    engine = create_engine(url)
    Base.metadata.create_all(
        engine, tables=[t for t in Base.metadata.sorted_tables if t.name not in without]
    )
    engine.dispose()
    opened = Store.open(url)
    with opened.session() as session:
        store.create_user(session, "anim@example.fr", "motdepasse")
    opened.dispose()
