"""Alembic's environment for Chemins: the store's metadata, the connection given in code.

:mod:`workshops.store.migrate` builds the configuration and hands over an open connection
whose transaction it owns (``config.attributes["connection"]``); offline (``--sql``) it
gives the dialect's name instead. There is no ``alembic.ini``: run migrations with
``chemins db upgrade``.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from sqlalchemy import JSON, MetaData, TypeDecorator

from workshops.store.schema import Base


def _alembic_config() -> Config | None:
    """Alembic's configuration while Alembic runs this file; ``None`` on a plain import."""
    try:
        return context.config
    except (AttributeError, NameError):  # imported, not run (the architecture test)
        return None


config = _alembic_config()
target_metadata: MetaData = (config and config.attributes.get("metadata")) or Base.metadata


def render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | bool:
    """Write the store's column types as plain SQLAlchemy types, for autogenerate.

    ``UTCDateTime`` becomes the ``DateTime(timezone=True)`` it stores: migrations must not
    import the application's code (it changes; they must not). The JSON body type is
    written by hand because Alembic renders its JSONB variant with an unimported name.
    """
    if kind != "type":
        return False
    if isinstance(item, TypeDecorator):
        impl = item.impl_instance
        return "sa.DateTime(timezone=True)" if getattr(impl, "timezone", False) else (
            f"sa.{type(impl).__name__}()"
        )
    if isinstance(item, JSON) and "postgresql" in getattr(item, "_variant_mapping", {}):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'
    return False


def run_offline() -> None:
    """Write the SQL to the output buffer instead of running it."""
    dialect_name = config.attributes["dialect_name"]
    context.configure(
        dialect_name=dialect_name,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=dialect_name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Migrate the connection given by Chemins, inside the caller's transaction."""
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "Lancez les migrations avec « chemins db upgrade » : cet environnement attend "
            "la connexion que Chemins lui donne."
        )
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite alters a table by copying it: "batch" migrations do that for us.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if config is not None and context.is_offline_mode():
    run_offline()
elif config is not None:
    run_online()
