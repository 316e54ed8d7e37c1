"""kill -9 in the middle of a vote of 150 phones: nothing acknowledged is lost or counted twice.

A real server (``chemins serve``, gunicorn, as ``make serve`` runs it) and 150 phones on
real websockets, each written as ``docs/protocol.md`` tells a client to behave: it keeps
every message until its ``ack`` and resends it after a reconnection with the same
``client_id``, reconnects after a jittered, doubling delay, and drops updates older than
the last sequence number it saw. The phones post ideas, then vote again and again; the
server is killed (SIGKILL, no shutdown of any kind) while ballots are in flight, then
started again on the same database.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from live_server import FacilitatorActions, LiveServer, ProtocolFailure, WebsocketClient
from sqlalchemy import func, select
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from theory_of_change.demo import demo_project
from workshops import service
from workshops.store import (
    BallotRow,
    IdeaRow,
    ParticipantRow,
    ProcessedMessage,
    StepRow,
    backup,
)

pytestmark = pytest.mark.slow

PHONES = 150
IDEAS_EACH = 2
STEP = "priorisation"
BACKOFF_BASE_S = 0.25
BACKOFF_CAP_S = 2.0
VOTE_PAUSE_S = (0.1, 0.4)
"""A phone votes again after this many seconds (a lively room, not a load test)."""
STATE_BACK_WITHIN_S = 5.0
WAIT_S = 30.0
"""Any other wait: a hung server fails the test instead of hanging it."""

Message = dict[str, Any]


@dataclass
class Phone:
    """A phone that follows the protocol's reconnection rules (see the module docstring)."""

    index: int
    url: str
    code: str
    rng: random.Random
    token: str | None = None
    outbox: dict[str, Message] = field(default_factory=dict)
    waiting: dict[str, asyncio.Future[Message]] = field(default_factory=dict)
    acked: dict[str, Message] = field(default_factory=dict)
    last_seq: int = -1
    tally: Message | None = None
    welcomes: list[tuple[float, Message]] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    ws: ClientConnection | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Stay connected until ``stop``: reconnect with a jittered, doubling delay."""
        attempt = 0
        while not stop.is_set():
            try:
                async with connect(self.url, proxy=None, open_timeout=5,
                                   ping_interval=None) as ws:
                    self.ws = ws
                    attempt = 0
                    hello: Message = {"type": "hello", "protocol": 1, "code": self.code}
                    if self.token:
                        hello["token"] = self.token
                    await ws.send(json.dumps(hello))
                    async for raw in ws:
                        await self.handle(json.loads(raw))
            except (OSError, TimeoutError, WebSocketException):
                pass
            self.ws = None
            self.ready.clear()
            if stop.is_set():
                return
            ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt)
            attempt += 1
            # Half fixed, half random: phones dropped together do not come back together.
            await asyncio.sleep(ceiling / 2 + self.rng.random() * ceiling / 2)

    async def handle(self, message: Message) -> None:
        """Apply one server message."""
        kind = message["type"]
        if kind == "welcome":
            self.last_seq = message["seq"]
            self.welcomes.append((time.monotonic(), message))
            results = message["state"]["results"]
            if results is not None and results["step_id"] == STEP:
                self.tally = results
            if message["participant"] is not None:
                self.token = message["participant"]["token"]
                self.ready.set()
            elif not any(m["type"] == "join" for m in self.outbox.values()):
                self.outbox[f"p{self.index}-join"] = {
                    "type": "join", "client_id": f"p{self.index}-join",
                    "nickname": f"Téléphone {self.index}",
                }
            for pending in list(self.outbox.values()):  # resend what was not acknowledged
                await self._send(pending)
        elif kind in ("ack", "error") and message.get("client_id") in self.outbox:
            sent = self.outbox.pop(message["client_id"])
            if kind == "ack":
                self.acked[message["client_id"]] = sent
            future = self.waiting.pop(message["client_id"], None)
            if future is not None and not future.done():
                future.set_result(message)
        elif "seq" in message:
            if message["seq"] <= self.last_seq:
                return  # older than what the phone shows
            self.last_seq = message["seq"]
            if kind == "results" and message["step_id"] == STEP:
                self.tally = message["tally"]

    async def _send(self, message: Message) -> None:
        ws = self.ws
        if ws is None:
            return
        try:
            await ws.send(json.dumps(message))
        except (OSError, WebSocketException):
            pass  # resent after the reconnection

    async def request(self, message: Message) -> Message:
        """Send a state-changing message and wait for its ack, across reconnections."""
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self.outbox[message["client_id"]] = message
        self.waiting[message["client_id"]] = future
        await self._send(message)
        return await future

    @property
    def in_flight(self) -> list[Message]:
        """Ballots sent and not acknowledged."""
        return [m for m in self.outbox.values() if m["type"] == "cast_ballot"]

    def last_acked_ballot(self) -> Message | None:
        """The ballot of the last acknowledged ``cast_ballot`` (client ids are numbered)."""
        ballots = [m for m in self.acked.values() if m["type"] == "cast_ballot"]
        return max(ballots, key=lambda m: int(m["client_id"].rsplit("-b", 1)[1]),
                   default={"ballot": None})["ballot"]


def _ballot(rng: random.Random, options: list[str]) -> Message:
    return {"kind": "dot_vote", "dots": dict.fromkeys(sorted(rng.sample(options, 5)), 1)}


async def _vote(phone: Phone, options: list[str], until: asyncio.Event) -> None:
    """Vote, wait for the ack, vote again, until told to stop."""
    number = 0
    while not until.is_set():
        await phone.ready.wait()
        client_id = f"p{phone.index}-b{number}"
        reply = await phone.request({"type": "cast_ballot", "client_id": client_id,
                                     "step_id": STEP, "ballot": _ballot(phone.rng, options)})
        assert reply["type"] == "ack", reply
        number += 1
        await asyncio.sleep(phone.rng.uniform(*VOTE_PAUSE_S))


async def _until(condition: Any, what: str, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"pas de {what} en {timeout} s")
        await asyncio.sleep(0.02)


class FreezableServer(LiveServer):
    """A server that can also be frozen (SIGSTOP) before it is killed."""

    def freeze(self) -> None:
        """Stop every process of the server without killing it."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGSTOP)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[FreezableServer]:
    """A server of this test's own, since the test kills it."""
    live = FreezableServer(tmp_path / "instance")
    live.start()
    yield live
    live.stop()


