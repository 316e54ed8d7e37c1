"""``chemins user add`` and what ``chemins serve`` prepares (``db``: test_db_commands.py)."""

from __future__ import annotations

import ipaddress
from typing import Any

from app.commands import _base_url, _facilitator_link, lan_address, prepare, user_add
from app.extensions import database
from theory_of_change.demo import demo_project
from workshops import service, store


def test_user_add_stores_a_hashed_password_read_from_stdin(app: Any, runner: Any) -> None:
    result = runner.invoke(user_add, ["Camille@Example.fr", "--password-stdin", "--nom",
                                      "Camille"], input="un long secret\n")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Compte créé : camille@example.fr"
    with app.app_context(), database.read_session() as db:
        user = store.authenticate(db, "camille@example.fr", "un long secret")
        assert user is not None and user.display_name == "Camille"


def test_user_add_asks_the_password_twice(app: Any, runner: Any) -> None:
    result = runner.invoke(user_add, ["a@b.fr"], input="motdepasse1\nmotdepasse2\n"
                                                        "motdepasse1\nmotdepasse1\n")
    assert result.exit_code == 0, result.output
    assert "Confirmez le mot de passe" in result.output


def test_user_add_refuses_a_second_account_for_an_address_in_french(
    app: Any, runner: Any
) -> None:
    runner.invoke(user_add, ["a@b.fr", "--password-stdin"], input="motdepasse\n")
    result = runner.invoke(user_add, ["A@B.fr", "--password-stdin"], input="motdepasse\n")
    assert result.exit_code == 1
    assert "Un compte existe déjà pour a@b.fr." in result.output
    assert "Traceback" not in result.output


def test_serve_prepares_the_demo_once(app: Any) -> None:
    first = prepare(app, demo=True)
    second = prepare(app, demo=True)
    assert first is not None and second is not None
    assert first.created and not second.created
    assert first.workshop.code == second.workshop.code
    with app.app_context(), database.read_session() as db:
        assert len(service.list_workshops(db)) == 1
        assert [p.slug for p in store.list_projects(db)] == [demo_project().id]


def test_the_facilitator_link_logs_in_once(app: Any, client: Any) -> None:
    prepare(app, demo=False)
    link = _facilitator_link(app, "http://localhost")
    path = link.removeprefix("http://localhost")
    assert path.startswith("/auth/lien/")
    first = client.get(path)
    assert first.status_code == 302 and "/console" in first.headers["Location"]
    with app.app_context(), database.read_session() as db:
        assert [u.email for u in store.list_users(db)] == ["animation@chemins.local"]
    other = app.test_client().get(path)
    assert "/console" not in other.headers.get("Location", "")


def test_the_participant_address_is_on_the_local_network_or_the_public_url() -> None:
    address = ipaddress.ip_address(lan_address())
    assert address.version == 4
    assert _base_url("0.0.0.0", 8000, None) == f"http://{address}:8000"
    assert _base_url("127.0.0.1", 8000, None) == "http://127.0.0.1:8000"
    assert _base_url("0.0.0.0", 8000, "https://atelier.example.fr/") == (
        "https://atelier.example.fr"
    )
