"""The broadcaster: one computation and one serialisation per tick, whatever the votes."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from factories import make_dot_vote_step, make_project

from app.extensions import database, live
from app.live import Broadcaster, Connection
from app.live.pacing import PhonePacer
from workshops import service, store
from workshops.model import DotBallot


class FakeSocket:
    """Records what is sent; ``broken`` makes every send fail like a vanished phone."""

    def __init__(self, broken: bool = False) -> None:
        self.sent: list[str] = []
        self.broken = broken

    def send(self, text: str) -> None:
        if self.broken:
            raise OSError("connexion perdue")
        self.sent.append(text)

    def close(self, reason: int = 1000, message: str = "") -> None:
        self.broken = True

    def messages(self) -> list[dict[str, Any]]:
        return [json.loads(text) for text in self.sent]


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # The ticker thread must never tick by itself here: the tests call tick().
    return {**app_config, "BROADCAST_INTERVAL_MS": 3_600_000}


@pytest.fixture
def voting(app: Any) -> tuple[int, list[str]]:
    """An open workshop whose dot vote runs, and 20 participants' tokens."""
    with app.app_context(), database.session() as db:
        store.save_project(db, make_project())
        project = store.find_project(db, "projet-test")
        assert project is not None
        workshop = service.create_workshop(db, project.id, "Atelier")
        workshop_id = int(workshop.id)
        service.add_step(db, workshop_id, make_dot_vote_step(id="vote"))
        service.open_workshop(db, workshop_id)
        service.start_step(db, workshop_id, "vote")
        tokens = [service.join(db, workshop_id).participant.token for _ in range(20)]
    return workshop_id, tokens


def _ready(hub: Broadcaster, workshop_id: int, audience: Any, broken: bool = False) -> FakeSocket:
    socket = FakeSocket(broken)
    conn = Connection(socket)
    assert hub.admit(conn)
    hub.enter(conn, workshop_id, audience)
    conn.start("{}", 0)
    socket.sent.clear()
    return socket


def test_twenty_votes_in_a_tick_reach_each_phone_as_one_identical_result(
    app: Any, voting: tuple[int, list[str]]
) -> None:
    workshop_id, tokens = voting
    hub = live.broadcaster(app)
    phones = [_ready(hub, workshop_id, "phone") for _ in range(50)]
    console = _ready(hub, workshop_id, "facilitator")
    hub.tick()  # presence of the newcomers
    for socket in [*phones, console]:
        socket.sent.clear()
    with app.app_context(), database.session() as db:
        for n, token in enumerate(tokens):
            ack = service.cast_ballot(db, workshop_id, token, "vote",
                                      DotBallot(dots={"opt-a": 1, "opt-b": 1}), f"b{n}")
            hub.publish(ack.changes)
    hub.tick()
    texts = {id(socket.sent[0]) for socket in phones}
    assert [len(socket.sent) for socket in phones] == [1] * 50
    assert len(texts) == 1, "the result must be serialised once for every phone"
    result = phones[0].messages()[0]
    assert result["type"] == "results" and result["by_group"] is None
    assert (result["tally"]["voters"], result["tally"]["dots_cast"]) == (20, 40)
    kinds = [m["type"] for m in console.messages()]
    assert kinds == ["results", "presence"]
    assert console.messages()[0]["by_group"] == {"": console.messages()[0]["tally"]}
    assert console.messages()[1]["presence"]["voters"] == 20
    hub.tick()
    assert [len(socket.sent) for socket in phones] == [1] * 50, "nothing new, nothing sent"


def test_every_update_has_a_larger_sequence_number_than_the_last(
    app: Any, voting: tuple[int, list[str]]
) -> None:
    workshop_id, tokens = voting
    hub = live.broadcaster(app)
    before = time.time_ns() // 1_000_000
    phone = _ready(hub, workshop_id, "phone")
    for n, token in enumerate(tokens[:3]):
        with app.app_context(), database.session() as db:
            ack = service.cast_ballot(db, workshop_id, token, "vote",
                                      DotBallot(dots={"opt-a": 1}), f"s{n}")
        hub.publish(ack.changes)
        hub.tick()
    seqs = [m["seq"] for m in phone.messages()]
    assert len(seqs) == 3 and seqs == sorted(set(seqs))
    # Numbers start from the clock, so they keep growing across a server restart.
    assert seqs[0] > before


