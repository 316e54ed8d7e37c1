"""``GET /healthz``: is this server up, do its database and message bus answer?

No login, no session cookie, no CSRF (a GET changes nothing): a load balancer, nginx or
a supervision probe may call it every few seconds. The check is one ``SELECT 1`` on a
pooled connection and, with ``REDIS_URL``, one ``PING`` to the message bus. The public
answer never carries the database's or Redis's address or error — those go to the
server's log.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import database, live

bp = Blueprint("health", __name__)

UNREACHABLE = (
    "La base de données ne répond pas : le serveur ne peut ni enregistrer ni afficher "
    "les votes. Le détail est dans le journal du serveur."
)
BUS_UNREACHABLE = (
    "Bus de messages indisponible (Redis ne répond pas) : ce processus sert ses propres "
    "connexions, mais les écrans connectés aux autres processus ne voient plus ses votes. "
    "Le détail est dans le journal du serveur."
)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 ``{"status": "ok", "database": "ok"}``; 503 with a French reason otherwise.

    With ``REDIS_URL``, the answer also says whether the message bus answers (``"bus"``);
    without it, the bus is not mentioned.
    """
    answer: dict[str, str] = {"status": "ok", "database": "ok"}
    reasons: list[str] = []
    try:
        with database.store().read_engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as error:
        current_app.logger.warning("/healthz : base de données injoignable : %s", error)
        answer["database"] = "injoignable"
        reasons.append(UNREACHABLE)
    bus = live.broadcaster().bus
    if bus is not None:
        if bus.check():
            answer["bus"] = "ok"
        else:
            answer["bus"] = "indisponible"
            reasons.append(BUS_UNREACHABLE)
    if reasons:
        answer["status"] = "erreur"
        answer["reason"] = " ".join(reasons)
    body = jsonify(answer)
    body.headers["Cache-Control"] = "no-store"
    return body, 503 if reasons else 200
