"""Bad input at volume: random, oversized, wrong-typed and out-of-order messages.

Hypothesis sends batches of messages on real websockets to the real server (a few
thousand messages in all), and random HTTP requests to the public pages. The server
must answer each message (an ``error`` with a documented code and a French text when it
refuses it), never fail internally, keep serving a phone that was connected all along,
and keep its database consistent: the tally recomputed from the ballots on disk is the
one the phones received. ``benchmarks/fuzz_protocol.py`` runs the same with 100 000
messages.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live_server import TIMEOUT, FacilitatorActions, LiveServer, PhoneActions, WebsocketClient

from theory_of_change.demo import demo_project
from workshops import service

pytestmark = pytest.mark.slow

STEP = "priorisation"
MAX_MESSAGE_CHARS = 16_384
WEBSOCKET_EXAMPLES = 60
"""Batches of 20 to 60 messages: about 2 000 messages in CI."""
HTTP_EXAMPLES = 60

PROTOCOL_DOC = Path(__file__).resolve().parent.parent / "docs" / "protocol.md"
DIRECT_REPLIES = {"ack", "error", "welcome", "state", "pong"}
"""What answers a client's own message (the rest are broadcast updates)."""
CLIENT_TYPES = [
    "hello", "join", "post_idea", "upvote", "cast_ballot", "get_state", "ping",
    "start_step", "close_step", "moderate_idea", "open_workshop", "close_workshop",
    "reveal_results", "set_results_visibility",
]


def documented_error_codes() -> set[str]:
    """The error codes listed in docs/protocol.md."""
    text = PROTOCOL_DOC.read_text(encoding="utf-8")
    table = text.split("### Codes d'erreur", 1)[1].split("\n## ", 1)[0]
    return {code for line in table.splitlines() if line.startswith("| `")
            for code in re.findall(r"`([a-z_]+)`", line.split("|")[1])}


# --- Strategies -----------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def plausible_fields(code: str, options: list[str]) -> dict[str, st.SearchStrategy[Any]]:
    """Field values that are sometimes right, often almost right, sometimes anything."""
    option = st.sampled_from(options) | st.text(max_size=20)
    ballots = st.one_of(
        st.fixed_dictionaries({
            "kind": st.sampled_from(["dot_vote", "ranking", "rating", "choice"]) | st.text(),
            "dots": st.dictionaries(option, st.integers(-2, 7) | json_values, max_size=7),
        }),
        st.fixed_dictionaries({"kind": st.just("ranking"), "order": st.lists(option)}),
        st.fixed_dictionaries({"kind": st.just("choice"), "choices": st.lists(option),
                               "comment": st.text(max_size=600) | st.none()}),
        json_values,
    )
    client_ids = st.uuids().map(str) | st.text(max_size=80) | json_values
    return {
        "protocol": st.just(1) | st.integers(-5, 5) | json_values,
        "role": st.sampled_from(["phone", "projector", "facilitator"]) | json_values,
        "code": st.just(code) | st.just(code.lower()) | st.text(max_size=40) | json_values,
        "workshop_id": st.text(max_size=8) | json_values,
        "token": st.text(max_size=70) | json_values,
        "last_seq": st.integers(-10, 2**63) | json_values,
        "client_id": client_ids,
        "nickname": st.text(max_size=60) | json_values,
        "group": st.sampled_from(["habitants", "elus", "inconnu"]) | st.text(max_size=20)
        | json_values,
        "step_id": st.sampled_from([STEP, "actions", "vision"]) | json_values,
        "column": st.text(max_size=20) | json_values,
        "text": st.text(max_size=300) | json_values,
        "idea_id": st.sampled_from(["1", "2", "999999"]) | json_values,
        "withdraw": st.booleans() | json_values,
        "ballot": ballots,
        "idea_ids": st.lists(st.text(max_size=5), max_size=3) | json_values,
        "write_back": st.booleans() | json_values,
        "visibility": st.sampled_from(["live", "after_vote", "on_reveal"]) | json_values,
        "moderation": st.fixed_dictionaries({"action": st.text(max_size=8),
                                             "idea_id": st.text(max_size=5)}) | json_values,
        "nonce": st.text(max_size=70) | json_values,
    }


