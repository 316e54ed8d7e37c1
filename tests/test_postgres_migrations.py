"""Schema migrations on a real PostgreSQL started on 127.0.0.1 by the test setup."""

from __future__ import annotations

import threading

import postgres_server
import pytest
from postgres_server import PostgresServer, PostgresUnavailable
from schema_helpers import LATER_TABLES, differences_of, legacy_database, snapshot_of
from sqlalchemy import create_engine, select

from workshops.store import Base, Store, User, migrate

pytestmark = pytest.mark.slow  # a PostgreSQL server for the session


def test_upgrading_an_empty_postgresql_database_gives_exactly_the_schema_of_the_code(
    postgres_url: str, postgres_server: PostgresServer
) -> None:
    report = migrate.upgrade(postgres_url)
    assert (report.before, report.after, report.applied) == (None, "0001", ("0001",))
    assert differences_of(postgres_url) == []
    reference = postgres_server.new_database()
    engine = create_engine(reference)
    Base.metadata.create_all(engine)
    engine.dispose()
    migrated = snapshot_of(postgres_url)
    assert migrated == snapshot_of(reference)
    assert ("body", "JSONB", False) in migrated["ballots"]["columns"]
    assert ("cast_at", "TIMESTAMP", False) in migrated["ballots"]["columns"]


def test_a_postgresql_database_made_before_migrations_is_adopted_with_its_rows(
    postgres_url: str,
) -> None:
    legacy_database(postgres_url, without=LATER_TABLES)
    report = migrate.upgrade(postgres_url)
    assert report.adopted and report.created_tables == tuple(sorted(LATER_TABLES))
    assert differences_of(postgres_url) == []
    opened = Store.open(postgres_url)
    with opened.read_session() as session:
        assert session.scalars(select(User.email)).all() == ["anim@example.fr"]
    opened.dispose()


def test_two_machines_upgrading_at_once_apply_each_migration_once(postgres_url: str) -> None:
    barrier = threading.Barrier(2)
    reports: list[migrate.UpgradeReport] = []
    errors: list[BaseException] = []

    def start_one_server() -> None:
        barrier.wait()
        try:
            reports.append(migrate.upgrade(postgres_url))
        except BaseException as error:  # the assertion below shows it
            errors.append(error)

    threads = [threading.Thread(target=start_one_server) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(report.applied for report in reports) == [(), ("0001",)]
    assert differences_of(postgres_url) == []


def test_a_postgresql_database_from_a_newer_chemins_is_refused(postgres_url: str) -> None:
    migrate.upgrade(postgres_url)
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0099'")
    engine.dispose()
    with pytest.raises(migrate.MigrationError) as refused:
        migrate.upgrade(postgres_url)
    assert "version plus récente" in str(refused.value)


def test_without_postgresql_the_reason_to_skip_is_one_french_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(postgres_server, "server_binaries", lambda: None)
    with pytest.raises(PostgresUnavailable) as missing:
        PostgresServer.start()
    reason = str(missing.value)
    assert reason.startswith("PostgreSQL absent (paquet Debian postgresql) : ")
    assert "\n" not in reason
