"""A phone that stops reading never slows the others; it is told to resync when it reads.

The first tests drive the broadcaster directly with real sockets (socket pairs whose far
end the test reads, or does not); the last one runs the real server with twenty phones
and a silent one on real websockets.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from factories import make_dot_vote_step, make_project
from live_server import TIMEOUT, FacilitatorActions, LiveServer, PhoneActions

from app.extensions import database, live
from app.live import Broadcaster, Connection
from app.live.socket_writer import SendBufferFull, SocketWriter
from theory_of_change.demo import demo_project
from workshops import service, store
from workshops.model import DotBallot

VOTERS = 20
QUEUE = 3


class PairSocket:
    """A websocket stand-in on a real socket pair: frames are length-prefixed texts.

    Like ``simple-websocket``, it writes each frame with ``self.sock.send``, so the
    connection's :class:`SocketWriter` takes the socket's place.
    """

    def __init__(self, send_buffer: int = 0) -> None:
        self.sock, self.peer = socket.socketpair()
        if send_buffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
            self.peer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, send_buffer)
        self.peer.setblocking(False)
        self._unread = b""

    def send(self, text: str) -> None:
        data = text.encode()
        self.sock.send(struct.pack("!I", len(data)) + data)

    def close(self, reason: int = 1000, message: str = "") -> None:
        self.sock.close()

    def dispose(self) -> None:
        """Close both ends."""
        self.sock.close()
        self.peer.close()

    def read(self) -> list[dict[str, Any]]:
        """Every whole message the phone can read now (the phone reads again)."""
        while True:
            try:
                chunk = self.peer.recv(65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            self._unread += chunk
        messages = []
        while len(self._unread) >= 4:
            (size,) = struct.unpack("!I", self._unread[:4])
            if len(self._unread) < 4 + size:
                break
            messages.append(json.loads(self._unread[4 : 4 + size]))
            self._unread = self._unread[4 + size :]
        return messages


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # The tests call tick() themselves; a tiny send queue makes a silent phone overflow;
    # each socket pair chooses its own kernel buffers.
    return {**app_config, "BROADCAST_INTERVAL_MS": 3_600_000, "WS_SEND_QUEUE": QUEUE,
            "WS_SEND_BUFFER_KB": 0}


@pytest.fixture
def pairs() -> Iterator[Any]:
    """Makes :class:`PairSocket` objects, closed after the test."""
    made: list[PairSocket] = []

    def make(send_buffer: int = 0) -> PairSocket:
        made.append(PairSocket(send_buffer))
        return made[-1]

    yield make
    for pair in made:
        pair.dispose()


@pytest.fixture
def voting(app: Any) -> tuple[int, list[str]]:
    """An open workshop whose dot vote runs, and the participants' tokens."""
    with app.app_context(), database.session() as db:
        store.save_project(db, make_project())
        project = store.find_project(db, "projet-test")
        assert project is not None
        workshop_id = int(service.create_workshop(db, project.id, "Atelier").id)
        service.add_step(db, workshop_id, make_dot_vote_step(id="vote"))
        service.open_workshop(db, workshop_id)
        service.start_step(db, workshop_id, "vote")
        tokens = [service.join(db, workshop_id).participant.token for _ in range(VOTERS)]
    return workshop_id, tokens


def _enter(hub: Broadcaster, workshop_id: int, ws: Any) -> Connection:
    conn = hub.connection(ws)
    assert hub.admit(conn)
    hub.enter(conn, workshop_id, "phone")
    conn.start(json.dumps({"type": "welcome"}), 0)
    return conn


def _vote_and_tick(app: Any, hub: Broadcaster, workshop_id: int, tokens: list[str]) -> None:
    """Each participant votes, one tick after each ballot (twenty results to send)."""
    for n, token in enumerate(tokens):
        with app.app_context(), database.session() as db:
            ack = service.cast_ballot(db, workshop_id, token, "vote",
                                      DotBallot(dots={"opt-a": 1, "opt-b": 1}), f"b{n}")
        hub.publish(ack.changes)
        hub.tick()


