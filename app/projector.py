"""The projector page: join code, QR code, participant count and the live results.

Shown on the hall's screen from the facilitator's laptop, so it needs the facilitator's
session. The server draws the current state; ``static/projector/projector.js`` then
keeps it live over the websocket (role ``projector``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, render_template
from flask_babel import gettext, ngettext

from app.auth import login_required
from app.extensions import database, live
from app.i18n_messages import projector_messages
from app.participant import WS_PATH
from app.qr import join_url, public_base_url, qr_svg
from workshops import service
from workshops.service import ServiceError
from workshops.visibility import results_withheld

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
    # A tally the projector may not show yet never reaches the page: only its voter count.
    hidden = step is not None and results_withheld(step, "projector")
    hidden_voters = getattr(result, "voters", 0) if hidden else None
    if hidden:
        result = None
    url = join_url(workshop.code)
    if step is not None and presence["step_id"] == step.id:
        voters = presence["voters"]
        if step.kind == "brainstorm":
            voters_text = ngettext("%(num)d a contribué", "%(num)d ont contribué", voters)
        else:
            voters_text = ngettext("%(num)d a voté", "%(num)d ont voté", voters)
    else:
        voters_text = ngettext(
            "%(num)d téléphone connecté", "%(num)d téléphones connectés", presence["phones"]
        )
    return render_template(
        "projector/projector.html",
        workshop=workshop,
        step=step,
        result=result,
        hidden_voters=hidden_voters,
        presence=presence,
        voters_text=voters_text,
        qr=qr_svg(url, gettext("QR code pour rejoindre l'atelier : %(url)s", url=url)),
        join_host=urlsplit(public_base_url()).netloc,
        config={"workshop_id": workshop.id, "ws_path": WS_PATH},
        js_messages=projector_messages(),
    )
