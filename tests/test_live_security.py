"""On the real server: phones cannot act as facilitators, bad input never breaks anything."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from live_server import (
    FacilitatorActions,
    LiveServer,
    PhoneActions,
    ProtocolFailure,
    WebsocketClient,
)
from websockets.exceptions import ConnectionClosed

from app.protocol import FACILITATOR_MESSAGES
from theory_of_change.demo import demo_project
from workshops import service

pytestmark = pytest.mark.slow


@dataclass
class Running:
    """A workshop whose brainstorm runs, with one idea on the wall."""

    facilitator: FacilitatorActions
    code: str
    column: str
    idea_id: str


@pytest.fixture(scope="module")
def running(live_server: LiveServer) -> Iterator[Running]:
    facilitator = FacilitatorActions(live_server)
    facilitator.log_in()
    project = demo_project()
    facilitator.create_workshop(facilitator.project_id(project.id), "Sécurité")
    facilitator.add_steps(service.demo_steps(project))
    code = facilitator.connect()["state"]["workshop"]["code"]
    facilitator.open_workshop()
    facilitator.start_step("actions")
    author = PhoneActions(live_server, code)
    author.join("Autrice")
    column = author.wait_step("actions", "open")["current_step"]["columns"][0]["id"]
    idea_id = author.post_idea("actions", column, "Une idée sur le mur")
    author.close()
    yield Running(facilitator, code, column, idea_id)
    facilitator.close()


@pytest.fixture
def phone(live_server: LiveServer, running: Running) -> Iterator[PhoneActions]:
    """A phone that joined the running workshop."""
    actions = PhoneActions(live_server, running.code)
    actions.join("Curieux")
    yield actions
    actions.close()


def _facilitator_message(kind: str, running: Running) -> dict[str, Any]:
    return {
        "start_step": {"type": "start_step", "step_id": "priorisation"},
        "close_step": {"type": "close_step", "step_id": "actions"},
        "moderate_idea": {"type": "moderate_idea",
                          "moderation": {"action": "hide", "idea_id": running.idea_id}},
        "open_workshop": {"type": "open_workshop"},
        "close_workshop": {"type": "close_workshop"},
        "reveal_results": {"type": "reveal_results", "step_id": "priorisation"},
        "set_results_visibility": {"type": "set_results_visibility", "step_id": "priorisation",
                                   "visibility": "on_reveal"},
    }[kind]


@pytest.mark.parametrize("kind", sorted(FACILITATOR_MESSAGES))
def test_a_phone_sending_a_facilitator_message_is_refused_and_changes_nothing(
    phone: PhoneActions, running: Running, kind: str
) -> None:
    reply = phone.request(_facilitator_message(kind, running))
    assert reply["type"] == "error"
    assert (reply["code"], reply["message"]) == ("forbidden", "Seul l'animateur peut faire cela.")
    phone.send({"type": "get_state"})
    state = phone.wait_for(lambda m: m["type"] == "state", "état")["state"]
    assert state["workshop"]["status"] == "open"
    assert state["current_step"]["id"] == "actions"
    assert state["current_step"]["status"] == "open"
    assert [s["status"] for s in state["steps"]] == ["open", "pending", "pending", "pending",
                                                    "pending"]
    assert running.idea_id in {idea["id"] for idea in state["ideas"]}


@pytest.mark.parametrize("role", ["facilitator", "projector"])
def test_the_console_and_projector_roles_need_a_logged_in_facilitator(
    live_server: LiveServer, running: Running, role: str
) -> None:
    intruder = WebsocketClient(live_server.ws_url)
    intruder.send({"type": "hello", "protocol": 1, "role": role,
                   "workshop_id": str(running.facilitator.workshop_id)})
    refused = intruder.wait_for(lambda m: m["type"] == "error", "refus")
    assert refused["code"] == "login_required"
    reply = intruder.request({"type": "close_step", "step_id": "actions"})
    assert reply["code"] == "forbidden"
    intruder.close()


def test_a_console_opened_from_another_site_is_refused_even_with_the_cookie(
    live_server: LiveServer, running: Running
) -> None:
    forged = WebsocketClient(
        live_server.ws_url,
        {"Cookie": running.facilitator.cookie_header, "Origin": "http://ailleurs.example"},
    )
    forged.send({"type": "hello", "protocol": 1, "role": "facilitator",
                 "workshop_id": str(running.facilitator.workshop_id)})
    refused = forged.wait_for(lambda m: m["type"] == "error", "refus")
    assert refused["code"] == "forbidden"
    forged.close()


BAD_MESSAGES: list[tuple[str | bytes, str]] = [
    ("ceci n'est pas du JSON", "bad_json"),
    ("[]", "bad_json"),
    (b"\x00\x01binaire", "bad_json"),
    ('{"type": "vote_pour_tous"}', "unknown_type"),
    ('{"type": "post_idea", "client_id": "x"}', "invalid_message"),
    ('{"type": "cast_ballot", "client_id": "y", "step_id": "actions", '
     '"ballot": {"kind": "dot_vote", "dots": {"a": "beaucoup"}}}', "invalid_message"),
    (json.dumps({"type": "ping", "nonce": "x" * 20_000}), "too_long"),
    ('{"type": "hello", "protocol": 99, "code": "AAAAAA"}', "protocol_version"),
    ('{"type": "hello", "protocol": 1, "code": "B0B0B0"}', "bad_code"),
    ('{"type": "hello", "protocol": 1, "code": "ACDEFG"}', "unknown_workshop"),
    ('{"type": "cast_ballot", "client_id": "z", "step_id": "actions", '
     '"ballot": {"kind": "dot_vote", "dots": {"a": 1}}}', "invalid_ballot"),
    ('{"type": "upvote", "client_id": "w", "idea_id": "999999"}', "unknown_idea"),
    ('{"type": "post_idea", "client_id": "v", "step_id": "actions", "column": "nulle-part", '
     '"text": "Idée"}', "unknown_column"),
]


def test_bad_messages_get_errors_and_every_phone_keeps_being_served(
    live_server: LiveServer, running: Running, phone: PhoneActions
) -> None:
    watcher = PhoneActions(live_server, running.code)
    for raw, code in BAD_MESSAGES:
        phone.send(raw)
        reply = phone.wait_for(lambda m: m["type"] == "error", f"erreur {code}")
        assert reply["code"] == code, (raw, reply)
        assert reply["message"]
    # The same connection still works, and so does everyone else's.
    phone.send({"type": "ping", "nonce": "encore là"})
    assert phone.wait_for(lambda m: m["type"] == "pong", "pong")["nonce"] == "encore là"
    idea_id = phone.post_idea("actions", running.column, "Toujours servie")
    watcher.wait_until(lambda: idea_id in watcher.wall, "la nouvelle idée")
    watcher.close()


def test_a_message_too_big_to_be_read_closes_only_its_own_connection(
    live_server: LiveServer, running: Running, phone: PhoneActions
) -> None:
    flood = PhoneActions(live_server, running.code)
    flood.send(json.dumps({"type": "ping", "nonce": "x" * 200_000}))
    with pytest.raises((ConnectionClosed, ProtocolFailure)):
        flood.wait_for(lambda m: m["type"] == "pong", "pong", timeout=5)
    phone.send({"type": "ping"})
    assert phone.wait_for(lambda m: m["type"] == "pong", "pong")["type"] == "pong"


def test_a_resent_idea_or_upvote_is_counted_once(
    phone: PhoneActions, running: Running
) -> None:
    message = {"type": "post_idea", "client_id": "renvoi-idee", "step_id": "actions",
               "column": running.column, "text": "Envoyée deux fois"}
    phone.send(message)
    first = phone.reply_to("renvoi-idee")
    phone.send(message)
    again = phone.reply_to("renvoi-idee")
    assert (first["duplicate"], again["duplicate"]) == (False, True)
    assert again["idea_id"] == first["idea_id"]
    upvote = {"type": "upvote", "client_id": "renvoi-soutien", "idea_id": running.idea_id}
    phone.send(upvote)
    phone.reply_to("renvoi-soutien")
    phone.send(upvote)
    assert phone.reply_to("renvoi-soutien")["duplicate"] is True
    wall = phone.reconnect()["state"]["ideas"]
    assert [i["text"] for i in wall].count("Envoyée deux fois") == 1
    assert phone.state["me"]["upvoted"] == [running.idea_id]


def test_a_message_before_hello_is_refused(live_server: LiveServer) -> None:
    client = WebsocketClient(live_server.ws_url)
    reply = client.request({"type": "join", "nickname": "Pressé"})
    assert reply["code"] == "hello_first"
    client.close()


def test_a_phone_that_has_not_joined_cannot_vote_or_post(
    live_server: LiveServer, running: Running
) -> None:
    visitor = PhoneActions(live_server, running.code)
    assert visitor.welcome["participant"] is None
    reply = visitor.request({"type": "post_idea", "step_id": "actions",
                             "column": running.column, "text": "Anonyme"})
    assert reply["code"] == "not_joined"
    visitor.close()