def frames(code: str, options: list[str]) -> st.SearchStrategy[str | bytes]:
    """One websocket frame: a message of any kind, well formed or not at all."""
    fields = plausible_fields(code, options)
    message_like = st.fixed_dictionaries(
        {"type": st.sampled_from(CLIENT_TYPES) | st.text(max_size=12) | json_values},
        optional=fields,
    )
    valid_vote = st.builds(
        lambda chosen, cid: {"type": "cast_ballot", "client_id": cid, "step_id": STEP,
                             "ballot": {"kind": "dot_vote", "dots": dict.fromkeys(chosen, 1)}},
        st.lists(st.sampled_from(options), min_size=1, max_size=5, unique=True),
        st.uuids().map(str),
    )
    handshake = st.sampled_from([
        {"type": "hello", "protocol": 1, "code": code},
        {"type": "join", "client_id": str(uuid.uuid4()), "nickname": "Fuzz"},
        {"type": "get_state"},
    ])
    return st.one_of(
        message_like.map(json.dumps),
        (handshake | valid_vote).map(json.dumps),
        json_values.map(json.dumps),
        st.text(max_size=200),
        st.binary(max_size=200),
        st.integers(MAX_MESSAGE_CHARS + 1, 2 * MAX_MESSAGE_CHARS).map(
            lambda size: json.dumps({"type": "ping", "nonce": "x" * size})
        ),
    )


def batches(code: str, options: list[str]) -> st.SearchStrategy[list[str | bytes]]:
    """20 to 60 frames; most batches first say hello (and join), so that what follows
    reaches the handlers of a joined phone, out of order or not."""
    hello = json.dumps({"type": "hello", "protocol": 1, "code": code})
    openings = st.builds(
        lambda opening, client_id: [] if opening == "none" else [hello]
        if opening == "hello" else [hello, json.dumps({"type": "join", "client_id": client_id})],
        st.sampled_from(["none", "hello", "join"]),
        st.uuids().map(str),
    )
    return st.builds(
        lambda opening, rest: opening + rest,
        openings,
        st.lists(frames(code, options), min_size=20, max_size=60),
    )


# --- The arena ------------------------------------------------------------------------------


@dataclass
class Arena:
    """A workshop whose dot vote runs, its facilitator and a phone connected all along."""

    server: LiveServer
    workshop_id: int
    code: str
    options: list[str]
    control: PhoneActions


def open_arena(server: LiveServer) -> Arena:
    """A fresh workshop of the demo project, its dot vote running, a control phone joined."""
    facilitator = FacilitatorActions(server)
    facilitator.log_in()
    project = demo_project()
    workshop_id = facilitator.create_workshop(facilitator.project_id(project.id), "Fuzz")
    facilitator.add_steps(service.demo_steps(project))
    code = facilitator.connect()["state"]["workshop"]["code"]
    facilitator.open_workshop()
    facilitator.start_step(STEP)
    facilitator.close()
    control = PhoneActions(server, code)
    control.join("Témoin")
    options = [o["id"] for o in control.state["current_step"]["options"]]
    return Arena(server, workshop_id, code, options, control)


@pytest.fixture(scope="module")
def arena(live_server: LiveServer) -> Iterator[Arena]:
    """:func:`open_arena` on the module's server."""
    opened = open_arena(live_server)
    yield opened
    opened.control.close()


def exchange(server: LiveServer, batch: list[str | bytes]) -> list[dict[str, Any]]:
    """Send a batch on a new connection, then a ping; every message up to its pong."""
    client = WebsocketClient(server.ws_url)
    try:
        for frame in batch:
            client.send(frame)
        nonce = str(uuid.uuid4())
        client.send({"type": "ping", "nonce": nonce})
        client.wait_for(lambda m: m["type"] == "pong" and m["nonce"] == nonce, "pong")
        return list(client.received)
    finally:
        client.close()


