"""The language of the pages: which one a request gets, and the switch that changes it.

French is the source language: every text is written in French in the code and the
templates, and ``app/translations/<code>/LC_MESSAGES/messages.po`` translates it. A
request is answered in, by order of precedence:

1. the language the visitor chose with the switch (``/langue/<code>``, kept in a cookie);
2. the best match of the browser's ``Accept-Language`` among :data:`LANGUAGES`;
3. the ``DEFAULT_LANGUAGE`` setting (French unless a host says otherwise).

Messages of the domain packages (``workshops/``…) are French and never go through
Flask-Babel (those packages do not import Flask): :func:`domain_message` shows such a
message as is in French and a translated, more general one in any other language.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from babel import numbers
from flask import Blueprint, Flask, Response, abort, current_app, redirect, request, url_for
from flask_babel import get_locale

from app.settings import SettingError

SOURCE_LANGUAGE = "fr"
"""The language the texts are written in (msgids) and the domain's messages speak."""


@dataclass(frozen=True)
class Language:
    """A language of the pages: its code (``lang``, ``hreflang``) and its own name."""

    code: str
    name: str


LANGUAGES: tuple[Language, ...] = (
    Language("fr", "Français"),
    Language("en", "English"),
)
LANGUAGES_BY_CODE: dict[str, Language] = {language.code: language for language in LANGUAGES}

LANGUAGE_COOKIE = "chemins_langue"
COOKIE_MAX_AGE_S = 365 * 24 * 3600
NEXT_PARAMETER = "suivant"

bp = Blueprint("i18n", __name__)


def default_language(app: Flask) -> str:
    """The ``DEFAULT_LANGUAGE`` setting, checked (a French :class:`SettingError` if unknown)."""
    code = str(app.config.get("DEFAULT_LANGUAGE") or SOURCE_LANGUAGE).strip().lower()
    if code not in LANGUAGES_BY_CODE:
        known = ", ".join(LANGUAGES_BY_CODE)
        raise SettingError(
            f"CHEMINS_DEFAULT_LANGUAGE : « {code} » n'est pas une langue de Chemins "
            f"(langues possibles : {known})."
        )
    return code


def select_locale() -> str:
    """The language of this request: the visitor's choice, else the browser's, else default."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in LANGUAGES_BY_CODE:
        return chosen
    # best_match falls back on the primary tag: "en-GB" is served by "en".
    best = request.accept_languages.best_match(list(LANGUAGES_BY_CODE))
    return best or default_language(current_app)


@bp.app_template_global()
def current_language() -> str:
    """The code of the page's language (``<html lang>``): ``fr`` outside a request."""
    locale = get_locale()
    return locale.language if locale is not None else SOURCE_LANGUAGE


@bp.app_template_global()
def decimal_symbol() -> str:
    """The decimal separator of the page's language: « , » in French, "." in English."""
    return str(numbers.get_decimal_symbol(current_language()))


def in_source_language() -> bool:
    """Whether the page is in French, the language of msgids and of domain messages."""
    return current_language() == SOURCE_LANGUAGE


def domain_message(text: str, translated: str) -> str:
    """A domain's French ``text`` in French; elsewhere ``translated`` (its general sense)."""
    return text if in_source_language() else translated


@bp.app_template_global()
def language_links() -> list[tuple[Language, str]]:
    """The other languages, each with the address that switches to it and comes back here."""
    here = request.path
    if request.query_string:
        here += "?" + request.query_string.decode("utf-8", "replace")
    current = current_language()
    return [
        (language, url_for("i18n.switch", code=language.code, **{NEXT_PARAMETER: here}))
        for language in LANGUAGES
        if language.code != current
    ]


def local_path(target: str | None) -> str:
    """``target`` if it is a path of this site, else ``/``: the switch never leads away.

    Browsers read a backslash as a slash and drop tabs and line breaks, so ``/\\evil.org``
    or ``/\\t/evil.org`` would leave the site: such targets are refused along with
    ``//host``, ``https://host`` and anything that does not start with one ``/``.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if any(ch == "\\" or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


@bp.get("/langue/<code>")
def switch(code: str) -> Response:
    """Remember the chosen language in a cookie and go back to the page it was chosen on."""
    if code not in LANGUAGES_BY_CODE:
        abort(404)
    response = redirect(local_path(request.args.get(NEXT_PARAMETER)), 303)
    response.set_cookie(
        LANGUAGE_COOKIE, code, max_age=COOKIE_MAX_AGE_S, path="/", samesite="Lax",
        httponly=True, secure=request.is_secure,
    )
    return response


@bp.after_app_request
def vary_on_language(response: Response) -> Response:
    """Pages differ by the browser's languages and the language cookie: say so to caches."""
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response