def test_a_phone_that_reads_nothing_never_delays_the_others_and_is_told_to_resync(
    app: Any, voting: tuple[int, list[str]], pairs: Any
) -> None:
    workshop_id, tokens = voting
    hub = live.broadcaster(app)
    fast = [pairs() for _ in range(5)]
    for ws in fast:
        _enter(hub, workshop_id, ws)
    silent = pairs(send_buffer=4096)
    silent_conn = _enter(hub, workshop_id, silent)
    assert silent.read() == [{"type": "welcome"}]

    # Were a send to block on the silent phone, this thread would never end.
    voting_thread = threading.Thread(target=_vote_and_tick, args=(app, hub, workshop_id, tokens))
    voting_thread.start()
    voting_thread.join(TIMEOUT)
    assert not voting_thread.is_alive(), "the broadcaster blocked on the silent phone"

    for ws in fast:
        results = [m for m in ws.read() if m["type"] == "results"]
        assert [r["tally"]["voters"] for r in results] == list(range(1, VOTERS + 1))
    assert silent_conn.dropped > 0
    assert silent_conn.waiting and hub.backlogged == 1

    # The phone reads again: what fitted in its buffers, then "resync" (the rest was stale).
    received = silent.read()
    hub.tick()
    received += silent.read()
    kinds = [m["type"] for m in received]
    assert kinds.count("resync") == 1
    before = [m["tally"]["voters"] for m in received[: kinds.index("resync")]]
    assert before == sorted(before) and before[-1] < VOTERS
    assert received[kinds.index("resync")]["reason"].startswith("Des mises à jour ont été perdues")
    assert not silent_conn.waiting and hub.backlogged == 0
    # Back in step: the next update reaches it at once.
    with app.app_context(), database.session() as db:
        ack = service.cast_ballot(db, workshop_id, tokens[0], "vote",
                                  DotBallot(dots={"opt-c": 1}), "revote")
    hub.publish(ack.changes)
    hub.tick()
    assert [m["type"] for m in silent.read()] == ["results"]


def test_updates_queued_for_a_slow_phone_are_sent_in_order_when_it_reads_again(
    app: Any, voting: tuple[int, list[str]], pairs: Any
) -> None:
    workshop_id, tokens = voting
    hub = live.broadcaster(app)
    hub.send_queue = 1000  # room for every update: none is dropped
    slow = pairs(send_buffer=4096)
    conn = _enter(hub, workshop_id, slow)
    slow.read()
    _vote_and_tick(app, hub, workshop_id, tokens)
    assert conn.waiting and conn.dropped == 0
    received: list[dict[str, Any]] = []
    for _ in range(VOTERS):  # a few reads and flushes, as the phone catches up
        received += slow.read()
        hub.tick()
    received += slow.read()
    assert [m["tally"]["voters"] for m in received] == list(range(1, VOTERS + 1))
    assert not conn.waiting


def test_a_reply_that_would_exceed_the_unsent_limit_closes_the_connection(pairs: Any) -> None:
    pair = pairs(send_buffer=4096)
    conn = Connection(pair, unsent_limit=64 * 1024)
    assert isinstance(pair.sock, SocketWriter)
    big = "x" * 16 * 1024
    sent = 0
    while conn.send(big):
        sent += 1
        assert sent < 100, "the unsent limit was never reached"
    assert not conn.alive
    # The peer sees the connection end (after what fitted in the buffers).
    pair.peer.setblocking(True)
    pair.peer.settimeout(TIMEOUT)
    while pair.peer.recv(65536):
        pass


def test_the_socket_writer_refuses_more_than_its_limit_with_an_error() -> None:
    near, far = socket.socketpair()
    writer = SocketWriter(near, limit=1024)
    far.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    near.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1024)
    with pytest.raises(SendBufferFull, match="octets en attente"):
        for _ in range(10_000):
            writer.send(b"y" * 512)
    far.close()
    near.close()


