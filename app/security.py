"""Security headers and error pages shared by every page of the app.

Registered once by the auth blueprint (``bp.record_once(init_app)``), so it applies to
every response, pages and static files alike. The Content-Security-Policy allows nothing
but the server itself and no inline script or style: pages pass data to their script in
``data-*`` attributes or a ``<script type="application/json">`` block, which a browser
never runs.
"""

from __future__ import annotations

from flask import Flask, Response, render_template
from flask.blueprints import BlueprintSetupState
from flask_babel import LazyString, gettext, lazy_gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; "
    "object-src 'none'"
)

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

# Translated when the page is drawn, in its language (lazy: there is no request yet here).
ERROR_MESSAGES: dict[int, tuple[LazyString, LazyString]] = {
    400: (lazy_gettext("Requête incorrecte"),
          lazy_gettext("La demande envoyée au serveur n'est pas valide.")),
    403: (lazy_gettext("Accès refusé"),
          lazy_gettext("Cette page est réservée à l'équipe d'animation.")),
    404: (lazy_gettext("Page introuvable"),
          lazy_gettext("Cette adresse ne correspond à aucune page de Chemins.")),
    405: (lazy_gettext("Méthode non permise"),
          lazy_gettext("Cette page ne s'utilise pas de cette façon.")),
    413: (lazy_gettext("Envoi trop volumineux"),
          lazy_gettext("Les données envoyées dépassent la taille permise.")),
    429: (lazy_gettext("Trop de demandes"),
          lazy_gettext("Patientez quelques instants avant de réessayer.")),
    500: (lazy_gettext("Erreur du serveur"),
          lazy_gettext("Une erreur inattendue s'est produite ; réessayez.")),
}


def add_security_headers(response: Response) -> Response:
    """Add the security headers to a response (keeping any a view set on purpose)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def render_error(error: HTTPException) -> tuple[str, int]:
    """Render an HTTP error as a page in the visitor's language, with the same status code."""
    code = error.code or 500
    if code in ERROR_MESSAGES:
        title, message = (str(text) for text in ERROR_MESSAGES[code])
    else:
        title, message = error.name, gettext("La demande n'a pas abouti.")
    return render_template("error.html", title=title, message=message, code=code), code


def render_csrf_error(error: CSRFError) -> tuple[str, int]:
    """A form sent without a valid CSRF token: explain how to retry."""
    message = gettext(
        "Le formulaire a expiré ou ne vient pas de cette page. "
        "Rechargez la page et envoyez-le de nouveau."
    )
    title = gettext("Formulaire expiré")
    return render_template("error.html", title=title, message=message, code=400), 400


def init_app(state: BlueprintSetupState | Flask) -> None:
    """Bind the headers, the cookie policy and the error pages (translated) to the app."""
    app = state.app if isinstance(state, BlueprintSetupState) else state
    # Flask leaves SameSite unset; Lax keeps the session cookie off cross-site POSTs.
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.after_request(add_security_headers)
    app.register_error_handler(CSRFError, render_csrf_error)
    for code in ERROR_MESSAGES:
        app.register_error_handler(code, render_error)
