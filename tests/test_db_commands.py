"""``chemins db init / upgrade / status / revision`` on a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from app.cli import main
from app.db_commands import db_group, upgrade_database
from workshops.store import migrate


@pytest.fixture
def fresh_app(tmp_path: Path) -> Iterator[Any]:
    """An app whose database file does not exist yet (no tables created)."""
    from app import create_app
    from app.extensions import database, live

    application = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "clé de test",
        "DEMO": False,
    })
    yield application
    live.broadcaster(application).stop()
    database.store(application).dispose()


def test_db_init_creates_the_tables_and_says_where(fresh_app: Any) -> None:
    result = fresh_app.test_cli_runner().invoke(db_group, ["init"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Tables créées (révision 0001).",
        f"Base de données prête : {fresh_app.config['DATABASE_URL']}",
    ]
    assert migrate.database_revision(fresh_app.config["DATABASE_URL"]) == "0001"


def test_db_upgrade_adopts_a_database_made_before_migrations_then_has_nothing_to_do(
    app: Any, runner: Any
) -> None:
    # The `app` fixture made its tables with create_schema, as Chemins did before.
    first = runner.invoke(db_group, ["upgrade"])
    assert first.exit_code == 0, first.output
    assert "Base créée avant les migrations : reprise (révision 0001 enregistrée)." in (
        first.output
    )
    again = runner.invoke(db_group, ["upgrade"])
    assert "Schéma déjà à jour (révision 0001)." in again.output


def test_db_status_says_whether_the_schema_is_up_to_date(fresh_app: Any) -> None:
    runner = fresh_app.test_cli_runner()
    before = runner.invoke(db_group, ["status"])
    assert before.exit_code == 1
    assert "Révision de la base : aucune" in before.output
    assert "lancez « chemins db upgrade »" in before.output
    runner.invoke(db_group, ["upgrade"])
    after = runner.invoke(db_group, ["status"])
    assert after.exit_code == 0
    assert "Révision attendue par cette version : 0001" in after.output
    assert after.output.rstrip().endswith("À jour.")


def test_db_upgrade_sql_shows_the_statements_and_runs_none(fresh_app: Any) -> None:
    runner = fresh_app.test_cli_runner()
    shown = runner.invoke(db_group, ["upgrade", "--sql"])
    assert shown.exit_code == 0, shown.output
    assert "CREATE TABLE workshops" in shown.output
    assert migrate.database_revision(fresh_app.config["DATABASE_URL"]) is None
    upgrade_database(fresh_app)
    again = runner.invoke(db_group, ["upgrade", "--sql"])
    assert again.output.strip() == "-- Schéma déjà à jour (révision 0001) : rien à exécuter."


def test_an_unreachable_database_gets_a_french_message_not_a_traceback(tmp_path: Path) -> None:
    from app import create_app
    from app.extensions import database, live

    broken = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'absent' / 'chemins.sqlite3'}",
    })
    try:
        for args in (["upgrade"], ["status"], ["upgrade", "--sql"]):
            result = broken.test_cli_runner().invoke(db_group, args)
            assert result.exit_code == 1, args
            assert "Base de données injoignable (sqlite:///" in result.output
            assert "Vérifiez DATABASE_URL" in result.output
            assert "Traceback" not in result.output
    finally:
        live.broadcaster(broken).stop()
        database.store(broken).dispose()


def test_a_database_of_a_newer_version_is_refused_by_the_command(fresh_app: Any) -> None:
    url = fresh_app.config["DATABASE_URL"]
    upgrade_database(fresh_app)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0042'"))
    engine.dispose()
    result = fresh_app.test_cli_runner().invoke(db_group, ["upgrade"])
    assert result.exit_code == 1
    assert result.output.startswith("Erreur : La base de données est à la révision « 0042 »")


def test_the_chemins_command_lists_the_db_subcommands_in_french() -> None:
    result = CliRunner().invoke(main, ["db", "--help"])
    assert result.exit_code == 0, result.output
    for name in ("init", "upgrade", "status", "revision"):
        assert f"  {name} " in result.output
    assert result.output.startswith("Utilisation : chemins db")
    assert "Mettre à jour le schéma de la base." in result.output


def test_db_revision_refuses_when_the_schema_has_not_changed() -> None:
    result = CliRunner().invoke(main, ["db", "revision", "rien"])
    assert result.exit_code == 1
    assert "rien à écrire" in result.output
    assert sorted(p.name for p in migrate.VERSIONS_DIR.glob("0*.py")) == [
        "0001_initial_schema.py"
    ]
