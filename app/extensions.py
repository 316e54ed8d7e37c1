"""The app's extensions, created bare here and bound to an app by ``init_app``.

Each keeps its per-app state in ``app.extensions``, so several apps (tests) can live in
one process: ``database`` (our SQLAlchemy binding), ``sock`` (flask-sock), ``csrf``
(flask-wtf), ``live`` (the broadcaster of live workshops) and ``babel`` (Flask-Babel:
the page's language and its translations, chosen by :mod:`app.i18n`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app
from flask_babel import Babel
from flask_sock import Sock
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from app.live import LiveHub
from workshops.store import Store

DATABASE_KEY = "chemins.database"


class Database:
    """The app's database: a :class:`workshops.store.Store` in ``app.extensions``."""

    def init_app(self, app: Flask) -> None:
        """Connect to ``app.config["DATABASE_URL"]`` (tables are made by ``chemins db init``)."""
        app.extensions[DATABASE_KEY] = Store.open(
            app.config["DATABASE_URL"], pool_size=app.config["DB_POOL_SIZE"]
        )

    @staticmethod
    def store(app: Flask | None = None) -> Store:
        """The store of ``app`` (default: the current app)."""
        target = app if app is not None else current_app
        return target.extensions[DATABASE_KEY]  # type: ignore[no-any-return]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that may write; committed on a clean exit, rolled back otherwise."""
        with self.store().session() as session:
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A read-only session (on SQLite it never waits for the writer)."""
        with self.store().read_session() as session:
            yield session

    def create_schema(self, app: Flask | None = None) -> None:
        """Create the missing tables."""
        self.store(app).create_schema()


database = Database()
sock = Sock()
csrf = CSRFProtect()
live = LiveHub()
babel = Babel()
