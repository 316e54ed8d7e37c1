"""The projector page: join code, QR code, participant count and the live results.

Shown on the hall's screen from the facilitator's laptop, so it needs the facilitator's
session. The server draws the current state; ``static/projector/projector.js`` then
keeps it live over the websocket (role ``projector``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, render_template

from app.auth import login_required
from app.extensions import database, live
from app.participant import WS_PATH
from app.qr import join_url, public_base_url, qr_svg
from workshops import service
from workshops.service import ServiceError

bp = Blueprint("projector", __name__)


@bp.get("/console/ateliers/<int:workshop_id>/projecteur")
@login_required
def show(workshop_id: int) -> str:
    """The projector page of a workshop."""
    phones = live.broadcaster().phones(workshop_id)
    with database.read_session() as db:
        try:
            workshop = service.get_workshop(db, workshop_id)
        except ServiceError:
            abort(404)
        step = workshop.current()
        result = service.step_results(db, workshop_id, step.id) if step is not None else None
        presence = service.presence(db, workshop_id, phones)
    url = join_url(workshop.code)
    if step is not None and presence["step_id"] == step.id:
        noun = "a contribué" if step.kind == "brainstorm" else "a voté"
        plural = "ont contribué" if step.kind == "brainstorm" else "ont voté"
        voters = presence["voters"]
        voters_text = f"{voters} {noun if voters <= 1 else plural}"
    else:
        count = presence["phones"]
        plural_s = "s" if count > 1 else ""
        voters_text = f"{count} téléphone{plural_s} connecté{plural_s}"
    return render_template(
        "projector/projector.html",
        workshop=workshop,
        step=step,
        result=result,
        presence=presence,
        voters_text=voters_text,
        qr=qr_svg(url, f"QR code pour rejoindre l'atelier : {url}"),
        join_host=urlsplit(public_base_url()).netloc,
        config={"workshop_id": workshop.id, "ws_path": WS_PATH},
    )
