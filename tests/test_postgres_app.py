"""The app and the deployment's tools on a real PostgreSQL: commands, /healthz, backups."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from postgres_server import PostgresServer
from sqlalchemy import select, text

from app.db_commands import db_group
from workshops import store
from workshops.store import Store, User, migrate

ROOT = Path(__file__).resolve().parent.parent
BACKUP_SCRIPT = ROOT / "deploy" / "chemins-backup"

pytestmark = pytest.mark.slow  # a PostgreSQL server for the session


@pytest.fixture
def postgres_app(postgres_url: str, tmp_path: Path) -> Iterator[Any]:
    """An app whose DATABASE_URL is a new, empty PostgreSQL database."""
    from app import create_app
    from app.extensions import database, live

    application = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "clé de test",
        "DATABASE_URL": postgres_url,
    })
    yield application
    live.broadcaster(application).stop()
    database.store(application).dispose()


def test_db_upgrade_then_healthz_on_postgresql(postgres_app: Any) -> None:
    client = postgres_app.test_client()
    result = postgres_app.test_cli_runner().invoke(db_group, ["upgrade"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Tables créées (révision 0001).")
    assert "Base de données prête : postgresql+psycopg://chemins@127.0.0.1:" in result.output
    status = postgres_app.test_cli_runner().invoke(db_group, ["status"])
    assert status.exit_code == 0 and "À jour." in status.output
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_the_unix_socket_url_of_the_deployment_guide_works(
    postgres_url: str, postgres_server: PostgresServer
) -> None:
    # docs/deploy.md: postgresql+psycopg://chemins@/chemins?host=/var/run/postgresql
    name = postgres_url.rsplit("/", 1)[1]
    url = (f"postgresql+psycopg://chemins@/{name}"
           f"?host={postgres_server.socket_dir}&port={postgres_server.port}")
    assert migrate.upgrade(url).after == "0001"
    opened = Store.open(url)
    with opened.read_session() as session:
        address = session.execute(text("SELECT inet_server_addr()")).scalar()
    opened.dispose()
    assert address is None  # a Unix socket, not TCP


def _run_backup(environment: dict[str, str], backups: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BACKUP_SCRIPT)], capture_output=True, text=True, timeout=120, check=False,
        env={"PATH": os.environ["PATH"], "BACKUP_DIR": str(backups), **environment},
    )


def test_the_nightly_backup_dumps_postgresql_and_the_dump_restores(
    postgres_url: str, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    migrate.upgrade(postgres_url)
    opened = Store.open(postgres_url)
    with opened.session() as session:
        store.create_user(session, "anim@example.fr", "motdepasse")
    opened.dispose()
    path = f"{postgres_server.binaries}:{os.environ['PATH']}"
    done = _run_backup({"DATABASE_URL": postgres_url, "PATH": path}, tmp_path / "sauvegardes")
    assert done.returncode == 0, done.stderr
    dumps = list((tmp_path / "sauvegardes").glob("chemins-*.dump"))
    assert len(dumps) == 1
    assert done.stdout.startswith(f"Sauvegarde écrite : {dumps[0]}")

    # The restore of docs/deploy.md, into an empty database.
    restored = postgres_server.new_database()
    libpq = restored.replace("postgresql+psycopg://", "postgresql://")
    subprocess.run(
        [str(postgres_server.binaries / "pg_restore"), "--no-owner", f"--dbname={libpq}",
         str(dumps[0])],
        check=True, capture_output=True, timeout=60,
    )
    assert migrate.database_revision(restored) == "0001"
    opened = Store.open(restored)
    with opened.read_session() as session:
        assert session.scalars(select(User.email)).all() == ["anim@example.fr"]
    opened.dispose()