def check_replies(batch: list[str | bytes], received: list[dict[str, Any]]) -> None:
    """Every message was answered; every refusal is documented, in French, not internal."""
    codes = documented_error_codes()
    direct = [m for m in received if m.get("type") in DIRECT_REPLIES]
    assert len(direct) >= len(batch), (len(direct), len(batch))
    for message in received:
        if message.get("type") == "error":
            assert message["code"] in codes, message
            assert message["code"] != "internal_error", message
            assert message["message"] and not message["message"].startswith("Traceback")


def check_consistency(arena: Arena) -> None:
    """The control phone still votes; the tally it shows is the one on disk."""
    options = arena.options
    ack = arena.control.cast_ballot(
        STEP, {"kind": "dot_vote", "dots": dict.fromkeys(options[:5], 1)}
    )
    assert ack["type"] == "ack", ack
    with arena.server.database() as session:
        on_disk = service.step_results(session, arena.workshop_id, STEP)
    expected = on_disk.model_dump(mode="json")  # type: ignore[union-attr]
    arena.control.wait_until(
        lambda: arena.control.results.get(STEP) == expected, "le résultat recalculé"
    )
    assert expected["voters"] >= 1


# --- Tests -----------------------------------------------------------------------------------


def test_random_websocket_messages_are_each_answered_and_leave_the_database_consistent(
    arena: Arena,
) -> None:
    @settings(max_examples=WEBSOCKET_EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(batch=batches(arena.code, arena.options))
    def fuzz(batch: list[str | bytes]) -> None:
        check_replies(batch, exchange(arena.server, batch))

    fuzz()
    check_consistency(arena)


def test_a_frame_beyond_four_times_the_limit_closes_only_its_own_connection(
    arena: Arena,
) -> None:
    client = WebsocketClient(arena.server.ws_url)
    client.send("x" * (4 * MAX_MESSAGE_CHARS + 1))
    with pytest.raises(AssertionError, match="1009"):
        client.wait_for(lambda m: False, "fermeture", timeout=TIMEOUT)
    client.close()
    check_consistency(arena)


PUBLIC_PATHS = ["/", "/j/{code}", "/j/{lower}", "/j/ABC", "/auth/connexion",
                "/auth/deconnexion", "/auth/lien/{token}", "/ws", "/projecteur/1"]


@st.composite
def requests(draw: st.DrawFn, code: str) -> tuple[str, str, bytes | None, str]:
    """A random request to a public page: method, path with query, body, content type."""
    known = draw(st.sampled_from(PUBLIC_PATHS)).format(
        code=code, lower=code.lower(), token=draw(st.text(max_size=250))
    )
    path = draw(st.just(known) | st.text(max_size=30).map(lambda t: "/" + t))
    query = draw(st.dictionaries(st.sampled_from(["code", "next", "q"]) | st.text(max_size=8),
                                 st.text(max_size=80), max_size=3))
    target = urllib.parse.quote(path, safe="/") + ("?" + urllib.parse.urlencode(query)
                                                    if query else "")
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE"]))
    fields = draw(st.dictionaries(
        st.sampled_from(["csrf_token", "email", "password", "code", "nickname"])
        | st.text(max_size=10),
        st.text(max_size=300), max_size=5,
    ))
    kind = draw(st.sampled_from(["form", "json", "bytes"]))
    if method == "GET":
        return method, target, None, ""
    if kind == "form":
        return method, target, urllib.parse.urlencode(fields).encode(), (
            "application/x-www-form-urlencoded")
    if kind == "json":
        return method, target, json.dumps(fields).encode(), "application/json"
    return method, target, draw(st.binary(max_size=500)), draw(st.text(max_size=30))


def test_random_http_requests_to_the_public_pages_never_fail_the_server(arena: Arena) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @settings(max_examples=HTTP_EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(request=requests(arena.code))
    def fuzz(request: tuple[str, str, bytes | None, str]) -> None:
        method, target, body, content_type = request
        headers = {"Content-Type": content_type} if content_type.isascii() and body else {}
        http_request = urllib.request.Request(
            arena.server.base_url + target, data=body, method=method, headers=headers
        )
        try:
            with opener.open(http_request, timeout=TIMEOUT) as response:
                status, page = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, page = error.code, error.read().decode("utf-8", "replace")
        assert status < 500, (status, target, page[:300])
        assert "Traceback" not in page

    fuzz()
    check_consistency(arena)
