"""The courier: phones' updates sent beside the ticker, in order, newest tally kept."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from test_live_broadcast import FakeSocket

from app.live import Connection
from app.live.courier import PhoneCourier
from app.live.pacing import Update

PHONE = frozenset({"phone"})


def make_tally(seq: int, step_id: str = "vote") -> Update:
    """A step's whole tally for the phones (replaceable by a newer one)."""
    return Update(PHONE, seq, json.dumps({"type": "results", "seq": seq}), step_id)


def make_ideas(seq: int) -> Update:
    """An ideas delta: never replaceable, every phone must get it."""
    return Update(PHONE, seq, json.dumps({"type": "ideas_delta", "seq": seq}))


def ready_phone(socket: FakeSocket | None = None) -> tuple[Connection, FakeSocket]:
    socket = socket or FakeSocket()
    conn = Connection(socket)
    conn.start("{}", 0)
    socket.sent.clear()
    return conn, socket


def seqs(socket: FakeSocket) -> list[int]:
    return [message["seq"] for message in socket.messages()]


class Gate:
    """A ``members`` callable that holds the courier until the test opens it."""

    def __init__(self, members: list[Connection]) -> None:
        self.members = members
        self.reached = threading.Event()
        self.open = threading.Event()

    def __call__(self) -> list[Connection]:
        self.reached.set()
        assert self.open.wait(10)
        return self.members


@pytest.fixture
def courier() -> Any:
    sent: list[int] = []
    dead: list[Connection] = []
    made = PhoneCourier(sent.append, dead.append)
    made.sent_counts, made.dead = sent, dead  # type: ignore[attr-defined]
    yield made
    made.stop()


def test_every_phone_gets_every_job_in_the_order_handed(courier: PhoneCourier) -> None:
    phones = [ready_phone() for _ in range(450)]  # more than one pause's worth
    members = [conn for conn, _ in phones]
    courier.post(1, lambda: members, [make_tally(1)])
    courier.post(1, lambda: members, [make_ideas(2), make_tally(3)])
    courier.post(1, lambda: members, [make_ideas(4)])
    assert courier.drain()
    assert {tuple(seqs(socket)) for _, socket in phones} == {(1, 2, 3, 4)}
    assert sum(courier.sent_counts) == 450 * 4  # type: ignore[attr-defined]


def test_a_waiting_job_of_tallies_takes_the_newer_ones_instead_of_queueing(
    courier: PhoneCourier,
) -> None:
    conn, socket = ready_phone()
    gate = Gate([conn])
    courier.post(1, gate, [make_tally(1)])
    assert gate.reached.wait(10)  # the courier is busy with the first job
    courier.post(1, lambda: [conn], [make_tally(2, "vote"), make_tally(3, "rank")])
    courier.post(1, lambda: [conn], [make_tally(4, "vote")])
    assert courier.merged == 1
    gate.open.set()
    assert courier.drain()
    # The vote's tally 2 was replaced by 4 before it left; the rank's 3 still went.
    assert seqs(socket) == [1, 3, 4]


def test_a_tally_never_jumps_over_an_update_that_cannot_be_replaced(
    courier: PhoneCourier,
) -> None:
    conn, socket = ready_phone()
    gate = Gate([conn])
    courier.post(1, gate, [make_tally(1)])
    assert gate.reached.wait(10)
    courier.post(1, lambda: [conn], [make_tally(2)])
    courier.post(1, lambda: [conn], [make_ideas(3)])
    courier.post(1, lambda: [conn], [make_tally(4)])
    assert courier.merged == 0
    gate.open.set()
    assert courier.drain()
    assert seqs(socket) == [1, 2, 3, 4]


def test_a_dead_phone_is_reported_and_the_others_still_served(courier: PhoneCourier) -> None:
    gone, _ = ready_phone(FakeSocket())
    gone.ws.broken = True
    staying, socket = ready_phone()
    courier.post(1, lambda: [gone, staying], [make_tally(1)])
    assert courier.drain()
    assert courier.dead == [gone]  # type: ignore[attr-defined]
    assert seqs(socket) == [1]


def test_the_courier_starts_again_after_being_stopped(courier: PhoneCourier) -> None:
    conn, socket = ready_phone()
    courier.post(1, lambda: [conn], [make_tally(1)])
    courier.stop()
    assert seqs(socket) == [1], "stopping sends what was handed first"
    courier.post(1, lambda: [conn], [make_tally(2)])
    assert courier.drain()
    assert seqs(socket) == [1, 2]


def test_an_update_older_than_the_phones_state_is_not_sent_after_it(
    courier: PhoneCourier,
) -> None:
    # A tally computed before this phone read its state, handed to the courier after.
    socket = FakeSocket()
    conn = Connection(socket)
    conn.start('{"type":"welcome","seq":10}', 10)
    socket.sent.clear()
    courier.post(1, lambda: [conn], [make_tally(9)])
    courier.post(1, lambda: [conn], [make_ideas(11)])
    courier.post(1, lambda: [conn], [make_tally(11)])
    assert courier.drain()
    assert seqs(socket) == [11]


def test_a_phone_entering_another_room_takes_that_rooms_numbers() -> None:
    socket = FakeSocket()
    conn = Connection(socket)
    conn.start('{"type":"welcome","seq":500}', 500)
    conn.hold()  # enters a room created earlier, whose numbers are smaller
    conn.start('{"type":"welcome","seq":40}', 40)
    socket.sent.clear()
    assert conn.deliver(41, json.dumps({"type": "results", "seq": 41}))
    assert seqs(socket) == [41]
