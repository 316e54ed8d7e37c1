"""``GET /healthz``: is this server up, and does its database answer? For supervision.

No login, no session cookie, no CSRF (a GET changes nothing): a load balancer, nginx or
a supervision probe may call it every few seconds. The check is one ``SELECT 1`` on a
pooled connection. The public answer never carries the database's address or error —
those go to the server's log.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import database

bp = Blueprint("health", __name__)

UNREACHABLE = (
    "La base de données ne répond pas : le serveur ne peut ni enregistrer ni afficher "
    "les votes. Le détail est dans le journal du serveur."
)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 ``{"status": "ok", "database": "ok"}``; 503 with a French reason otherwise."""
    try:
        with database.store().read_engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as error:
        current_app.logger.warning("/healthz : base de données injoignable : %s", error)
        status = 503
        body = jsonify(status="erreur", database="injoignable", reason=UNREACHABLE)
    else:
        status = 200
        body = jsonify(status="ok", database="ok")
    body.headers["Cache-Control"] = "no-store"
    return body, status
