"""Reference server of the load benchmark: the smallest asyncio broadcast server we can write.

One process, one event loop, ``websockets`` (asyncio), ballots kept in memory, one
coalesced update per 100 ms tick broadcast with ``websockets.broadcast``. It speaks the
subset of ``docs/protocol.md`` that the vote scenario of ``benchmarks/live_load.py``
uses — ``hello``/``welcome``, ``join``, ``cast_ballot``/``ack``, ``results``,
``get_state``/``state``, ``ping``/``pong``, and the facilitator's ``start_step`` and
``close_step`` — with the same steps (those of the demo workshop) and the same tallies
(``workshops.tallies``), so its messages have the shape and the size of Chemins' ones.

What it leaves out, on purpose, and what Chemins pays for: no database (a ballot is
acknowledged as soon as it is in memory, nothing survives a restart), no login (any client
may say it is the facilitator), no ideas, no groups, no presence counts, no limits. Its
figures are the floor a Python broadcast server reaches on this machine: every figure of
Chemins is also given as a ratio to it.

Run: ``.venv/bin/python benchmarks/reference_server.py --port 8765`` (prints the join code
the way ``chemins serve`` does: ``(code XXXXXX)``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

from theory_of_change.demo import demo_project
from workshops.ballots import BallotError, validate_ballot
from workshops.join_codes import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH
from workshops.model import BALLOT_ADAPTER, BrainstormStep, Step
from workshops.service import demo_steps
from workshops.tallies import tally

PROTOCOL = 1
TICK_S = 0.1
WORKSHOP_ID = "1"


def _dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


@dataclass
class ReferenceWorkshop:
    """The demo workshop's steps, the ballots in memory and what changed since the last tick."""

    steps: list[Step]
    code: str
    status: dict[str, str] = field(default_factory=dict)
    current: str | None = None
    ballots: dict[str, dict[str, Any]] = field(default_factory=dict)
    processed: dict[str, set[str]] = field(default_factory=dict)
    seq: int = field(default_factory=lambda: time.time_ns() // 1_000_000)
    dirty_results: set[str] = field(default_factory=set)
    steps_dirty: bool = False
    clients: set[ServerConnection] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.by_id = {step.id: step for step in self.steps}
        for step in self.steps:
            self.status.setdefault(step.id, "pending")
            self.ballots.setdefault(step.id, {})

    def step_json(self, step: Step) -> dict[str, Any]:
        """A step as ``state.current_step`` shows it."""
        data = step.model_dump(mode="json")
        data["status"] = self.status[step.id]
        return data

    def summaries(self) -> list[dict[str, Any]]:
        """The ``steps`` list of the state."""
        return [
            {"id": s.id, "title": s.title, "kind": s.kind, "status": self.status[s.id]}
            for s in self.steps
        ]

    def result_json(self, step_id: str) -> str | None:
        """The tally of a vote step, as JSON text (``None`` for a brainstorm)."""
        step = self.by_id[step_id]
        if isinstance(step, BrainstormStep):
            return None
        return tally(step, list(self.ballots[step_id].values())).model_dump_json()

    def state(self, token: str | None) -> str:
        """The full state (JSON text), for a phone with ``token`` or for the staff."""
        step = self.by_id.get(self.current) if self.current else None
        results = self.result_json(step.id) if step is not None else None
        me = None
        if token is not None:
            ballot = self.ballots[step.id].get(token) if step is not None else None
            me = {"ballot": ballot.model_dump(mode="json") if ballot else None,
                  "upvoted": [], "ideas_posted": 0}
        head = _dumps({
            "workshop": {"id": WORKSHOP_ID, "title": "Atelier de référence", "code": self.code,
                         "status": "open", "groups": []},
            "steps": self.summaries(),
            "current_step": self.step_json(step) if step is not None else None,
            "ideas": [],
        })
        return (f'{head[:-1]},"results":{results or "null"},"results_by_group":null,'
                f'"presence":null,"me":{_dumps(me) if me is not None else "null"}}}')

    def next_seq(self) -> int:
        """A new sequence number."""
        self.seq += 1
        return self.seq


class Session:
    """One connection: its role and, for a phone that joined, its participant token."""

    def __init__(self, workshop: ReferenceWorkshop, ws: ServerConnection) -> None:
        self.workshop = workshop
        self.ws = ws
        self.role: str | None = None
        self.token: str | None = None

    async def send(self, message: dict[str, Any] | str) -> None:
        """Send a message to this connection only."""
        await self.ws.send(message if isinstance(message, str) else _dumps(message))

    async def error(self, code: str, text: str, client_id: str | None = None) -> None:
        """Send an ``error``."""
        await self.send({"type": "error", "code": code, "message": text, "client_id": client_id})

    async def ack(self, client_id: str, duplicate: bool = False) -> None:
        """Send an ``ack``."""
        await self.send({"type": "ack", "client_id": client_id, "duplicate": duplicate,
                         "idea_id": None, "detail": None})

    async def welcome(self) -> None:
        """Send ``welcome`` with the full state."""
        participant = (
            {"token": self.token, "nickname": None, "group": None} if self.token else None
        )
        seq = self.workshop.seq
        head = _dumps({"type": "welcome", "protocol": PROTOCOL, "role": self.role,
                       "participant": participant, "seq": seq})
        await self.send(f'{head[:-1]},"state":{self.workshop.state(self.token)}}}')

    async def handle(self, raw: str | bytes) -> None:
        """Answer one client message."""
        try:
            message = json.loads(raw)
        except ValueError:
            await self.error("bad_json", "Le message n'est pas du JSON.")
            return
        if not isinstance(message, dict):
            await self.error("bad_json", "Le message n'est pas un objet JSON.")
            return
        kind = message.get("type")
        client_id = message.get("client_id")
        if kind == "ping":
            await self.send({"type": "pong", "nonce": message.get("nonce")})
        elif kind == "hello":
            await self.hello(message)
        elif self.role is None:
            await self.error("hello_first", "Envoyez d'abord « hello ».", client_id)
        elif kind == "get_state":
            await self.send(f'{{"type":"state","seq":{self.workshop.seq},'
                            f'"state":{self.workshop.state(self.token)}}}')
        elif kind == "join":
            await self.join(str(client_id))
        elif kind == "cast_ballot":
            await self.cast_ballot(message, str(client_id))
        elif kind in ("start_step", "close_step"):
            await self.facilitate(kind, message, str(client_id))
        else:
            await self.error("unknown_type", "Message inconnu du serveur de référence.",
                             client_id)

    async def hello(self, message: dict[str, Any]) -> None:
        """``hello``: a phone gives the code, the staff the workshop id."""
        role = message.get("role", "phone")
        if message.get("protocol") != PROTOCOL:
            await self.error("protocol_version", "Version du protocole inconnue.")
            return
        if role == "phone":
            code = str(message.get("code", "")).replace(" ", "").upper()
            if code != self.workshop.code:
                await self.error("unknown_workshop", "Aucun atelier ne porte ce code.")
                return
            token = message.get("token")
            self.token = token if token in self.workshop.processed else None
        elif str(message.get("workshop_id")) != WORKSHOP_ID:
            await self.error("unknown_workshop", "Atelier inconnu.")
            return
        self.role = role
        self.workshop.clients.add(self.ws)
        await self.welcome()

    async def join(self, client_id: str) -> None:
        """``join``: a new participant (in memory)."""
        if self.role != "phone":
            await self.error("forbidden", "Seul un téléphone rejoint l'atelier.", client_id)
            return
        if self.token is None:
            self.token = secrets.token_urlsafe(24)
            self.workshop.processed[self.token] = set()
        await self.ack(client_id)
        await self.welcome()

    async def cast_ballot(self, message: dict[str, Any], client_id: str) -> None:
        """``cast_ballot``: validated by the step's rules, replaces the previous ballot."""
        workshop = self.workshop
        if self.token is None:
            await self.error("not_joined", "Rejoignez d'abord l'atelier.", client_id)
            return
        done = workshop.processed[self.token]
        if client_id in done:
            await self.ack(client_id, duplicate=True)
            return
        step = workshop.by_id.get(str(message.get("step_id")))
        if step is None or workshop.status[step.id] != "open":
            await self.error("step_not_open", "Cette étape n'est pas en cours.", client_id)
            return
        try:
            ballot = validate_ballot(step, BALLOT_ADAPTER.validate_python(message.get("ballot")))
        except (BallotError, ValueError) as refusal:
            await self.error("invalid_ballot", str(refusal).splitlines()[0], client_id)
            return
        workshop.ballots[step.id][self.token] = ballot
        done.add(client_id)
        workshop.dirty_results.add(step.id)
        await self.ack(client_id)

    async def facilitate(self, kind: str, message: dict[str, Any], client_id: str) -> None:
        """``start_step`` and ``close_step`` (no write-back, no login)."""
        workshop = self.workshop
        if self.role != "facilitator":
            await self.error("forbidden", "Seul l'animateur peut faire cela.", client_id)
            return
        step_id = str(message.get("step_id"))
        if step_id not in workshop.by_id:
            await self.error("unknown_step", "Étape inconnue.", client_id)
            return
        if kind == "start_step":
            if workshop.current and workshop.status[workshop.current] == "open":
                await self.error("not_allowed", "Une étape est déjà en cours.", client_id)
                return
            workshop.status[step_id] = "open"
            workshop.current = step_id
            workshop.dirty_results.add(step_id)
        else:
            workshop.status[step_id] = "closed"
        workshop.steps_dirty = True
        await self.ack(client_id)


async def _connection(workshop: ReferenceWorkshop, ws: ServerConnection) -> None:
    session = Session(workshop, ws)
    try:
        async for raw in ws:
            await session.handle(raw)
    except ConnectionClosed:
        pass
    finally:
        workshop.clients.discard(ws)


async def _ticker(workshop: ReferenceWorkshop) -> None:
    # One serialised update per change and per tick, the same text for every client.
    while True:
        await asyncio.sleep(TICK_S)
        texts: list[str] = []
        if workshop.steps_dirty:
            workshop.steps_dirty = False
            step = workshop.by_id.get(workshop.current) if workshop.current else None
            texts.append(_dumps({
                "type": "step_changed", "seq": workshop.next_seq(), "workshop_status": "open",
                "current_step": workshop.step_json(step) if step is not None else None,
                "steps": workshop.summaries(),
            }))
        dirty, workshop.dirty_results = workshop.dirty_results, set()
        for step_id in sorted(dirty):
            result = workshop.result_json(step_id)
            if result is not None:
                texts.append(f'{{"type":"results","seq":{workshop.next_seq()},'
                             f'"step_id":{json.dumps(step_id)},"tally":{result},'
                             f'"by_group":null}}')
        for text in texts:
            broadcast(workshop.clients, text)


def new_code() -> str:
    """A random join code of the same alphabet as Chemins' ones."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


async def serve_forever(host: str, port: int) -> None:
    """Serve the reference workshop until SIGINT or SIGTERM."""
    workshop = ReferenceWorkshop(steps=demo_steps(demo_project()), code=new_code())
    stop = asyncio.get_running_loop().create_future()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.cancel)
    async with serve(
        lambda ws: _connection(workshop, ws), host, port, ping_interval=25, backlog=4096,
        max_size=65_536,
    ):
        ticker = asyncio.create_task(_ticker(workshop))
        print("Serveur de référence (asyncio, websockets, en mémoire)")
        print(f"  Participants : http://{host}:{port}/j/{workshop.code}   (code {workshop.code})")
        sys.stdout.flush()
        try:
            await stop
        except asyncio.CancelledError:
            pass
        ticker.cancel()


def main(argv: list[str] | None = None) -> None:
    """Command line: ``--host``, ``--port``."""
    parser = argparse.ArgumentParser(description="Serveur de référence du banc de charge.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    asyncio.run(serve_forever(args.host, args.port))


if __name__ == "__main__":
    main()
