"""Facilitator log-in: the form, log-out, the one-time link, and no user enumeration."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from pages_helpers import (
    FACILITATOR_EMAIL,
    FACILITATOR_PASSWORD,
    create_facilitator,
    csrf_token,
    field_error,
    log_in,
    post,
)

from app.auth import LOGIN_FAILED


def _login(client: Any, email: str, password: str, path: str = "/auth/connexion") -> Any:
    return client.post(
        path, data={"csrf_token": csrf_token(client), "email": email, "password": password}
    )


def _one_time_link(app: Any, ttl: dt.timedelta = dt.timedelta(minutes=5)) -> str:
    from app.extensions import database
    from workshops.store import create_login_token

    user_id = create_facilitator(app)
    with app.app_context(), database.session() as db:
        return "/auth/lien/" + create_login_token(db, user_id, ttl)


def test_login_page_is_a_french_form_with_labelled_fields_and_a_csrf_token(client: Any) -> None:
    page = client.get("/auth/connexion").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert '<label for="email">Adresse électronique</label>' in page
    assert '<label for="password">Mot de passe</label>' in page
    assert 'name="csrf_token"' in page
    assert 'autocomplete="current-password"' in page


def test_good_password_logs_in_and_opens_the_console(app: Any, client: Any) -> None:
    create_facilitator(app)
    response = _login(client, FACILITATOR_EMAIL, FACILITATOR_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/"
    console = client.get("/console/")
    assert console.status_code == 200
    assert "Camille Animation" in console.get_data(as_text=True)


def test_address_is_matched_whatever_its_case_and_spaces(app: Any, client: Any) -> None:
    create_facilitator(app)
    response = _login(client, "  Animation@Exemple.FR ", FACILITATOR_PASSWORD)
    assert response.headers["Location"] == "/console/"


def test_wrong_password_and_unknown_address_get_the_same_generic_message(
    app: Any, client: Any
) -> None:
    create_facilitator(app)
    wrong_password = _login(client, FACILITATOR_EMAIL, "pas le bon").get_data(as_text=True)
    unknown = _login(client, "personne@exemple.fr", "pas le bon").get_data(as_text=True)
    assert html.escape(LOGIN_FAILED) in wrong_password
    assert html.escape(LOGIN_FAILED) in unknown
    # Apart from the CSRF token, the two pages are identical: nothing tells them apart.
    strip = lambda page: page.split('name="csrf_token"')[0]  # noqa: E731
    assert strip(wrong_password) == strip(unknown)
    assert client.get("/console/").status_code == 302


def test_empty_fields_get_french_errors_next_to_each_field(client: Any) -> None:
    page = _login(client, "", "").get_data(as_text=True)
    assert field_error(page, "email") == "Saisissez votre adresse électronique."
    assert field_error(page, "password") == "Saisissez votre mot de passe."
    assert 'aria-describedby="email-erreur"' in page


def test_an_overlong_address_is_refused_before_any_lookup(client: Any) -> None:
    page = _login(client, "a" * 300 + "@exemple.fr", "x").get_data(as_text=True)
    assert field_error(page, "email") == "Cette adresse est trop longue."


def test_login_without_csrf_token_is_refused(app: Any, client: Any) -> None:
    create_facilitator(app)
    response = client.post(
        "/auth/connexion", data={"email": FACILITATOR_EMAIL, "password": FACILITATOR_PASSWORD}
    )
    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_login_returns_to_the_page_asked_for(app: Any, client: Any) -> None:
    asked = client.get("/console/ateliers/nouveau")
    assert asked.headers["Location"] == "/auth/connexion?next=/console/ateliers/nouveau"
    create_facilitator(app)
    response = _login(client, FACILITATOR_EMAIL, FACILITATOR_PASSWORD,
                      path="/auth/connexion?next=/console/ateliers/nouveau")
    assert response.headers["Location"] == "/console/ateliers/nouveau"


def test_login_never_redirects_to_another_site(app: Any, client: Any) -> None:
    create_facilitator(app)
    for target in ("//ailleurs.example/", "https://ailleurs.example/", "/\\ailleurs.example"):
        client.post("/auth/deconnexion", data={"csrf_token": csrf_token(client)})
        response = _login(client, FACILITATOR_EMAIL, FACILITATOR_PASSWORD,
                          path=f"/auth/connexion?next={target}")
        assert response.headers["Location"] == "/console/", target


def test_logout_is_a_post_that_ends_the_session(app: Any, client: Any) -> None:
    log_in(client, app)
    assert client.get("/auth/deconnexion").status_code == 405
    response = post(client, "/auth/deconnexion")
    assert response.headers["Location"] == "/auth/connexion"
    assert client.get("/console/").status_code == 302


def test_one_time_link_logs_in_once_then_is_refused(app: Any, client: Any) -> None:
    link = _one_time_link(app)
    first = client.get(link)
    assert first.status_code == 302
    assert first.headers["Location"] == "/console/"
    assert client.get("/console/").status_code == 200

    other = app.test_client()
    second = other.get(link)
    assert second.status_code == 403
    assert "Lien expiré" in second.get_data(as_text=True)
    assert other.get("/console/").status_code == 302


def test_expired_or_made_up_links_log_nobody_in(app: Any, client: Any) -> None:
    expired = _one_time_link(app, ttl=dt.timedelta(seconds=-1))
    assert client.get(expired).status_code == 403
    assert client.get("/auth/lien/nimporte-quoi").status_code == 403
    assert client.get("/auth/lien/" + "x" * 500).status_code == 403
    assert client.get("/console/").status_code == 302


def test_a_session_of_a_deleted_account_is_forgotten(app: Any, client: Any) -> None:
    from app.extensions import database
    from workshops.store import User

    log_in(client, app)
    with app.app_context(), database.session() as db:
        for user in db.query(User).all():
            db.delete(user)
    assert client.get("/console/").status_code == 302
    with client.session_transaction() as session:
        assert "user_id" not in session
