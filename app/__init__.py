"""The Chemins web app: facilitator console, phone pages, projector view, live websocket.

``create_app`` builds an app from the settings (``app/settings.py``): the test config,
else the environment. ``app/wsgi.py`` alone creates the app the server runs.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the command line imports app.cli without paying for Flask
    from flask import Flask

DATABASE_FILE = "chemins.sqlite3"
SECRET_KEY_FILE = "secret_key"
MAX_UPLOAD_BYTES = 16 * 1024 * 1024


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints and the ``/ws`` websocket route.

    ``test_config`` overrides settings (by name, e.g. ``DATABASE_URL``) and may add any
    Flask option (``TESTING``, ``WTF_CSRF_ENABLED``…).
    """
    # Imported here so that ``python -m app.settings`` (which writes docs/settings.md)
    # does not find its own module already imported by this package.
    from flask import Flask

    from app.settings import SETTINGS_BY_NAME, load_settings

    settings = load_settings(test_config)
    instance_path = settings["INSTANCE_PATH"]
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(settings)
    app.config.from_mapping(
        {k: v for k, v in (test_config or {}).items() if k not in SETTINGS_BY_NAME}
    )
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / DATABASE_FILE}"
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("MAX_CONTENT_LENGTH", MAX_UPLOAD_BYTES)
    app.config["SOCK_SERVER_OPTIONS"] = {
        "ping_interval": app.config["WS_PING_INTERVAL_S"],
        # Frames beyond this close the socket; anything between MAX_MESSAGE_CHARS and it
        # gets a polite "too_long" error instead (UTF-8 takes up to 4 bytes a character).
        "max_message_size": 4 * app.config["MAX_MESSAGE_CHARS"],
    }

    from app import i18n
    from app.extensions import babel, csrf, database, live, sock

    database.init_app(app)
    csrf.init_app(app)
    live.init_app(app)
    babel.init_app(
        app, default_locale=i18n.default_language(app), locale_selector=i18n.select_locale
    )

    from app import (
        accessibility,
        auth,
        comments,
        console,
        dashboard,
        diagnostic_pages,
        documents,
        editor,
        health,
        history,
        members,
        metrics,
        participant,
        projector,
        sockets,
    )

    sock.init_app(app)
    for blueprint in (auth.bp, console.bp, participant.bp, projector.bp, sockets.bp,
                      documents.bp, diagnostic_pages.bp, editor.bp,
                      history.bp, members.bp, comments.bp, dashboard.bp, accessibility.bp,
                      health.bp, i18n.bp, metrics.bp):
        app.register_blueprint(blueprint)
    return app


def _instance_secret_key(instance: Path) -> str:
    """The key kept in the instance folder, created (readable by its owner only) if absent.

    Keeping it across restarts keeps facilitators logged in when the server restarts.
    """
    path = instance / SECRET_KEY_FILE
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        key = ""
    if not key:
        key = secrets.token_urlsafe(48)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(key + "\n")
    return key
