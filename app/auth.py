"""Facilitator log-in: the form, log-out, the one-time link and the ``login_required`` guard.

Accounts are created on the command line (``chemins user add``); there is no sign-up page.
A failed log-in always gets the same message, whether the address exists or not, so the
form tells nobody which addresses have an account. The session only stores the user's id:
:func:`current_user` reads the account back on each request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app import security
from app.console_forms import FrenchForm
from app.extensions import database
from workshops.store.users import authenticate, consume_login_token, get_user

bp = Blueprint("auth", __name__, url_prefix="/auth")
bp.record_once(security.init_app)

EMAIL_MAX_LENGTH = 254
PASSWORD_MAX_LENGTH = 200
LOGIN_FAILED = lazy_gettext("Adresse électronique ou mot de passe incorrect.")

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class CurrentUser:
    """The logged-in facilitator, detached from any database session."""

    id: int
    email: str
    display_name: str | None

    @property
    def name(self) -> str:
        """What the pages call this person: the display name, else the address."""
        return self.display_name or self.email


class LoginForm(FrenchForm):
    """E-mail address and password; the CSRF token comes from :class:`FlaskForm`."""

    email = StringField(
        lazy_gettext("Adresse électronique"),
        validators=[
            DataRequired(lazy_gettext("Saisissez votre adresse électronique.")),
            Length(max=EMAIL_MAX_LENGTH, message=lazy_gettext("Cette adresse est trop longue.")),
        ],
        render_kw={"autocomplete": "username", "inputmode": "email", "spellcheck": "false"},
    )
    password = PasswordField(
        lazy_gettext("Mot de passe"),
        validators=[
            DataRequired(lazy_gettext("Saisissez votre mot de passe.")),
            Length(max=PASSWORD_MAX_LENGTH, message=lazy_gettext("Ce mot de passe est trop long.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )


def current_user() -> CurrentUser | None:
    """The facilitator logged in on this request, or ``None`` (anonymous or participant)."""
    if "current_user" in g:
        return g.current_user
    user: CurrentUser | None = None
    user_id = session.get("user_id")
    if isinstance(user_id, int):
        with database.session() as db:
            row = get_user(db, user_id)
            if row is not None:
                user = CurrentUser(id=row.id, email=row.email, display_name=row.display_name)
    if user is None and "user_id" in session:
        # The account was deleted (or the cookie is stale): forget it.
        session.pop("user_id")
    g.current_user = user
    return user


def login_required(view: Callable[P, R]) -> Callable[P, R | Response]:
    """Refuse a view to anyone not logged in: pages redirect to the log-in form."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R | Response:
        if current_user() is None:
            if request.method in ("GET", "HEAD"):
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            # A form posted by someone not logged in changes nothing.
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def safe_next(target: str | None) -> str:
    """Where to go after logging in: only a path of this site, else the console."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for("console.index")


def _log_in(user_id: int) -> None:
    # A fresh session on log-in: nothing set before it (by anyone) survives.
    session.clear()
    session["user_id"] = user_id
    session.permanent = True


@bp.route("/connexion", methods=["GET", "POST"])
def login() -> str | Response:
    """Show the log-in form; on success go to the console (or the page asked for)."""
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        with database.session() as db:
            user = authenticate(db, form.email.data.strip(), form.password.data)
            user_id = user.id if user is not None else None
        if user_id is not None:
            _log_in(user_id)
            return redirect(safe_next(request.args.get("next")))
        failed = True
    return render_template("auth/login.html", form=form, failed=failed, message=LOGIN_FAILED)


@bp.post("/deconnexion")
def logout() -> Response:
    """Log out (a POST with the CSRF token, so no link elsewhere can log anyone out)."""
    session.clear()
    flash(_("Vous êtes déconnecté·e."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/lien/<token>")
def one_time_link(token: str) -> str | Response | tuple[str, int]:
    """Log in with the one-time link ``chemins serve`` prints; the link then stops working."""
    user_id = None
    if len(token) <= 200:
        with database.session() as db:
            user = consume_login_token(db, token)
            user_id = user.id if user is not None else None
    if user_id is None:
        return (
            render_template(
                "error.html",
                title=_("Lien expiré"),
                message=_(
                    "Ce lien de connexion a déjà servi ou a expiré. Connectez-vous avec "
                    "votre adresse et votre mot de passe, ou relancez « chemins serve »."
                ),
                code=403,
                login_link=True,
            ),
            403,
        )
    _log_in(user_id)
    return redirect(url_for("console.index"))


@bp.app_context_processor
def _inject_user() -> dict[str, Any]:
    return {"current_user": current_user}
