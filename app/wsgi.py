"""The WSGI entry point: ``gunicorn app.wsgi:app`` (see ``chemins serve``)."""

from __future__ import annotations

from app import create_app

app = create_app()