class LoggedSocket(FakeSocket):
    """A socket that also writes who was sent what into a log shared by all."""

    def __init__(self, name: str, log: list[tuple[str, str]]) -> None:
        super().__init__()
        self.name, self.log = name, log

    def send(self, text: str) -> None:
        super().send(text)
        self.log.append((self.name, json.loads(text).get("type", "")))


def test_projector_and_console_get_a_tick_before_any_phone(
    app: Any, voting: tuple[int, list[str]]
) -> None:
    workshop_id, tokens = voting
    hub = live.broadcaster(app)
    log: list[tuple[str, str]] = []
    for name, audience in [("phone-1", "phone"), ("projector", "projector"),
                           ("phone-2", "phone"), ("console", "facilitator")]:
        conn = Connection(LoggedSocket(name, log))
        assert hub.admit(conn)
        hub.enter(conn, workshop_id, audience)
        conn.start("{}", 0)
    hub.tick()
    log.clear()
    with app.app_context(), database.session() as db:
        ack = service.cast_ballot(db, workshop_id, tokens[0], "vote",
                                  DotBallot(dots={"opt-a": 1}), "x")
    hub.publish(ack.changes)
    hub.tick()
    receivers = [name for name, _ in log]
    assert sorted(receivers[:4]) == ["console", "console", "projector", "projector"]
    assert sorted(receivers[4:]) == ["phone-1", "phone-2"]
    # Each screen keeps its own order: the tally (withheld from the projector by this
    # step's default visibility), then the presence the vote changed.
    assert [kind for name, kind in log if name == "console"] == ["results", "presence"]
    assert [kind for name, kind in log if name == "projector"] == ["results_hidden", "presence"]


def test_a_phone_whose_send_fails_is_dropped_and_the_others_still_served(
    app: Any, voting: tuple[int, list[str]]
) -> None:
    workshop_id, tokens = voting
    hub = live.broadcaster(app)
    gone = _ready(hub, workshop_id, "phone", broken=True)
    staying = _ready(hub, workshop_id, "phone")
    with app.app_context(), database.session() as db:
        ack = service.cast_ballot(db, workshop_id, tokens[0], "vote",
                                  DotBallot(dots={"opt-a": 1}), "x")
    hub.publish(ack.changes)
    hub.tick()
    assert gone.sent == []
    assert [m["type"] for m in staying.messages()] == ["results"]
    assert hub.phones(workshop_id) == 1


def test_updates_wait_for_the_state_and_only_newer_ones_follow_it(
    app: Any, voting: tuple[int, list[str]]
) -> None:
    workshop_id, tokens = voting
    hub = live.broadcaster(app)
    socket = FakeSocket()
    conn = Connection(socket)
    hub.admit(conn)
    room = hub.enter(conn, workshop_id, "phone")
    state_seq = room.current_seq()  # the state is read now, before the vote
    with app.app_context(), database.session() as db:
        ack = service.cast_ballot(db, workshop_id, tokens[0], "vote",
                                  DotBallot(dots={"opt-a": 1}), "y")
    hub.publish(ack.changes)
    hub.tick()
    assert socket.sent == []  # held back: the phone has no state yet
    conn.start('{"type": "welcome"}', state_seq)
    assert [json.loads(t)["type"] for t in socket.sent] == ["welcome", "results"]
    socket.sent.clear()
    other = Connection(FakeSocket())
    hub.enter(other, workshop_id, "phone")
    hub.publish(service.Changes(workshop_id, results=frozenset({"vote"})))
    hub.tick()
    other.start('{"type": "welcome"}', room.current_seq())
    assert [json.loads(t)["type"] for t in other.ws.sent] == ["welcome"]