# --- On the real server -----------------------------------------------------------------------


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server keeping 4 updates for a silent phone, with a small kernel send buffer.

    A short broadcast interval sends more results while the phones vote.
    """
    live_server = LiveServer(
        tmp_path / "instance",
        env={"CHEMINS_WS_SEND_QUEUE": "4", "CHEMINS_WS_SEND_BUFFER_KB": "4",
             "CHEMINS_BROADCAST_INTERVAL_MS": "20"},
    )
    live_server.start()
    yield live_server
    live_server.stop()


class SilentPhone:
    """A websocket client on a raw socket with a tiny receive buffer, reading only on demand.

    (A websocket library reads ahead in a thread; this one leaves everything in the
    kernel, so the server's buffers fill as they would for a sleeping phone.)
    """

    def __init__(self, server: LiveServer) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        self.sock.settimeout(TIMEOUT)
        self.sock.connect(("127.0.0.1", server.port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\n"
             f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
             "Sec-WebSocket-Version: 13\r\n\r\n").encode()
        )
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def send(self, message: dict[str, Any]) -> None:
        """Send one masked text frame."""
        data = json.dumps(message).encode()
        mask = os.urandom(4)
        header = bytes([0x81]) + (
            bytes([0x80 | len(data)]) if len(data) < 126
            else bytes([0x80 | 126]) + struct.pack("!H", len(data))
        )
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(header + mask + masked)

    def _take(self, size: int) -> bytes:
        while len(self.buffer) < size:
            chunk = self.sock.recv(65536)
            assert chunk, "connexion fermée par le serveur"
            self.buffer += chunk
        taken, self.buffer = self.buffer[:size], self.buffer[size:]
        return taken

    def recv(self) -> dict[str, Any]:
        """The next text message (control frames skipped)."""
        while True:
            first, second = self._take(2)
            size = second & 0x7F
            if size == 126:
                (size,) = struct.unpack("!H", self._take(2))
            elif size == 127:
                (size,) = struct.unpack("!Q", self._take(8))
            payload = self._take(size)
            if first & 0x0F == 0x1:
                return json.loads(payload)  # type: ignore[no-any-return]

    def close(self) -> None:
        """Close the socket."""
        self.sock.close()


@pytest.mark.slow
def test_on_the_real_server_twenty_voters_see_every_tally_while_one_phone_reads_nothing(
    server: LiveServer,
) -> None:
    facilitator = FacilitatorActions(server)
    facilitator.log_in()
    project = demo_project()
    facilitator.create_workshop(facilitator.project_id(project.id), "Téléphone lent")
    facilitator.add_steps(service.demo_steps(project))
    code = facilitator.connect()["state"]["workshop"]["code"]
    facilitator.open_workshop()
    facilitator.start_step("priorisation")
    phones = [PhoneActions(server, code) for _ in range(VOTERS)]
    for n, phone in enumerate(phones):
        phone.join(f"Votant {n}")
    options = [o["id"] for o in phones[0].state["current_step"]["options"]]
    silent = SilentPhone(server)
    try:
        silent.send({"type": "hello", "protocol": 1, "role": "phone", "code": code})
        silent.send({"type": "join", "client_id": "silencieux", "nickname": "Muet"})
        welcomes = 0
        while welcomes < 2:
            welcomes += silent.recv()["type"] == "welcome"

        # Three rounds of votes: dozens of results, far more than the silent phone's buffers.
        for round_ in range(3):
            for n, phone in enumerate(phones):
                chosen = options[(n + round_) % 7 : (n + round_) % 7 + 5]
                ack = phone.cast_ballot("priorisation", {"kind": "dot_vote",
                                                         "dots": dict.fromkeys(chosen, 1)})
                assert ack["type"] == "ack", ack
        for phone in phones:
            phone.wait_until(
                lambda phone=phone: phone.results.get("priorisation", {}).get("voters") == VOTERS
                and phone.results["priorisation"]["dots_cast"] == 5 * VOTERS,
                "le résultat final",
            )

        # The silent phone reads again: stale results, then "resync" — unless its buffers
        # never overflowed (the tick coalesced the votes into few updates), in which case
        # nothing was dropped and it reads every update up to the final tally.
        kinds = []
        while True:
            message = silent.recv()
            kinds.append(message["type"])
            if message["type"] == "resync":
                break
            tally = message.get("tally", {}) if message["type"] == "results" else {}
            if tally.get("voters") == VOTERS and tally.get("dots_cast") == 5 * VOTERS:
                break
        assert set(kinds) <= {"results", "resync"}, kinds
        silent.send({"type": "get_state"})
        while (message := silent.recv())["type"] != "state":
            pass
        assert message["state"]["results"]["voters"] == VOTERS
        assert message["state"]["results"]["dots_cast"] == 5 * VOTERS
    finally:
        silent.close()
    for phone in phones:
        phone.close()
    facilitator.close()


def test_under_gevent_the_socket_writer_keeps_what_the_kernel_refuses_instead_of_waiting() -> None:
    # chemins serve runs gevent: its sockets wait for room on send (switching greenlets)
    # where a plain socket refuses; a ticker waiting there would hold up every phone.
    import gevent
    from gevent import socket as gevent_socket

    near, far = gevent_socket.socketpair()
    far.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    near.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    writer = SocketWriter(near, limit=1 << 20)
    with gevent.Timeout(5):  # without the fix, the first refused send waits for ever
        for _ in range(200):
            writer.send(b"z" * 512)
    assert not writer.idle and writer.pending_bytes > 0
    received = b""
    while not writer.idle or len(received) < 200 * 512:
        received += far.recv(65536)
        writer.flush()
    assert received == b"z" * (200 * 512)
    far.close()
    near.close()