def _first_welcome(server: LiveServer, code: str) -> float:
    """When the restarted server first answers a phone's hello (its app loaded)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        try:
            probe = WebsocketClient(server.ws_url)
            try:
                probe.send({"type": "hello", "protocol": 1, "code": code})
                probe.wait_for(lambda m: m["type"] == "welcome", "welcome", timeout=WAIT_S)
                return time.monotonic()
            finally:
                probe.close()
        except (OSError, ProtocolFailure, WebSocketException):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def ballot_invariant(path: Path) -> tuple[int, int]:
    """(ballot messages recorded, ballot revisions): each ballot's transaction adds one to each."""
    with sqlite3.connect(path) as connection:
        messages = connection.execute(
            "SELECT count(*) FROM processed_messages WHERE kind = 'cast_ballot'").fetchone()[0]
        revisions = connection.execute(
            "SELECT coalesce(sum(revisions), 0) FROM ballots").fetchone()[0]
    connection.close()
    return messages, revisions


def _step_row_id(session: Any, workshop_id: int) -> int:
    return int(session.scalar(
        select(StepRow.id).where(StepRow.workshop_id == workshop_id, StepRow.key == STEP)
    ))


def _database_ballots(server: LiveServer, workshop_id: int) -> dict[str, Message]:
    """Participant token → ballot body in the database."""
    with server.database() as session:
        step_row_id = _step_row_id(session, workshop_id)
        found = session.execute(
            select(ParticipantRow.token, BallotRow.body)
            .join(BallotRow, BallotRow.participant_id == ParticipantRow.id)
            .where(BallotRow.step_id == step_row_id)
        ).all()
    return {token: body for token, body in found}


