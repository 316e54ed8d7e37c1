"""Shared fixtures: ``app``, ``client``, ``runner``, ``live_server`` and the helper classes.

``app`` is a real app on a real SQLite file in the test's temporary folder, schema
created; ``live_server`` a real ``chemins serve`` (gunicorn) on 127.0.0.1, one per test
module. ``FacilitatorActions`` and ``PhoneActions`` (``tests/live_server.py``) drive it.
``postgres_server`` is a real PostgreSQL on 127.0.0.1 for the session, ``postgres_url``
a new database on it; ``browser`` a headless Chromium per module (``browser_support``).
Domain tests use none of these: they never start Flask.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_server import FacilitatorActions, LiveServer, PhoneActions
from postgres_server import PostgresServer, PostgresUnavailable

__all__ = ["FacilitatorActions", "LiveServer", "PhoneActions", "PostgresServer"]


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    """The test config of ``app``: override it in a module to change a setting."""
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "clé de test",
        "DEMO": False,
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Any]:
    """A real app on a real SQLite file (``instance/chemins.sqlite3``), tables created."""
    from app import create_app
    from app.extensions import database, live

    application = create_app(app_config)
    database.create_schema(application)
    yield application
    live.broadcaster(application).stop()
    database.store(application).dispose()


@pytest.fixture
def client(app: Any) -> Any:
    """Flask's test client of ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    """Flask's CLI runner of ``app``."""
    return app.test_cli_runner()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module, reaching nothing but 127.0.0.1."""
    from browser_support import launched_browser  # Playwright only for browser tests

    with launched_browser() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real server (``chemins serve``) on 127.0.0.1, with the demo loaded.

    One per test module: tests of a module share it, so each creates its own workshop.
    """
    server = LiveServer(tmp_path_factory.mktemp("live") / "instance")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def facilitator(live_server: LiveServer) -> Iterator[FacilitatorActions]:
    """A facilitator logged in on ``live_server``."""
    actions = FacilitatorActions(live_server)
    actions.log_in()
    yield actions
    actions.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL on 127.0.0.1 for the whole session (``tests/postgres_server.py``).

    Where PostgreSQL is missing or cannot start, every test using it is skipped with the
    one-line reason (``-ra`` lists it): never silently.
    """
    try:
        server = PostgresServer.start()
    except PostgresUnavailable as reason:
        pytest.skip(str(reason))
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL of a new, empty PostgreSQL database for this test."""
    return postgres_server.new_database()
