"""The participant's pages: the join-code form (``/``) and the phone page (``/j/<code>``).

No account: the phone page only needs the workshop's code. What happens on it (joining,
posting ideas, voting) goes over the websocket, spoken by ``static/participant/phone.js``;
this module only finds the workshop and renders the page its script draws into.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from app.extensions import database
from app.i18n import domain_message
from app.i18n_messages import phone_messages
from workshops import service
from workshops.join_codes import JOIN_CODE_LENGTH, JoinCodeError, check_code, normalise_code
from workshops.model import (
    COMMENT_MAX_LENGTH,
    IDEA_MAX_LENGTH,
    NICKNAME_MAX_LENGTH,
    Workshop,
    WorkshopStatus,
)

bp = Blueprint("participant", __name__)

WS_PATH = "/ws"
"""The one websocket route of the live core (see docs/protocol.md)."""

CODE_INPUT_MAX_LENGTH = 32
"""What the code field accepts as typed (spaces and dashes included) before normalising."""


def _home(code: str = "", error: str | None = None, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "participant/home.html",
            code=code,
            error=error,
            code_length=JOIN_CODE_LENGTH,
            max_length=CODE_INPUT_MAX_LENGTH,
        ),
        status,
    )


@bp.get("/")
def home() -> tuple[str, int] | Response:
    """The form to type a workshop's code; a submitted code leads to its page."""
    typed = request.args.get("code")
    if typed is None:
        return _home()
    typed = typed[:CODE_INPUT_MAX_LENGTH]
    try:
        code = check_code(typed)
    except JoinCodeError as error:
        return _home(typed, _code_error(error), 400)
    return redirect(url_for("participant.phone", code=code))


@bp.get("/j/<code>")
def phone(code: str) -> tuple[str, int] | Response:
    """The phone page of the workshop with this code (a clear message when there is none)."""
    canonical = normalise_code(code[:CODE_INPUT_MAX_LENGTH])
    if canonical != code:
        # Codes typed into the address bar ("kx7-qha") land on the canonical address.
        return redirect(url_for("participant.phone", code=canonical))
    try:
        check_code(code)
    except JoinCodeError as error:
        return _home(code, _code_error(error), 404)
    with database.session() as db:
        workshop = service.find_workshop_by_code(db, code)
    if workshop is None:
        return _home(
            code,
            gettext(
                "Aucun atelier ne correspond au code « %(code)s ». Vérifiez le code affiché "
                "à l'écran.",
                code=code,
            ),
            404,
        )
    if workshop.status == WorkshopStatus.closed:
        return render_template("participant/closed.html", workshop=workshop), 410
    page = render_template(
        "participant/phone.html",
        workshop=workshop,
        config=_config(workshop),
        js_messages=phone_messages(),
    )
    return page, 200


def _code_error(error: JoinCodeError) -> str:
    """Why a typed code is refused: the domain's own precise message (French), or its
    general sense in the page's language when that is not French."""
    return domain_message(
        str(error),
        gettext(
            "Ce code n'est pas valide : saisissez le code à %(length)s caractères affiché "
            "à l'écran (des lettres et des chiffres).",
            length=JOIN_CODE_LENGTH,
        ),
    )


def _config(workshop: Workshop) -> dict[str, object]:
    """What ``phone.js`` reads from the page (a JSON block: no inline script)."""
    return {
        "code": workshop.code,
        "ws_path": WS_PATH,
        "idea_max_length": IDEA_MAX_LENGTH,
        "comment_max_length": COMMENT_MAX_LENGTH,
        "nickname_max_length": NICKNAME_MAX_LENGTH,
    }