def test_a_server_killed_in_the_middle_of_a_vote_loses_nothing_and_phones_come_back(
    server: FreezableServer,
) -> None:
    facilitator = FacilitatorActions(server)
    facilitator.log_in()
    project = demo_project()
    workshop_id = facilitator.create_workshop(facilitator.project_id(project.id), "kill -9")
    facilitator.add_steps(service.demo_steps(project))
    code = facilitator.connect()["state"]["workshop"]["code"]
    facilitator.open_workshop()
    facilitator.start_step("actions")
    facilitator.close()
    brainstorm = service.demo_steps(project)[0]
    columns = [column.id for column in brainstorm.columns]  # type: ignore[attr-defined]
    checks: dict[str, Any] = {}

    async def scenario() -> None:
        stop = asyncio.Event()
        phones = [Phone(n, server.ws_url, code, random.Random(n)) for n in range(PHONES)]
        tasks = [asyncio.create_task(phone.run(stop)) for phone in phones]
        await _until(lambda: all(p.ready.is_set() for p in phones), "participants inscrits")

        # Ideas, all acknowledged before the vote.
        async def ideas(phone: Phone) -> None:
            for k in range(IDEAS_EACH):
                reply = await phone.request({
                    "type": "post_idea", "client_id": f"p{phone.index}-i{k}", "step_id": "actions",
                    "column": columns[(phone.index + k) % len(columns)],
                    "text": f"Idée {k} du téléphone {phone.index}",
                })
                assert reply["type"] == "ack", reply
        await asyncio.gather(*(ideas(phone) for phone in phones))

        await asyncio.to_thread(_start_vote, facilitator, workshop_id)
        await _until(lambda: all(p.tally is not None for p in phones), "vote ouvert")
        options = [row["option_id"] for row in phones[0].tally["rows"]]  # type: ignore[index]
        stop_voting = asyncio.Event()
        voting = [asyncio.create_task(_vote(phone, options, stop_voting)) for phone in phones]
        await _until(lambda: sum(len(p.acked) for p in phones) > PHONES * (2 + IDEAS_EACH),
                     "des bulletins acquittés")
        # A backup taken now, while the ballots keep coming, holds whole transactions only.
        assert backup.in_use(server.database_url)
        copy = await asyncio.to_thread(backup.backup, server.database_url, server.instance.parent
                                       / "pendant-le-vote.sqlite3")
        messages, revisions = ballot_invariant(copy.path)
        assert messages == revisions and copy.rows["ballots"] > 0

        # --- kill -9, with ballots in flight ------------------------------------------------
        # The server is frozen first, so that ballots sent meanwhile surely wait for an ack
        # when it dies; some of those sent just before may be on disk with their ack lost.
        await asyncio.to_thread(server.freeze)
        await asyncio.sleep(2 * VOTE_PAUSE_S[1])
        acked_at_kill = {p.index: p.last_acked_ballot() for p in phones}
        in_flight_at_kill = {p.index: list(p.in_flight) for p in phones}
        await asyncio.to_thread(server.kill)
        assert sum(1 for sent in in_flight_at_kill.values() if sent) > PHONES // 2
        assert not backup.in_use(server.database_url)  # the kernel released the lock
        # Acknowledged means on disk: the database holds them with no server running.
        stored = await asyncio.to_thread(_database_ballots, server, workshop_id)
        for phone in phones:
            possible = [acked_at_kill[phone.index],
                        *(m["ballot"] for m in in_flight_at_kill[phone.index])]
            assert stored.get(phone.token) in possible, (phone.index, stored.get(phone.token))
        welcomes_before = {p.index: len(p.welcomes) for p in phones}

        await asyncio.to_thread(server.start)
        # The server is back once it answers a hello (its worker has loaded the app).
        serving_at = await asyncio.to_thread(_first_welcome, server, code)
        await _until(
            lambda: all(len(p.welcomes) > welcomes_before[p.index] for p in phones),
            f"état rendu à chaque téléphone en {STATE_BACK_WITHIN_S} s",
            timeout=STATE_BACK_WITHIN_S - (time.monotonic() - serving_at),
        )
        for phone in phones:
            welcome = phone.welcomes[welcomes_before[phone.index]][1]
            assert welcome["participant"]["token"] == phone.token  # the same participant
            shown = welcome["state"]["me"]["ballot"]
            assert shown in [acked_at_kill[phone.index],
                             *(m["ballot"] for m in in_flight_at_kill[phone.index])]
        with pytest.raises(backup.BackupError, match="Un serveur Chemins utilise cette base"):
            backup.restore(server.database_url, copy.path)
        # What was in flight is resent and acknowledged (as new, or as already counted).
        await _until(
            lambda: all(m["client_id"] in p.acked
                        for p in phones for m in in_flight_at_kill[p.index]),
            "les renvois acquittés",
        )

        # A little more voting after the restart, then every phone's last ballot stands.
        marks = {p.index: len(p.acked) for p in phones}
        await _until(lambda: all(len(p.acked) > marks[p.index] for p in phones),
                     "des votes après le redémarrage")
        stop_voting.set()
        await asyncio.gather(*voting)
        final = {p.token: p.last_acked_ballot() for p in phones}
        await _until(
            lambda: all(p.tally is not None and p.tally["voters"] == PHONES
                        and p.tally == phones[0].tally for p in phones)
            and _tally_matches(phones[0].tally, final),
            "le résultat final sur chaque téléphone",
        )
        checks["tally"] = phones[0].tally
        checks["final"] = final
        checks["acked"] = {cid for p in phones for cid in p.acked}
        checks["ideas"] = {p.token: [m["text"] for m in p.acked.values()
                                     if m["type"] == "post_idea"] for p in phones}
        stop.set()
        for phone in phones:
            if phone.ws is not None:
                await phone.ws.close()
        await asyncio.gather(*tasks)

    asyncio.run(scenario())

    # --- The database, after everything: one ballot each, every ack recorded once -----------
    assert _database_ballots(server, workshop_id) == checks["final"]
    with server.database() as session:
        assert session.scalar(
            select(func.count(BallotRow.id))
            .where(BallotRow.step_id == _step_row_id(session, workshop_id))
        ) == PHONES
        recorded = set(session.scalars(select(ProcessedMessage.client_id)))
        assert checks["acked"] - {f"p{n}-join" for n in range(PHONES)} <= recorded
        idea_rows = session.execute(
            select(ParticipantRow.token, IdeaRow.text)
            .join(IdeaRow, IdeaRow.participant_id == ParticipantRow.id)
        ).all()
        recomputed = service.step_results(session, workshop_id, STEP)
    by_token: dict[str, list[str]] = {}
    for token, text in idea_rows:
        by_token.setdefault(token, []).append(text)
    assert {t: sorted(texts) for t, texts in by_token.items()} == {
        t: sorted(texts) for t, texts in checks["ideas"].items()
    }
    # The live tally the phones show is the one recomputed from the ballots on disk.
    assert recomputed.model_dump(mode="json") == checks["tally"]  # type: ignore[union-attr]
    assert checks["tally"]["dots_cast"] == 5 * PHONES


def _start_vote(facilitator: FacilitatorActions, workshop_id: int) -> None:
    facilitator.connect(workshop_id)
    facilitator.close_step("actions")
    facilitator.start_step(STEP)
    facilitator.close()


def _tally_matches(tally: Message | None, final: dict[str, Message | None]) -> bool:
    """Whether a dot-vote tally counts exactly the final ballots."""
    if tally is None:
        return False
    dots: dict[str, int] = {}
    for ballot in final.values():
        for option, count in (ballot or {"dots": {}})["dots"].items():
            dots[option] = dots.get(option, 0) + count
    return all(row["dots"] == dots.get(row["option_id"], 0) for row in tally["rows"])
