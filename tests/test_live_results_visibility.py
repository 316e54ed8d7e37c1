"""Hidden results on the real server: what phones and projector receive, message by message.

Every message a phone or the projector receives is kept, so the tests can say that a
hidden tally never left the server — not in an update, not in a state — rather than that a
page did not draw it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from factories import make_dot_vote_step, make_options
from live_server import FacilitatorActions, LiveServer, Message, PhoneActions, WebsocketClient

pytestmark = pytest.mark.slow

TALLY_FIELDS = ('"tally"', '"rows"', '"dots_cast"', '"dots":')
"""What any serialised dot-vote tally holds (a ballot's ``dots`` is the phone's own)."""


@pytest.fixture(scope="module")
def facilitator(live_server: LiveServer) -> Iterator[FacilitatorActions]:
    """One facilitator for the module: the one-time link logs in only once."""
    actions = FacilitatorActions(live_server)
    actions.log_in()
    yield actions
    actions.close()


class RecordingPhone(PhoneActions):
    """A phone that keeps every message it receives in ``log``."""

    def __init__(self, server: LiveServer, code: str, token: str | None = None) -> None:
        self.log: list[Message] = []
        super().__init__(server, code, token)

    def apply(self, message: Message) -> None:
        """Keep the message, then update what the phone shows."""
        self.log.append(message)
        super().apply(message)


class RecordingProjector(WebsocketClient):
    """The hall's projector (the facilitator's session), keeping every message in ``log``."""

    def __init__(self, server: LiveServer, facilitator: FacilitatorActions) -> None:
        self.log: list[Message] = []
        super().__init__(server.ws_url, {"Cookie": facilitator.cookie_header})
        self.send({"type": "hello", "protocol": 1, "role": "projector",
                   "workshop_id": str(facilitator.workshop_id)})
        self.welcome = self.wait_for(lambda m: m["type"] == "welcome", "welcome")

    def apply(self, message: Message) -> None:
        """Keep the message, then update what the projector shows."""
        self.log.append(message)
        super().apply(message)


def tallies(log: list[Message]) -> list[Message]:
    """The received messages that carry vote counts (sent ballots echo nothing back)."""
    carrying = []
    for message in log:
        if message.get("type") == "ack":
            continue
        text = json.dumps(message)
        if any(field in text for field in TALLY_FIELDS):
            state = message.get("state") or {}
            if message.get("type") in ("welcome", "state") and state.get("results") is None:
                # A phone's own ballot (``me.ballot.dots``) is not a tally.
                continue
            carrying.append(message)
    return carrying


def _workshop(facilitator: FacilitatorActions, mode: str) -> str:
    """A running dot vote ``vote`` on options A, B, C in ``mode``; the join code."""
    facilitator.close()
    step = make_dot_vote_step(id="vote", options=make_options(3), budget=2, max_per_option=1,
                              results_visibility=mode)
    return facilitator.run_step(step, f"Vote {mode}")


def _counts(tally: dict[str, Any]) -> dict[str, int]:
    return {row["option_id"]: row["dots"] for row in tally["rows"]}


def _hidden(client: WebsocketClient, voters: int) -> Message:
    return client.wait_for(
        lambda m: m["type"] == "results_hidden" and m["step_id"] == "vote"
        and m["voters"] == voters,
        f"{voters} votants sans résultat",
    )


def test_on_reveal_no_tally_reaches_phones_or_projector_until_the_facilitator_reveals(
    live_server: LiveServer, facilitator: FacilitatorActions
) -> None:
    code = _workshop(facilitator, "on_reveal")
    projector = RecordingProjector(live_server, facilitator)
    phones = [RecordingPhone(live_server, code) for _ in range(2)]
    for n, phone in enumerate(phones):
        phone.join(f"Votant {n}")
    for phone, dots in zip(phones, ({"opt-a": 1, "opt-b": 1}, {"opt-a": 1}), strict=True):
        assert phone.cast_ballot("vote", {"kind": "dot_vote", "dots": dots})["type"] == "ack"
    console = facilitator.socket
    assert console is not None
    # The facilitator sees the tally live; phones and projector only how many voted.
    staff = console.wait_for(
        lambda m: m["type"] == "results" and m["tally"]["voters"] == 2, "résultat console")
    assert _counts(staff["tally"]) == {"opt-a": 2, "opt-b": 1, "opt-c": 0}
    for client in (projector, *phones):
        _hidden(client, 2)

    # A phone cannot reveal; closing the step does not reveal either.
    refused = phones[0].request({"type": "reveal_results", "step_id": "vote"})
    assert (refused["type"], refused["code"]) == ("error", "forbidden")
    facilitator.close_step("vote")
    for client in (projector, *phones):
        client.wait_for(lambda m: m["type"] == "step_changed"
                        and m["current_step"]["status"] == "closed", "étape close")
        _hidden(client, 2)
    again = phones[1].reconnect()
    assert again["state"]["results"] is None
    assert again["state"]["results_hidden"] == {"step_id": "vote", "voters": 2}
    assert again["state"]["me"]["ballot"] == {"kind": "dot_vote", "dots": {"opt-a": 1}}
    for client in (projector, *phones):
        assert tallies(client.log) == [], client.log

    # Revealed: everyone gets the step (revealed) and then the tally.
    facilitator.act({"type": "reveal_results", "step_id": "vote"})
    for client in (projector, *phones):
        # (A step_changed of the launch may still be waiting: the step's flag tells them apart.)
        changed = client.wait_for(lambda m: m["type"] == "step_changed"
                                  and m["current_step"]["results_revealed"], "révélation")
        assert changed["steps"][0]["results_visibility"] == "on_reveal"
        shown = client.wait_for(lambda m: m["type"] == "results", "résultat révélé")
        assert _counts(shown["tally"]) == {"opt-a": 2, "opt-b": 1, "opt-c": 0}
    assert phones[0].reconnect()["state"]["results"]["voters"] == 2
    for client in (projector, *phones):
        client.close()


def test_live_mode_shows_the_tally_on_the_projector_as_soon_as_a_phone_votes(
    live_server: LiveServer, facilitator: FacilitatorActions
) -> None:
    code = _workshop(facilitator, "live")
    projector = RecordingProjector(live_server, facilitator)
    phone = RecordingPhone(live_server, code)
    phone.join("Camille")
    assert phone.cast_ballot("vote", {"kind": "dot_vote", "dots": {"opt-c": 1}})["type"] == "ack"
    shown = projector.wait_for(lambda m: m["type"] == "results"
                               and m["tally"]["voters"] == 1, "résultat en direct")
    assert _counts(shown["tally"]) == {"opt-a": 0, "opt-b": 0, "opt-c": 1}
    assert not [m for m in projector.log if m["type"] == "results_hidden"]
    projector.close()
    phone.close()


def test_after_vote_the_projector_waits_for_the_close_while_phones_get_the_tally(
    live_server: LiveServer, facilitator: FacilitatorActions
) -> None:
    code = _workshop(facilitator, "after_vote")
    projector = RecordingProjector(live_server, facilitator)
    assert projector.welcome["state"]["results_hidden"] == {"step_id": "vote", "voters": 0}
    phone = RecordingPhone(live_server, code)
    phone.join("Dominique")
    assert phone.cast_ballot("vote", {"kind": "dot_vote", "dots": {"opt-b": 1}})["type"] == "ack"
    # Phones receive it (their page shows it once they have voted); the projector does not.
    phone.wait_results("vote", lambda tally: tally["voters"] == 1)
    _hidden(projector, 1)
    assert tallies(projector.log) == []
    facilitator.close_step("vote")
    final = projector.wait_for(lambda m: m["type"] == "results", "résultat à la clôture")
    assert _counts(final["tally"]) == {"opt-a": 0, "opt-b": 1, "opt-c": 0}
    projector.close()
    phone.close()