def test_above_the_ceiling_a_connection_is_not_admitted(app: Any) -> None:
    hub = live.broadcaster(app)
    hub.max_connections = 2
    first, second, third = (Connection(FakeSocket()) for _ in range(3))
    assert hub.admit(first) and hub.admit(second)
    assert not hub.admit(third)
    hub.release(first)
    assert hub.admit(third)
    assert hub.open_connections == 2


def _voters_shown(socket: FakeSocket) -> list[int]:
    """The voter counts of the tallies a client received (shown or still hidden)."""
    return [
        m["tally"]["voters"] if m["type"] == "results" else m["voters"]
        for m in socket.messages()
        if m["type"] in ("results", "results_hidden")
    ]


def test_a_large_room_gives_the_projector_every_tally_and_the_phones_the_last_one(
    app: Any, voting: tuple[int, list[str]]
) -> None:
    workshop_id, tokens = voting
    hub = live.broadcaster(app)
    phones = [_ready(hub, workshop_id, "phone") for _ in range(4)]
    projector = _ready(hub, workshop_id, "projector")
    # 4 phones at 10 sends a second: each phone gets a tally at most every 0.4 s.
    hub.room(workshop_id).pacer = PhonePacer(tick=0.1, sends_per_second=10)
    hub.tick()  # presence of the newcomers
    for socket in [*phones, projector]:
        socket.sent.clear()
    for n, token in enumerate(tokens[:3]):
        with app.app_context(), database.session() as db:
            ack = service.cast_ballot(db, workshop_id, token, "vote",
                                      DotBallot(dots={"opt-a": 1}), f"p{n}")
        hub.publish(ack.changes)
        hub.tick()  # three ticks in a row, well within 0.4 s
    assert _voters_shown(projector) == [1, 2, 3]
    assert [_voters_shown(phone) for phone in phones] == [[1]] * 4
    hub.tick()  # no new vote: the tally held back goes to the phones at once
    assert [_voters_shown(phone) for phone in phones] == [[1, 3]] * 4
    last_tally = [m for m in projector.messages() if m["type"] == "results_hidden"][-1]
    assert phones[0].messages()[-1]["seq"] == last_tally["seq"]  # the same, newest tally


class StuckSocket(FakeSocket):
    """A phone socket whose send waits until the test lets it through."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def send(self, text: str) -> None:
        self.entered.set()
        assert self.release.wait(10)
        super().send(text)


def test_a_tick_serves_the_projector_without_waiting_for_the_phones(
    app: Any, voting: tuple[int, list[str]]
) -> None:
    workshop_id, tokens = voting
    hub = live.broadcaster(app)
    hub.phones_by_courier = True
    projector = _ready(hub, workshop_id, "projector")
    stuck = StuckSocket()
    phone = Connection(stuck)
    assert hub.admit(phone)
    hub.enter(phone, workshop_id, "phone")
    stuck.release.set()
    phone.start("{}", 0)
    hub.tick()  # presence of the newcomers
    assert hub.courier.drain()
    stuck.release.clear()
    stuck.entered.clear()
    stuck.sent.clear()
    projector.sent.clear()
    with app.app_context(), database.session() as db:
        ack = service.cast_ballot(db, workshop_id, tokens[0], "vote",
                                  DotBallot(dots={"opt-a": 1}), "c1")
    hub.publish(ack.changes)
    hub.tick()
    # The phone's send is stuck in the courier; the tick still returned, projector served.
    assert stuck.entered.wait(10)
    assert [m["type"] for m in projector.messages()] == ["results_hidden", "presence"]
    assert stuck.sent == []
    stuck.release.set()
    assert hub.courier.drain()
    # The same tick's tally, in full for the phone (it may see results once it voted).
    shown = [m for m in stuck.messages() if m["type"] == "results"]
    assert [m["seq"] for m in shown] == [projector.messages()[0]["seq"]]
    assert shown[0]["tally"]["voters"] == 1
    hub.stop()
