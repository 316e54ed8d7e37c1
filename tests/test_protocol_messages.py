"""The websocket protocol's models: what parses, what is refused and how it is said."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from app.protocol import (
    CLIENT_MESSAGE_ADAPTER,
    FACILITATOR_MESSAGES,
    PROTOCOL_VERSION,
    SERVER_MESSAGE_ADAPTER,
    Ack,
    CastBallot,
    Error,
    Hello,
    ModerateIdea,
    ProtocolError,
    dump,
    parse_client_message,
    server_message_from_json,
)
from workshops.model import ChoiceBallot, DotBallot, RankingBallot, RatingBallot

DOC = Path(__file__).resolve().parent.parent / "docs" / "protocol.md"

VALID_CLIENT_MESSAGES: dict[str, dict[str, Any]] = {
    "hello": {"type": "hello", "protocol": 1, "role": "phone", "code": "kx7 qha", "token": "abc"},
    "join": {"type": "join", "client_id": "c-1", "nickname": "Camille", "group": "habitants"},
    "post_idea": {
        "type": "post_idea", "client_id": "c-2", "step_id": "idees", "column": "chg-1",
        "text": "Un guide des modes d'accueil",
    },
    "upvote": {"type": "upvote", "client_id": "c-3", "idea_id": "12"},
    "cast_ballot": {
        "type": "cast_ballot", "client_id": "c-4", "step_id": "vote",
        "ballot": {"kind": "dot_vote", "dots": {"chg-1": 1}},
    },
    "get_state": {"type": "get_state"},
    "ping": {"type": "ping", "nonce": "n1"},
    "start_step": {"type": "start_step", "client_id": "c-5", "step_id": "vote"},
    "close_step": {"type": "close_step", "client_id": "c-6", "step_id": "vote", "idea_ids": ["3"]},
    "moderate_idea": {
        "type": "moderate_idea", "client_id": "c-7",
        "moderation": {"action": "merge", "idea_id": "3", "into": "2"},
    },
    "open_workshop": {"type": "open_workshop", "client_id": "c-8"},
    "close_workshop": {"type": "close_workshop", "client_id": "c-9"},
    "reveal_results": {"type": "reveal_results", "client_id": "c-10", "step_id": "vote"},
    "set_results_visibility": {
        "type": "set_results_visibility", "client_id": "c-11", "step_id": "vote",
        "visibility": "on_reveal",
    },
}


@pytest.mark.parametrize("kind", sorted(VALID_CLIENT_MESSAGES))
def test_each_client_message_type_parses_into_its_model(kind: str) -> None:
    message = parse_client_message(json.dumps(VALID_CLIENT_MESSAGES[kind]))
    assert message.type == kind
    assert type(message).__name__.lower().replace("_", "") == kind.replace("_", "")


def test_every_client_message_type_has_an_example_here() -> None:
    kinds = {choice["properties"]["type"]["const"]
             for choice in CLIENT_MESSAGE_ADAPTER.json_schema()["$defs"].values()
             if "type" in choice.get("properties", {})}
    assert kinds == set(VALID_CLIENT_MESSAGES)


@pytest.mark.parametrize(
    ("ballot", "model"),
    [
        ({"kind": "dot_vote", "dots": {"a": 2}}, DotBallot),
        ({"kind": "ranking", "order": ["b", "a"]}, RankingBallot),
        ({"kind": "rating", "scores": {"a": {"impact": 4}}}, RatingBallot),
        ({"kind": "choice", "choices": ["a"], "comment": "oui"}, ChoiceBallot),
    ],
)
def test_a_ballot_is_the_domain_ballot_of_its_kind(ballot: dict[str, Any], model: type) -> None:
    message = parse_client_message(
        json.dumps({"type": "cast_ballot", "client_id": "x", "step_id": "s", "ballot": ballot})
    )
    assert isinstance(message, CastBallot)
    assert isinstance(message.ballot, model)


@pytest.mark.parametrize(
    ("moderation", "action"),
    [
        ({"action": "hide", "idea_id": "1"}, "hide"),
        ({"action": "unhide", "idea_id": "1"}, "unhide"),
        ({"action": "edit", "idea_id": "1", "text": "Texte corrigé"}, "edit"),
        ({"action": "merge", "idea_id": "1", "into": "2"}, "merge"),
        ({"action": "unmerge", "idea_id": "1"}, "unmerge"),
        ({"action": "move", "idea_id": "1", "column": "c2"}, "move"),
        ({"action": "cluster", "idea_id": "1", "cluster": "Mobilité"}, "cluster"),
        ({"action": "cluster", "idea_id": "1", "cluster": None}, "cluster"),
    ],
)
def test_each_moderation_action_parses(moderation: dict[str, Any], action: str) -> None:
    message = parse_client_message(
        json.dumps({"type": "moderate_idea", "client_id": "m", "moderation": moderation})
    )
    assert isinstance(message, ModerateIdea)
    assert message.moderation.action == action


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ("pas du json", "bad_json", "pas du JSON"),
        ("[1, 2]", "bad_json", "objet JSON"),
        (b"\xff\xfe", "bad_json", "UTF-8"),
        ('{"type": "vote_everything"}', "unknown_type", "« vote_everything »"),
        ('{"client_id": "x"}', "unknown_type", "inconnu"),
        ('{"type": "join"}', "invalid_message", "champ manquant"),
        ('{"type": "ping", "surprise": 1}', "invalid_message", "champ inconnu"),
        ('{"type": "upvote", "client_id": "x", "idea_id": 12}', "invalid_message",
         "texte attendu"),
        ('{"type": "hello", "protocol": 1}', "invalid_message", "« code »"),
        ('{"type": "cast_ballot", "client_id": "x", "step_id": "s", '
         '"ballot": {"kind": "lottery"}}', "invalid_message", "bulletin"),
        ('{"type": "join", "client_id": "espaces interdits"}', "invalid_message",
         "caractères non permis"),
    ],
)
def test_a_bad_message_is_refused_with_a_code_and_a_french_reason(
    raw: str | bytes, code: str, words: str
) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_client_message(raw)
    assert caught.value.code == code
    assert words in caught.value.message


def test_an_idea_longer_than_280_characters_is_refused_before_reaching_the_service() -> None:
    message = dict(VALID_CLIENT_MESSAGES["post_idea"], text="x" * 281)
    with pytest.raises(ProtocolError) as caught:
        parse_client_message(json.dumps(message))
    assert caught.value.code == "invalid_message"
    assert "texte trop long" in caught.value.message
    assert caught.value.client_id == "c-2"


def test_an_oversized_message_is_refused_without_being_parsed() -> None:
    raw = json.dumps({"type": "ping", "nonce": "x" * 50})
    with pytest.raises(ProtocolError) as caught:
        parse_client_message(raw, max_chars=40)
    assert caught.value.code == "too_long"
    assert "Message trop long" in caught.value.message


def test_the_error_for_a_refused_message_carries_its_client_id() -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_client_message('{"type": "post_idea", "client_id": "abc-1", "text": ""}')
    error = caught.value.to_message()
    assert isinstance(error, Error)
    assert error.client_id == "abc-1"


def test_hello_needs_exactly_one_way_to_name_the_workshop() -> None:
    assert Hello(protocol=1, code="KX7QHA").workshop_id is None
    with pytest.raises(ValueError, match="soit « code », soit « workshop_id »"):
        Hello(protocol=1, code="KX7QHA", workshop_id="3")


def test_the_facilitator_messages_are_the_five_of_the_issue_and_the_two_of_visibility() -> None:
    assert FACILITATOR_MESSAGES == {
        "start_step", "close_step", "moderate_idea", "open_workshop", "close_workshop",
        "reveal_results", "set_results_visibility",
    }


def test_an_unknown_results_visibility_is_refused_in_french() -> None:
    message = dict(VALID_CLIENT_MESSAGES["set_results_visibility"], visibility="secret")
    with pytest.raises(ProtocolError) as caught:
        parse_client_message(json.dumps(message))
    assert caught.value.code == "invalid_message"
    assert "« affichage des résultats »" in caught.value.message
    assert caught.value.client_id == "c-11"


def test_server_messages_round_trip_through_json() -> None:
    ack = Ack(client_id="c-1", duplicate=True)
    assert server_message_from_json(dump(ack)) == ack
    error = Error(code="forbidden", message="Seul l'animateur peut faire cela.")
    assert json.loads(dump(error))["message"] == "Seul l'animateur peut faire cela."


def _doc_examples() -> list[tuple[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```jsonl\n(.*?)```", text, re.S):
        for line in block.splitlines():
            direction, _, payload = line.partition(" ")
            lines.append((direction, payload))
    return lines


def test_the_documented_protocol_version_is_the_code_s() -> None:
    assert f"Version du protocole : **{PROTOCOL_VERSION}**" in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize(("direction", "payload"), _doc_examples())
def test_every_line_of_the_documented_session_is_a_valid_message(
    direction: str, payload: str
) -> None:
    adapter = CLIENT_MESSAGE_ADAPTER if direction == ">" else SERVER_MESSAGE_ADAPTER
    assert direction in (">", "<")
    message = adapter.validate_json(payload)
    assert message.type == json.loads(payload)["type"]


def test_the_documentation_lists_every_message_type_and_moderation_action() -> None:
    text = DOC.read_text(encoding="utf-8")
    client_types = set(VALID_CLIENT_MESSAGES)
    server_types = {
        choice["properties"]["type"]["const"]
        for choice in SERVER_MESSAGE_ADAPTER.json_schema()["$defs"].values()
        if "type" in choice.get("properties", {})
        and "const" in choice["properties"]["type"]
    }
    actions = {"hide", "unhide", "edit", "merge", "unmerge", "move", "cluster"}
    for name in client_types | server_types | actions:
        assert f"| `{name}` |" in text, name
