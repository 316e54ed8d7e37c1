"""Schema migrations on SQLite: empty databases, adopted ones, refusals, new revisions."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from schema_helpers import LATER_TABLES, differences_of, legacy_database, snapshot_of
from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    inspect,
    select,
    text,
)

from workshops import store
from workshops.store import Base, Store, User, migrate
from workshops.store.schema import JsonBody, UTCDateTime


@pytest.fixture
def url(tmp_path: Path) -> str:
    """The URL of an SQLite file that does not exist yet."""
    return store.sqlite_url(tmp_path / "chemins.sqlite3")


def test_upgrading_an_empty_database_gives_exactly_the_schema_of_the_code(url: str) -> None:
    report = migrate.upgrade(url)
    assert (report.before, report.after, report.applied) == (None, "0001", ("0001",))
    assert not report.adopted
    assert report.describe() == "Tables créées (révision 0001)."
    assert differences_of(url) == []
    assert migrate.database_revision(url) == migrate.head_revision() == "0001"


def test_the_migrated_schema_is_the_one_create_all_makes_table_by_table(
    url: str, tmp_path: Path
) -> None:
    migrate.upgrade(url)
    reference = store.sqlite_url(tmp_path / "create_all.sqlite3")
    engine = create_engine(reference)
    Base.metadata.create_all(engine)
    engine.dispose()
    migrated = snapshot_of(url)
    assert set(migrated) == set(Base.metadata.tables)
    assert migrated == snapshot_of(reference)
    # Spot checks that the snapshot really carries what matters under concurrency.
    assert ("uq_ballots_step_id_participant_id", ("step_id", "participant_id")) in (
        migrated["ballots"]["unique"]
    )
    assert ("fk_ideas_step_id_steps", ("step_id",), "steps", "CASCADE") in (
        migrated["ideas"]["foreign_keys"]
    )


def test_upgrading_an_up_to_date_database_changes_nothing(url: str) -> None:
    migrate.upgrade(url)
    again = migrate.upgrade(url)
    assert (again.before, again.after, again.applied, again.adopted) == (
        "0001", "0001", (), False
    )
    assert again.describe() == "Schéma déjà à jour (révision 0001)."


def test_a_database_made_before_migrations_is_adopted_with_its_rows(url: str) -> None:
    legacy_database(url)
    report = migrate.upgrade(url)
    assert report.adopted and report.after == "0001" and report.created_tables == ()
    assert report.describe() == (
        "Base créée avant les migrations : reprise (révision 0001 enregistrée)."
    )
    assert differences_of(url) == []
    opened = Store.open(url)
    with opened.read_session() as session:
        assert session.scalars(select(User.email)).all() == ["anim@example.fr"]
    opened.dispose()
    assert not migrate.upgrade(url).adopted


def test_an_old_database_gets_the_tables_added_since_when_adopted(url: str) -> None:
    legacy_database(url, without=LATER_TABLES)
    report = migrate.upgrade(url)
    assert report.adopted
    assert report.created_tables == tuple(sorted(LATER_TABLES))
    assert "tables ajoutées : comments, project_members, revision_summaries" in (
        report.describe()
    )
    assert differences_of(url) == []


def test_an_adopted_database_unlike_the_code_is_refused_and_left_as_it_was(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        # An account table from elsewhere: no display_name, and no other Chemins table.
        connection.execute(text("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)"))
    engine.dispose()
    with pytest.raises(migrate.MigrationError) as refused:
        migrate.upgrade(url)
    message = str(refused.value)
    assert "ne correspondent pas au schéma de Chemins ; rien n'a été modifié" in message
    assert "colonne absente de la base : users.display_name" in message
    engine = create_engine(url)
    with engine.connect() as connection:
        assert inspect(connection).get_table_names() == ["users"]
    engine.dispose()


def test_a_database_upgraded_by_a_newer_chemins_is_refused_in_french(url: str) -> None:
    migrate.upgrade(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    with pytest.raises(migrate.MigrationError) as refused:
        migrate.upgrade(url)
    assert "révision « 0099 »" in str(refused.value)
    assert "mise à jour par une version plus récente" in str(refused.value)
    with pytest.raises(migrate.MigrationError):
        migrate.upgrade_sql(url)


def test_the_sql_of_an_upgrade_is_shown_without_touching_the_database(url: str) -> None:
    sql = migrate.upgrade_sql(url)
    assert "CREATE TABLE ballots" in sql
    assert "CONSTRAINT uq_ballots_step_id_participant_id UNIQUE (step_id, participant_id)" in sql
    assert "INSERT INTO alembic_version (version_num) VALUES ('0001')" in sql
    assert migrate.database_revision(url) is None
    migrate.upgrade(url)
    assert "CREATE TABLE" not in migrate.upgrade_sql(url)


def test_a_new_revision_is_refused_when_the_code_matches_the_migrations(
    tmp_path: Path,
) -> None:
    with pytest.raises(migrate.MigrationError) as refused:
        migrate.new_revision("rien", directory=tmp_path)
    assert "rien à écrire" in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_a_new_revision_creates_what_the_code_added_and_runs_after_the_first(
    tmp_path: Path, url: str
) -> None:
    metadata = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    Table(
        "notes", metadata,
        Column("id", Integer, primary_key=True),
        Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        Column("text", String(200), nullable=False),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("body", JsonBody, nullable=True),
    )
    versions = tmp_path / "versions"
    versions.mkdir()
    path = migrate.new_revision("ajouter les notes", metadata=metadata, directory=versions)
    assert path.name == "0002_ajouter_les_notes.py"
    source = path.read_text(encoding="utf-8")
    assert 'down_revision = "0001"' in source
    assert 'op.create_table(\n        "notes"' in source
    assert "sa.DateTime(timezone=True)" in source
    assert 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")' in source
    assert "workshops" not in source  # migrations never import the application
    dirs = (migrate.VERSIONS_DIR, versions)
    assert ScriptDirectory.from_config(migrate.alembic_config(version_dirs=dirs)).get_heads() == [
        "0002"
    ]
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(migrate.alembic_config(connection=connection, version_dirs=dirs), "head")
        assert migrate.schema_differences(connection, metadata) == []
    engine.dispose()
