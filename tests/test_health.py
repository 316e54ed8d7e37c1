"""``GET /healthz``: 200 when the database answers, 503 with a French reason when not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.health import UNREACHABLE


def test_healthz_answers_ok_without_login_nor_cookie(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_healthz_takes_no_form_token_and_changes_nothing(client: Any) -> None:
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.fixture
def broken_app(tmp_path: Path) -> Iterator[Any]:
    """An app whose SQLite file lies in a folder that does not exist: unreachable."""
    from app import create_app
    from app.extensions import database, live

    application = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "clé de test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'absent' / 'chemins.sqlite3'}",
    })
    yield application
    live.broadcaster(application).stop()
    database.store(application).dispose()


def test_healthz_says_503_in_french_when_the_database_is_unreachable(broken_app: Any) -> None:
    response = broken_app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body == {"status": "erreur", "database": "injoignable", "reason": UNREACHABLE}
    assert body["reason"].startswith("La base de données ne répond pas")
    # The public answer never shows where the database is.
    assert "absent" not in response.get_data(as_text=True)


def test_healthz_says_503_when_the_postgresql_server_does_not_answer(tmp_path: Path) -> None:
    import socket

    from app import create_app
    from app.extensions import database, live

    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    application = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "clé de test",
        "DATABASE_URL": f"postgresql+psycopg://chemins:secret@127.0.0.1:{port}/chemins",
    })
    try:
        response = application.test_client().get("/healthz")
    finally:
        live.broadcaster(application).stop()
        database.store(application).dispose()
    assert response.status_code == 503
    assert response.get_json()["database"] == "injoignable"
    assert "secret" not in response.get_data(as_text=True)
